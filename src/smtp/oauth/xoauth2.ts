/**
 * `AUTH XOAUTH2` (Google's and Microsoft's SASL mechanism for OAuth2 bearer tokens) as an
 * SmtpAuthenticator: the flight check and delivery sign in through it alike.
 *
 * The initial response is base64("user=<user>^Aauth=Bearer <token>^A^A"). A server that refuses
 * the token may first send a `334` challenge carrying a base64 JSON error (Gmail does); the
 * client answers with an empty line and gets the final `535`. A `535` to a token that came
 * from the cache (it may have been revoked early) refreshes it once and tries again before
 * the refusal counts.
 */
import type { SmtpAuthenticator, SmtpCommandChannel, SmtpReply } from '../authenticator.ts';
import type { Clock } from '../../clock.ts';
import type { AccessToken, OAuthProvider } from './token-provider.ts';
import type { TokenSource } from './token-cache.ts';

export const XOAUTH2 = 'XOAUTH2';

/** What the check shows of the token: the provider and its remaining lifetime, never the token. */
export interface TokenInfo {
  provider: OAuthProvider;
  expiresInMinutes: number;
}

export interface XOAuth2Authenticator extends SmtpAuthenticator {
  /** The token of the last sign-in, described. */
  tokenInfo(): TokenInfo | undefined;
}

export function xoauth2InitialResponse(user: string, token: string): string {
  return Buffer.from(`user=${user}\u0001auth=Bearer ${token}\u0001\u0001`, 'utf8').toString('base64');
}

async function attempt(channel: SmtpCommandChannel, user: string, token: AccessToken): Promise<SmtpReply> {
  const reply = await channel.command(`AUTH XOAUTH2 ${xoauth2InitialResponse(user, token.token)}`);
  // The error challenge: an empty response ends the exchange with the final refusal.
  if (reply.code === 334) return channel.command('');
  return reply;
}

export function xoauth2Authenticator(options: { user: string; tokens: TokenSource; clock: Clock }): XOAuth2Authenticator {
  const { user, tokens, clock } = options;
  let last: AccessToken | undefined;
  return {
    user,
    mechanism: () => XOAUTH2,
    tokenInfo: () => (last ? { provider: last.provider, expiresInMinutes: Math.max(0, Math.floor((last.expiresAt - clock.now()) / 60_000)) } : undefined),
    async signIn(channel) {
      let token = await tokens.get();
      last = token;
      let reply = await attempt(channel, user, token);
      if (reply.code === 535 && token.fromCache) {
        token = await tokens.refresh(token);
        last = token;
        reply = await attempt(channel, user, token);
      }
      return reply;
    },
  };
}
