import type { Executor } from '../../store/store.ts';
import type { Attempt } from '../message.ts';

export async function recordAttempt(db: Executor, messageId: string, attempt: Attempt): Promise<void> {
  await db
    .insertInto('message_attempts')
    .values({
      message_id: messageId,
      attempt: attempt.attempt,
      route: attempt.route,
      started_at: attempt.startedAt,
      finished_at: attempt.finishedAt,
      outcome: attempt.outcome,
      reply: attempt.reply,
      error_code: attempt.errorCode,
      failure_class: attempt.failureClass,
    })
    .execute();
}
