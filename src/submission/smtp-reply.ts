// The replies SMTP submission gives of its own, each with its enhanced status code (RFC 3463):
// one table, so that the codes clients and tests rely on are written once.

/** An SMTP refusal: smtp-server sends `responseCode` and the message, which carries its enhanced code. */
export class SmtpReply extends Error {
  constructor(
    readonly responseCode: number,
    readonly enhancedCode: string,
    text: string,
  ) {
    super(`${enhancedCode} ${text}`);
    this.name = 'SmtpReply';
  }
}

export const REPLIES = {
  badCredentials: () => new SmtpReply(535, '5.7.8', 'Authentication credentials invalid: the password is a platform API key, the username an organization id or "platform"'),
  unknownOrganization: () => new SmtpReply(535, '5.7.8', 'Authentication credentials invalid: no organization has this id'),
  throttled: (seconds: number) => new SmtpReply(454, '4.7.0', `Too many failed sign-ins from this address; try again in ${seconds} seconds`),
  authRequired: (tls: boolean) => new SmtpReply(530, '5.7.0', tls ? 'Authentication required: issue STARTTLS, then AUTH' : 'Authentication required'),
  badSender: () => new SmtpReply(501, '5.1.7', 'The envelope sender may not contain line breaks or NUL characters'),
  badRecipient: () => new SmtpReply(553, '5.1.3', 'The recipient is not a valid email address'),
  headerNul: () => new SmtpReply(554, '5.6.0', 'The message header contains a NUL character or a bare CR'),
  organizationMissing: () => new SmtpReply(550, '5.7.1', 'Signed in as "platform": name the organization in an X-Relais-Organization header'),
  organizationMismatch: () => new SmtpReply(550, '5.7.1', 'X-Relais-Organization names another organization than the one signed in'),
  organizationNotFound: () => new SmtpReply(550, '5.7.1', 'X-Relais-Organization names no organization'),
  tooLarge: (maxBytes: number) => new SmtpReply(552, '5.3.4', `Message too big: at most ${maxBytes} bytes`),
  notStored: () => new SmtpReply(451, '4.3.0', 'The message could not be stored; try again'),
} as const;

/** The final reply to a message committed to the outbox (or named by an earlier submission). */
export function queuedReply(messageId: string): string {
  return `2.0.0 Ok: queued as ${messageId}`;
}

/** Whether a reply text already starts with its enhanced status code. */
export function hasEnhancedCode(text: string): boolean {
  return /^[245]\.\d{1,3}\.\d{1,3} /.test(text);
}
