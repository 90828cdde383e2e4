// The policy table: who holds which permission.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Actor, UserActor } from './actor.ts';
import { decide, POLICY, rolesWith, type Permission } from './authorization.ts';

const platform: Actor = { kind: 'platform', apiKeyId: 'key_1', name: 'platform' };
const person = (organizationId: string | null = null): UserActor => ({
  kind: 'user',
  userId: 'u',
  email: 'u@example.test',
  name: 'U',
  session: { idHash: 'h', organizationId, csrfToken: 'c', expiresAt: 0 },
});

test('owners control the relay, the feature flag, the delivery log and the audit log; others only see the status', () => {
  assert.deepEqual(rolesWith('relay:read'), ['owner']);
  assert.deepEqual(rolesWith('relay:write'), ['owner']);
  assert.deepEqual(rolesWith('features:update'), ['owner']);
  assert.deepEqual(rolesWith('messages:read'), ['owner']);
  assert.deepEqual(rolesWith('audit:read'), ['owner']);
  assert.deepEqual(rolesWith('relay:read-status'), ['owner', 'admin', 'member']);
  for (const p of ['members:manage', 'messages:send', 'organization:update', 'organizations:create', 'embed-sessions:create'] as const) {
    assert.deepEqual(rolesWith(p), [], `${p} is for the platform only`);
  }
});

test('the platform key holds every permission except being a person', () => {
  for (const permission of Object.keys(POLICY) as Permission[]) {
    assert.equal(decide(platform, permission, { organizationId: 'acme' }).allowed, permission !== 'session:current', permission);
  }
});

test('a person outside the organization gets "not found", a member without the role gets "forbidden"', () => {
  assert.deepEqual(decide(person(), 'relay:read', { organizationId: 'acme' }), { allowed: false, code: 'organization_not_found' });
  assert.deepEqual(decide(person(), 'relay:read', { organizationId: 'acme', role: 'admin' }), { allowed: false, code: 'forbidden' });
  assert.deepEqual(decide(person(), 'relay:read', { organizationId: 'acme', role: 'owner' }), { allowed: true });
  assert.deepEqual(decide(person(), 'relay:read-status', { organizationId: 'acme', role: 'member' }), { allowed: true });
  assert.deepEqual(decide(person(), 'organizations:create'), { allowed: false, code: 'forbidden' });
  assert.deepEqual(decide(person(), 'session:current'), { allowed: true });
});

test('a session bound to one organization reaches no other, whatever the role there', () => {
  assert.deepEqual(decide(person('beta'), 'relay:read', { organizationId: 'acme', role: 'owner' }), { allowed: false, code: 'organization_not_found' });
  assert.deepEqual(decide(person('acme'), 'relay:read', { organizationId: 'acme', role: 'owner' }), { allowed: true });
});
