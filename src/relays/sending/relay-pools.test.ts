// Pools keyed by relay version: a new version gets a new pool, the old one is closed once the
// sends already handed to it are done.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Envelope, SendResult, SmtpTransport, TransportSettings } from '../../smtp/transport.ts';
import { RelayPools } from './relay-pools.ts';

interface FakeTransport extends SmtpTransport {
  settings: TransportSettings;
  closed: boolean;
  /** Sends waiting for `finish()`. */
  pending: (() => void)[];
}

function factory() {
  const built: FakeTransport[] = [];
  const create = (settings: TransportSettings): SmtpTransport => {
    const transport: FakeTransport = {
      settings,
      closed: false,
      pending: [],
      send(_envelope: Envelope, _raw: Buffer): Promise<SendResult> {
        return new Promise((resolve) => transport.pending.push(() => resolve({ accepted: ['a@example.org'], rejected: [], reply: `250 ${settings.host}` })));
      },
      async close() {
        transport.closed = true;
      },
    };
    built.push(transport);
    return transport;
  };
  return { built, create };
}

const settingsFor = (host: string) => (): TransportSettings => ({ host, port: 587, security: 'starttls' });
const ENVELOPE = { from: 'a@school.test', to: ['b@example.org'] };
const tick = () => new Promise((resolve) => setImmediate(resolve));

test('one pool per relay version; settings are built only when a pool is', () => {
  const { built, create } = factory();
  const pools = new RelayPools(create);
  let opened = 0;
  const settings = () => {
    opened += 1;
    return settingsFor('v1.relay.test')();
  };
  pools.transportFor({ id: 'r1', version: 1 }, settings);
  pools.transportFor({ id: 'r1', version: 1 }, settings);
  pools.transportFor({ id: 'r2', version: 7 }, settingsFor('other.relay.test'));
  assert.equal(built.length, 2);
  assert.equal(opened, 1, 'the password is opened once per pool, not per message');
  assert.deepEqual(pools.keys.sort(), ['r1:1', 'r2:7']);
});

test('a new version retires the old pool after its in-flight send finishes', async () => {
  const { built, create } = factory();
  const pools = new RelayPools(create);
  const v1 = pools.transportFor({ id: 'r1', version: 1 }, settingsFor('v1.relay.test'));
  const inFlight = v1.send(ENVELOPE, Buffer.from('x'));
  await tick();

  const v2 = pools.transportFor({ id: 'r1', version: 2 }, settingsFor('v2.relay.test'));
  assert.deepEqual(pools.keys, ['r1:2']);
  const [old, current] = built;
  assert.ok(old && current);
  assert.equal(old.closed, false, 'not closed under a send');
  assert.equal(pools.size, 2);

  old.pending.shift()?.();
  assert.equal((await inFlight).reply, '250 v1.relay.test', 'the send in flight completes on the old settings');
  await tick();
  assert.equal(old.closed, true);
  assert.equal(pools.size, 1);

  const next = v2.send(ENVELOPE, Buffer.from('y'));
  await tick();
  current.pending.shift()?.();
  assert.equal((await next).reply, '250 v2.relay.test');
});

test('a send through a pool already closed fails as a connection error, to be retried on the new route', async () => {
  const { create } = factory();
  const pools = new RelayPools(create);
  const stale = pools.transportFor({ id: 'r1', version: 1 }, settingsFor('v1.relay.test'));
  pools.release('r1');
  await tick();
  await assert.rejects(stale.send(ENVELOPE, Buffer.from('x')), { code: 'ECONNECTION' });
});

test('release and close retire every pool', async () => {
  const { built, create } = factory();
  const pools = new RelayPools(create);
  pools.transportFor({ id: 'r1', version: 1 }, settingsFor('a.relay.test'));
  pools.transportFor({ id: 'r2', version: 1 }, settingsFor('b.relay.test'));
  pools.release('r1');
  pools.release('unknown');
  await tick();
  assert.deepEqual(pools.keys, ['r2:1']);
  await pools.close();
  assert.ok(built.every((t) => t.closed));
  assert.equal(pools.size, 0);
});
