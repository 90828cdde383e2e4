// Decides, at send time, which server a message leaves through and as whom — or that it must
// wait (its relay is failing and the organization holds mail, or the relay is at a limit).
import type { Route } from '../glossary.ts';
import type { FailureClass } from '../smtp/reply-classification.ts';
import type { SmtpTransport } from '../smtp/transport.ts';
import type { ClaimedMessage, Mailbox } from './message.ts';

/** What became of a send, told back to the router (relay limits and relay health learn from it). */
export interface SendFeedback {
  outcome: 'sent' | 'deferred' | 'failed';
  /** The class of the failure that decided the outcome, if any. */
  failureClass?: FailureClass;
  /** Explanation id of the failure (or a Relais code), null when delivered. */
  errorCode: string | null;
  reply: string | null;
  /** Recipients the server accepted in this attempt. */
  acceptedRecipients: number;
  at: number;
}

export interface RouteDecision {
  route: Route;
  /** The From header. */
  from: Mailbox;
  /** MAIL FROM: the address the server expects to send as. */
  envelopeFrom: string;
  /** Reply-To to set when the message has none (e.g. the organization's address on fallback). */
  replyTo?: Mailbox;
  transport: SmtpTransport;
  /**
   * Whether a failed attempt is tried again at once instead of after backoff, its next route
   * decided afresh (the organization's relay refused, and its policy sends through the
   * platform sender instead).
   */
  retryAtOnce?: (failure: { failureClass: FailureClass; errorCode: string }) => boolean;
  /** Called exactly once when the attempt is over (sent, failed, or not even tried). */
  finish?: (feedback: SendFeedback) => Promise<void>;
}

/**
 * Codes a waiting message carries as its last error code:
 *   relay_held          the relay is failing and the organization holds mail until it works;
 *   relay_rate_limited  the relay reached its messages per second, minute or hour;
 *   relay_daily_quota   the relay reached its daily messages or recipients.
 */
export const WAITING_FOR_RELAY = ['relay_held', 'relay_rate_limited', 'relay_daily_quota'] as const;
export type PostponeCode = (typeof WAITING_FOR_RELAY)[number];

/** The message waits without an attempt being counted; nothing is sent. */
export interface Postponement {
  postpone: {
    until: number;
    /** Absent for a momentary wait (the relay's slots are in use): the message keeps its state. */
    code?: PostponeCode;
  };
}

export interface Router {
  decide(message: ClaimedMessage): Promise<RouteDecision | Postponement>;
  /** Organizations whose messages cannot be sent now in this process; the dispatcher leaves them out of claims. */
  excludedOrganizations?(now: number): string[];
  /** Extends what is held for sends in flight (relay slots), along with the messages' leases. */
  renew?(messageIds: string[], until: number): Promise<void>;
}

export function isPostponement(decision: RouteDecision | Postponement): decision is Postponement {
  return 'postpone' in decision;
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
