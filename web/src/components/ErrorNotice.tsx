// An API error shown to a person: the localized text for its code, never a stack trace.
import type { ApiError } from '../api.ts';
import { isMessageKey, type I18n } from '../i18n/index.tsx';
import { useI18n } from '../i18n/index.tsx';

/** The localized sentence for an error code; the server's own words when the code is unknown here. */
export function errorText(t: I18n['t'], error: ApiError, plural: I18n['plural']): string {
  const key = `error.${error.code}`;
  if (error.code === 'rate_limited' && error.retryAfterSeconds) {
    const minutes = Math.max(1, Math.ceil(error.retryAfterSeconds / 60));
    return t(`error.rate_limited_wait.${plural(minutes)}`, { minutes });
  }
  if (isMessageKey(key)) return t(key);
  return error.message ? `${t('error.generic')} ${error.message}` : t('error.generic');
}

export function ErrorNotice({ error, onRetry }: { error: ApiError; onRetry?: () => void }) {
  const { t, plural } = useI18n();
  return (
    <div className="notice notice--error" role="alert">
      <p>{errorText(t, error, plural)}</p>
      {onRetry ? (
        <button type="button" className="button button--small" onClick={onRetry}>
          {t('common.retry')}
        </button>
      ) : null}
    </div>
  );
}
