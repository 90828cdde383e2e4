// The relay limiter against a real database: two limiters (two processes) asking for slots of
// the same relay at the same time never exceed its window or its connection cap, because the
// counts come from the database under a lock on the relay's row.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../clock.ts';
import { newId } from '../ids.ts';
import { OrganizationService } from '../tenants/organization.service.ts';
import { createTestDatabase, dialects, type TestDatabase } from '../../test/support/databases.ts';
import { RelayLimiter } from './relay-limiter.ts';
import { insertRelay } from './relay.repository.ts';
import { HEALTHY, type Relay, type RelayLimitOverrides } from './relay.ts';

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

    async function relayWith(limits: RelayLimitOverrides): Promise<Relay> {
      const now = clock.now();
      const relay: Relay = {
        id: newId('rly', now),
        organizationId: 'acme',
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

    const limiter = () => new RelayLimiter({ db: db.store.db, clock, dispatchConcurrency: 200, leaseMs: 60_000 });

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

    test('slots held across processes never exceed the connection cap', async () => {
      const relay = await relayWith({ maxConnections: 3 });
      const processes = [limiter(), limiter()];
      const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => processes[i % 2]!.reserve(relay, `msg_${i}`, 1)));
      const held = outcomes.filter((o) => o.ok);
      assert.equal(held.length, 3);
      // A refusal for want of a slot is momentary: no code, retried a second later.
      assert.ok(outcomes.every((o) => o.ok || o.code === undefined));
      for (const o of held) if (o.ok) await o.slot.finish(1);
      const again = await processes[0]!.reserve(relay, 'msg_next', 1);
      assert.equal(again.ok, true, 'finished sends free their slots');
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
