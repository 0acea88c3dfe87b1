// Copies a whole book from one database to another (the embedded one to PostgreSQL when a team outgrows it,
// or back): every table of the schema, rows as they are — events with their ids and times, deliveries, links,
// webhook cursors — in one transaction on the target, which must be empty. Then checks the copy: per table
// the row count and a checksum over every row's text, computed the same way on both sides.
//
// Rows travel as JSON (row_to_json on the source, json_populate_recordset on the target), which keeps every
// column's type exactly: bigints, dates, timestamps to the microsecond, jsonb, arrays. The tables are read
// from the database's own catalogue, so a table added by a later migration is copied without a change here.
import { sql } from 'drizzle-orm';
import { type DatabaseHandle, queryRows } from './client.js';

export interface TableCheck {
  table: string;
  rows: number;
  /** md5 over the sorted md5s of every row's text (UTC session); '' for an empty table. */
  checksum: string;
}

export interface CopyReport {
  tables: (TableCheck & { matches: boolean; targetRows: number; targetChecksum: string })[];
  /** True when every table's count and checksum are the same on both sides. */
  ok: boolean;
}

export class CopyError extends Error {
  constructor(
    readonly code: 'TARGET_NOT_EMPTY' | 'SCHEMA_MISMATCH',
    message: string,
  ) {
    super(message);
  }
}

/** Rows read and written per statement. */
const BATCH_ROWS = 2_000;

function quoted(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Kept by triggers from other tables (migrations 0018, 0021). The copied invoices' pending deltas are dropped with
 * the totals the triggers made, so the commit adds nothing to the source's totals copied in their place.
 */
const DERIVED = new Set(['invoice_totals', 'invoice_totals_pending', 'workspace_plans', 'workspace_plan_requests']);

/** The book's tables (schema public), parents before the tables whose foreign keys point at them. */
export async function bookTables(handle: DatabaseHandle): Promise<string[]> {
  const tables = (
    await handle.raw(
      "select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name",
      [],
    )
  ).map((r) => String(r.name));
  const edges = await handle.raw(
    `select cl.relname as child, pr.relname as parent
       from pg_constraint c
       join pg_class cl on cl.oid = c.conrelid
       join pg_class pr on pr.oid = c.confrelid
       join pg_namespace n on n.oid = cl.relnamespace
      where c.contype = 'f' and n.nspname = 'public'`,
    [],
  );
  const parents = new Map<string, Set<string>>(tables.map((t) => [t, new Set()]));
  for (const edge of edges) {
    const child = String(edge.child);
    const parent = String(edge.parent);
    if (child !== parent) parents.get(child)?.add(parent);
  }
  const ordered: string[] = [];
  const placed = new Set<string>();
  while (ordered.length < tables.length) {
    const ready = tables.filter((t) => !placed.has(t) && [...(parents.get(t) ?? [])].every((p) => placed.has(p)));
    if (ready.length === 0) throw new Error('the tables’ foreign keys form a cycle; cannot order the copy');
    for (const table of ready) {
      ordered.push(table);
      placed.add(table);
    }
  }
  // Tables the triggers fill from others (running totals, planning) go last, over what the triggers wrote.
  return [...ordered.filter((t) => !DERIVED.has(t)), ...ordered.filter((t) => DERIVED.has(t))];
}

/** Count and checksum of one table, independent of row order and of the database kind. */
export async function checkTable(handle: DatabaseHandle, table: string): Promise<TableCheck> {
  const [row] = await handle.raw(
    `select count(*)::int as rows, coalesce(md5(string_agg(h, '' order by h)), '') as checksum
       from (select md5(t::text) as h from ${quoted(table)} t) s`,
    [],
  );
  return { table, rows: Number(row?.rows ?? 0), checksum: String(row?.checksum ?? '') };
}

/** Each table's count and checksum on both sides. */
export async function compareBooks(from: DatabaseHandle, to: DatabaseHandle): Promise<CopyReport> {
  const tables: CopyReport['tables'] = [];
  for (const table of await bookTables(from)) {
    const source = await checkTable(from, table);
    const target = await checkTable(to, table);
    tables.push({
      ...source,
      targetRows: target.rows,
      targetChecksum: target.checksum,
      matches: source.rows === target.rows && source.checksum === target.checksum,
    });
  }
  return { tables, ok: tables.every((t) => t.matches) };
}

/** Migrations recorded by drizzle, as hashes in order; both sides must have the same. */
async function migrations(handle: DatabaseHandle): Promise<string[]> {
  const rows = await handle.raw('select hash from drizzle.__drizzle_migrations order by id', []);
  return rows.map((r) => String(r.hash));
}

export interface CopyOptions {
  /** Told as each table is done. */
  progress?: (table: string, rows: number) => void;
  batchRows?: number;
}

/**
 * Copies every row of `from` into `to`, which must be migrated to the same schema and hold no rows. All or
 * nothing: one transaction on the target. The source should not change meanwhile (stop the app first).
 */
export async function copyBook(
  from: DatabaseHandle,
  to: DatabaseHandle,
  options: CopyOptions = {},
): Promise<CopyReport> {
  const batch = options.batchRows ?? BATCH_ROWS;
  const [sourceMigrations, targetMigrations] = [await migrations(from), await migrations(to)];
  if (sourceMigrations.join() !== targetMigrations.join()) {
    throw new CopyError(
      'SCHEMA_MISMATCH',
      `The two databases are at different migrations (${sourceMigrations.length} and ${targetMigrations.length}): ` +
        'run this version of the app on both first (npm run db:migrate).',
    );
  }
  const tables = await bookTables(from);
  const targetTables = await bookTables(to);
  if ([...tables].sort().join() !== [...targetTables].sort().join()) {
    throw new CopyError('SCHEMA_MISMATCH', 'The two databases do not have the same tables.');
  }
  for (const table of tables) {
    const { rows } = await checkTable(to, table);
    if (rows > 0) {
      throw new CopyError(
        'TARGET_NOT_EMPTY',
        `The target database is not empty (${table} has ${rows} row${rows === 1 ? '' : 's'}): copy only into a new, empty database.`,
      );
    }
  }
  const serials = await serialColumns(from);
  await to.db.transaction(async (tx) => {
    for (const table of tables) {
      // Filled by the target's triggers as the invoices and workspaces went in: replaced by the source's rows.
      if (DERIVED.has(table)) await queryRows(tx, sql`delete from ${sql.identifier(table)}`);
      let copied = 0;
      for (let offset = 0; ; offset += batch) {
        // ctid order is stable while the source does not change; each batch is one statement each side.
        const [page] = await from.raw(
          `select coalesce(json_agg(t), '[]')::text as rows, count(*)::int as n
             from (select * from ${quoted(table)} order by ctid limit ${batch} offset ${offset}) t`,
          [],
        );
        const n = Number(page?.n ?? 0);
        if (n === 0) break;
        await queryRows(
          tx,
          sql`insert into ${sql.identifier(table)} select * from json_populate_recordset(null::${sql.identifier(table)}, ${String(page?.rows)}::json)`,
        );
        copied += n;
        if (n < batch) break;
      }
      for (const column of serials.get(table) ?? []) {
        await queryRows(
          tx,
          sql`select setval(pg_get_serial_sequence(${quoted(table)}, ${column}), coalesce(max(${sql.identifier(column)}), 1), max(${sql.identifier(column)}) is not null) from ${sql.identifier(table)}`,
        );
      }
      options.progress?.(table, copied);
    }
  });
  return compareBooks(from, to);
}

/** Columns filled from a sequence (serial, bigserial, identity), per table: the target's must continue after the copy. */
async function serialColumns(handle: DatabaseHandle): Promise<Map<string, string[]>> {
  const rows = await handle.raw(
    `select table_name as t, column_name as c from information_schema.columns
      where table_schema = 'public' and (column_default like 'nextval(%' or is_identity = 'YES')`,
    [],
  );
  const map = new Map<string, string[]>();
  for (const row of rows) map.set(String(row.t), [...(map.get(String(row.t)) ?? []), String(row.c)]);
  return map;
}
