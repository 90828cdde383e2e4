// The delivery log as a table (stacked cards on a phone): when, to whom, what, which route,
// status and attempts. The date links to the message's detail.
import type { Message } from '../../api-types.ts';
import { useI18n } from '../../i18n/index.tsx';
import { Link, PATHS } from '../../router.tsx';

export function MessageTable({ messages }: { messages: Message[] }) {
  const { t, dateTime, plural } = useI18n();
  return (
    <table className="table log-table">
      <caption className="sr-only">{t('log.caption')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('log.col.date')}</th>
          <th scope="col">{t('log.col.recipients')}</th>
          <th scope="col">{t('log.col.subject')}</th>
          <th scope="col">{t('log.col.route')}</th>
          <th scope="col">{t('log.col.status')}</th>
          <th scope="col">{t('log.col.attempts')}</th>
        </tr>
      </thead>
      <tbody>
        {messages.map((m) => (
          <tr key={m.id} data-message-id={m.id}>
            <td data-label={t('log.col.date')}>
              <Link to={PATHS.message(m.id)}>{dateTime(m.createdAt)}</Link>
            </td>
            <td data-label={t('log.col.recipients')}>{m.to.length ? m.to.join(', ') : t(`log.recipientCount.${plural(m.recipientCount)}`, { count: m.recipientCount })}</td>
            <td data-label={t('log.col.subject')}>
              {m.subject ?? null}
              {m.category ? <span className="tag">{m.category}</span> : m.subject ? null : <span className="muted">—</span>}
            </td>
            <td data-label={t('log.col.route')}>{m.route ? t(`message.route.${m.route}`) : <span className="muted">—</span>}</td>
            <td data-label={t('log.col.status')}>
              <span className={`badge badge--msg-${m.status}`}>{t(`message.status.${m.status}`)}</span>
            </td>
            <td data-label={t('log.col.attempts')}>{m.attempts}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
