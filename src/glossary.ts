/**
 * Glossary — the words Relais's code uses, and what they mean.
 *
 * organization  A tenant of the platform (a training centre, a company…). Every message,
 *               member and relay belongs to exactly one.
 * platform      The multi-tenant product that uses Relais to send its emails; it talks to
 *               Relais with a platform API key.
 * message       One email the platform asked Relais to send for an organization: its
 *               recipients, subject, bodies, attachments, and a stable Message-ID.
 * outbox        The durable queue of messages still to deliver (statuses queued, sending,
 *               deferred) and the record of delivered or failed ones.
 * route         Which SMTP server a message left through: `platform` (the platform's
 *               default sender), `relay` (the organization's own relay) or `fallback`
 *               (the platform sender standing in for a failing relay).
 * relay         An organization's own SMTP server settings (host, port, security,
 *               credentials, sender address), with a version that changes on every save.
 * attempt       One try at handing a message to an SMTP server, with its outcome and reply.
 * lease         A dispatcher's time-limited claim on a message while it sends it; a lease
 *               that expires (crash, kill) returns the message to the queue.
 * dispatcher    The loop that claims due messages, routes each one at send time, sends it
 *               and records the outcome.
 * preset        A provider Relais knows (Gmail, Microsoft 365, SendGrid…), by id: the relay
 *               form's defaults and guide (relays/settings/presets) and the provider-specific steps of
 *               the explanation catalog (smtp/explanations) are keyed by it, so a renamed or
 *               removed preset fails to compile wherever it is named.
 */
/** Every status a message can have, in the order of its life (the API and the UI list them from here). */
export const MESSAGE_STATUSES = ['queued', 'sending', 'sent', 'deferred', 'failed'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];
export type Route = 'platform' | 'relay' | 'fallback';
export type Locale = 'fr' | 'en';

/** Every provider preset; the presets are displayed in the order of this list. */
export const PRESET_IDS = [
  'gmail',
  'google-workspace',
  'microsoft-365',
  'outlook',
  'sendgrid',
  'mailgun',
  'amazon-ses',
  'brevo',
  'mailjet',
  'postmark',
  'ovh',
  'infomaniak',
  'ionos',
  'zoho',
  'scaleway',
  'custom',
] as const;
export type PresetId = (typeof PRESET_IDS)[number];
