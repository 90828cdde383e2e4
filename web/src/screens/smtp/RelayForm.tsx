// Step 3: the settings, with only the fields the chosen provider needs. Validation messages
// sit under their field; the password is write-only and says when one is stored.
import type { FormEvent, ReactNode } from 'react';
import type { Preset, Relay, Security } from '../../api-types.ts';
import { Field } from '../../components/Field.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { endpointsOf, storedPasswordUsable, visibleFields, applyHostChoice, type RelayForm as Form, type FormField } from './relay-form.ts';
import { SenderPreview } from './SenderPreview.tsx';
import { AppSignInFields, AuthMethodPicker } from './AppSignInFields.tsx';
import { PROVIDER_NAMES } from './connect-return.ts';

const SECURITIES: Security[] = ['starttls', 'tls', 'none'];

export function RelayForm(props: {
  form: Form;
  preset: Preset;
  relay: Relay | null;
  /** Localized message per field, client checks and server answers merged. */
  errors: Partial<Record<FormField, string>>;
  onChange(form: Form): void;
  onSubmit(): void;
  saving: boolean;
  dirty: boolean;
  /** The outcome of the last save, announced politely. */
  feedback: ReactNode;
}) {
  const { form, preset, relay, errors, onChange, onSubmit, saving, dirty, feedback } = props;
  const { t, lang } = useI18n();
  const fields = visibleFields(preset);
  const set = <K extends FormField>(key: K, value: Form[K]) => onChange({ ...form, [key]: value });
  const securityName = (s: Security) => t(`smtp.security.${s}`);
  const keepsPassword = storedPasswordUsable(form, relay);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit();
  };

  return (
    <form className="relay-form" onSubmit={submit} noValidate aria-describedby="relay-form-feedback">
      <fieldset className="form-group">
        <legend>{t('smtp.form.server')}</legend>
        {fields.host === 'fixed' ? (
          <p className="fixed-value">
            <span className="fixed-value__label">{t('smtp.form.host')}</span> <code>{form.host}</code>
            {fields.endpoint === 'fixed' ? (
              <>
                {' · '}
                {t('smtp.form.portValue', { port: form.port })} · {securityName(form.security)}
              </>
            ) : null}
          </p>
        ) : null}
        {fields.host === 'select' ? (
          <Field id="relay-host" label={t('smtp.form.host')} error={errors.host}>
            {(a11y) => (
              <select {...a11y} value={form.host} onChange={(e) => onChange(applyHostChoice(form, preset, e.target.value))}>
                {preset.hostChoices?.map((choice) => (
                  <option key={choice.host} value={choice.host}>
                    {choice.host} — {choice.label[lang]}
                  </option>
                ))}
              </select>
            )}
          </Field>
        ) : null}
        {fields.host === 'input' ? (
          <Field id="relay-host" label={t('smtp.form.host')} hint={t('smtp.form.hostHint')} error={errors.host}>
            {(a11y) => (
              <input
                {...a11y}
                type="text"
                inputMode="url"
                autoComplete="off"
                spellCheck={false}
                value={form.host}
                onChange={(e) => set('host', e.target.value)}
              />
            )}
          </Field>
        ) : null}
        {fields.endpoint === 'select' ? (
          <Field id="relay-endpoint" label={t('smtp.form.endpoint')} hint={t('smtp.form.endpointHint')} error={errors.port ?? errors.security}>
            {(a11y) => (
              <select
                {...a11y}
                value={`${form.port}/${form.security}`}
                onChange={(e) => {
                  const [port = '', security = 'starttls'] = e.target.value.split('/');
                  onChange({ ...form, port, security: security as Security });
                }}
              >
                {endpointsOf(preset).map((ep) => (
                  <option key={`${ep.port}/${ep.security}`} value={`${ep.port}/${ep.security}`}>
                    {t('smtp.form.portValue', { port: ep.port })} · {securityName(ep.security)}
                  </option>
                ))}
              </select>
            )}
          </Field>
        ) : null}
        {fields.endpoint === 'inputs' ? (
          <div className="field-row">
            <Field id="relay-port" label={t('smtp.form.port')} error={errors.port}>
              {(a11y) => (
                <input {...a11y} type="text" inputMode="numeric" autoComplete="off" value={form.port} onChange={(e) => set('port', e.target.value)} />
              )}
            </Field>
            <Field id="relay-security" label={t('smtp.form.security')} error={errors.security}>
              {(a11y) => (
                <select {...a11y} value={form.security} onChange={(e) => set('security', e.target.value as Security)}>
                  {SECURITIES.map((s) => (
                    <option key={s} value={s}>
                      {securityName(s)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
        ) : null}
        {fields.allowSelfSigned ? (
          <div className="checkbox">
            <input
              id="relay-self-signed"
              type="checkbox"
              checked={form.allowSelfSigned}
              onChange={(e) => set('allowSelfSigned', e.target.checked)}
              aria-describedby="relay-self-signed-hint"
            />
            <label htmlFor="relay-self-signed">{t('smtp.form.allowSelfSigned')}</label>
            <p className="field__hint" id="relay-self-signed-hint">
              {t('smtp.form.allowSelfSignedHint')}
            </p>
          </div>
        ) : null}
      </fieldset>

      <fieldset className="form-group">
        <legend>{t('smtp.form.credentials')}</legend>
        {form.authType === 'oauth2-connected' ? (
          // Signed in through "Sign in with Microsoft / Google" (step 2): nothing to type here.
          <p className="fixed-value" data-testid="relay-connected-user">
            <span className="fixed-value__label">{t('smtp.connect.connected', { provider: relay?.auth.type === 'oauth2-connected' ? PROVIDER_NAMES[relay.auth.provider] : '' })}</span>{' '}
            <code>{form.username}</code>
          </p>
        ) : (
          <AuthMethodPicker form={form} preset={preset} relay={relay} errors={errors} onChange={onChange} />
        )}
        {form.authType === 'oauth2-connected' ? null : form.authType !== 'password' ? (
          <AppSignInFields form={form} preset={preset} relay={relay} errors={errors} onChange={onChange} />
        ) : fields.username === 'fixed' ? (
          <Field id="relay-username" label={t('smtp.form.username')} hint={t('smtp.form.usernameFixed', { provider: preset.name })}>
            {(a11y) => <input {...a11y} type="text" value={form.username} readOnly aria-readonly="true" className="input--locked" />}
          </Field>
        ) : (
          <Field id="relay-username" label={t('smtp.form.username')} hint={preset.usernameHint[lang]} error={errors.username}>
            {(a11y) => (
              <input
                {...a11y}
                type="text"
                autoComplete="off"
                spellCheck={false}
                value={form.username}
                onChange={(e) => set('username', e.target.value)}
              />
            )}
          </Field>
        )}
        {form.authType === 'password' ? (
        <Field
          id="relay-password"
          label={preset.passwordLabel[lang]}
          hint={keepsPassword ? t('smtp.form.passwordKeep') : relay?.hasPassword ? t('smtp.form.passwordAgain') : t('smtp.form.passwordHint')}
          error={errors.password}
        >
          {(a11y) => (
            <div className="password-wrap">
              <input
                {...a11y}
                type="password"
                autoComplete="new-password"
                spellCheck={false}
                value={form.password}
                onChange={(e) => set('password', e.target.value)}
              />
              {keepsPassword && form.password === '' ? (
                <span className="stored-tag" aria-hidden="true">
                  ✓ {t('smtp.form.passwordStored')}
                </span>
              ) : null}
            </div>
          )}
        </Field>
        ) : null}
      </fieldset>

      <fieldset className="form-group">
        <legend>{t('smtp.form.sender')}</legend>
        <div className="field-row">
          <Field id="relay-from-name" label={t('smtp.form.fromName')} error={errors.fromName}>
            {(a11y) => <input {...a11y} type="text" autoComplete="organization" value={form.fromName} onChange={(e) => set('fromName', e.target.value)} />}
          </Field>
          <Field id="relay-from-email" label={t('smtp.form.fromEmail')} error={errors.fromEmail}>
            {(a11y) => (
              <input
                {...a11y}
                type="email"
                autoComplete="email"
                spellCheck={false}
                value={form.fromEmail}
                onChange={(e) => set('fromEmail', e.target.value)}
              />
            )}
          </Field>
        </div>
        <Field id="relay-reply-to" label={t('smtp.form.replyTo')} optional={t('common.optional')} hint={t('smtp.form.replyToHint')} error={errors.replyTo}>
          {(a11y) => (
            <input {...a11y} type="email" spellCheck={false} value={form.replyTo} onChange={(e) => set('replyTo', e.target.value)} />
          )}
        </Field>
        <SenderPreview name={form.fromName} email={form.fromEmail} replyTo={form.replyTo} />
      </fieldset>

      <fieldset className="form-group">
        <legend>{t('smtp.form.whenFailing')}</legend>
        {(['fallback', 'hold'] as const).map((policy) => (
          <div className="radio" key={policy}>
            <input
              id={`relay-policy-${policy}`}
              type="radio"
              name="fallbackPolicy"
              value={policy}
              checked={form.fallbackPolicy === policy}
              onChange={() => set('fallbackPolicy', policy)}
              aria-describedby={`relay-policy-${policy}-hint`}
            />
            <label htmlFor={`relay-policy-${policy}`}>{t(`smtp.form.policy.${policy}`)}</label>
            <p className="field__hint" id={`relay-policy-${policy}-hint`}>
              {t(`smtp.form.policy.${policy}Hint`)}
            </p>
          </div>
        ))}
      </fieldset>

      <div className="form-actions">
        <button type="submit" className="button button--primary" disabled={saving || !dirty}>
          {saving ? t('common.saving') : t('smtp.form.save')}
        </button>
        <p id="relay-form-feedback" className="save-feedback" role="status" aria-live="polite">
          {feedback}
        </p>
      </div>
    </form>
  );
}
