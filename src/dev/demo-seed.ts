// Demo mode: an organization to play with and a platform API key, printed once.
import type { Relais } from '../relais.ts';

export const DEMO_ORGANIZATION_ID = 'demo';

/** Seeds what is missing and returns the lines to print at start-up. */
export async function seedDemo(relais: Relais): Promise<string[]> {
  const lines: string[] = [];
  try {
    await relais.organizations.get(DEMO_ORGANIZATION_ID);
  } catch {
    await relais.organizations.create({ id: DEMO_ORGANIZATION_ID, name: 'Centre de formation Démo', locale: 'fr' });
  }
  lines.push(`Demo organization: ${DEMO_ORGANIZATION_ID}`);
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
