// The OpenAPI document tells the truth the typed client relies on: Redocly's recommended rules
// pass (redocly.yaml), every operation has a stable operationId and documents its errors with the
// one error schema, and the few answers that used to be misdocumented are documented as they are.
// That every response of the API suite matches the document is checked by the test app itself
// (test/support/openapi-conformance.ts). The document does not depend on the database: SQLite only.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { createConfig, lintFromString, loadConfig } from '@redocly/openapi-core';
import path from 'node:path';
import { createTestApp, type TestApp } from '../../test/support/app.ts';
import { loadConfig as loadRelaisConfig } from '../config.ts';
import { registerOpenApi } from './openapi.ts';

type Operation = {
  operationId?: string;
  requestBody?: { required?: boolean; content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>;
};
type Document = { servers?: { url: string }[]; paths: Record<string, Record<string, Operation>> };

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('the OpenAPI document', () => {
  let t: TestApp;
  let source: string;
  let doc: Document;
  before(async () => {
    t = await createTestApp({ env: { RELAIS_PUBLIC_URL: 'https://relais.platform.test' } });
    const res = await t.app.inject({ url: '/docs/json' });
    assert.equal(res.statusCode, 200);
    source = res.body;
    doc = JSON.parse(source) as Document;
  });
  after(async () => t.close());

  const operations = () =>
    Object.entries(doc.paths).flatMap(([url, byMethod]) => Object.entries(byMethod).map(([method, op]) => ({ where: `${method.toUpperCase()} ${url}`, op })));

  test("passes Redocly's recommended rules (redocly.yaml) with no error and no warning", async () => {
    const config = await loadConfig({ configPath: path.join(ROOT, 'redocly.yaml') });
    const problems = await lintFromString({ source, absoluteRef: path.join(ROOT, 'openapi.json'), config });
    assert.deepEqual(
      problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? '?'}`),
      [],
    );
  });

  test('the recommended rules do find what the document used to get wrong (the lint is not a no-op)', async () => {
    const broken = JSON.parse(source) as Document & { servers?: unknown };
    delete broken.servers;
    const first = Object.values(Object.values(broken.paths)[0] ?? {})[0];
    assert.ok(first);
    delete first.operationId;
    const problems = await lintFromString({ source: JSON.stringify(broken), absoluteRef: path.join(ROOT, 'openapi.json'), config: await createConfig({ extends: ['recommended'] }) });
    const rules = new Set(problems.map((p) => p.ruleId));
    assert.ok(rules.has('no-empty-servers') && rules.has('operation-operationId'), [...rules].join(', '));
  });

  test('names this Relais as its server', () => {
    assert.deepEqual(doc.servers?.map((s) => s.url), ['https://relais.platform.test']);
  });

  test('gives every operation a unique operationId', () => {
    const ids = operations().map(({ where, op }) => op.operationId ?? `(none on ${where})`);
    assert.ok(ids.length >= 27, `only ${ids.length} operations`);
    assert.deepEqual(ids.filter((id) => id.startsWith('(none')), []);
    assert.equal(new Set(ids).size, ids.length);
  });

  test('documents every error status of every operation with the shared error schema', () => {
    for (const { where, op } of operations()) {
      const errors = Object.entries(op.responses).filter(([status]) => Number(status) >= 400);
      assert.ok(errors.some(([s]) => s === '500') && errors.some(([s]) => s === '503'), `${where} documents no 500/503`);
      for (const [status, response] of errors) {
        assert.deepEqual(response.content?.['application/json']?.schema, { $ref: '#/components/schemas/Error' }, `${where} ${status}`);
      }
    }
    const guarded = doc.paths['/v1/organizations/{orgId}/smtp-relay/activate']?.post;
    assert.deepEqual(Object.keys(guarded?.responses ?? {}), ['200', '400', '401', '403', '404', '409', '413', '415', '422', '500', '503', '507']);
    const signIn = doc.paths['/v1/sessions']?.post;
    assert.ok(signIn?.responses['429'] && signIn.responses['401'], 'sign-in documents 401 and 429');
  });

  test('documents DELETE …/smtp-relay as it answers: 204, no content', () => {
    const ok = doc.paths['/v1/organizations/{orgId}/smtp-relay']?.delete?.responses;
    assert.ok(ok?.['204'] && !ok['200']);
    assert.equal(ok['204'].content, undefined);
  });

  test('documents `to`, `cc` and `bcc` as one address or an array of them', () => {
    const body = doc.paths['/v1/organizations/{orgId}/messages']?.post?.requestBody?.content['application/json']?.schema as {
      properties: Record<string, unknown>;
    };
    for (const field of ['to', 'cc', 'bcc']) {
      assert.deepEqual(body.properties[field], { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] }, field);
    }
  });

  test('documents the optional empty body of the actions that take no input', () => {
    for (const url of ['/smtp-relay/activate', '/smtp-relay/deactivate', '/smtp-relay/verify', '/messages/{messageId}/resend']) {
      const body = doc.paths[`/v1/organizations/{orgId}${url}`]?.post?.requestBody;
      assert.equal(body?.required, false, url);
      assert.deepEqual(body.content['application/json']?.schema.properties, {}, url);
    }
  });
});

describe('a route added without an operationId', () => {
  test('stops start-up, so the document cannot lose one', async () => {
    const app = Fastify();
    await registerOpenApi(app, loadRelaisConfig({ RELAIS_PLATFORM_FROM: 'hello@platform.test' }));
    assert.throws(() => app.get('/v1/anything', { schema: { summary: 'no id' } }, async () => ({})), /has no operationId/);
    await app.close();
  });
});
