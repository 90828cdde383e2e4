export interface ApiKey {
  id: string;
  name: string;
  /** First characters of the key, to tell keys apart in listings. Never the whole key. */
  prefix: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** Platform API keys start with this, so leaked keys are easy to recognise and scan for. */
export const API_KEY_PREFIX = 'rls_';
