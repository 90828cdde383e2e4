// SQL of the one-time sign-in notices (relay-notices.ts): the relays that may need one, and
// recording a notice as sent only if nobody recorded another meanwhile (several processes).
import type { Selectable } from 'kysely';
import type { SmtpRelaysTable } from '../../store/schema.ts';
import type { Executor } from '../../store/store.ts';
import { toRelay } from '../settings/relay.repository.ts';
import type { Relay } from '../relay.ts';

export interface NoticeCandidate {
  relay: Relay;
  /** Notices already sent, e.g. `secret-expiry-30:1798675200000`. */
  sent: string[];
  /** The column as read, for the compare-and-set. */
  raw: string | null;
}

/** Microsoft 365 relays (app sign-in with a secret expiry, or still on a password). */
export async function listNoticeCandidates(db: Executor): Promise<NoticeCandidate[]> {
  const rows = await db
    .selectFrom('smtp_relays')
    .selectAll()
    .where((eb) => eb.or([eb('preset', '=', 'microsoft-365'), eb('auth', 'like', '%"oauth2-microsoft"%')]))
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    relay: toRelay(row as Selectable<SmtpRelaysTable>),
    sent: row.notices_sent === null ? [] : (JSON.parse(row.notices_sent) as string[]),
    raw: row.notices_sent,
  }));
}

/** Records `next` as the notices sent, if the column still holds `previous`; false when another process got there first. */
export async function recordNotices(db: Executor, relayId: string, previous: string | null, next: string[]): Promise<boolean> {
  const result = await db
    .updateTable('smtp_relays')
    .set({ notices_sent: JSON.stringify(next) })
    .where('id', '=', relayId)
    .where((eb) => (previous === null ? eb('notices_sent', 'is', null) : eb('notices_sent', '=', previous)))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
