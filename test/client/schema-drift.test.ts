// The typed client's types are generated from the OpenAPI document the app serves: the committed
// clients/typescript/src/schema.d.ts must be exactly what `npm run generate:client` writes today,
// so a route changed without regenerating them (and so without the UI and the client following)
// fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { clientSchemaSource, SCHEMA_FILE } from '../../scripts/generate-client.ts';

test('clients/typescript/src/schema.d.ts is what the routes give (else run `npm run generate:client`)', async () => {
  const generated = await clientSchemaSource();
  assert.equal(await clientSchemaSource(), generated, 'the generation is deterministic');
  const committed = fs.readFileSync(SCHEMA_FILE, 'utf8');
  if (committed === generated) return;
  const [a, b] = [committed.split('\n'), generated.split('\n')];
  const line = a.findIndex((text, i) => text !== b[i]);
  assert.fail(
    `${path.relative(process.cwd(), SCHEMA_FILE)} differs from the OpenAPI document from line ${line + 1}:\n` +
      `  committed: ${a[line] ?? '(end of file)'}\n  generated: ${b[line] ?? '(end of file)'}\nRun \`npm run generate:client\` and commit the result.`,
  );
});
