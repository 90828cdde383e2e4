// The context boundaries of eslint.config.js, checked on sample imports: another context's
// SQL, repositories and inner folders are refused, lower layers may not import higher ones,
// public modules stay open. (`npm test` lints the real code; this shows the rules bite.)
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';

const eslint = new ESLint();

async function refused(filePath: string, from: string): Promise<boolean> {
  const [result] = await eslint.lintText(`import { x } from '${from}';\nexport { x };\n`, { filePath });
  return (result?.messages ?? []).some((m) => m.ruleId === '@typescript-eslint/no-restricted-imports');
}

describe('context boundaries (eslint.config.js)', () => {
  const cases: [file: string, from: string, refusedExpected: boolean][] = [
    // Private to their context.
    ['src/relays/health/relay-health.ts', '../../outbox/sql/events.ts', true],
    ['src/tenants/organization.service.ts', '../outbox/sql/reschedule-deferred.ts', true],
    ['src/outbox/message.routes.ts', '../relays/settings/relay.repository.ts', true],
    ['src/relays/settings/relay.service.ts', '../../tenants/audit.repository.ts', true],
    ['src/relais.ts', './outbox/sql/count-queued.ts', true],
    ['src/cli/check-smtp.ts', '../smtp/flight-check/run.ts', true],
    ['src/api/app.ts', '../relays/settings/presets/google.ts', true],
    ['src/relays/relay-api.integration.test.ts', '../tenants/organization.repository.ts', true],
    // Lower layers never import higher ones.
    ['src/smtp/compose.ts', '../outbox/message.ts', true],
    ['src/store/store.ts', '../tenants/organization.ts', true],
    ['src/submission/submission-server.ts', '../outbox/sql/insert-message.ts', true],
    ['src/smtp/raw-message.ts', '../submission/submission.ts', true],
    // Public modules, and a context's own private files, stay open.
    ['src/relays/health/relay-health.ts', '../../outbox/outbox.ts', false],
    ['src/relays/settings/relay.service.ts', '../../tenants/tenants.ts', false],
    ['src/outbox/dispatcher.ts', './sql/claim-messages.ts', false],
    ['src/relays/sending/relay-router.ts', '../settings/relay.repository.ts', false],
    ['src/cli/check-smtp.ts', '../smtp/flight-check.ts', false],
    ['src/outbox/message.ts', '../smtp/mail.ts', false],
    ['src/cli/start.ts', '../submission/submission.ts', false],
    ['src/submission/submitted-message.ts', '../outbox/outbox.ts', false],
  ];
  for (const [file, from, expected] of cases) {
    test(`${file} importing ${from}: ${expected ? 'refused' : 'allowed'}`, async () => {
      assert.equal(await refused(file, from), expected);
    });
  }
});
