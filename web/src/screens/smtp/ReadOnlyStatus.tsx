// What admins and members see: whether custom sending is on and the sender address. No
// server, no username, no password: those are for owners only.
import type { RelayStatusView } from '../../api-types.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { mailbox } from '../../format.ts';
import { useI18n } from '../../i18n/index.tsx';
import { getRelayStatus } from '../../api.ts';
import { useLoad } from '../../use-load.ts';

export function ReadOnlyStatus({ orgId }: { orgId: string }) {
  const { t } = useI18n();
  const status = useLoad(() => getRelayStatus(orgId), [orgId]);
  if (status.error) return <ErrorNotice error={status.error} onRetry={() => void status.reload()} />;
  if (!status.data) return <p className="muted">{t('common.loading')}</p>;
  return <StatusView view={status.data} />;
}

function StatusView({ view }: { view: RelayStatusView }) {
  const { t } = useI18n();
  const on = view.customSmtp && view.inUse && view.fromEmail !== null;
  return (
    <section className="card status-card" aria-labelledby="readonly-title" data-testid="readonly-status">
      <div className="status-card__head">
        <StatusBadge status={on ? 'active' : view.customSmtp && view.status === 'failing' ? 'failing' : 'off'} />
        <h2 id="readonly-title" className="status-card__title">
          {on ? t('readonly.onTitle') : t('readonly.offTitle')}
        </h2>
      </div>
      <p>
        {on && view.fromEmail ? t('smtp.preview.from') : t('readonly.platformSender')}{' '}
        {on && view.fromEmail ? <strong>{mailbox(view.fromName, view.fromEmail)}</strong> : null}
      </p>
      {view.customSmtp && view.status === 'failing' ? <p className="notice notice--warning">{t('readonly.failing')}</p> : null}
      <p className="muted">{t('readonly.ownersOnly')}</p>
    </section>
  );
}
