// Rows of the reply classification table (reply-classification.ts) for OAuth2 app sign-in:
// why no token could be obtained (the token endpoint's error, as OAuthTokenError's reason),
// and a server refusing a valid token. Every one is relay-level: the relay becomes failing,
// owners are told, and mail falls back or is held as for a refused password.
import type { ReplyRule } from '../reply-classification.ts';
import type { ExplanationId } from '../explanations.ts';

const relayConfig = (explanation: ExplanationId) => ({ class: 'relay-config' as const, explanation });
const token = (text: RegExp) => ({ network: 'OAUTH2_TOKEN', text }) as const;

/** Token endpoint failures (network OAUTH2_TOKEN, text `<provider> <error>[ AADSTS<n>]`). */
export const OAUTH_TOKEN_RULES: readonly ReplyRule[] = [
  // A connected mailbox (`connected <provider> <error>`): its refresh token refused — revoked,
  // password changed, app removed, a "testing" app's 7 days — only reconnecting fixes it.
  { name: 'connected mailbox authorization gone (invalid_grant)', when: token(/^connected (microsoft|google) invalid_grant\b/), then: relayConfig('oauth-reconnect') },
  { name: 'Microsoft wrong client secret AADSTS7000215', when: token(/\bAADSTS7000215\b/), then: relayConfig('oauth-client-secret-invalid') },
  { name: 'Microsoft client secret expired AADSTS7000222', when: token(/\bAADSTS7000222\b/), then: relayConfig('oauth-client-secret-expired') },
  { name: 'Microsoft application not in tenant AADSTS700016', when: token(/\bAADSTS700016\b/), then: relayConfig('oauth-app-not-found') },
  { name: 'Microsoft tenant not found AADSTS90002', when: token(/\bAADSTS90002\b/), then: relayConfig('oauth-tenant-not-found') },
  { name: 'Microsoft consent missing AADSTS65001', when: token(/\bAADSTS65001\b/), then: relayConfig('oauth-consent-missing') },
  { name: 'token endpoint unreachable', when: token(/ unreachable$/), then: relayConfig('oauth-token-endpoint-unreachable') },
  { name: 'Google delegation missing', when: token(/^google unauthorized_client\b/), then: relayConfig('oauth-google-delegation-missing') },
  { name: 'Google assertion refused', when: token(/^google (invalid_grant|invalid_key)\b/), then: relayConfig('oauth-google-grant-invalid') },
  { name: 'app sign-in refused', when: token(/^(connected )?(microsoft|google) /), then: relayConfig('oauth-app-sign-in-failed') },
];

/** A valid token refused at AUTH XOAUTH2 (5.7.139, SMTP AUTH off for the tenant, keeps its own rule before these). */
export const OAUTH_REPLY_RULES: readonly ReplyRule[] = [
  { name: 'XOAUTH2 token refused', when: { code: '5xx', stage: 'auth', mechanism: 'XOAUTH2' }, then: relayConfig('oauth-token-refused') },
];
