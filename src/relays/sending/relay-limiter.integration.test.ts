// The relay limiter against a real database: two limiters (two processes) asking for slots of
// the same relay at the same time never exceed its window or its connection cap, because the
// counts come from the database under a lock on the relay's row.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../clock.ts';
import { newId } from '../../ids.ts';
import { OrganizationService } from '../../tenants/organization.service.ts';
import { createTestDatabase, dialects, type TestDatabase } from '../../../test/support/databases.ts';
import { RelayLimiter } from './relay-limiter.ts';
import { insertRelay } from '../settings/relay.repository.ts';
import { HEALTHY, type Relay, type RelayLimitOverrides } from '../relay.ts';
import { PASSWORD_AUTH } from '../relay-auth.ts';

for (const dialect of await dialects()) {
  describe(`relay limiter (${dialect})`, () => {
    let db: TestDatabase;
    let clock: ManualClock;

    beforeEach(async () => {
      db = await createTestDatabase(dialect);
      clock = new ManualClock();
      await new OrganizationService(db.store.db, clock).create({ id: 'acme', name: 'Acme' });
    });
    afterEach(() => db.drop());

    async function relayWith(limits: RelayLimitOverrides, organizationId = 'acme'): Promise<Relay> {
      const now = clock.now();
      if (organizationId !== 'acme') await new OrganizationService(db.store.db, clock).create({ id: organizationId, name: organizationId });
      const relay: Relay = {
        id: newId('rly', now),
        organizationId,
        preset: 'custom',
        host: 'smtp.acme.test',
        port: 587,
        security: 'starttls',
        username: 'u',
        fromEmail: 'a@acme.test',
        fromName: 'Acme',
        replyTo: null,
        fallbackPolicy: 'fallback',
        allowSelfSigned: false,
        limits,
        auth: PASSWORD_AUTH,
        version: 1,
        sealedPassword: 'sealed',
        status: 'active',
        statusChangedAt: now,
        activeSince: now,
        verifiedVersion: 1,
        verifiedAt: now,
        lastCheck: null,
        health: HEALTHY,
        createdAt: now,
        updatedAt: now,
      };
      await insertRelay(db.store.db, relay);
      return relay;
    }

    const limiter = (dispatchConcurrency = 200) => new RelayLimiter({ db: db.store.db, clock, dispatchConcurrency, leaseMs: 60_000, slowAfterMs: 10_000 });

    test('80 sends raced by two processes: exactly 30 in the minute', async () => {
      const relay = await relayWith({ messagesPerMinute: 30, maxConnections: 20 });
      const processes = [limiter(), limiter()];
      const outcomes = await Promise.all(
        Array.from({ length: 80 }, async (_, i) => {
          // As a dispatcher does: a momentary refusal (every slot taken) is tried again.
          for (;;) {
            const answer = await processes[i % 2]!.reserve(relay, `msg_${i}`, 1);
            if (answer.ok) await answer.slot.finish(1);
            if (answer.ok || answer.code) return answer;
            await new Promise((resolve) => setImmediate(resolve));
          }
        }),
      );
      assert.equal(outcomes.filter((o) => o.ok).length, 30);
      const refused = outcomes.filter((o) => !o.ok && o.code === 'relay_rate_limited');
      assert.equal(refused.length, 50);
      for (const o of refused) assert.equal(!o.ok && o.until, clock.now() + 60_000);
    });

    /** A relay holds one slot in a process until one of its sends has finished there. */
    async function prove(process: RelayLimiter, relay: Relay): Promise<void> {
      const first = await process.reserve(relay, `msg_proof_${newId('x', clock.now())}`, 1);
      assert.ok(first.ok);
      await first.slot.finish(1);
    }

    test('slots held across processes never exceed the connection cap', async () => {
      const relay = await relayWith({ maxConnections: 3 });
      const processes = [limiter(), limiter()];
      for (const p of processes) await prove(p, relay);
      const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => processes[i % 2]!.reserve(relay, `msg_${i}`, 1)));
      const held = outcomes.filter((o) => o.ok);
      assert.equal(held.length, 3);
      // A refusal for want of a slot is momentary: no code, retried a second later.
      assert.ok(outcomes.every((o) => o.ok || o.code === undefined));
      for (const o of held) if (o.ok) await o.slot.finish(1);
      const again = await processes[0]!.reserve(relay, 'msg_next', 1);
      assert.equal(again.ok, true, 'finished sends free their slots');
    });

    test('a relay holds one slot until one of its sends has finished in this process', async () => {
      const relay = await relayWith({ maxConnections: 2 });
      const process = limiter(8);
      const first = await process.reserve(relay, 'msg_1', 1);
      assert.ok(first.ok);
      assert.deepEqual(await process.reserve(relay, 'msg_2', 1), { ok: false, until: clock.now() });
      assert.deepEqual(process.excludedOrganizations(clock.now()), ['acme']);
      await first.slot.finish(1);
      const both = await Promise.all([process.reserve(relay, 'msg_3', 1), process.reserve(relay, 'msg_4', 1)]);
      assert.deepEqual(both.map((a) => a.ok), [true, true], 'proven: its two connections');
    });

    test('relays never take the platform route’s reserve; slow relays hold one slot each and half the relay share together', async () => {
      // 8 slots: relays may hold 6 together (2 kept for the platform route), slow ones 3.
      const process = limiter(8);
      const relays = await Promise.all(['a', 'b', 'c', 'd', 'e', 'f'].map((org) => relayWith({ maxConnections: 2 }, org)));
      const [a, b, c, d, e, f] = relays as [Relay, Relay, Relay, Relay, Relay, Relay];
      for (const relay of relays) await prove(process, relay);
      const take = (relay: Relay, id: string) => process.reserve(relay, id, 1);

      // A, B and C hang: each holds a slot for 10 s and becomes slow.
      for (const [relay, id] of [[a, 'a1'], [b, 'b1'], [c, 'c1']] as const) assert.ok((await take(relay, id)).ok);
      clock.advance(10_000);
      assert.deepEqual(await take(a, 'a2'), { ok: false, until: clock.now() }, 'a slow relay holds one slot');
      // D is healthy: it gets both its connections.
      const d1 = await take(d, 'd1');
      assert.ok(d1.ok);
      assert.ok((await take(d, 'd2')).ok);
      // E's last send ran into the deadline: it is slow, and the slow relays hold their share (3).
      const eSlow = await take(e, 'e-slow');
      assert.ok(eSlow.ok);
      clock.advance(120_000);
      await eSlow.slot.finish(0);
      const refusedSlow = await take(e, 'e1');
      assert.deepEqual(refusedSlow, { ok: false, until: clock.now() });
      assert.ok(process.excludedOrganizations(clock.now()).includes('e'), 'left out of claims while the slow share is full');
      // F is healthy and takes the last relay slot; then the relays hold their whole share (6 of 8).
      assert.ok((await take(f, 'f1')).ok);
      const refused = await take(f, 'f2');
      assert.deepEqual(refused, { ok: false, until: clock.now() });
      assert.ok(process.excludedOrganizations(clock.now()).includes('f'));
      // A relay send finishing frees room in the share: F is claimed again at once.
      assert.ok(d1.ok);
      await d1.slot.finish(1);
      assert.ok(!process.excludedOrganizations(clock.now()).includes('f'));
    });

    test('a slot whose process died is free again once its lease has passed', async () => {
      const relay = await relayWith({ maxConnections: 1 });
      const dead = await limiter().reserve(relay, 'msg_dead', 1);
      assert.equal(dead.ok, true);
      const other = limiter();
      assert.equal((await other.reserve(relay, 'msg_1', 1)).ok, false);
      clock.advance(60_001);
      assert.equal((await other.reserve(relay, 'msg_2', 1)).ok, true);
    });
  });
}
