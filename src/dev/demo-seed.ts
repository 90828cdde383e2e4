// Demo mode: an organization to play with, its owner, admin and member, and a platform API
// key. Keys and passwords are random and printed once, when created; only hashes are kept.
import { randomBytes } from 'node:crypto';
import type { Relais } from '../relais.ts';
import type { DemoRelay } from './capture-server.ts';
import type { SystemActor } from '../tenants/actor.ts';
import type { Role } from '../tenants/member.ts';

export const DEMO_ORGANIZATION_ID = 'demo';

/** The demo's people: user id, email, name, role. */
export const DEMO_USERS: readonly { id: string; email: string; name: string; role: Role }[] = [
  { id: 'demo-owner', email: 'owner@demo.test', name: 'Olivia Owner', role: 'owner' },
  { id: 'demo-admin', email: 'admin@demo.test', name: 'Adam Admin', role: 'admin' },
  { id: 'demo-member', email: 'member@demo.test', name: 'Mia Member', role: 'member' },
];

const SEED_ACTOR: SystemActor = { kind: 'system', name: 'demo-seed' };

/** Adds the demo's people who are missing; returns the login lines of those just created. */
async function seedDemoUsers(relais: Relais): Promise<string[]> {
  const existing = new Set((await relais.members.list(DEMO_ORGANIZATION_ID)).map((m) => m.userId));
  const created: string[] = [];
  for (const user of DEMO_USERS) {
    if (existing.has(user.id)) continue;
    const password = randomBytes(12).toString('base64url');
    await relais.members.put(DEMO_ORGANIZATION_ID, user.id, { email: user.email, name: user.name, role: user.role, password }, SEED_ACTOR);
    created.push(`  ${user.role.padEnd(6)}  ${user.email} / ${password}`);
  }
  if (created.length === 0) {
    return [`Demo logins (${DEMO_USERS.map((u) => u.email).join(', ')}): passwords were printed at the first start`];
  }
  return [`Demo logins at ${relais.config.publicUrl}/ (shown once, keep them):`, ...created];
}

/**
 * The demo organization's own relay: "custom sending address" turned on and settings saved
 * for the demo relay server, ready for the owner to check and activate. Saved once (again
 * only if the demo relay's port changed); a relay the owner pointed elsewhere is left alone.
 */
async function seedDemoRelay(relais: Relais, demoRelay: DemoRelay): Promise<string[]> {
  const { relay } = await relais.relays.find(DEMO_ORGANIZATION_ID);
  const line = `Demo relay of the organization: smtp://${demoRelay.host}:${demoRelay.port} (saved in its settings; sign in as the owner, run the check, activate)`;
  if (relay && (relay.host !== demoRelay.host || relay.username !== demoRelay.username)) return [];
  if (relay && relay.port === demoRelay.port) return [line];
  if (!relay) await relais.organizations.update(DEMO_ORGANIZATION_ID, { features: { customSmtp: true } });
  await relais.relays.save(
    DEMO_ORGANIZATION_ID,
    {
      preset: 'custom',
      host: demoRelay.host,
      port: demoRelay.port,
      security: 'none',
      username: demoRelay.username,
      password: demoRelay.password,
      fromEmail: 'formation@centre-demo.test',
      fromName: 'Centre de formation Démo',
      replyTo: null,
      fallbackPolicy: 'fallback',
      allowSelfSigned: false,
      limits: null,
    },
    SEED_ACTOR,
  );
  return [line];
}

/** Seeds what is missing and returns the lines to print at start-up. */
export async function seedDemo(relais: Relais, demoRelay?: DemoRelay): Promise<string[]> {
  const lines: string[] = [];
  try {
    await relais.organizations.get(DEMO_ORGANIZATION_ID);
  } catch {
    await relais.organizations.create({ id: DEMO_ORGANIZATION_ID, name: 'Centre de formation Démo', locale: 'fr' });
  }
  lines.push(`Demo organization: ${DEMO_ORGANIZATION_ID}`);
  lines.push(...(await seedDemoUsers(relais)));
  if (demoRelay) lines.push(...(await seedDemoRelay(relais, demoRelay)));
  const keys = await relais.apiKeys.list();
  if (!relais.config.bootstrapApiKey && keys.every((k) => k.revokedAt !== null || k.name !== 'demo')) {
    const { key } = await relais.apiKeys.create('demo');
    lines.push(`Platform API key (shown once, keep it): ${key}`);
    lines.push(
      `Try: curl -X POST ${relais.config.publicUrl}/v1/organizations/${DEMO_ORGANIZATION_ID}/messages -H "Authorization: Bearer ${key}" -H "Content-Type: application/json" -d '{"to":"learner@example.org","subject":"Bonjour","text":"Hello from Relais"}'`,
    );
  } else if (!relais.config.bootstrapApiKey) {
    lines.push('Platform API key: printed at the first start (create another with: npx relais keys create --name demo)');
  }
  return lines;
}
