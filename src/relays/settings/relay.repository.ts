// All SQL for relays. Every write that depends on what the caller read names the version it
// read, so a concurrent save can never be overwritten or activated by mistake.
import type { Selectable } from 'kysely';
import type { SmtpRelaysTable } from '../../store/schema.ts';
import type { Executor } from '../../store/store.ts';
import { isPresetId } from './presets.ts';
import { PASSWORD_AUTH, type RelayAuth } from '../relay-auth.ts';
import type { FallbackPolicy, Relay, RelayCheckRecord, RelayLimitOverrides, RelaySecurity, RelayStatus } from '../relay.ts';

export function toRelay(row: Selectable<SmtpRelaysTable>): Relay {
  const lastCheck: RelayCheckRecord | null =
    row.last_check_at === null || row.last_check_version === null
      ? null
      : {
          version: row.last_check_version,
          at: row.last_check_at,
          passed: row.last_check_passed === 1,
          errorCode: row.last_check_error_code,
          reply: row.last_check_reply,
        };
  return {
    id: row.id,
    organizationId: row.organization_id,
    version: row.version,
    preset: isPresetId(row.preset) ? row.preset : 'custom',
    host: row.host,
    port: row.port,
    security: row.security as RelaySecurity,
    username: row.username,
    sealedPassword: row.password_sealed,
    fromEmail: row.from_email,
    fromName: row.from_name,
    replyTo: row.reply_to,
    fallbackPolicy: row.fallback_policy as FallbackPolicy,
    allowSelfSigned: row.allow_self_signed === 1,
    limits: row.limits === null ? null : (JSON.parse(row.limits) as RelayLimitOverrides),
    auth: row.auth === null ? PASSWORD_AUTH : (JSON.parse(row.auth) as RelayAuth),
    status: row.status as RelayStatus,
    statusChangedAt: row.status_changed_at,
    activeSince: row.active_since,
    verifiedVersion: row.verified_version,
    verifiedAt: row.verified_at,
    lastCheck,
    health: {
      consecutiveFailures: row.consecutive_failures,
      lastFailure:
        row.failure_error_code === null || row.failure_at === null
          ? null
          : { errorCode: row.failure_error_code, reply: row.failure_reply, at: row.failure_at },
      failingSince: row.failing_since,
      nextProbeAt: row.next_probe_at,
      probeAttempts: row.probe_attempts,
    },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toRow(relay: Relay): Omit<SmtpRelaysTable, 'notices_sent'> {
  return {
    id: relay.id,
    organization_id: relay.organizationId,
    version: relay.version,
    preset: relay.preset,
    host: relay.host,
    port: relay.port,
    security: relay.security,
    username: relay.username,
    password_sealed: relay.sealedPassword,
    from_email: relay.fromEmail,
    from_name: relay.fromName,
    reply_to: relay.replyTo,
    fallback_policy: relay.fallbackPolicy,
    allow_self_signed: relay.allowSelfSigned ? 1 : 0,
    limits: relay.limits === null ? null : JSON.stringify(relay.limits),
    auth: relay.auth.type === 'password' ? null : JSON.stringify(relay.auth),
    status: relay.status,
    status_changed_at: relay.statusChangedAt,
    active_since: relay.activeSince,
    verified_version: relay.verifiedVersion,
    verified_at: relay.verifiedAt,
    last_check_version: relay.lastCheck?.version ?? null,
    last_check_at: relay.lastCheck?.at ?? null,
    last_check_passed: relay.lastCheck ? (relay.lastCheck.passed ? 1 : 0) : null,
    last_check_error_code: relay.lastCheck?.errorCode ?? null,
    last_check_reply: relay.lastCheck?.reply ?? null,
    consecutive_failures: relay.health.consecutiveFailures,
    failure_error_code: relay.health.lastFailure?.errorCode ?? null,
    failure_reply: relay.health.lastFailure?.reply ?? null,
    failure_at: relay.health.lastFailure?.at ?? null,
    failing_since: relay.health.failingSince,
    next_probe_at: relay.health.nextProbeAt,
    probe_attempts: relay.health.probeAttempts,
    created_at: relay.createdAt,
    updated_at: relay.updatedAt,
  };
}

export async function findRelayByOrganization(db: Executor, organizationId: string): Promise<Relay | undefined> {
  const row = await db.selectFrom('smtp_relays').selectAll().where('organization_id', '=', organizationId).executeTakeFirst();
  return row ? toRelay(row) : undefined;
}

export async function insertRelay(db: Executor, relay: Relay): Promise<void> {
  await db.insertInto('smtp_relays').values(toRow(relay)).execute();
}

/**
 * Replaces the whole relay when it is still at `expectedVersion`; returns false when someone
 * else changed it in between (or deleted it).
 */
export async function replaceRelay(db: Executor, relay: Relay, expectedVersion: number): Promise<boolean> {
  const { id, organization_id: _org, created_at: _created, ...changes } = toRow(relay);
  const result = await db
    .updateTable('smtp_relays')
    .set(changes)
    .where('id', '=', id)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function deleteRelay(db: Executor, organizationId: string): Promise<Relay | undefined> {
  const existing = await findRelayByOrganization(db, organizationId);
  if (!existing) return undefined;
  await db.deleteFrom('smtp_relays').where('id', '=', existing.id).execute();
  return existing;
}

/** What routing needs to know about an organization, in one query at send time. */
export interface RoutingView {
  /** The organization's "Custom sending address (SMTP)" flag. */
  customSmtp: boolean;
  relay: Relay | undefined;
}

export async function findRoutingView(db: Executor, organizationId: string): Promise<RoutingView | undefined> {
  const row = await db
    .selectFrom('organizations')
    .leftJoin('smtp_relays', 'smtp_relays.organization_id', 'organizations.id')
    .select('organizations.features as org_features')
    .selectAll('smtp_relays')
    .where('organizations.id', '=', organizationId)
    .executeTakeFirst();
  if (!row) return undefined;
  const { org_features: features, ...relayRow } = row;
  const flags = JSON.parse(features) as { customSmtp?: unknown };
  return {
    customSmtp: flags.customSmtp === true,
    relay: relayRow.id === null ? undefined : toRelay(relayRow as Selectable<SmtpRelaysTable>),
  };
}

/** Every sealed password with the record it is bound to, for key rotation. */
export async function listSealedPasswords(db: Executor): Promise<{ id: string; organizationId: string; sealed: string }[]> {
  const rows = await db.selectFrom('smtp_relays').select(['id', 'organization_id', 'password_sealed']).orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, organizationId: r.organization_id, sealed: r.password_sealed }));
}

/**
 * Swaps a sealed password for its re-wrapped form, only if it is still the one that was read:
 * a password saved meanwhile is newer and already sealed under the current key.
 */
export async function replaceSealedPassword(db: Executor, id: string, previous: string, next: string): Promise<boolean> {
  const result = await db
    .updateTable('smtp_relays')
    .set({ password_sealed: next })
    .where('id', '=', id)
    .where('password_sealed', '=', previous)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
