// Which errors are database faults, and how long an incident stays open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DatabaseFaults, classifyDatabaseError } from './database-faults.ts';

const coded = (code: string, message = code) => Object.assign(new Error(message), { code });

test('SQLite full disk, I/O errors and locks beyond the busy timeout, PostgreSQL restarts and lost connections are database faults; others are not', () => {
  assert.equal(classifyDatabaseError(coded('SQLITE_FULL')), 'full');
  assert.equal(classifyDatabaseError(coded('ENOSPC')), 'full');
  assert.equal(classifyDatabaseError(coded('SQLITE_IOERR_WRITE')), 'storage');
  assert.equal(classifyDatabaseError(coded('SQLITE_IOERR')), 'storage');
  assert.equal(classifyDatabaseError(coded('SQLITE_BUSY')), 'storage');
  assert.equal(classifyDatabaseError(coded('57P01', 'terminating connection due to administrator command')), 'connection');
  assert.equal(classifyDatabaseError(coded('ECONNREFUSED')), 'connection');
  assert.equal(classifyDatabaseError(new Error('Connection terminated unexpectedly')), 'connection');
  assert.equal(classifyDatabaseError(new Error('outer', { cause: coded('SQLITE_FULL') })), 'full');
  assert.equal(classifyDatabaseError(coded('SQLITE_CONSTRAINT_UNIQUE')), undefined);
  assert.equal(classifyDatabaseError(coded('23505')), undefined);
  assert.equal(classifyDatabaseError(new Error('boom')), undefined);
  assert.equal(classifyDatabaseError('SQLITE_FULL'), undefined);
});

test('an incident opens with its first fault (the one to log), stays open while faults continue, and closes after a quiet hold time or a success', () => {
  let now = 0;
  const faults = new DatabaseFaults({ holdMs: 5000, now: () => now });
  const opened: boolean[] = [];
  faults.onFault((event) => opened.push(event.opened));
  assert.equal(faults.note(new Error('unrelated')), undefined);
  faults.note(coded('SQLITE_FULL'));
  now = 4000;
  faults.note(coded('SQLITE_FULL'));
  assert.equal(faults.current?.kind, 'full');
  now = 8999;
  assert.equal(faults.current?.kind, 'full');
  now = 9000;
  assert.equal(faults.current, undefined);
  faults.note(coded('57P01'));
  assert.equal(faults.answered()?.kind, 'connection');
  assert.equal(faults.current, undefined);
  faults.note(coded('57P01'));
  assert.deepEqual(opened, [true, false, true, true]);
});
