// Looks for a piece of personal data everywhere in a database: every text column of every
// table, whatever context or later migration created it (a new table is scanned unasked).
import { sql } from 'kysely';
import type { Store } from '../../src/store/store.ts';

/** Text columns of every table of the store's database (SQLite) or schema (PostgreSQL). */
export async function textColumns(store: Store): Promise<{ table: string; column: string }[]> {
  if (store.capabilities.dialect === 'sqlite') {
    const tables = (await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(store.db)).rows;
    const columns: { table: string; column: string }[] = [];
    for (const { name } of tables) {
      const info = (await sql<{ name: string; type: string }>`select name, type from pragma_table_info(${name})`.execute(store.db)).rows;
      // SQLite stores text in columns of any declared type: every column is read.
      for (const c of info) columns.push({ table: name, column: c.name });
    }
    return columns;
  }
  const rows = await sql<{ table_name: string; column_name: string }>`
    select table_name, column_name from information_schema.columns
    where table_schema = current_schema() and data_type in ('text', 'character varying', 'character', 'json', 'jsonb')`.execute(store.db);
  return rows.rows.map((r) => ({ table: r.table_name, column: r.column_name }));
}

/** Every `table.column` where some row holds `needle` (any case); empty when it appears nowhere. */
export async function findEverywhere(store: Store, needle: string): Promise<string[]> {
  const pattern = `%${needle.toLowerCase()}%`;
  const found: string[] = [];
  for (const { table, column } of await textColumns(store)) {
    const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)} where lower(cast(${sql.ref(column)} as text)) like ${pattern}`.execute(store.db);
    if (Number(rows[0]?.n ?? 0) > 0) found.push(`${table}.${column}`);
  }
  return found;
}
