// The check that every response of the API suite matches the OpenAPI document
// (test/support/openapi-conformance.ts) runs on every test app, and a drift does not pass it:
// an answer whose status, or whose body, the document does not describe is recorded (and the
// test file would fail at its end). No database behaviour is involved: SQLite only.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../test/support/app.ts';
import {
  checkResponsesAgainstDocument,
  clearConformanceViolations,
  conformanceChecks,
  conformanceViolations,
  type OpenApiDocument,
} from '../../test/support/openapi-conformance.ts';

type Document = OpenApiDocument;

describe('responses checked against the OpenAPI document', () => {
  let t: TestApp;
  let served: Document;
  let tampered: Document | undefined;
  before(async () => {
    t = await createTestApp();
    // A second check on the same app, against a document changed by each test.
    checkResponsesAgainstDocument(t.app, () => tampered ?? served);
    await t.app.ready();
    served = structuredClone(t.app.swagger()) as unknown as Document;
  });
  after(async () => t.close());

  const tamper = (change: (doc: Document) => void) => {
    tampered = structuredClone(served);
    change(tampered);
  };
  const sendMessage = (doc: Document) => doc.paths['/v1/organizations/{orgId}/messages']?.post;

  test('every test app checks its answers', async () => {
    const before = conformanceChecks();
    const res = await t.app.inject({ method: 'POST', url: '/v1/organizations', headers: t.auth, payload: { id: 'acme', name: 'Acme' } });
    assert.equal(res.statusCode, 201);
    // The app's own check and the second one each counted it.
    assert.equal(conformanceChecks(), before + 2);
    assert.deepEqual(conformanceViolations(), []);
  });

  test('an answer with a status the document does not list is a violation', async () => {
    tamper((doc) => delete sendMessage(doc)?.responses?.['409']);
    const send = (text: string) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/organizations/acme/messages',
        headers: { ...t.auth, 'idempotency-key': 'same-key' },
        payload: { to: 'lea@example.org', subject: 'Hello', text },
      });
    assert.equal((await send('one')).statusCode, 202);
    assert.equal((await send('another')).statusCode, 409);
    assert.deepEqual(
      conformanceViolations().map((v) => v.split(' (body')[0]),
      ['POST /v1/organizations/{orgId}/messages → 409: status not documented'],
    );
    clearConformanceViolations();
  });

  test('a body that does not match the documented schema is a violation', async () => {
    tamper((doc) => {
      const created = doc.paths['/v1/organizations']?.post?.responses?.['201']?.content?.['application/json'];
      assert.ok(created?.schema);
      created.schema = { ...created.schema, required: ['id', 'name', 'nickname'] };
    });
    const res = await t.app.inject({ method: 'POST', url: '/v1/organizations', headers: t.auth, payload: { id: 'globex', name: 'Globex' } });
    assert.equal(res.statusCode, 201);
    assert.equal(conformanceViolations().length, 1);
    assert.match(conformanceViolations()[0] ?? '', /^POST \/v1\/organizations → 201: body does not match the document: \/ must have required property 'nickname'/);
    clearConformanceViolations();
  });
});
