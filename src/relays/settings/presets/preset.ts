/**
 * Provider presets — the shape of one preset.
 *
 * preset        What Relais knows about one SMTP provider before the owner types anything:
 *               server, port and security defaults, what goes in the username and password
 *               fields, the provider's published sending limits, and a numbered setup guide
 *               in French and English. Choosing a preset fills the technical fields of a
 *               relay; the owner still enters their own credentials and sender address.
 * host choice   A server the owner must pick between when one provider runs several
 *               (Amazon SES regions, Mailgun US/EU, Zoho data centres, OVHcloud offers).
 * limits        The provider's caps, used to pace sending so that Relais never trips them.
 *               Where the provider only meters a paid volume (sending services billed per
 *               plan) and answers a temporary error when it is exceeded, no quota is set:
 *               the provider's reply is authoritative and a quota guessed from the free plan
 *               would hold back paying customers. Where exceeding a cap gets the mailbox
 *               blocked (Gmail, Microsoft 365, hosting mailboxes), the lowest published
 *               figure for a regular account is used. `basis` tells the owner where each
 *               figure comes from and what their own plan may allow.
 */
import { PRESET_IDS, type Locale, type PresetId } from '../../../glossary.ts';
import type { AuthMethod } from './oauth-guides.ts';

/** `tls`: implicit TLS from the first byte (port 465). `starttls`: upgrade after EHLO (587, 25, 2525). */
export type Security = 'tls' | 'starttls' | 'none';

export type Localized = Readonly<Record<Locale, string>>;

/** The ids live in the glossary, which the explanation catalog's provider steps are keyed by too. */
export { PRESET_IDS, type PresetId };

export interface Endpoint {
  readonly port: number;
  readonly security: Security;
}

export interface HostChoice {
  readonly host: string;
  readonly label: Localized;
  /** Port and security to switch to when this server is chosen, when they differ by server (OVHcloud). */
  readonly endpoint?: Endpoint;
}

export interface PresetLimits {
  readonly messagesPerSecond?: number;
  readonly messagesPerMinute?: number;
  readonly messagesPerHour?: number;
  readonly messagesPerDay?: number;
  readonly recipientsPerDay?: number;
  /** Simultaneous SMTP connections Relais may open to this relay. */
  readonly maxConnections: number;
  readonly maxRecipientsPerMessage?: number;
  /** Where the figures come from and what the owner's own plan may allow. */
  readonly basis: Localized;
}

export interface Notice {
  readonly level: 'info' | 'warning';
  readonly text: Localized;
}

export interface Preset {
  readonly id: PresetId;
  /** Brand name, the same in every language. */
  readonly name: string;
  /** Badge for the UI: one or two letters on the brand colour. */
  readonly mark: { readonly initials: string; readonly color: string };
  /** Null when the owner must pick one of `hostChoices` (or type their own, for `custom`). */
  readonly host: string | null;
  readonly hostChoices?: readonly HostChoice[];
  readonly port: number;
  readonly security: Security;
  /** Other ports the provider accepts, e.g. 465 with implicit TLS beside 587 with STARTTLS. */
  readonly alternatives?: readonly Endpoint[];
  readonly usernameHint: Localized;
  /** The literal username the provider expects of everyone (SendGrid's `apikey`). */
  readonly fixedUsername?: string;
  readonly passwordLabel: Localized;
  readonly limits: PresetLimits;
  /** Numbered steps: the array order gives the numbers, so steps carry no number themselves. */
  readonly guide: { readonly fr: readonly string[]; readonly en: readonly string[] };
  readonly notices?: readonly Notice[];
  readonly docsUrl?: string;
  /** Sign-in methods the provider accepts, the recommended first; absent: username and password only. */
  readonly authMethods?: readonly AuthMethod[];
  /**
   * "Connect with Microsoft / Google": the provider whose consent screen connects a mailbox of
   * this preset, offered only where the platform registered that provider's application.
   */
  readonly connect?: 'microsoft' | 'google';
}
