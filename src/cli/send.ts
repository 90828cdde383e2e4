// `relais send`: queue a message from a terminal, through the same validation as the API.
import { AppError } from '../errors.ts';
import { sendMessageSchema } from '../outbox/message.ts';
import { AcceptService } from '../outbox/accept.service.ts';
import { systemClock } from '../clock.ts';
import { parsePlatformFrom } from '../relais.ts';
import { notifyOutbox } from '../outbox/wake-channel.ts';
import { configOrExit, fail, openMigratedStore } from './runtime.ts';

interface SendOptions {
  org: string;
  to: string[];
  subject: string;
  text?: string;
  html?: string;
  category?: string;
  idempotencyKey?: string;
}

export async function sendCommand(opts: SendOptions): Promise<void> {
  const config = configOrExit();
  const parsed = sendMessageSchema.safeParse({
    to: opts.to,
    subject: opts.subject,
    ...(opts.text !== undefined ? { text: opts.text } : {}),
    ...(opts.html !== undefined ? { html: opts.html } : {}),
    ...(opts.category !== undefined ? { category: opts.category } : {}),
  });
  if (!parsed.success) {
    fail(parsed.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('\n'), 2);
  }
  const store = await openMigratedStore(config);
  try {
    const accept = new AcceptService({
      store,
      clock: systemClock,
      maxMessageBytes: config.maxMessageBytes,
      messageIdDomain: parsePlatformFrom(config.platformFrom).address.split('@')[1] ?? 'relais.invalid',
      onAccepted: () => {},
    });
    const { message, created } = await accept.accept(opts.org, parsed.data, opts.idempotencyKey);
    if (created) await notifyOutbox(store);
    console.log(`${created ? 'Queued' : 'Already queued'} ${message.id} (${message.status}); a running relais start/worker delivers it.`);
  } catch (error) {
    if (error instanceof AppError) fail(`${error.code}: ${error.message}`, 2);
    throw error;
  } finally {
    await store.close();
  }
}
