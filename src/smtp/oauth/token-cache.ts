/**
 * Access tokens kept in memory, per relay version: a token is reused until 5 minutes before
 * it expires; one request at a time per relay (concurrent sends wait for the same one); a new
 * version of the relay's settings drops the old version's token. Tokens never leave memory.
 */
import type { Clock } from '../../clock.ts';
import type { AccessToken, TokenProvider } from './token-provider.ts';

/** A token is not handed out in its last 5 minutes: a long send must not outlive it. */
export const TOKEN_EXPIRY_MARGIN_MS = 5 * 60_000;

export interface CachedToken extends AccessToken {
  /** True when it was fetched before this call (a refusal may mean it was revoked: refresh once). */
  fromCache: boolean;
}

/** What an authenticator draws tokens from. */
export interface TokenSource {
  get(): Promise<CachedToken>;
  /** Drops `stale` (if still cached) and fetches a new token. */
  refresh(stale: AccessToken): Promise<CachedToken>;
}

interface Entry {
  version: number;
  token?: AccessToken;
  pending?: Promise<AccessToken>;
}

export class OAuthTokenCache {
  private readonly entries = new Map<string, Entry>();
  /** Token requests made, for tests and metrics (never the tokens). */
  requests = 0;

  constructor(private readonly clock: Clock) {}

  /** The token source of relay `key` at `version`, fetching with `provider`. */
  source(key: string, version: number, provider: TokenProvider): TokenSource {
    return {
      get: () => this.get(key, version, provider),
      refresh: (stale) => {
        const entry = this.entries.get(key);
        if (entry?.version === version && entry.token?.token === stale.token) delete entry.token;
        return this.get(key, version, provider);
      },
    };
  }

  /** Forgets every token of relay `key` (settings changed or deleted). */
  drop(key: string): void {
    this.entries.delete(key);
  }

  private async get(key: string, version: number, provider: TokenProvider): Promise<CachedToken> {
    let entry = this.entries.get(key);
    if (!entry || entry.version !== version) {
      // Another version's token belongs to settings that no longer exist.
      if (entry && entry.version > version) return { ...(await this.fetch({ version }, provider)), fromCache: false };
      entry = { version };
      this.entries.set(key, entry);
    }
    const token = entry.token;
    if (token && this.clock.now() < token.expiresAt - TOKEN_EXPIRY_MARGIN_MS) return { ...token, fromCache: true };
    return { ...(await this.fetch(entry, provider)), fromCache: false };
  }

  private fetch(entry: Entry, provider: TokenProvider): Promise<AccessToken> {
    if (entry.pending) return entry.pending;
    this.requests += 1;
    const pending = provider().then(
      (token) => {
        entry.token = token;
        return token;
      },
      (error: unknown) => {
        throw error;
      },
    );
    entry.pending = pending;
    const clear = (): void => {
      if (entry.pending === pending) delete entry.pending;
    };
    pending.then(clear, clear);
    return pending;
  }
}
