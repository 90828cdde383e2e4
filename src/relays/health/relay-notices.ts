/**
 * One-time emails to owners about how their relay signs in, in the organization's language,
 * through the platform sender:
 *
 * secret expiry     an app sign-in relay (Microsoft) whose client secret expires: 30 days and
 *                   7 days before `clientSecretExpiresAt`, once each (a new secret with a new
 *                   date gets its own reminders).
 * Microsoft's date  every active Microsoft 365 relay that still signs in with a password,
 *                   once, before Microsoft turns basic authentication off (end of December
 *                   2026): the change, the date and the steps to switch to app sign-in.
 *
 * What was sent is recorded with the relay (notices_sent) in the same transaction as the
 * emails are queued, with a compare-and-set, so several processes never send one twice.
 */
import type { Clock } from '../../clock.ts';
import type { Locale } from '../../glossary.ts';
import type { Logger } from '../../logger.ts';
import { queueSystemMessage, recordEvent } from '../../outbox/outbox.ts';
import type { Db } from '../../store/store.ts';
import { findOrganization, listOwners } from '../../tenants/tenants.ts';
import { MICROSOFT_APP_SIGN_IN } from '../settings/presets/oauth-guides.ts';
import type { AlertText } from './relay-alert.ts';
import { MICROSOFT_BASIC_AUTH_OFF } from '../relay-auth.ts';
import { listNoticeCandidates, recordNotices, type NoticeCandidate } from './relay-notices.repository.ts';

const DAY_MS = 24 * 3600_000;
/** Notices are looked for at most this often. */
const RUN_INTERVAL_MS = 3600_000;

export type NoticeKind = 'secret-expiry-30' | 'secret-expiry-7' | 'microsoft-basic-auth';

export interface RelayNoticesDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  publicUrl: string;
  messageIdDomain: string;
  onMessagesDue: () => void;
}

/** The notice due for a relay at `now`, with the keys that record it; undefined when none is. */
export function dueNotice(candidate: Pick<NoticeCandidate, 'relay' | 'sent'>, now: number): { kind: NoticeKind; keys: string[]; expiresAt?: number } | undefined {
  const { relay, sent } = candidate;
  const { auth } = relay;
  if (auth.type === 'oauth2-microsoft' && auth.clientSecretExpiresAt !== null) {
    const expiresAt = auth.clientSecretExpiresAt;
    const left = expiresAt - now;
    const key30 = `secret-expiry-30:${expiresAt}`;
    const key7 = `secret-expiry-7:${expiresAt}`;
    if (left > 0 && left <= 7 * DAY_MS && !sent.includes(key7)) return { kind: 'secret-expiry-7', keys: [key30, key7], expiresAt };
    if (left > 7 * DAY_MS && left <= 30 * DAY_MS && !sent.includes(key30)) return { kind: 'secret-expiry-30', keys: [key30], expiresAt };
    return undefined;
  }
  if (relay.preset === 'microsoft-365' && auth.type === 'password' && relay.status === 'active' && now < MICROSOFT_BASIC_AUTH_OFF && !sent.includes('microsoft-basic-auth')) {
    return { kind: 'microsoft-basic-auth', keys: ['microsoft-basic-auth'] };
  }
  return undefined;
}

function longDate(locale: Locale, at: number): string {
  return new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(at));
}

const numbered = (steps: readonly string[]) => steps.map((step, i) => `${i + 1}. ${step}`).join('\n');

export function secretExpiryNotice(input: { locale: Locale; organizationName: string; fromEmail: string; expiresAt: number; now: number; settingsUrl: string }): AlertText {
  const days = Math.max(1, Math.ceil((input.expiresAt - input.now) / DAY_MS));
  const date = longDate(input.locale, input.expiresAt);
  if (input.locale === 'fr') {
    return {
      subject: `Le secret client de votre envoi d’e-mails expire dans ${days} jours`,
      text: [
        'Bonjour,',
        '',
        `Les e-mails de ${input.organizationName} partent de ${input.fromEmail} grâce à une application Microsoft Entra. Son secret client expire le ${date} (dans ${days} jours) : passé cette date, Microsoft ne délivrera plus de jeton et les e-mails ne partiront plus par votre serveur.`,
        '',
        'Pour le renouveler :',
        numbered([
          'Dans le centre d’administration Microsoft Entra (entra.microsoft.com), ouvrez Applications › Inscriptions d’applications › l’application › Certificats et secrets, et créez un nouveau secret client.',
          'Copiez sa colonne « Valeur » (pas l’« ID du secret »).',
          `Dans les réglages d’envoi (${input.settingsUrl}), collez-la dans le champ Secret client, indiquez sa date d’expiration, enregistrez et lancez la vérification.`,
        ]),
        '',
        '— Relais',
      ].join('\n'),
    };
  }
  return {
    subject: `The client secret of your email sending expires in ${days} days`,
    text: [
      'Hello,',
      '',
      `${input.organizationName}’s emails leave from ${input.fromEmail} through a Microsoft Entra application. Its client secret expires on ${date} (in ${days} days): after that date Microsoft issues no more tokens and emails stop leaving through your server.`,
      '',
      'To renew it:',
      numbered([
        'In the Microsoft Entra admin center (entra.microsoft.com), open Applications › App registrations › the application › Certificates & secrets, and create a new client secret.',
        'Copy its “Value” column (not the “Secret ID”).',
        `In the sending settings (${input.settingsUrl}), paste it into the Client secret field, enter its expiry date, save and run the check.`,
      ]),
      '',
      '— Relais',
    ].join('\n'),
  };
}

export function microsoftBasicAuthNotice(input: { locale: Locale; organizationName: string; fromEmail: string; settingsUrl: string }): AlertText {
  const date = longDate(input.locale, MICROSOFT_BASIC_AUTH_OFF);
  const steps = MICROSOFT_APP_SIGN_IN.guide?.[input.locale] ?? [];
  if (input.locale === 'fr') {
    return {
      subject: 'Microsoft 365 : passez à la connexion d’application avant fin décembre 2026',
      text: [
        'Bonjour,',
        '',
        `Les e-mails de ${input.organizationName} partent de ${input.fromEmail} par Microsoft 365, avec un identifiant et un mot de passe. Microsoft désactive par défaut cette connexion par mot de passe (authentification de base SMTP AUTH) fin décembre 2026 (le ${date}) : à partir de là, l’envoi échouera (erreur 535 5.7.139 ou 550 5.7.30).`,
        '',
        `Passez dès maintenant à la connexion d’application Microsoft Entra (OAuth2), dans les réglages d’envoi (${input.settingsUrl}) :`,
        numbered(steps),
        '',
        '— Relais',
      ].join('\n'),
    };
  }
  return {
    subject: 'Microsoft 365: switch to app sign-in before the end of December 2026',
    text: [
      'Hello,',
      '',
      `${input.organizationName}’s emails leave from ${input.fromEmail} through Microsoft 365, with a username and password. Microsoft turns this password sign-in (SMTP AUTH basic authentication) off by default at the end of December 2026 (${date}): from then on, sending will fail (error 535 5.7.139 or 550 5.7.30).`,
      '',
      `Switch to Microsoft Entra app sign-in (OAuth2) now, in the sending settings (${input.settingsUrl}):`,
      numbered(steps),
      '',
      '— Relais',
    ].join('\n'),
  };
}

export class RelayNotices {
  private nextRunAt = 0;

  constructor(private readonly deps: RelayNoticesDeps) {}

  /** Sends the notices that are due (at most once an hour); returns how many relays got one. */
  async tick(): Promise<number> {
    const now = this.deps.clock.now();
    if (now < this.nextRunAt) return 0;
    this.nextRunAt = now + RUN_INTERVAL_MS;
    let sent = 0;
    for (const candidate of await listNoticeCandidates(this.deps.db)) {
      const due = dueNotice(candidate, now);
      if (!due) continue;
      if (await this.send(candidate, due, now)) sent += 1;
    }
    if (sent > 0) this.deps.onMessagesDue();
    return sent;
  }

  private async send(candidate: NoticeCandidate, due: NonNullable<ReturnType<typeof dueNotice>>, now: number): Promise<boolean> {
    const { relay } = candidate;
    return this.deps.db.transaction().execute(async (tx) => {
      if (!(await recordNotices(tx, relay.id, candidate.raw, [...candidate.sent, ...due.keys]))) return false;
      const org = await findOrganization(tx, relay.organizationId);
      if (!org) return false;
      const owners = await listOwners(tx, relay.organizationId);
      if (owners.length === 0) this.deps.logger.warn({ organizationId: relay.organizationId }, 'sign-in notice not sent: the organization has no owner');
      const settingsUrl = `${this.deps.publicUrl}/settings/emails`;
      const { subject, text } =
        due.kind === 'microsoft-basic-auth'
          ? microsoftBasicAuthNotice({ locale: org.locale, organizationName: org.name, fromEmail: relay.fromEmail, settingsUrl })
          : secretExpiryNotice({ locale: org.locale, organizationName: org.name, fromEmail: relay.fromEmail, expiresAt: due.expiresAt ?? now, now, settingsUrl });
      for (const owner of owners) {
        await queueSystemMessage(
          tx,
          { organizationId: relay.organizationId, to: [{ name: owner.name, address: owner.email }], subject, text, category: 'relay-alert', forcedRoute: 'platform' },
          { now, messageIdDomain: this.deps.messageIdDomain },
        );
      }
      if (due.kind !== 'microsoft-basic-auth') {
        const expiresAt = new Date(due.expiresAt ?? now).toISOString();
        await recordEvent(tx, { organizationId: relay.organizationId, type: 'relay.secret_expiring', data: { relayId: relay.id, version: relay.version, expiresAt }, at: now });
      }
      this.deps.logger.info({ relayId: relay.id, organizationId: relay.organizationId, notice: due.kind, owners: owners.length }, 'sign-in notice queued');
      return true;
    });
  }
}
