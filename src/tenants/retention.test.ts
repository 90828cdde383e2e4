import { test } from 'node:test';
import assert from 'node:assert/strict';
import { effectiveRetention, longerThanOperator, type RetentionLimits } from './retention.ts';

const OPERATOR: RetentionLimits = { contentDays: 7, logDays: 90, eventsDays: 30, auditDays: 365 };

test("an organization's limits apply where shorter, never where longer; content never outlives the log", () => {
  const cases: [Parameters<typeof effectiveRetention>[1], RetentionLimits][] = [
    [{}, OPERATOR],
    [{ contentDays: 1, auditDays: null }, { ...OPERATOR, contentDays: 1 }],
    [{ logDays: 3 }, { ...OPERATOR, contentDays: 3, logDays: 3 }],
    [{ eventsDays: 400, logDays: 120 }, OPERATOR],
  ];
  for (const [own, expected] of cases) assert.deepEqual(effectiveRetention(OPERATOR, own), expected, JSON.stringify(own));
});

test('longer limits than the operator are named', () => {
  assert.deepEqual(longerThanOperator(OPERATOR, { contentDays: 8, logDays: 90, eventsDays: null }), ['contentDays']);
  assert.deepEqual(longerThanOperator(OPERATOR, {}), []);
});
