// "Sign in with Microsoft / Google" on the Microsoft 365, Outlook.com, Gmail and Google
// Workspace presets, where the platform registered the provider: the three sign-in methods in
// one sentence each with this provider's recommendation, the button (the provider's own
// wording), and once connected the mailbox with "sign in again" and Disconnect.
import { useState } from 'react';
import { asApiError, deleteRelay, startConnect, type ApiError } from '../../api.ts';
import type { ConnectProvider, Preset, Relay } from '../../api-types.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { isMessageKey, useI18n } from '../../i18n/index.tsx';
import { PROVIDER_NAMES } from './connect-return.ts';

/** Opens the provider's page for `provider`; resolves once the browser is leaving, throws an ApiError otherwise. */
export async function goToProvider(orgId: string, provider: ConnectProvider, loginHint?: string): Promise<void> {
  window.location.assign(await startConnect(orgId, provider, loginHint));
}

/** The connected mailbox of this provider, if the saved relay has one. */
export function connectedMailbox(relay: Relay | null, provider: ConnectProvider): string | undefined {
  return relay?.auth.type === 'oauth2-connected' && relay.auth.provider === provider ? relay.auth.user : undefined;
}

export function ConnectPanel(props: {
  orgId: string;
  preset: Preset;
  provider: ConnectProvider;
  relay: Relay | null;
  /** The relay is gone (Disconnect), with the sentence announcing it. */
  onDisconnected(announcement: string): void;
}) {
  const { orgId, preset, provider, relay, onDisconnected } = props;
  const { t } = useI18n();
  const [busy, setBusy] = useState<'connect' | 'disconnect' | null>(null);
  const [confirm, setConfirm] = useState(false);
  const [error, setError] = useState<ApiError>();
  const name = PROVIDER_NAMES[provider];
  const mailbox = connectedMailbox(relay, provider);
  const recommendation = `smtp.connect.recommend.${preset.id}`;
  const appSignIn = preset.authMethods?.some((m) => m.type === 'oauth2-microsoft' || m.type === 'oauth2-google') ?? false;

  const connect = async () => {
    setBusy('connect');
    setError(undefined);
    try {
      await goToProvider(orgId, provider, mailbox);
    } catch (e) {
      setError(asApiError(e));
      setBusy(null);
    }
  };

  const disconnect = async () => {
    setBusy('disconnect');
    setError(undefined);
    try {
      await deleteRelay(orgId);
      setConfirm(false);
      onDisconnected(t('smtp.connect.disconnected'));
    } catch (e) {
      setError(asApiError(e));
      setConfirm(false);
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="connect" aria-labelledby="connect-methods-title" data-testid="connect-panel">
      <h3 id="connect-methods-title" className="connect__title">
        {t('smtp.connect.methods')}
      </h3>
      <ul className="connect__methods">
        <li>
          <strong>{t('smtp.connect.method.connect', { provider: name })}</strong> {t('smtp.connect.method.connectText', { provider: name })}
        </li>
        {appSignIn ? (
          <li>
            <strong>{t('smtp.connect.method.app')}</strong> {t(`smtp.connect.method.appText.${provider}`)}
          </li>
        ) : null}
        <li>
          <strong>{t('smtp.connect.method.password')}</strong> {t('smtp.connect.method.passwordText')}
        </li>
      </ul>
      {isMessageKey(recommendation) ? <p className="notice notice--info">{t(recommendation)}</p> : null}

      {mailbox ? (
        <div className="connect__connected" data-testid="connected-mailbox">
          <p className="fixed-value">
            <span className="fixed-value__label">{t('smtp.connect.connected', { provider: name })}</span> <code>{mailbox}</code>
          </p>
          <p className="field__hint">{t('smtp.connect.connectedHint')}</p>
        </div>
      ) : null}
      <div className="connect__actions">
        <button type="button" className={`button connect__button connect__button--${provider}`} disabled={busy !== null} onClick={() => void connect()} aria-describedby="connect-hint">
          {busy === 'connect' ? t('smtp.connect.opening', { provider: name }) : t(mailbox ? `smtp.connect.again.${provider}` : `smtp.connect.button.${provider}`)}
        </button>
        {mailbox ? (
          <button type="button" className="button button--danger-outline" disabled={busy !== null} onClick={() => setConfirm(true)}>
            {t('smtp.connect.disconnect')}
          </button>
        ) : null}
      </div>
      <p id="connect-hint" className="field__hint">
        {t('smtp.connect.buttonHint', { provider: name })}
      </p>
      {error ? <ErrorNotice error={error} /> : null}
      <ConfirmDialog
        open={confirm}
        title={t('smtp.connect.disconnectTitle', { mailbox: mailbox ?? '' })}
        confirmLabel={t('smtp.connect.disconnect')}
        danger
        busy={busy === 'disconnect'}
        onCancel={() => setConfirm(false)}
        onConfirm={() => void disconnect()}
      >
        <p>{t('smtp.connect.disconnectBody', { provider: name })}</p>
      </ConfirmDialog>
    </section>
  );
}
