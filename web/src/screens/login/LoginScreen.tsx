// Local sign-in with email and password (standalone deployments and the demo). People who
// come from the platform arrive through the embedded sign-in link, already signed in.
import { useState, type FormEvent } from 'react';
import { asApiError, signIn, type ApiError } from '../../api.ts';
import type { Session } from '../../api-types.ts';
import { errorText } from '../../components/ErrorNotice.tsx';
import { Field } from '../../components/Field.tsx';
import { LanguageSwitch } from '../../components/LanguageSwitch.tsx';
import { useI18n } from '../../i18n/index.tsx';

export function LoginScreen({ onSignedIn, notice }: { onSignedIn(session: Session): void; notice?: string | undefined }) {
  const { t, plural } = useI18n();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [missing, setMissing] = useState<{ email?: boolean; password?: boolean }>({});
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const blank = { email: email.trim() === '', password: password === '' };
    setMissing(blank);
    if (blank.email || blank.password) return;
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await signIn(email.trim(), password));
    } catch (e) {
      setError(asApiError(e));
      setBusy(false);
    }
  };

  return (
    <div className="login">
      <div className="login__lang">
        <LanguageSwitch />
      </div>
      <main className="login__card" id="main">
        <p className="login__brand">
          <span className="logo" aria-hidden="true">
            R
          </span>{' '}
          Relais
        </p>
        <h1 className="login__title">{t('login.title')}</h1>
        <p className="muted">{t('login.intro')}</p>
        {notice ? (
          <p className="notice notice--info" role="status">
            {notice}
          </p>
        ) : null}
        <form onSubmit={submit} noValidate>
          <Field id="login-email" label={t('login.email')} error={missing.email ? t('validation.required') : undefined}>
            {(a11y) => (
              <input {...a11y} type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required />
            )}
          </Field>
          <Field id="login-password" label={t('login.password')} error={missing.password ? t('validation.required') : undefined}>
            {(a11y) => (
              <input
                {...a11y}
                type="password"
                autoComplete="current-password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                required
              />
            )}
          </Field>
          <div aria-live="assertive">
            {error ? (
              <p className="notice notice--error" role="alert">
                {errorText(t, error, plural)}
              </p>
            ) : null}
          </div>
          <button type="submit" className="button button--primary button--block" disabled={busy}>
            {busy ? t('login.submitting') : t('login.submit')}
          </button>
        </form>
        <p className="muted login__embed">{t('login.embedHint')}</p>
      </main>
    </div>
  );
}
