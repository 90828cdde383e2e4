/**
 * "Sign in with Microsoft / Google", apart from React: which presets show the button on this
 * platform, and what the settings page's address says when the browser comes back —
 * `?connect=connected` (run the check at once), `?connect_error=<code>` (a sentence per code,
 * never the provider's words) or an alert's `?reconnect=<provider>` link.
 */
import type { ConnectErrorCode, ConnectProvider, Preset } from '../../api-types.ts';
import type { MessageKey } from '../../i18n/index.tsx';

export const PROVIDER_NAMES: Readonly<Record<ConnectProvider, string>> = { microsoft: 'Microsoft', google: 'Google' };

/** Every code the callback can send back has its sentence (a new code without one does not compile). */
export const CONNECT_ERROR_MESSAGES: Readonly<Record<ConnectErrorCode, MessageKey>> = {
  oauth_state_invalid: 'smtp.connect.error.oauth_state_invalid',
  oauth_state_expired: 'smtp.connect.error.oauth_state_expired',
  oauth_state_mismatch: 'smtp.connect.error.oauth_state_mismatch',
  oauth_consent_refused: 'smtp.connect.error.oauth_consent_refused',
  oauth_account_mismatch: 'smtp.connect.error.oauth_account_mismatch',
  oauth_code_refused: 'smtp.connect.error.oauth_code_refused',
  oauth_id_token_invalid: 'smtp.connect.error.oauth_id_token_invalid',
  oauth_no_refresh_token: 'smtp.connect.error.oauth_no_refresh_token',
  oauth_provider_unreachable: 'smtp.connect.error.oauth_provider_unreachable',
  oauth_connect_failed: 'smtp.connect.error.oauth_connect_failed',
};

/** The provider whose button this preset shows, when the platform offers it. */
export function connectProviderOf(preset: Preset | undefined, offered: readonly ConnectProvider[]): ConnectProvider | undefined {
  return preset?.connect !== undefined && offered.includes(preset.connect) ? preset.connect : undefined;
}

export type ConnectReturn =
  | { kind: 'connected' }
  | { kind: 'error'; message: MessageKey }
  | { kind: 'reconnect'; provider: ConnectProvider };

const isProvider = (value: string | null): value is ConnectProvider => value === 'microsoft' || value === 'google';

/** What the page's query string says about a connection; null when it says nothing. */
export function readConnectReturn(search: string): ConnectReturn | null {
  const params = new URLSearchParams(search);
  if (params.get('connect') === 'connected') return { kind: 'connected' };
  const code = params.get('connect_error');
  if (code !== null) {
    const message = Object.hasOwn(CONNECT_ERROR_MESSAGES, code) ? CONNECT_ERROR_MESSAGES[code as ConnectErrorCode] : 'smtp.connect.error.unknown';
    return { kind: 'error', message };
  }
  const reconnect = params.get('reconnect');
  return isProvider(reconnect) ? { kind: 'reconnect', provider: reconnect } : null;
}

/** The address without the connection's parameters: a reload or the back button does not replay them. */
export function withoutConnectParams(pathname: string, search: string): string {
  const params = new URLSearchParams(search);
  for (const key of ['connect', 'connect_error', 'reconnect']) params.delete(key);
  const rest = params.toString();
  return rest ? `${pathname}?${rest}` : pathname;
}
