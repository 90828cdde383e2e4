// The sign-in method of providers that offer app sign-in (Microsoft 365, Google Workspace),
// and its fields: tenant, application, secret value and expiry for Microsoft; the service
// account's JSON key file for Google; the sending mailbox for both. Secrets are write-only.
import type { ChangeEvent } from 'react';
import type { Preset, Relay } from '../../api-types.ts';
import { Field } from '../../components/Field.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { keyFileEmail, storedSecretUsable, type AuthType, type RelayForm as Form, type FormField } from './relay-form.ts';

interface Props {
  form: Form;
  preset: Preset;
  relay: Relay | null;
  errors: Partial<Record<FormField, string>>;
  onChange(form: Form): void;
}

/** Radio buttons of the provider's sign-in methods, the recommended first. */
export function AuthMethodPicker({ form, preset, onChange }: Props) {
  const { t, lang } = useI18n();
  const methods = preset.authMethods ?? [];
  if (methods.length < 2) return null;
  return (
    <div className="form-subgroup" role="radiogroup" aria-labelledby="relay-auth-method-label" id="relay-auth-method">
      <p className="field__label" id="relay-auth-method-label">
        {t('smtp.auth.method')}
      </p>
      {methods.map((method) => (
        <div className="radio" key={method.type}>
          <input
            id={`relay-auth-${method.type}`}
            type="radio"
            name="authType"
            value={method.type}
            checked={form.authType === method.type}
            onChange={() => onChange({ ...form, authType: method.type as AuthType })}
          />
          <label htmlFor={`relay-auth-${method.type}`}>{method.label[lang]}</label>
        </div>
      ))}
    </div>
  );
}

export function AppSignInFields({ form, relay, errors, onChange }: Props) {
  const { t } = useI18n();
  const set = <K extends FormField>(key: K, value: Form[K]) => onChange({ ...form, [key]: value });
  const keeps = storedSecretUsable(form, relay);
  const readKey = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (!file) return;
    void file.text().then((text) => onChange({ ...form, serviceAccountKey: text }));
  };
  const loadedEmail = form.serviceAccountKey !== '' ? keyFileEmail(form.serviceAccountKey) : null;
  const storedEmail = relay?.auth.type === 'oauth2-google' ? relay.auth.serviceAccountEmail : null;
  return (
    <>
      {form.authType === 'oauth2-microsoft' ? (
        <>
          <div className="field-row">
            <Field id="relay-tenant-id" label={t('smtp.auth.tenantId')} hint={t('smtp.auth.tenantIdHint')} error={errors.tenantId}>
              {(a11y) => <input {...a11y} type="text" autoComplete="off" spellCheck={false} value={form.tenantId} onChange={(e) => set('tenantId', e.target.value)} />}
            </Field>
            <Field id="relay-client-id" label={t('smtp.auth.clientId')} error={errors.clientId}>
              {(a11y) => <input {...a11y} type="text" autoComplete="off" spellCheck={false} value={form.clientId} onChange={(e) => set('clientId', e.target.value)} />}
            </Field>
          </div>
          <Field
            id="relay-client-secret"
            label={t('smtp.auth.clientSecret')}
            hint={keeps ? t('smtp.auth.clientSecretKeep') : t('smtp.auth.clientSecretHint')}
            error={errors.clientSecret}
          >
            {(a11y) => (
              <input {...a11y} type="password" autoComplete="new-password" spellCheck={false} value={form.clientSecret} onChange={(e) => set('clientSecret', e.target.value)} />
            )}
          </Field>
          <Field
            id="relay-client-secret-expires"
            label={t('smtp.auth.clientSecretExpiresAt')}
            optional={t('common.optional')}
            hint={t('smtp.auth.clientSecretExpiresAtHint')}
            error={errors.clientSecretExpiresAt}
          >
            {(a11y) => <input {...a11y} type="date" value={form.clientSecretExpiresAt} onChange={(e) => set('clientSecretExpiresAt', e.target.value)} />}
          </Field>
        </>
      ) : null}
      {form.authType === 'oauth2-google' ? (
        <Field
          id="relay-key-file"
          label={t('smtp.auth.keyFile')}
          hint={
            loadedEmail
              ? t('smtp.auth.keyLoaded', { email: loadedEmail })
              : keeps && storedEmail
                ? t('smtp.auth.keyStored', { email: storedEmail })
                : t('smtp.auth.keyFileHint')
          }
          error={errors.serviceAccountKey}
        >
          {(a11y) => <input {...a11y} type="file" accept="application/json,.json" onChange={readKey} />}
        </Field>
      ) : null}
      <Field id="relay-username" label={t('smtp.auth.user')} hint={t('smtp.auth.userHint')} error={errors.username}>
        {(a11y) => (
          <input {...a11y} type="email" autoComplete="off" spellCheck={false} value={form.username} onChange={(e) => set('username', e.target.value)} />
        )}
      </Field>
    </>
  );
}
