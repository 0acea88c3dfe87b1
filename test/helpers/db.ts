// One database of each kind per test worker, shared by the files it runs and emptied between tests.
// PGlite always; PostgreSQL too when TEST_DATABASE_URL is set (each worker gets its own database).
import { beforeAll, beforeEach, describe } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../../src/db/client.js';
import { type Clock, fixedClock, type LedgerContext } from '../../src/services/context.js';

export type DatabaseKind = 'pglite' | 'postgres';

export function databaseKinds(): DatabaseKind[] {
  return process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

const cache = globalThis as unknown as { __receivablesTestDbs?: Map<DatabaseKind, Promise<DatabaseHandle>> };

export function testDatabase(kind: DatabaseKind): Promise<DatabaseHandle> {
  cache.__receivablesTestDbs ??= new Map();
  let handle = cache.__receivablesTestDbs.get(kind);
  if (!handle) {
    handle = kind === 'pglite' ? openDatabase({}) : openWorkerPostgres();
    cache.__receivablesTestDbs.set(kind, handle);
  }
  return handle;
}

async function openWorkerPostgres(): Promise<DatabaseHandle> {
  const base = process.env.TEST_DATABASE_URL as string;
  const url = new URL(base);
  const name = `${url.pathname.slice(1) || 'receivables_test'}_w${process.env.VITEST_POOL_ID ?? '0'}`;
  const admin = await openDatabase({ url: base, migrate: false, maxConnections: 1 });
  await admin.raw(`drop database if exists "${name}" with (force)`, []);
  await admin.raw(`create database "${name}"`, []);
  await admin.close();
  url.pathname = `/${name}`;
  return openDatabase({ url: url.toString(), maxConnections: 8 });
}

/**
 * Empties every table of the schema between tests; the tables are read from the catalogue once per database, so a
 * new table is emptied without anyone listing it, and the sequences start again at 1.
 *
 * PostgreSQL: TRUNCATE … RESTART IDENTITY, short and in one statement (webhook delivery waits for every transaction
 * on the server to end, so a test's reset must never be a long one).
 *
 * PGlite (one per worker, so nothing else waits on it): deleting with triggers off (`session_replication_role`) is
 * about ten times cheaper than TRUNCATE, which makes new files for every table. Every VACUUM_EVERY resets the empty
 * tables are rewritten (VACUUM FULL), so later tests do not scan dead rows and new rows keep the order they were
 * inserted in, as TRUNCATE's fresh files gave (a plain VACUUM would let them reuse space; PGlite has no autovacuum).
 */
export async function emptyDatabase(handle: DatabaseHandle): Promise<void> {
  let reset = resets.get(handle);
  if (!reset) {
    reset = resetOf(handle);
    resets.set(handle, reset);
  }
  const state = await reset;
  await handle.raw(state.statement, []);
  if (handle.kind === 'pglite' && ++state.count % VACUUM_EVERY === 0) await handle.raw('vacuum full', []);
}

const VACUUM_EVERY = 100;
const resets = new WeakMap<DatabaseHandle, Promise<{ statement: string; count: number }>>();

async function resetOf(handle: DatabaseHandle): Promise<{ statement: string; count: number }> {
  const tables = await handle.raw(`select tablename as name from pg_tables where schemaname = 'public'`, []);
  const quoted = (row: Record<string, unknown>) => `public."${String(row.name).replaceAll('"', '""')}"`;
  if (handle.kind === 'postgres') {
    return { statement: `truncate ${tables.map(quoted).join(', ')} restart identity cascade`, count: 0 };
  }
  const sequences = await handle.raw(`select sequencename as name from pg_sequences where schemaname = 'public'`, []);
  const statement = [
    "do $$ begin perform set_config('session_replication_role', 'replica', true);",
    ...tables.map((row) => `delete from ${quoted(row)};`),
    ...sequences.map((row) => `alter sequence ${quoted(row)} restart;`),
    'end $$',
  ].join(' ');
  return { statement, count: 0 };
}

export interface TestLedger {
  handle: DatabaseHandle;
  ctx: LedgerContext & { clock: ReturnType<typeof fixedClock> };
}

/** Runs the same suite on every database kind, each test on an empty database with a clock set to `start`. */
export function describeEachDatabase(title: string, start: string, body: (get: () => TestLedger) => void): void {
  for (const kind of databaseKinds()) {
    describe(`${title} [${kind}]`, () => {
      let current: TestLedger;
      let handle: DatabaseHandle;
      beforeAll(async () => {
        handle = await testDatabase(kind);
      });
      beforeEach(async () => {
        await emptyDatabase(handle);
        current = { handle, ctx: { db: handle.db, clock: fixedClock(start) } };
      });
      body(() => current);
    });
  }
}

export type { Clock };
