// Decides, at send time, which server a message leaves through and as whom.
import type { Route } from '../glossary.ts';
import type { SmtpTransport } from '../smtp/transport.ts';
import type { ClaimedMessage, Mailbox } from './message.ts';

export interface RouteDecision {
  route: Route;
  /** The From header. */
  from: Mailbox;
  /** MAIL FROM: the address the server expects to send as. */
  envelopeFrom: string;
  /** Reply-To to set when the message has none (e.g. the organization's address on fallback). */
  replyTo?: Mailbox;
  transport: SmtpTransport;
}

export interface Router {
  decide(message: ClaimedMessage): Promise<RouteDecision>;
}

/** Every message leaves through the platform's default sender. */
export class PlatformRouter implements Router {
  constructor(
    private readonly platformFrom: Mailbox,
    private readonly transport: SmtpTransport,
  ) {}

  async decide(): Promise<RouteDecision> {
    return { route: 'platform', from: this.platformFrom, envelopeFrom: this.platformFrom.address, transport: this.transport };
  }
}
