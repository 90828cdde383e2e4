// The page frame once signed in: header (organization, language, sign-out), the settings
// navigation (only what the person's role may open) and the main area.
import { useEffect, useRef, type ReactNode } from 'react';
import type { Membership, Role, Session } from '../api-types.ts';
import { useI18n } from '../i18n/index.tsx';
import { Link, PATHS, type Route } from '../router.tsx';
import { LanguageSwitch } from './LanguageSwitch.tsx';

interface NavItem {
  to: string;
  label: string;
  active: boolean;
  roles: readonly Role[];
}

export function Layout(props: {
  session: Session;
  membership: Membership;
  route: Route;
  title: string;
  /** Where the page sits in the settings, e.g. Settings › Emails. */
  trail: string[];
  onSwitchOrganization(orgId: string): void;
  onSignOut(): void;
  children: ReactNode;
}) {
  const { session, membership, route, title, trail, onSwitchOrganization, onSignOut, children } = props;
  const { t } = useI18n();
  const heading = useRef<HTMLHeadingElement>(null);

  // After in-app navigation, put focus on the new page's heading, as a page load would.
  const first = useRef(true);
  useEffect(() => {
    document.title = `${title} · Relais`;
    if (first.current) {
      first.current = false;
      return;
    }
    heading.current?.focus();
  }, [route.name, title]);

  const items: NavItem[] = [
    { to: PATHS.organization, label: t('nav.organization'), active: route.name === 'organization', roles: ['owner'] },
    { to: PATHS.smtp, label: t('nav.smtp'), active: route.name === 'smtp', roles: ['owner', 'admin', 'member'] },
    { to: PATHS.log, label: t('nav.log'), active: route.name === 'log' || route.name === 'message', roles: ['owner'] },
  ];
  const visible = items.filter((item) => item.roles.includes(membership.role));
  const switchable = session.organizationId === null && session.memberships.length > 1;

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <header className="topbar">
        <div className="topbar__brand">
          <span className="logo" aria-hidden="true">
            R
          </span>
          <span className="topbar__org">
            {switchable ? (
              <select
                aria-label={t('nav.organizationSwitch')}
                value={membership.organizationId}
                onChange={(e) => onSwitchOrganization(e.target.value)}
              >
                {session.memberships.map((m) => (
                  <option key={m.organizationId} value={m.organizationId}>
                    {m.organizationName}
                  </option>
                ))}
              </select>
            ) : (
              membership.organizationName
            )}
          </span>
        </div>
        <div className="topbar__tools">
          <LanguageSwitch />
          <span className="topbar__user" title={session.user.email}>
            {session.user.name}
            <span className="topbar__role"> · {t(`role.${membership.role}`)}</span>
          </span>
          <button type="button" className="button button--ghost button--small" onClick={onSignOut}>
            {t('nav.signOut')}
          </button>
        </div>
      </header>
      <div className="frame">
        <nav className="sidenav" aria-label={t('nav.label')}>
          <p className="sidenav__title">{t('nav.settings')}</p>
          <ul>
            {visible.map((item) => (
              <li key={item.to}>
                <Link to={item.to} className="sidenav__link" aria-current={item.active ? 'page' : undefined}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" className="main">
          <p className="breadcrumb">{[...trail, title].join(' › ')}</p>
          <h1 ref={heading} tabIndex={-1} className="page-title">
            {title}
          </h1>
          {children}
        </main>
      </div>
    </div>
  );
}
