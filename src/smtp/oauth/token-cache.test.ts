import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../clock.ts';
import { OAuthTokenCache, TOKEN_EXPIRY_MARGIN_MS } from './token-cache.ts';
import type { AccessToken, TokenProvider } from './token-provider.ts';

/** A provider that answers asynchronously, counting its calls. */
function counting(clock: ManualClock, lifetimeMs = 3600_000): TokenProvider & { calls: number } {
  const provider = Object.assign(
    async (): Promise<AccessToken> => {
      provider.calls += 1;
      const token = `token-${provider.calls}`;
      await new Promise((resolve) => setImmediate(resolve));
      return { token, expiresAt: clock.now() + lifetimeMs, provider: 'microsoft' };
    },
    { calls: 0 },
  );
  return provider;
}

describe('the access token cache', () => {
  test('concurrent sign-ins wait for the same token request', async () => {
    const clock = new ManualClock();
    const cache = new OAuthTokenCache(clock);
    const provider = counting(clock);
    const source = cache.source('rly_1', 1, provider);
    const tokens = await Promise.all([source.get(), source.get(), source.get()]);
    assert.equal(provider.calls, 1);
    assert.deepEqual(new Set(tokens.map((t) => t.token)), new Set(['token-1']));
    assert.equal((await source.get()).fromCache, true);
  });

  test('reused until 5 minutes before expiry, then fetched again', async () => {
    const clock = new ManualClock();
    const cache = new OAuthTokenCache(clock);
    const provider = counting(clock);
    const source = cache.source('rly_1', 1, provider);
    await source.get();
    clock.advance(3600_000 - TOKEN_EXPIRY_MARGIN_MS - 1);
    assert.equal((await source.get()).token, 'token-1');
    clock.advance(1);
    assert.equal((await source.get()).token, 'token-2');
    assert.equal(provider.calls, 2);
  });

  test('a new version of the settings never gets the old version’s token; refresh replaces a refused token', async () => {
    const clock = new ManualClock();
    const cache = new OAuthTokenCache(clock);
    const provider = counting(clock);
    const v1 = await cache.source('rly_1', 1, provider).get();
    const v2 = cache.source('rly_1', 2, provider);
    assert.notEqual((await v2.get()).token, v1.token);
    const cached = await v2.get();
    assert.equal(cached.fromCache, true);
    const fresh = await v2.refresh(cached);
    assert.notEqual(fresh.token, cached.token);
    assert.equal(fresh.fromCache, false);
  });

  test('a failed request is not cached: the next sign-in asks again', async () => {
    const clock = new ManualClock();
    const cache = new OAuthTokenCache(clock);
    let calls = 0;
    const source = cache.source('rly_1', 1, async () => {
      calls += 1;
      if (calls === 1) throw new Error('refused');
      return { token: 'ok', expiresAt: clock.now() + 3600_000, provider: 'google' };
    });
    await assert.rejects(source.get(), /refused/);
    assert.equal((await source.get()).token, 'ok');
  });
});
