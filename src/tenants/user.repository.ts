// All SQL for users (people, global across organizations).
import type { Executor } from '../store/store.ts';
import type { UsersTable } from '../store/schema.ts';
import type { User } from './member.ts';

export function toUser(row: UsersTable): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    hasPassword: row.password_hash !== null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function findUserRow(db: Executor, id: string): Promise<UsersTable | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findUserRowByEmail(db: Executor, email: string): Promise<UsersTable | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
}

export async function insertUser(db: Executor, row: UsersTable): Promise<void> {
  await db.insertInto('users').values(row).execute();
}

export async function updateUser(
  db: Executor,
  id: string,
  changes: { email: string; name: string; updated_at: number; password_hash?: string },
): Promise<void> {
  await db.updateTable('users').set(changes).where('id', '=', id).execute();
}

/** Replaces a password hash by one of the same password (stronger parameters), unless the password changed meanwhile. */
export async function replacePasswordHash(db: Executor, id: string, current: string, replacement: string): Promise<void> {
  await db.updateTable('users').set({ password_hash: replacement }).where('id', '=', id).where('password_hash', '=', current).execute();
}
