// A Relais app on a test database, with a platform API key and an SMTP fixture as the platform sender.
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppDeps } from '../../src/api/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { generateSecretKey } from '../../src/secrets/key-ring.ts';
import { createTestDatabase, type Dialect, type TestDatabase } from './databases.ts';
import { checkResponsesAgainstDocument } from './openapi-conformance.ts';

export interface TestApp {
  app: FastifyInstance;
  config: Config;
  db: TestDatabase;
  apiKey: string;
  /** Headers for a platform call. */
  auth: { authorization: string };
  close(): Promise<void>;
}

export async function createTestApp(
  options: { dialect?: Dialect; env?: Record<string, string>; deps?: Partial<AppDeps> } = {},
): Promise<TestApp> {
  const db = await createTestDatabase(options.dialect ?? 'sqlite');
  const config = loadConfig({
    RELAIS_PLATFORM_FROM: 'Platform <hello@platform.example>',
    RELAIS_LOG_LEVEL: 'silent',
    // A key per app, so no test writes a key file into the working directory.
    RELAIS_SECRET_KEY: generateSecretKey(),
    ...options.env,
  });
  const app = await buildApp(config, {
    store: db.store,
    logger: createLogger('silent'),
    ...options.deps,
  });
  // Every response a test receives must match the OpenAPI document (the typed client trusts it).
  checkResponsesAgainstDocument(app);
  const { key } = await app.relais.apiKeys.create('tests');
  return {
    app,
    config,
    db,
    apiKey: key,
    auth: { authorization: `Bearer ${key}` },
    async close() {
      await app.close();
      await db.drop();
    },
  };
}
