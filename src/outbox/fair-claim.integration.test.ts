// Fair claiming on every dialect: organizations are served in turn whatever one's backlog, and
// a `priority: "high"` message goes ahead of its own organization's waiting mail.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../clock.ts';
import { createTestDatabase, dialects, type TestDatabase } from '../../test/support/databases.ts';
import { OrganizationService } from '../tenants/organization.service.ts';
import { AcceptService } from './accept.service.ts';
import { claimMessages } from './sql/claim-messages.ts';

for (const dialect of await dialects()) {
  describe(`fair claiming (${dialect})`, () => {
    let db: TestDatabase;
    let clock: ManualClock;
    let accept: AcceptService;
    before(async () => {
      db = await createTestDatabase(dialect);
      clock = new ManualClock(Date.parse('2026-03-14T09:00:00Z'));
      accept = new AcceptService({ store: db.store, clock, maxMessageBytes: 1 << 20, messageIdDomain: 'platform.example', onAccepted: () => {} });
      const organizations = new OrganizationService(db.store.db, clock);
      for (const id of ['bulk', 'quiet', 'third']) await organizations.create({ id, name: id });
    });
    after(async () => {
      await db.drop();
    });

    const send = (org: string, subject: string, priority?: 'high') =>
      accept.accept(org, { to: [{ address: 'lea@example.org' }], cc: [], bcc: [], subject, text: 'Bonjour', ...(priority ? { priority } : {}) });
    // Messages claimed earlier stay in flight (a dispatcher re-takes its own claims otherwise).
    const inFlight: string[] = [];
    const claim = async (limit: number, after?: string) => {
      const now = clock.now();
      const claimed = await claimMessages(db.store.db, db.store.capabilities, { owner: 'w1', now, leaseUntil: now + 60_000, limit, inFlight, ...(after ? { after } : {}) });
      inFlight.push(...claimed.map((m) => m.id));
      return claimed.map((m) => `${m.organizationId}:${m.subject ?? ''}`);
    };

    test("a quiet organization's message is in the next claim beside another's backlog; organizations take turns", async () => {
      for (let i = 0; i < 30; i++) await send('bulk', `bulk ${i}`);
      clock.advance(1000);
      await send('quiet', 'quiet 1');
      await send('third', 'third 1');
      clock.advance(1000);
      // First in, first out would hand out bulk 0 and bulk 1.
      const first = await claim(3);
      assert.deepEqual(first.sort(), ['bulk:bulk 0', 'quiet:quiet 1', 'third:third 1']);
      // Only bulk is left: the turn goes on with it, oldest first.
      assert.deepEqual(await claim(2, 'third'), ['bulk:bulk 1', 'bulk:bulk 2']);
    });

    test('a high-priority message goes ahead of its organization’s waiting mail; the turn starts after the last organization served', async () => {
      clock.advance(1000);
      await send('bulk', 'signature request', 'high');
      await send('quiet', 'quiet 2');
      clock.advance(1000);
      assert.deepEqual(await claim(1, 'quiet'), ['bulk:signature request']);
      assert.deepEqual(await claim(1, 'bulk'), ['quiet:quiet 2']);
      assert.deepEqual(await claim(1, 'quiet'), ['bulk:bulk 3']);
    });
  });
}
