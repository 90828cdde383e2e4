// One message of the delivery log: its status and route, every attempt with the server's
// reply and, for failures, the explanation; a failed message can be sent again.
import { useState, type ReactNode } from 'react';
import { asApiError, getMessage, resendMessage, type ApiError } from '../../api.ts';
import type { Attempt, MessageDetail } from '../../api-types.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { bytes } from '../../format.ts';
import { isMessageKey, useI18n } from '../../i18n/index.tsx';
import { Link, PATHS } from '../../router.tsx';
import { useLoad } from '../../use-load.ts';
import { FailureExplanation } from '../check/FailureExplanation.tsx';

export function MessageDetailScreen({ orgId, messageId }: { orgId: string; messageId: string }) {
  const { t } = useI18n();
  const message = useLoad(() => getMessage(orgId, messageId), [orgId, messageId]);
  return (
    <>
      <p>
        <Link to={PATHS.log}>← {t('log.back')}</Link>
      </p>
      {message.error ? <ErrorNotice error={message.error} onRetry={() => void message.reload()} /> : null}
      {message.data ? <Detail orgId={orgId} message={message.data} /> : message.error ? null : <p className="muted">{t('common.loading')}</p>}
    </>
  );
}

function Detail({ orgId, message }: { orgId: string; message: MessageDetail }) {
  const { t, lang, dateTime, plural } = useI18n();
  const [resending, setResending] = useState(false);
  const [resent, setResent] = useState<string>();
  const [error, setError] = useState<ApiError>();

  const resend = async () => {
    setResending(true);
    setError(undefined);
    try {
      setResent((await resendMessage(orgId, message.id)).id);
    } catch (e) {
      setError(asApiError(e));
    } finally {
      setResending(false);
    }
  };

  return (
    <>
      <section className="card" aria-labelledby="message-summary">
        <div className="status-card__head">
          <span className={`badge badge--msg-${message.status}`}>{t(`message.status.${message.status}`)}</span>
          <h2 id="message-summary" className="status-card__title">
            {message.subject || t('log.summary')}
          </h2>
        </div>
        <dl className="facts">
          <Fact label={t('log.col.date')} value={dateTime(message.createdAt)} />
          {message.sentAt ? <Fact label={t('log.sentAt')} value={dateTime(message.sentAt)} /> : null}
          {message.failedAt ? <Fact label={t('log.failedAt')} value={dateTime(message.failedAt)} /> : null}
          {message.nextAttemptAt ? <Fact label={t('log.nextAttempt')} value={dateTime(message.nextAttemptAt)} /> : null}
          {message.contentDeletedAt ? <Fact label={t('log.contentDeletedAt')} value={dateTime(message.contentDeletedAt)} /> : null}
          {message.recipients.length ? null : (
            <Fact label={t('log.col.recipients')} value={t(`log.recipientCount.${plural(message.recipientCount)}`, { count: message.recipientCount })} />
          )}
          <Fact label={t('log.col.route')} value={message.route ? t(`message.route.${message.route}`) : '—'} />
          <Fact label={t('log.source')} value={t(`log.source.${message.source}`)} />
          {message.category ? <Fact label={t('log.filter.category')} value={message.category} /> : null}
          <Fact label={t('log.size')} value={bytes(message.sizeBytes, lang)} />
          <Fact label="Message-ID" value={<code className="wrap">{message.messageId}</code>} />
        </dl>
        {message.contentDeletedAt ? <p className="muted">{t('log.contentDeleted')}</p> : null}
        {message.status === 'failed' && !message.contentDeletedAt ? (
          <div className="resend">
            <button type="button" className="button button--primary" onClick={() => void resend()} disabled={resending || resent !== undefined}>
              {resending ? t('log.resending') : t('log.resend')}
            </button>
            <p role="status" aria-live="polite" className="save-feedback">
              {resent ? (
                <>
                  {t('log.resent')} <Link to={PATHS.message(resent)}>{t('log.openResent')}</Link>
                </>
              ) : null}
            </p>
            {error ? <ErrorNotice error={error} /> : null}
          </div>
        ) : null}
        {message.resentFrom ? (
          <p className="muted">
            {t('log.resentFrom')} <Link to={PATHS.message(message.resentFrom)}>{t('log.openOriginal')}</Link>
          </p>
        ) : null}
      </section>
      {message.recipients.length ? (
        <section className="card" aria-labelledby="message-recipients">
          <h2 id="message-recipients" className="card__title">
            {t('log.col.recipients')}
          </h2>
          <ul className="recipients">
            {message.recipients.map((r) => (
              <li key={r.position}>
                <span className="muted">{r.kind}:</span> {r.address}{' '}
                <span className={`badge badge--rcpt-${r.status}`}>{t(`log.recipient.${r.status}`)}</span>
                {r.status === 'failed' && r.reply ? (
                  <>
                    {' '}
                    <code>{r.reply}</code>
                  </>
                ) : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <section className="card" aria-labelledby="message-attempts">
        <h2 id="message-attempts" className="card__title">
          {t('log.attempts')}
        </h2>
        {message.history.length === 0 ? <p className="muted">{t('log.noAttempts')}</p> : null}
        <ol className="attempts">
          {message.history.map((attempt) => (
            <AttemptItem key={attempt.attempt} attempt={attempt} />
          ))}
        </ol>
      </section>
    </>
  );
}

function AttemptItem({ attempt }: { attempt: Attempt }) {
  const { t, dateTime } = useI18n();
  const codeKey = attempt.errorCode ? `error.${attempt.errorCode}` : '';
  return (
    <li className={`attempt attempt--${attempt.outcome}`}>
      <p className="attempt__head">
        <strong>{t('log.attemptN', { n: attempt.attempt })}</strong> · {dateTime(attempt.startedAt)} · {t(`message.route.${attempt.route}`)} ·{' '}
        <span className={`badge badge--msg-${attempt.outcome}`}>{t(`message.status.${attempt.outcome}`)}</span>
        {attempt.classification ? <span className="muted"> · {t(`log.class.${attempt.classification}`)}</span> : null}
      </p>
      {attempt.reply ? (
        <p className="attempt__reply">
          <span className="muted">{t('check.serverReply')}</span> <code>{attempt.reply}</code>
        </p>
      ) : null}
      {attempt.explanation ? (
        <FailureExplanation explanation={attempt.explanation} tone={attempt.outcome === 'failed' ? 'fail' : 'warn'} headingLevel={4} />
      ) : attempt.errorCode ? (
        <p className="muted">{isMessageKey(codeKey) ? t(codeKey) : attempt.errorCode}</p>
      ) : null}
    </li>
  );
}

function Fact({ label, value }: { label: string; value: ReactNode }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}
