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

export async function emptyDatabase(handle: DatabaseHandle): Promise<void> {
  await handle.raw(
    'truncate workspaces, clients, invoices, payments, credit_notes, events, idempotency_keys, posted_messages, home_viewers, deliveries, webhook_endpoints, client_links, ledger_connections, ledger_links, ledger_auth_states, ledger_pending_grants, ledger_push_settings, ledger_pushes, slack_installations restart identity cascade',
    [],
  );
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
