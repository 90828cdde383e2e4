/**
 * A tiny router over the History API: a table of paths, `navigate()`, `<Link>` and
 * `useRoute()`. The server answers every UI path with index.html, so deep links and reloads
 * work.
 */
import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

export type Route =
  | { name: 'login' }
  | { name: 'home' }
  | { name: 'organization' }
  | { name: 'smtp' }
  | { name: 'log' }
  | { name: 'message'; id: string }
  | { name: 'not-found' };

export const PATHS = {
  login: '/login',
  organization: '/settings/organization',
  smtp: '/settings/emails/smtp',
  log: '/settings/emails/log',
  message: (id: string) => `/settings/emails/log/${encodeURIComponent(id)}`,
} as const;

const TABLE: readonly [RegExp, (match: RegExpMatchArray) => Route][] = [
  [/^\/$/, () => ({ name: 'home' })],
  [/^\/login$/, () => ({ name: 'login' })],
  [/^\/settings\/organization$/, () => ({ name: 'organization' })],
  [/^\/settings\/emails\/smtp$/, () => ({ name: 'smtp' })],
  [/^\/settings\/emails\/log$/, () => ({ name: 'log' })],
  [/^\/settings\/emails\/log\/([^/]+)$/, (m) => ({ name: 'message', id: decodeURIComponent(m[1] ?? '') })],
];

export function parseRoute(pathname: string): Route {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  for (const [pattern, build] of TABLE) {
    const match = path.match(pattern);
    if (match) return build(match);
  }
  return { name: 'not-found' };
}

const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (path === window.location.pathname + window.location.search) return;
  if (options.replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  for (const listener of listeners) listener();
}

export function useRoute(): Route {
  const pathname = useSyncExternalStore(subscribe, () => window.location.pathname);
  return parseRoute(pathname);
}

/** An ordinary link (new tab, copy address still work) that navigates in place on a plain click. */
export function Link({ to, onClick, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={handle} {...rest} />;
}
