// Mail held for a relay is made due again by a change of the relay or of the organization's
// flag; the dispatchers are woken once that change has committed — once per change that made
// mail due, whatever runs beside it, and never for a change that was rolled back.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { sql } from 'kysely';
import { createTestDatabase, dialects, POSTGRES_URL, type TestDatabase } from '../../../test/support/databases.ts';
import { ManualClock } from '../../clock.ts';
import { AcceptService } from '../../outbox/accept.service.ts';
import { fixedSecretKeys } from '../../secrets/key-source.ts';
import { generateSecretKey, KeyRing } from '../../secrets/key-ring.ts';
import { OrganizationService } from '../../tenants/organization.service.ts';
import { RelayService } from './relay.service.ts';

const ACTOR = { kind: 'system', name: 'tests' } as const;
const HOUR = 3_600_000;

const settings = (fromName: string) => ({
  preset: 'custom' as const,
  host: '127.0.0.1',
  port: 587,
  security: 'starttls' as const,
  username: 'formation@school.test',
  password: 'Mot-de-passe-2026',
  fromEmail: 'formation@school.test',
  fromName,
  replyTo: null,
  fallbackPolicy: 'hold' as const,
  allowSelfSigned: false,
});

for (const dialect of await dialects()) {
  describe(`waking the dispatchers after held mail is released (${dialect})`, () => {
    let db: TestDatabase;
    let clock: ManualClock;
    let wakes: number;
    let relays: RelayService;

    beforeEach(async () => {
      db = await createTestDatabase(dialect);
      clock = new ManualClock();
      wakes = 0;
      relays = new RelayService({
        db: db.store.db,
        clock,
        secrets: fixedSecretKeys(KeyRing.fromBase64(generateSecretKey())),
        connection: { allowedPorts: [587], allowPrivate: true },
        onMessagesDue: () => void (wakes += 1),
      });
    });
    afterEach(() => db.drop());

    async function organizationWithRelay(id: string): Promise<void> {
      const organizations = new OrganizationService(db.store.db, clock);
      await organizations.create({ id, name: id });
      await organizations.update(id, { features: { customSmtp: true } });
      await relays.save(id, settings('École'), ACTOR);
    }

    /** One accepted message, held for the relay for the next hour. */
    async function holdMail(organizationId: string): Promise<string> {
      const accept = new AcceptService({ store: db.store, clock, maxMessageBytes: 1 << 20, messageIdDomain: 'platform.example', onAccepted: () => {} });
      const { message } = await accept.accept(organizationId, { to: [{ address: 'lea@example.org' }], subject: 'Convocation', text: 'x' });
      await db.store.db
        .updateTable('messages')
        .set({ status: 'deferred', last_error_code: 'relay_held', next_attempt_at: clock.now() + HOUR })
        .where('id', '=', message.id)
        .execute();
      return message.id;
    }

    async function isDue(messageId: string): Promise<boolean> {
      const row = await db.store.db.selectFrom('messages').select('next_attempt_at').where('id', '=', messageId).executeTakeFirstOrThrow();
      return Number(row.next_attempt_at) <= clock.now();
    }

    test('two saves at the same time that each release held mail each wake the dispatchers', async () => {
      await organizationWithRelay('alpha');
      await organizationWithRelay('beta');
      const held = [await holdMail('alpha'), await holdMail('beta')];
      assert.equal(wakes, 0, 'saving a relay with no mail waiting wakes nobody');
      await Promise.all([relays.save('alpha', settings('Alpha'), ACTOR), relays.save('beta', settings('Beta'), ACTOR)]);
      for (const id of held) assert.ok(await isDue(id), 'the held mail is due again');
      assert.equal(wakes, 2);
    });

    test('a change rolled back after releasing held mail wakes nobody, nor does the next change that releases none', async () => {
      await organizationWithRelay('alpha');
      await organizationWithRelay('beta');
      await relays.recordCheck('alpha', 1, { passed: true, errorCode: null, reply: null, failedStep: null }, ACTOR);
      await relays.activate('alpha', ACTOR);
      const held = await holdMail('alpha');
      // The database refuses the deactivation's audit line: the transaction, release included, rolls back.
      await refuseAudit(db, dialect, 'relay.deactivated');
      await assert.rejects(relays.deactivate('alpha', ACTOR));
      assert.equal(await isDue(held), false, 'rolled back: still held');
      assert.equal(wakes, 0);
      await relays.save('beta', settings('Beta'), ACTOR);
      assert.equal(wakes, 0, 'a change that released nothing wakes nobody');

      await allowAudit(db, dialect);
      await relays.deactivate('alpha', ACTOR);
      assert.ok(await isDue(held));
      assert.equal(wakes, 1, 'the committed deactivation wakes the dispatchers');
    });

    test(
      'a save that commits while another change is still in its transaction wakes the dispatchers, and so does the other once it commits',
      { skip: dialect === 'sqlite' ? 'SQLite runs one transaction at a time' : false },
      async () => {
        await organizationWithRelay('alpha');
        await organizationWithRelay('beta');
        await relays.recordCheck('alpha', 1, { passed: true, errorCode: null, reply: null, failedStep: null }, ACTOR);
        await relays.activate('alpha', ACTOR);
        const held = [await holdMail('alpha'), await holdMail('beta')];
        // The deactivation of alpha releases its mail, then waits on a lock the test holds.
        const lock = 7_000_000 + Math.floor(Math.random() * 1_000_000);
        await sql
          .raw(
            `create function wait_for_test() returns trigger language plpgsql as $$ begin
               if new.action = 'relay.deactivated' then perform pg_advisory_xact_lock(${lock}); end if; return new; end $$;
             create trigger wait_for_test before insert on audit_log for each row execute function wait_for_test();`,
          )
          .execute(db.store.db);
        const holder = new pg.Client({ connectionString: POSTGRES_URL });
        await holder.connect();
        try {
          await holder.query('select pg_advisory_lock($1)', [lock]);
          const deactivated = relays.deactivate('alpha', ACTOR);
          await waitUntil(async () => (await holder.query('select 1 from pg_locks where locktype = $1 and objid = $2 and not granted', ['advisory', lock])).rowCount === 1);
          await relays.save('beta', settings('Beta'), ACTOR);
          assert.equal(wakes, 1, 'the save that committed woke the dispatchers');
          await holder.query('select pg_advisory_unlock($1)', [lock]);
          await deactivated;
        } finally {
          await holder.end();
        }
        for (const id of held) assert.ok(await isDue(id));
        assert.equal(wakes, 2, 'the deactivation woke them too once it committed');
      },
    );

    test('turning custom sending off wakes the dispatchers when it releases held mail; other changes do not', async () => {
      const organizations = new OrganizationService(db.store.db, clock, () => void (wakes += 1));
      await organizationWithRelay('alpha');
      const held = await holdMail('alpha');
      await organizations.change('alpha', { name: 'Alpha' }, ACTOR);
      assert.equal(wakes, 0);
      await organizations.change('alpha', { features: { customSmtp: false } }, ACTOR);
      assert.ok(await isDue(held), 'the held mail is due, for the platform sender');
      assert.equal(wakes, 1);
    });
  });
}

async function refuseAudit(db: TestDatabase, dialect: string, action: string): Promise<void> {
  const statement =
    dialect === 'sqlite'
      ? `create trigger refuse_audit before insert on audit_log when new.action = '${action}' begin select raise(abort, 'audit refused'); end`
      : `create function refuse_audit() returns trigger language plpgsql as $$ begin
           if new.action = '${action}' then raise exception 'audit refused'; end if; return new; end $$;
         create trigger refuse_audit before insert on audit_log for each row execute function refuse_audit();`;
  await sql.raw(statement).execute(db.store.db);
}

async function allowAudit(db: TestDatabase, dialect: string): Promise<void> {
  await sql.raw(dialect === 'sqlite' ? 'drop trigger refuse_audit' : 'drop trigger refuse_audit on audit_log').execute(db.store.db);
}

/** Polls a condition the test is waiting for (another connection blocking on a lock); fails after 10 s. */
async function waitUntil(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the condition');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
