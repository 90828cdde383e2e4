// Settings › Emails › Custom sending address. Owners get the status card and the guided
// setup (provider, guide, settings, check, activation); admins and members the read-only
// status.
import { useEffect, useRef, useState } from 'react';
import { asApiError, fieldErrors, getRelay, presetCatalog, saveRelay, type ApiError } from '../../api.ts';
import type { CheckReport, ConnectProvider, Organization, Preset, Relay, Role } from '../../api-types.ts';
import { ErrorNotice, errorText } from '../../components/ErrorNotice.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { useLoad } from '../../use-load.ts';
import { CheckPanel } from '../check/CheckPanel.tsx';
import { ConnectPanel, connectedMailbox, goToProvider } from './ConnectPanel.tsx';
import { connectProviderOf, PROVIDER_NAMES, readConnectReturn, withoutConnectParams, type ConnectReturn } from './connect-return.ts';
import { ProviderGuide } from './ProviderGuide.tsx';
import { ProviderPicker } from './ProviderPicker.tsx';
import { ReadOnlyStatus } from './ReadOnlyStatus.tsx';
import { RelayActions } from './RelayActions.tsx';
import { RelayForm } from './RelayForm.tsx';
import { applyPreset, methodGuide, CUSTOM_PRESET, EMPTY_FORM, formFromRelay, isDirty, toInput, validate, type FormErrors, type FormField } from './relay-form.ts';
import { SetupStep } from './SetupStep.tsx';
import { StatusCard } from './StatusCard.tsx';

export function SmtpScreen({ organization, role, ownerEmail }: { organization: Organization; role: Role; ownerEmail: string }) {
  if (role !== 'owner') return <ReadOnlyStatus orgId={organization.id} />;
  return <OwnerSmtp organization={organization} ownerEmail={ownerEmail} />;
}

function OwnerSmtp({ organization, ownerEmail }: { organization: Organization; ownerEmail: string }) {
  const { t, lang } = useI18n();
  const loaded = useLoad(async () => {
    const [relay, catalog] = await Promise.all([getRelay(organization.id, lang), presetCatalog()]);
    return { relay, ...catalog };
  }, [organization.id]);
  if (loaded.error) return <ErrorNotice error={loaded.error} onRetry={() => void loaded.reload()} />;
  if (!loaded.data) return <p className="muted">{t('common.loading')}</p>;
  const { relay, presets, connectProviders } = loaded.data;
  return <RelaySetup key={organization.id} organization={organization} initialRelay={relay} presets={presets} connectProviders={connectProviders} ownerEmail={ownerEmail} />;
}

/** What the address said when the page opened (the provider's return, an alert's link), read once and taken out of the address. */
function takeConnectReturn(): ConnectReturn | null {
  const found = readConnectReturn(window.location.search);
  if (found) window.history.replaceState(null, '', withoutConnectParams(window.location.pathname, window.location.search));
  return found;
}

const FIELD_IDS: Record<FormField, string> = {
  preset: 'provider',
  host: 'relay-host',
  port: 'relay-port',
  security: 'relay-security',
  username: 'relay-username',
  password: 'relay-password',
  authType: 'relay-auth-method',
  tenantId: 'relay-tenant-id',
  clientId: 'relay-client-id',
  clientSecret: 'relay-client-secret',
  clientSecretExpiresAt: 'relay-client-secret-expires',
  serviceAccountKey: 'relay-key-file',
  fromName: 'relay-from-name',
  fromEmail: 'relay-from-email',
  replyTo: 'relay-reply-to',
  fallbackPolicy: 'relay-policy-fallback',
  allowSelfSigned: 'relay-self-signed',
};

function focusField(field: FormField | undefined): void {
  if (!field) return;
  requestAnimationFrame(() => {
    const element = field === 'preset' ? document.querySelector<HTMLInputElement>('input[name="provider"]') : document.getElementById(FIELD_IDS[field]);
    element?.focus();
  });
}

function RelaySetup(props: { organization: Organization; initialRelay: Relay | null; presets: readonly Preset[]; connectProviders: ConnectProvider[]; ownerEmail: string }) {
  const { organization, initialRelay, presets, connectProviders, ownerEmail } = props;
  const { t, plural, lang } = useI18n();
  const [relay, setRelay] = useState(initialRelay);
  const [form, setForm] = useState(initialRelay ? formFromRelay(initialRelay) : EMPTY_FORM);
  const [clientErrors, setClientErrors] = useState<FormErrors>({});
  const [validated, setValidated] = useState(false);
  const [serverError, setServerError] = useState<ApiError>();
  const [saving, setSaving] = useState(false);
  const [feedback, setFeedback] = useState('');
  const [announcement, setAnnouncement] = useState('');
  const [connectReturn] = useState(takeConnectReturn);
  const [connectProblem, setConnectProblem] = useState<{ message: string } | { error: ApiError } | undefined>();

  const presetOf = (id: string) => presets.find((p) => p.id === id) ?? (id ? presets.find((p) => p.id === CUSTOM_PRESET) : undefined);
  const preset = presetOf(form.preset);
  const dirty = isDirty(form, relay);

  // Once the owner tried to save, client checks follow their typing; server answers stay until the next save.
  const live = validated ? validate(form, relay) : clientErrors;
  const fromServer = serverError ? fieldErrors(serverError) : {};
  const errors: Partial<Record<FormField, string>> = {};
  for (const field of Object.keys(FIELD_IDS) as FormField[]) {
    const key = live[field];
    if (key) errors[field] = t(key);
    else if (fromServer[field]) errors[field] = serverError && serverError.code !== 'validation_failed' ? errorText(t, serverError, plural) : fromServer[field];
  }
  const formLevelError = serverError && Object.keys(fromServer).length === 0 ? serverError : undefined;

  const save = async (): Promise<Relay | null> => {
    const found = validate(form, relay);
    setClientErrors(found);
    setValidated(true);
    const first = (Object.keys(FIELD_IDS) as FormField[]).find((f) => found[f]);
    if (first) {
      setFeedback(t('smtp.form.fixErrors'));
      focusField(first);
      return null;
    }
    setSaving(true);
    setServerError(undefined);
    setFeedback(t('common.saving'));
    try {
      const saved = await saveRelay(organization.id, toInput(form));
      setRelay(saved);
      setForm(formFromRelay(saved));
      setValidated(false);
      setFeedback(saved.verified ? t('smtp.form.savedVerified') : t('smtp.form.saved'));
      return saved;
    } catch (e) {
      const error = asApiError(e);
      setServerError(error);
      setFeedback(t('smtp.form.notSaved'));
      focusField((Object.keys(fieldErrors(error)) as FormField[]).find((f) => f in FIELD_IDS));
      return null;
    } finally {
      setSaving(false);
    }
  };

  // A failing relay's explanation comes in the reader's language: read it again when it changes.
  const shownLang = useRef(lang);
  useEffect(() => {
    if (shownLang.current === lang) return;
    shownLang.current = lang;
    getRelay(organization.id, lang).then(setRelay, () => undefined);
  }, [lang, organization.id]);

  const onChecked = async (_report: CheckReport) => {
    try {
      setRelay(await getRelay(organization.id, lang));
    } catch {
      // The check result is on screen; the status refreshes on the next load.
    }
  };

  const choose = (next: Preset) => {
    if (next.id === form.preset) return;
    setForm(applyPreset(form, next, preset));
    setServerError(undefined);
  };

  const verifiedAndClean = relay !== null && relay.verified && !dirty;
  const connectProvider = connectProviderOf(preset, connectProviders);

  // Back from the provider: say how it went (the check starts by itself below); an alert's
  // reconnect link opens the provider's page at once, for the connected mailbox.
  const handledReturn = useRef(false);
  useEffect(() => {
    if (!connectReturn || handledReturn.current) return;
    handledReturn.current = true;
    if (connectReturn.kind === 'connected') {
      if (initialRelay?.auth.type === 'oauth2-connected') setAnnouncement(t('smtp.connect.done', { mailbox: initialRelay.auth.user }));
    } else if (connectReturn.kind === 'error') {
      setConnectProblem({ message: t(connectReturn.message) });
    } else if (!connectProviders.includes(connectReturn.provider)) {
      setConnectProblem({ message: t('smtp.connect.reconnectUnavailable', { provider: PROVIDER_NAMES[connectReturn.provider] }) });
    } else {
      setAnnouncement(t('smtp.connect.opening', { provider: PROVIDER_NAMES[connectReturn.provider] }));
      goToProvider(organization.id, connectReturn.provider, connectedMailbox(initialRelay, connectReturn.provider)).catch((e: unknown) => {
        setAnnouncement('');
        setConnectProblem({ error: asApiError(e) });
      });
    }
  }, [connectReturn, connectProviders, initialRelay, organization.id, t]);

  return (
    <>
      <StatusCard organization={organization} relay={relay} />
      <p className="page-announcement" role="status" aria-live="polite">
        {announcement}
      </p>
      {connectProblem ? (
        'error' in connectProblem ? (
          <ErrorNotice error={connectProblem.error} />
        ) : (
          <div className="notice notice--error notice--stacked" role="alert" data-testid="connect-problem">
            <p className="notice__title">{t('smtp.connect.failedTitle')}</p>
            <p>{connectProblem.message}</p>
          </div>
        )
      ) : null}
      {!organization.features.customSmtp ? <p className="notice notice--info">{t('smtp.betaNotice')}</p> : null}

      <SetupStep n={1} title={t('smtp.step.provider')} done={preset !== undefined}>
        <ProviderPicker
          presets={presets}
          selected={preset}
          folded={relay !== null}
          error={errors.preset}
          onSelect={choose}
        />
      </SetupStep>

      {preset ? (
        <>
          <SetupStep n={2} title={t('smtp.step.guide')}>
            {connectProvider ? (
              <ConnectPanel
                orgId={organization.id}
                preset={preset}
                provider={connectProvider}
                relay={relay}
                onDisconnected={(message) => {
                  setRelay(null);
                  setForm(applyPreset(EMPTY_FORM, preset, undefined));
                  setValidated(false);
                  setFeedback('');
                  setAnnouncement(message);
                }}
              />
            ) : null}
            <ProviderGuide preset={preset} open={!relay?.verified} guide={methodGuide(preset, form.authType)} />
          </SetupStep>
          <SetupStep n={3} title={t('smtp.step.settings')} done={relay !== null && !dirty}>
            {formLevelError ? <ErrorNotice error={formLevelError} /> : null}
            <RelayForm
              form={form}
              preset={preset}
              relay={relay}
              errors={errors}
              onChange={(next) => {
                setForm(next);
                if (serverError) setServerError(undefined);
              }}
              onSubmit={() => void save()}
              saving={saving}
              dirty={dirty}
              feedback={feedback}
            />
          </SetupStep>
          <SetupStep n={4} title={t('smtp.step.check')} done={verifiedAndClean}>
            <CheckPanel
              orgId={organization.id}
              relay={relay}
              security={form.security}
              ownerEmail={ownerEmail}
              dirty={dirty}
              prepare={() => (dirty ? save() : Promise.resolve(relay))}
              onChecked={onChecked}
              runAtOnce={connectReturn?.kind === 'connected' && relay?.auth.type === 'oauth2-connected'}
            />
          </SetupStep>
          {relay ? (
            <SetupStep n={5} title={t('smtp.step.activate')} done={relay.status === 'active'}>
              <RelayActions
                organization={organization}
                relay={relay}
                dirty={dirty}
                onRelay={(next, message) => {
                  setRelay(next);
                  setAnnouncement(message);
                  if (!next) {
                    setForm(EMPTY_FORM);
                    setValidated(false);
                    setFeedback('');
                  }
                }}
              />
            </SetupStep>
          ) : null}
        </>
      ) : null}
    </>
  );
}
