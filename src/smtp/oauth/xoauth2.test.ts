import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../clock.ts';
import type { SmtpReply } from '../authenticator.ts';
import { classify } from '../reply-classification.ts';
import { fromNodemailerError, parseSmtpReply } from '../failure.ts';
import type { CachedToken, TokenSource } from './token-cache.ts';
import { OAuthTokenError } from './token-provider.ts';
import { xoauth2Authenticator, xoauth2InitialResponse } from './xoauth2.ts';

function source(tokens: CachedToken[]): TokenSource & { refreshed: number } {
  let i = 0;
  const s = {
    refreshed: 0,
    get: async () => tokens[i] as CachedToken,
    refresh: async () => {
      s.refreshed += 1;
      i += 1;
      return tokens[i] as CachedToken;
    },
  };
  return s;
}

const clock = new ManualClock();
const token = (value: string, fromCache: boolean): CachedToken => ({ token: value, expiresAt: clock.now() + 3600_000, provider: 'microsoft', fromCache });

function channel(replies: SmtpReply[]) {
  const sent: string[] = [];
  return { sent, command: async (line: string) => (sent.push(line), replies.shift() ?? { code: 554, text: '554 no more' }) };
}

describe('AUTH XOAUTH2', () => {
  test('sends user=…^Aauth=Bearer …^A^A in base64 as the initial response', async () => {
    assert.equal(Buffer.from(xoauth2InitialResponse('a@b.test', 'tok'), 'base64').toString(), 'user=a@b.test\u0001auth=Bearer tok\u0001\u0001');
    const io = channel([{ code: 235, text: '235 2.7.0 Authentication successful' }]);
    const auth = xoauth2Authenticator({ user: 'a@b.test', tokens: source([token('tok', false)]), clock });
    assert.equal(auth.mechanism(['LOGIN', 'PLAIN']), 'XOAUTH2');
    assert.equal((await auth.signIn(io, 'XOAUTH2')).code, 235);
    assert.deepEqual(io.sent, [`AUTH XOAUTH2 ${xoauth2InitialResponse('a@b.test', 'tok')}`]);
    assert.deepEqual(auth.tokenInfo(), { provider: 'microsoft', expiresInMinutes: 60 });
  });

  test('Gmail’s 334 error challenge is answered with an empty line; the final 535 is the refusal', async () => {
    const challenge = Buffer.from(JSON.stringify({ status: '400', schemes: 'Bearer', scope: 'https://mail.google.com/' })).toString('base64');
    const io = channel([
      { code: 334, text: `334 ${challenge}` },
      { code: 535, text: '535-5.7.8 Username and Password not accepted.' },
    ]);
    const auth = xoauth2Authenticator({ user: 'a@b.test', tokens: source([token('fresh', false)]), clock });
    assert.equal((await auth.signIn(io, 'XOAUTH2')).code, 535);
    assert.equal(io.sent[1], '');
  });

  test('a 535 to a cached token refreshes it once and tries again; a fresh token is not refreshed', async () => {
    const cached = source([token('old', true), token('new', false)]);
    const io = channel([
      { code: 535, text: '535 5.7.3 Authentication unsuccessful' },
      { code: 235, text: '235 ok' },
    ]);
    assert.equal((await xoauth2Authenticator({ user: 'a@b.test', tokens: cached, clock }).signIn(io, 'XOAUTH2')).code, 235);
    assert.equal(cached.refreshed, 1);

    const fresh = source([token('new', false), token('newer', false)]);
    const refused = channel([{ code: 535, text: '535 5.7.3 Authentication unsuccessful' }]);
    assert.equal((await xoauth2Authenticator({ user: 'a@b.test', tokens: fresh, clock }).signIn(refused, 'XOAUTH2')).code, 535);
    assert.equal(fresh.refreshed, 0);
    assert.equal(refused.sent.length, 1);
  });
});

describe('classifying app sign-in failures', () => {
  const tokenFailure = (reason: string) => fromNodemailerError(Object.assign(new Error('Authentication refused'), { code: 'EAUTH', originalCode: 'EOAUTH2', reason, command: 'AUTH RELAIS' }));

  for (const [reason, id] of [
    ['microsoft invalid_client AADSTS7000215', 'oauth-client-secret-invalid'],
    ['microsoft invalid_client AADSTS7000222', 'oauth-client-secret-expired'],
    ['microsoft unauthorized_client AADSTS700016', 'oauth-app-not-found'],
    ['microsoft invalid_request AADSTS90002', 'oauth-tenant-not-found'],
    ['microsoft invalid_grant AADSTS65001', 'oauth-consent-missing'],
    ['microsoft unreachable', 'oauth-token-endpoint-unreachable'],
    ['google unreachable', 'oauth-token-endpoint-unreachable'],
    ['google unauthorized_client', 'oauth-google-delegation-missing'],
    ['google invalid_grant', 'oauth-google-grant-invalid'],
    ['microsoft invalid_scope AADSTS70011', 'oauth-app-sign-in-failed'],
    // A connected mailbox: its refresh token refused means reconnecting; anything else is the platform's application.
    ['connected microsoft invalid_grant', 'oauth-reconnect'],
    ['connected google invalid_grant', 'oauth-reconnect'],
    ['connected google invalid_client', 'oauth-app-sign-in-failed'],
    ['connected microsoft unreachable', 'oauth-token-endpoint-unreachable'],
  ] as const) {
    test(`a token endpoint's ${reason} is relay-level: ${id}`, () => {
      const failure = tokenFailure(reason);
      assert.deepEqual(failure, { stage: 'auth', network: 'OAUTH2_TOKEN', text: reason });
      assert.deepEqual(classify(failure), { class: 'relay-config', explanation: id });
    });
  }

  test('the delivery path keeps the token error through nodemailer’s EAUTH wrapping', () => {
    const error = new OAuthTokenError('microsoft invalid_client AADSTS7000215');
    // nodemailer's _formatError: the error object is kept, its code moved to originalCode.
    Object.assign(error, { originalCode: error.code });
    assert.equal(classify(fromNodemailerError(error)).explanation, 'oauth-client-secret-invalid');
  });

  test('535 to XOAUTH2 is a refused token; the same reply to a password stays Microsoft’s SMTP AUTH explanation', () => {
    const reply = '535 5.7.3 Authentication unsuccessful [AM0PR01CA0001]';
    const xoauth2 = fromNodemailerError(Object.assign(new Error('Authentication refused'), { code: 'EAUTH', response: reply, command: 'AUTH RELAIS', mechanism: 'XOAUTH2' }));
    assert.equal(xoauth2.mechanism, 'XOAUTH2');
    assert.equal(classify(xoauth2).explanation, 'oauth-token-refused');
    const password = { stage: 'auth' as const, ...parseSmtpReply(reply), code: 535 };
    assert.equal(classify(password).explanation, 'microsoft-smtp-auth-disabled');
    // SMTP AUTH off for the whole tenant keeps its own explanation with XOAUTH2 too.
    assert.equal(classify({ ...xoauth2, enhanced: '5.7.139', text: 'Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.' }).explanation, 'microsoft-smtp-auth-disabled');
  });
});
