// The body of a webhook: `{ "type", "timestamp", "data" }`. `data` carries ids, the
// organization, route, status, reply code and explanation id, never a message's content,
// a recipient's address or a server's words (an SMTP reply can quote addresses), nor secrets.
import { EXPLANATIONS } from '../smtp/explanations.ts';
import { replyCodeOf } from '../smtp/reply-sanitize.ts';

/** Fields of an event's data that may leave Relais in a webhook; everything else stays. */
const SHAREABLE = new Set([
  'relayId',
  'version',
  'by',
  'failingSince',
  'policy',
  'attempt',
  'route',
  'status',
  'errorCode',
  'retryAt',
  'waitingFor',
  'attemptCounted',
  'position',
  'kind',
  'expiresAt',
  'endpointId',
  'reason',
  'url',
  'disabledAt',
  'replyCode',
]);

export interface EventInput {
  type: string;
  organizationId?: string;
  messageId?: string;
  data: Record<string, unknown>;
  at: number;
}

export function webhookPayload(event: EventInput): string {
  const data: Record<string, unknown> = {};
  if (event.organizationId !== undefined) data.organizationId = event.organizationId;
  if (event.messageId !== undefined) data.messageId = event.messageId;
  for (const [key, value] of Object.entries(event.data)) if (SHAREABLE.has(key) && value !== undefined) data[key] = value;
  const replyCode = replyCodeOf(event.data.reply);
  if (replyCode && data.replyCode === undefined) data.replyCode = replyCode;
  const errorCode = event.data.errorCode;
  if (typeof errorCode === 'string' && Object.hasOwn(EXPLANATIONS, errorCode)) data.explanationId = errorCode;
  return JSON.stringify({ type: event.type, timestamp: new Date(event.at).toISOString(), data });
}
