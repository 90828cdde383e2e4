// The settings UI: language, session, organization and the route table, then the screen.
import { useCallback, useEffect, useState } from 'react';
import { asApiError, currentSession, getOrganization, signOut, whenSignedOut, type ApiError } from './api.ts';
import type { Lang, Membership, Organization, Session } from './api-types.ts';
import { ErrorNotice } from './components/ErrorNotice.tsx';
import { Layout } from './components/Layout.tsx';
import { I18nProvider, storedLang, storeLang, useI18n } from './i18n/index.tsx';
import { Link, navigate, PATHS, useRoute, type Route } from './router.tsx';
import { LoginScreen } from './screens/login/LoginScreen.tsx';
import { DeliveryLogScreen } from './screens/log/DeliveryLogScreen.tsx';
import { MessageDetailScreen } from './screens/log/MessageDetailScreen.tsx';
import { OrganizationScreen } from './screens/organization/OrganizationScreen.tsx';
import { SmtpScreen } from './screens/smtp/SmtpScreen.tsx';
import { useLoad } from './use-load.ts';

export function App() {
  const [lang, setLangState] = useState<Lang>(() => storedLang() ?? 'fr');
  const setLang = useCallback((next: Lang) => {
    storeLang(next);
    setLangState(next);
  }, []);
  // Until someone picks a language on this browser, the organization's locale decides.
  const followOrganization = useCallback((locale: Lang) => {
    if (!storedLang()) setLangState(locale);
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  return (
    <I18nProvider lang={lang} setLang={setLang}>
      <Root onOrganizationLocale={followOrganization} />
    </I18nProvider>
  );
}

type Auth = { state: 'loading' } | { state: 'out'; expired?: boolean } | { state: 'in'; session: Session } | { state: 'error'; error: ApiError };

// The embedded sign-in lands on /?org=<id>: that organization is the one to show.
const requestedOrganization = new URLSearchParams(window.location.search).get('org');
/** The settings page (with its query) to go back to once signed in. */
let returnTo: string | null = null;

function Root({ onOrganizationLocale }: { onOrganizationLocale(locale: Lang): void }) {
  const { t } = useI18n();
  const route = useRoute();
  const [auth, setAuth] = useState<Auth>({ state: 'loading' });

  const probe = useCallback(() => {
    setAuth({ state: 'loading' });
    currentSession()
      .then((session) => setAuth(session ? { state: 'in', session } : { state: 'out' }))
      .catch((error: unknown) => setAuth({ state: 'error', error: asApiError(error) }));
  }, []);
  useEffect(probe, [probe]);
  useEffect(() => {
    whenSignedOut(() => setAuth({ state: 'out', expired: true }));
    return () => whenSignedOut(null);
  }, []);

  useEffect(() => {
    if (auth.state === 'out' && route.name !== 'login') {
      // A link followed while signed out (an alert's reconnect link) is where signing in leads.
      if (route.name !== 'home') returnTo = window.location.pathname + window.location.search;
      navigate(PATHS.login, { replace: true });
    }
    if (auth.state === 'in' && (route.name === 'login' || route.name === 'home')) {
      navigate(returnTo ?? PATHS.smtp, { replace: true });
      returnTo = null;
    }
  }, [auth.state, route.name]);

  if (auth.state === 'loading') return <p className="boot muted">{t('common.loading')}</p>;
  if (auth.state === 'error') {
    return (
      <main className="boot">
        <ErrorNotice error={auth.error} onRetry={probe} />
      </main>
    );
  }
  if (auth.state === 'out') {
    return <LoginScreen notice={auth.expired ? t('login.expired') : undefined} onSignedIn={(session) => setAuth({ state: 'in', session })} />;
  }
  return (
    <SignedIn
      session={auth.session}
      route={route}
      onSignOut={async () => {
        await signOut().catch(() => undefined);
        setAuth({ state: 'out' });
      }}
      onOrganizationLocale={onOrganizationLocale}
    />
  );
}

function firstOrganization(session: Session): string | null {
  const ids = session.memberships.map((m) => m.organizationId);
  if (session.organizationId) return session.organizationId;
  if (requestedOrganization && ids.includes(requestedOrganization)) return requestedOrganization;
  return ids[0] ?? null;
}

function SignedIn(props: { session: Session; route: Route; onSignOut(): void; onOrganizationLocale(locale: Lang): void }) {
  const { session, route, onSignOut, onOrganizationLocale } = props;
  const { t } = useI18n();
  const [orgId, setOrgId] = useState(() => firstOrganization(session));
  const membership = session.memberships.find((m) => m.organizationId === orgId);
  const organization = useLoad(() => (orgId ? getOrganization(orgId) : Promise.resolve(null)), [orgId]);

  const locale = organization.data?.locale;
  useEffect(() => {
    if (locale) onOrganizationLocale(locale);
  }, [locale, onOrganizationLocale]);

  if (!membership) {
    return (
      <main className="boot">
        <p className="notice notice--info">{t('app.noOrganization')}</p>
        <button type="button" className="button" onClick={onSignOut}>
          {t('nav.signOut')}
        </button>
      </main>
    );
  }

  const { title, trail } = heading(route, t);
  return (
    <Layout session={session} membership={membership} route={route} title={title} trail={trail} onSwitchOrganization={setOrgId} onSignOut={onSignOut}>
      {organization.error ? <ErrorNotice error={organization.error} onRetry={() => void organization.reload()} /> : null}
      {organization.data ? (
        <Screen route={route} membership={membership} organization={organization.data} session={session} onOrganization={organization.set} />
      ) : organization.error ? null : (
        <p className="muted">{t('common.loading')}</p>
      )}
    </Layout>
  );
}

function heading(route: Route, t: ReturnType<typeof useI18n>['t']): { title: string; trail: string[] } {
  const settings = t('nav.settings');
  const emails = t('nav.emails');
  switch (route.name) {
    case 'organization':
      return { title: t('nav.organization'), trail: [settings] };
    case 'log':
      return { title: t('nav.log'), trail: [settings, emails] };
    case 'message':
      return { title: t('log.messageTitle'), trail: [settings, emails, t('nav.log')] };
    case 'not-found':
      return { title: t('app.notFound'), trail: [] };
    default:
      return { title: t('nav.smtp'), trail: [settings, emails] };
  }
}

function Screen(props: { route: Route; membership: Membership; organization: Organization; session: Session; onOrganization(org: Organization): void }) {
  const { route, membership, organization, session, onOrganization } = props;
  const { t } = useI18n();
  const owner = membership.role === 'owner';
  const ownersOnly = (
    <div className="notice notice--info" data-testid="owners-only">
      <p>{t('app.ownersOnly')}</p>
      <p>
        <Link to={PATHS.smtp}>{t('app.backToStatus')}</Link>
      </p>
    </div>
  );
  switch (route.name) {
    case 'organization':
      return owner ? <OrganizationScreen organization={organization} onChange={onOrganization} /> : ownersOnly;
    case 'log':
      return owner ? <DeliveryLogScreen orgId={organization.id} /> : ownersOnly;
    case 'message':
      return owner ? <MessageDetailScreen orgId={organization.id} messageId={route.id} /> : ownersOnly;
    case 'not-found':
      return (
        <p>
          <Link to={PATHS.smtp}>{t('app.backToStatus')}</Link>
        </p>
      );
    default:
      return <SmtpScreen organization={organization} role={membership.role} ownerEmail={session.user.email} />;
  }
}
