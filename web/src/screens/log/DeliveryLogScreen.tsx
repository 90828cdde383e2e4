// Delivery log: every message of the organization, newest first, filtered by status,
// recipient, category and date, fifty at a time.
import { useState } from 'react';
import { asApiError, listMessages, type ApiError } from '../../api.ts';
import type { Message, MessageFilters } from '../../api-types.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { useLoad } from '../../use-load.ts';
import { LogFilters } from './LogFilters.tsx';
import { MessageTable } from './MessageTable.tsx';

export function DeliveryLogScreen({ orgId }: { orgId: string }) {
  const { t, plural } = useI18n();
  const [filters, setFilters] = useState<MessageFilters>({});
  const [more, setMore] = useState<{ messages: Message[]; nextCursor: string | null } | null>(null);
  const [moreError, setMoreError] = useState<ApiError>();
  const [loadingMore, setLoadingMore] = useState(false);
  const key = JSON.stringify(filters);
  const first = useLoad(() => {
    setMore(null);
    return listMessages(orgId, filters);
  }, [orgId, key]);

  const page = first.data;
  const shown = page ? [...page.messages, ...(more?.messages ?? [])] : [];
  const cursor = more ? more.nextCursor : (page?.nextCursor ?? null);

  const loadMore = async () => {
    if (!cursor) return;
    setLoadingMore(true);
    setMoreError(undefined);
    try {
      const next = await listMessages(orgId, filters, cursor);
      setMore({ messages: [...(more?.messages ?? []), ...next.messages], nextCursor: next.nextCursor });
    } catch (e) {
      setMoreError(asApiError(e));
    } finally {
      setLoadingMore(false);
    }
  };

  return (
    <>
      <p className="muted">{t('log.intro')}</p>
      <LogFilters applied={filters} onApply={setFilters} />
      <div className="log-results" aria-busy={first.loading}>
        <p className="sr-only" role="status" aria-live="polite">
          {first.loading ? t('common.loading') : page ? t(`log.count.${plural(shown.length)}`, { count: shown.length }) : ''}
        </p>
        {first.error ? <ErrorNotice error={first.error} onRetry={() => void first.reload()} /> : null}
        {page && shown.length === 0 ? <p className="empty">{Object.keys(filters).length ? t('log.emptyFiltered') : t('log.empty')}</p> : null}
        {shown.length > 0 ? <MessageTable messages={shown} /> : null}
        {!page && !first.error ? <p className="muted">{t('common.loading')}</p> : null}
      </div>
      {moreError ? <ErrorNotice error={moreError} /> : null}
      {cursor ? (
        <p>
          <button type="button" className="button" onClick={() => void loadMore()} disabled={loadingMore}>
            {loadingMore ? t('common.loading') : t('log.more')}
          </button>
        </p>
      ) : null}
    </>
  );
}
