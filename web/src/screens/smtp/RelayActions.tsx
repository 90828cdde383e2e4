// Step 5: put the checked relay in use, or stop using it, or delete it. Stopping and
// deleting ask for confirmation first; every outcome is announced.
import { useState } from 'react';
import { activateRelay, asApiError, deactivateRelay, deleteRelay, type ApiError } from '../../api.ts';
import type { Organization, Relay } from '../../api-types.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { mailbox } from '../../format.ts';
import { useI18n } from '../../i18n/index.tsx';

type Pending = 'activate' | 'deactivate' | 'delete' | null;

export function RelayActions(props: {
  organization: Organization;
  relay: Relay;
  dirty: boolean;
  /** The relay after the action (null once deleted) and the sentence announcing it. */
  onRelay(relay: Relay | null, announcement: string): void;
}) {
  const { organization, relay, dirty, onRelay } = props;
  const { t } = useI18n();
  const [confirm, setConfirm] = useState<'deactivate' | 'delete' | null>(null);
  const [busy, setBusy] = useState<Pending>(null);
  const [error, setError] = useState<ApiError>();

  const act = async (action: Exclude<Pending, null>) => {
    setBusy(action);
    setError(undefined);
    try {
      if (action === 'activate') {
        onRelay(await activateRelay(organization.id), t('smtp.actions.activated'));
      } else if (action === 'deactivate') {
        onRelay(await deactivateRelay(organization.id), t('smtp.actions.deactivated'));
      } else {
        await deleteRelay(organization.id);
        onRelay(null, t('smtp.actions.deleted'));
      }
      setConfirm(null);
    } catch (e) {
      setError(asApiError(e));
      setConfirm(null);
    } finally {
      setBusy(null);
    }
  };

  const inUse = relay.status === 'active' || relay.status === 'failing';
  const blocker = !organization.features.customSmtp
    ? t('smtp.actions.needsBeta')
    : dirty
      ? t('smtp.actions.needsSave')
      : !relay.verified
        ? t('smtp.actions.needsCheck')
        : null;

  return (
    <div className="relay-actions">
      {!inUse ? (
        <div className="relay-actions__main">
          <button
            type="button"
            className="button button--primary"
            disabled={blocker !== null || busy !== null}
            aria-describedby="activate-hint"
            onClick={() => void act('activate')}
          >
            {busy === 'activate' ? t('smtp.actions.activating') : t('smtp.actions.activate')}
          </button>
          <p id="activate-hint" className="field__hint">
            {blocker ?? t('smtp.actions.activateHint', { sender: mailbox(relay.fromName, relay.fromEmail) })}
          </p>
        </div>
      ) : null}
      <div className="relay-actions__secondary">
        {inUse ? (
          <button type="button" className="button" disabled={busy !== null} onClick={() => setConfirm('deactivate')}>
            {t('smtp.actions.deactivate')}
          </button>
        ) : null}
        <button type="button" className="button button--danger-outline" disabled={busy !== null} onClick={() => setConfirm('delete')}>
          {t('smtp.actions.delete')}
        </button>
      </div>
      {error ? <ErrorNotice error={error} /> : null}
      <ConfirmDialog
        open={confirm === 'deactivate'}
        title={t('smtp.actions.deactivateTitle')}
        confirmLabel={t('smtp.actions.deactivate')}
        busy={busy === 'deactivate'}
        onCancel={() => setConfirm(null)}
        onConfirm={() => void act('deactivate')}
      >
        <p>{t('smtp.actions.deactivateBody')}</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm === 'delete'}
        title={t('smtp.actions.deleteTitle')}
        confirmLabel={t('smtp.actions.delete')}
        danger
        busy={busy === 'delete'}
        onCancel={() => setConfirm(null)}
        onConfirm={() => void act('delete')}
      >
        <p>{t('smtp.actions.deleteBody')}</p>
      </ConfirmDialog>
    </div>
  );
}
