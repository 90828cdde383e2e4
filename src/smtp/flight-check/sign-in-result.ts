// The auth step once the server has answered the sign-in: refused, passed, or passed with an
// application secret about to expire (OAuth2 app sign-in). How the token was obtained is shown,
// never the token itself.
import type { SmtpAuthenticator } from '../authenticator.ts';
import { XOAUTH2 } from '../oauth/xoauth2.ts';
import type { StepRecorder } from './recorder.ts';
import type { Reply } from './smtp-session.ts';
import { isSuccess, replyData, replyFailure } from './step-io.ts';
import type { Started } from './step-io.ts';
import type { StepData } from './types.ts';

/** An application secret expiring within this is a warning of the check. */
const SECRET_EXPIRY_WARNING_MS = 30 * 24 * 3600_000;

export interface SignInAnswer {
  user: string;
  mechanism: string;
  reply: Reply;
  token: ReturnType<NonNullable<SmtpAuthenticator['tokenInfo']>> | undefined;
  secretExpiresAt?: number;
  now: number;
}

/** Records the auth step from the server's answer; whether the session may go on. */
export function recordSignIn(r: StepRecorder, started: Started, answer: SignInAnswer): boolean {
  const { user, mechanism, reply, token } = answer;
  const data: StepData = { authMechanism: mechanism, ...(token ? { token } : {}), ...replyData(reply) };
  if (!isSuccess(reply)) {
    const failure = { ...replyFailure('auth', reply), ...(mechanism === XOAUTH2 ? { mechanism } : {}) };
    r.fail('auth', started, { detail: r.t.authRefused(user), data }, failure);
    return false;
  }
  const detail = token ? r.t.authTokenOk(user, token.provider, token.expiresInMinutes) : r.t.authOk(user, mechanism);
  const expiresAt = answer.secretExpiresAt;
  if (expiresAt !== undefined && expiresAt - answer.now < SECRET_EXPIRY_WARNING_MS) {
    r.warn('auth', started, { detail: `${detail} ${r.t.secretExpiring(new Date(expiresAt).toISOString().slice(0, 10))}`, data }, 'oauth-client-secret-expiring');
    return true;
  }
  r.ok('auth', started, { detail, data });
  return true;
}
