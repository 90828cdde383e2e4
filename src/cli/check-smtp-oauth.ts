// `relais check-smtp --auth oauth2-microsoft|oauth2-google`: the flight check signing in with
// an application (XOAUTH2), its token fetched from the operator's configured endpoints. The
// client secret is read from standard input only; the service account key from a file.
import fs from 'node:fs/promises';
import { systemClock } from '../clock.ts';
import type { Config } from '../config.ts';
import { parseServiceAccountKey } from '../relays/relay-auth.ts';
import type { SmtpAuthenticator } from '../smtp/authenticator.ts';
import { OAuthTokenCache } from '../smtp/oauth/token-cache.ts';
import { googleTokenProvider, microsoftTokenProvider } from '../smtp/oauth/token-provider.ts';
import { xoauth2Authenticator } from '../smtp/oauth/xoauth2.ts';

export const AUTH_TYPES = ['password', 'oauth2-microsoft', 'oauth2-google'] as const;
export type CliAuthType = (typeof AUTH_TYPES)[number];

export interface OAuthCliOptions {
  auth?: CliAuthType;
  tenant?: string;
  clientId?: string;
  clientSecretStdin?: boolean;
  serviceAccountKey?: string;
  user?: string;
}

/** The XOAUTH2 authenticator the options describe; `usage` reports a missing or wrong option. */
export async function cliOAuthAuthenticator(
  opts: OAuthCliOptions,
  config: Config,
  readSecret: () => Promise<string>,
  usage: (message: string) => never,
): Promise<SmtpAuthenticator> {
  if (!opts.user) usage(`--auth ${opts.auth} needs --user: the mailbox to send as.`);
  const tokens = new OAuthTokenCache(systemClock);
  if (opts.auth === 'oauth2-microsoft') {
    if (!opts.tenant || !opts.clientId) usage('--auth oauth2-microsoft needs --tenant and --client-id.');
    if (!opts.clientSecretStdin) usage('--auth oauth2-microsoft needs --client-secret-stdin: the secret is read from standard input, never from the command line.');
    const clientSecret = (await readSecret()).trim();
    if (clientSecret === '') usage('no client secret on standard input.');
    const provider = microsoftTokenProvider(config.oauth.microsoftAuthority, { tenantId: opts.tenant, clientId: opts.clientId, clientSecret }, systemClock);
    return xoauth2Authenticator({ user: opts.user, tokens: tokens.source('cli', 1, provider), clock: systemClock });
  }
  if (!opts.serviceAccountKey) usage('--auth oauth2-google needs --service-account-key FILE (the JSON key file).');
  let text: string;
  try {
    text = await fs.readFile(opts.serviceAccountKey, 'utf8');
  } catch {
    usage(`cannot read the service account key file ${opts.serviceAccountKey}.`);
  }
  let key;
  try {
    key = parseServiceAccountKey(text);
  } catch (error) {
    usage(error instanceof Error ? error.message : 'the service account key is not usable.');
  }
  const provider = googleTokenProvider(
    config.oauth.googleTokenUrl,
    { clientEmail: key.clientEmail, privateKey: key.privateKey, ...(key.privateKeyId ? { privateKeyId: key.privateKeyId } : {}), user: opts.user },
    systemClock,
  );
  return xoauth2Authenticator({ user: opts.user, tokens: tokens.source('cli', 1, provider), clock: systemClock });
}
