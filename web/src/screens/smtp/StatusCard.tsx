// Where the organization's emails leave from right now: off, not verified, active since…,
// or failing with the explanation and what to do.
import type { Organization, Relay } from '../../api-types.ts';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { mailbox } from '../../format.ts';
import { isMessageKey, useI18n } from '../../i18n/index.tsx';
import { Link, PATHS } from '../../router.tsx';
import { FailureExplanation } from '../check/FailureExplanation.tsx';

export function StatusCard({ organization, relay }: { organization: Organization; relay: Relay | null }) {
  const { t, dateTime, plural } = useI18n();
  const flagOn = organization.features.customSmtp;
  const status = relay?.status ?? 'none';
  const sender = relay ? mailbox(relay.fromName, relay.fromEmail) : '';

  let headline: string;
  let body: string;
  if (!flagOn) {
    headline = t('smtp.status.betaOffTitle');
    body = t('smtp.status.betaOff');
  } else if (!relay) {
    headline = t('smtp.status.noneTitle');
    body = t('smtp.status.none');
  } else if (relay.status === 'active') {
    headline = relay.activeSince ? t('smtp.status.activeSince', { date: dateTime(relay.activeSince) }) : t('status.active');
    body = t('smtp.status.active', { sender });
  } else if (relay.status === 'failing') {
    headline = t('smtp.status.failingSince', { date: dateTime(relay.failure?.since ?? relay.statusChangedAt) });
    body = relay.fallbackPolicy === 'fallback' ? t('smtp.status.failingFallback') : t('smtp.status.failingHold');
  } else if (relay.verified) {
    headline = t('smtp.status.readyTitle');
    body = t('smtp.status.ready', { sender });
  } else {
    headline = t('smtp.status.unverifiedTitle');
    body = t('smtp.status.unverified');
  }

  const lastError = relay?.lastCheck && !relay.lastCheck.passed ? relay.lastCheck : null;
  // The server explains the failure (its explanation id, whether a check or a verification
  // recorded it); the server's own reply is never shown in its place.
  const lastErrorText = lastError?.explanation?.title ?? t('check.status.fail');
  const usage = flagOn && relay?.status === 'active' ? relay.usage : undefined;

  return (
    <section className={`card status-card status-card--${flagOn ? status : 'off'}`} aria-labelledby="status-title" data-testid="status-card">
      <div className="status-card__head">
        <StatusBadge status={flagOn ? status : 'off'} />
        <h2 id="status-title" className="status-card__title">
          {headline}
        </h2>
      </div>
      <p>{body}</p>
      {!flagOn ? (
        <p>
          <Link to={PATHS.organization}>{t('smtp.status.turnOn')}</Link>
        </p>
      ) : null}
      {usage?.state === 'daily_quota' ? (
        <p className="notice notice--warning">
          {usage.resumesAt ? t('smtp.usage.dailyQuotaUntil', { date: dateTime(usage.resumesAt) }) : t('smtp.usage.dailyQuota')}
        </p>
      ) : null}
      {usage?.state === 'rate_limited' ? <p className="notice notice--info">{t('smtp.usage.rateLimited')}</p> : null}
      {flagOn && relay?.status === 'active' && relay.failure ? (
        <>
          <p className="status-card__subtitle">{t(`smtp.status.recentFailures.${plural(relay.failure.consecutiveFailures)}`, { count: relay.failure.consecutiveFailures })}</p>
          <FailureExplanation explanation={{ ...relay.failure.explanation, ...(relay.failure.reply ? { reply: relay.failure.reply } : {}) }} tone="warn" />
        </>
      ) : null}
      {flagOn && relay?.status === 'failing' ? (
        relay.failure?.explanation ? (
          <FailureExplanation explanation={{ ...relay.failure.explanation, ...(relay.failure.reply ? { reply: relay.failure.reply } : {}) }} />
        ) : (
          <div className="explanation explanation--fail">
            <h3 className="explanation__title">
              {t('smtp.status.failingUnknown')}
            </h3>
            {lastError?.reply ? (
              <p className="explanation__reply">
                <span className="muted">{t('check.serverReply')}</span> <code>{lastError.reply}</code>
              </p>
            ) : null}
            <p className="explanation__fix-title">{t('check.whatToDo')}</p>
            <ol className="explanation__fix">
              <li>{t('smtp.status.failingFix1')}</li>
              <li>{t('smtp.status.failingFix2')}</li>
            </ol>
          </div>
        )
      ) : null}
      {flagOn && relay && relay.status === 'unverified' && lastError ? (
        <p className="muted" data-testid="last-check">
          {t('smtp.status.lastCheckFailed', {
            date: dateTime(lastError.at),
            reason: lastErrorText,
          })}
        </p>
      ) : null}
      {relay?.warnings.map((warning) => {
        const key = `smtp.warning.${warning.code}`;
        return (
          <p key={warning.code} className="notice notice--warning">
            {isMessageKey(key) ? t(key) : warning.message}
            {warning.code === 'microsoft_basic_auth_retiring' ? (
              <>
                {' '}
                <a href="#relay-auth-method">{t('smtp.warning.microsoft_basic_auth_retiringLink')}</a>
              </>
            ) : null}
          </p>
        );
      })}
    </section>
  );
}
