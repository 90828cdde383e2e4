// `relais keys`: platform API keys, and rotation of the key that seals relay passwords and server secrets.
import { Command } from 'commander';
import { systemClock } from '../clock.ts';
import { AppError } from '../errors.ts';
import { rotateRelaySecrets } from '../relays/settings/secret-rotation.ts';
import { ApiKeyService } from '../tenants/api-key.service.ts';
import { configOrExit, fail, openMigratedStore } from './runtime.ts';

async function withKeys<T>(fn: (keys: ApiKeyService) => Promise<T>): Promise<T> {
  const store = await openMigratedStore(configOrExit());
  try {
    return await fn(new ApiKeyService(store.db, systemClock));
  } catch (error) {
    if (error instanceof AppError) fail(`${error.code}: ${error.message}`, 2);
    throw error;
  } finally {
    await store.close();
  }
}

export function keysCommand(): Command {
  const keys = new Command('keys').description('Manage platform API keys (they may act for every organization).');
  keys
    .command('create')
    .description('Create a platform API key and print it once; only its hash is stored.')
    .requiredOption('--name <name>', 'what the key is for, e.g. "production platform"')
    .action(async (opts: { name: string }) =>
      withKeys(async (service) => {
        const { apiKey, key } = await service.create(opts.name);
        console.log(`Created ${apiKey.id} (${apiKey.name}). The key, shown only now:\n\n  ${key}\n`);
      }),
    );
  keys
    .command('list')
    .description('List keys: id, name, prefix, created, last used, revoked.')
    .action(async () =>
      withKeys(async (service) => {
        const all = await service.list();
        if (all.length === 0) return console.log('No API keys.');
        for (const k of all) {
          const when = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());
          console.log(`${k.id}\t${k.name}\t${k.prefix}…\tcreated ${when(k.createdAt)}\tlast used ${when(k.lastUsedAt)}\t${k.revokedAt ? `revoked ${when(k.revokedAt)}` : 'active'}`);
        }
      }),
    );
  keys
    .command('revoke <id>')
    .description('Revoke a key; requests with it are refused from now on.')
    .action(async (id: string) =>
      withKeys(async (service) => {
        await service.revoke(id);
        console.log(`Revoked ${id}.`);
      }),
    );
  keys
    .command('rotate-secret')
    .description(
      'Re-wrap every relay password and the embed-link signing key under the current secret key. Embedded mode: generates a new key in the data dir first ' +
        'and forgets the old one at the end. With RELAIS_SECRET_KEY: run after setting the new key in RELAIS_SECRET_KEY and the ' +
        'old one in RELAIS_SECRET_KEY_PREVIOUS on every process.',
    )
    .action(async () => {
      const config = configOrExit();
      const store = await openMigratedStore(config);
      try {
        const outcome = await rotateRelaySecrets(config, store.db);
        for (const line of outcome.lines) console.log(line);
        if (!outcome.ok) process.exitCode = 1;
      } catch (error) {
        if (error instanceof AppError) fail(`${error.code}: ${error.message}`, 2);
        throw error;
      } finally {
        await store.close();
      }
    });
  return keys;
}
