// Opens the database: PostgreSQL through postgres.js when a URL is given, embedded PGlite otherwise.
// Same schema, same migrations, same queries on both.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { type SQL, sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { type DataDirLock, lockDataDir } from './lock.js';
import * as schema from './schema.js';

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];
/** Lets the same query run on its own or inside a transaction. */
export type DatabaseOrTransaction = Database | Transaction;

export interface DatabaseHandle {
  db: Database;
  kind: 'postgres' | 'pglite';
  /** Runs raw SQL on the driver itself, bypassing drizzle (the benchmark's baseline). */
  raw(text: string, params: unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));

export interface OpenOptions {
  /** postgres:// URL; when absent the embedded database is used. */
  url?: string | undefined;
  /** Folder for the embedded database; absent means in memory (tests). */
  dataDir?: string | undefined;
  /** Apply pending migrations on open (default true). */
  migrate?: boolean;
  /** Connections in the PostgreSQL pool. */
  maxConnections?: number;
  /**
   * The embedded database's buffer cache (PostgreSQL's `shared_buffers`, e.g. `32MB`), for a data folder. PGlite's
   * default of 128MB costs about 120 MB of memory more at idle (measured: 335 MB → 216 MB at 32MB).
   */
  sharedBuffers?: string | undefined;
}

export async function openDatabase(options: OpenOptions): Promise<DatabaseHandle> {
  const handle = options.url
    ? await openPostgres(options.url, options.maxConnections ?? 10)
    : await openPglite(options);
  if (options.migrate !== false) {
    try {
      await runMigrations(handle);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }
  return handle;
}

async function openPostgres(url: string, max: number): Promise<DatabaseHandle> {
  // Sessions run in UTC so timestamps never depend on the server's setting; notices stay quiet. The views
  // are short index reads: JIT compilation (~55 ms) and starting parallel workers (~70 ms on a small
  // machine) cost more than they save there (measured in npm run bench).
  const client = postgres(url, {
    max,
    onnotice: () => {},
    connection: { TimeZone: 'UTC', jit: 'off', max_parallel_workers_per_gather: '0' } as Record<string, string>,
  });
  try {
    await client`select 1`;
  } catch (error) {
    await client.end({ timeout: 1 });
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Cannot reach PostgreSQL at ${redact(url)}: ${reason}`);
  }
  const db = drizzlePostgres(client, { schema }) as unknown as Database;
  return {
    db,
    kind: 'postgres',
    raw: async (text, params) => [...(await client.unsafe(text, params as never[]))] as Record<string, unknown>[],
    close: () => client.end({ timeout: 5 }),
  };
}

async function openPglite(options: OpenOptions): Promise<DatabaseHandle> {
  let lock: DataDirLock | undefined;
  let client: PGlite;
  if (options.dataDir) {
    const dir = path.resolve(options.dataDir);
    mkdirSync(dir, { recursive: true });
    lock = await lockDataDir(dir);
    try {
      client = await PGlite.create(
        dir,
        options.sharedBuffers ? { postgresqlconf: [`shared_buffers=${options.sharedBuffers}`] } : {},
      );
    } catch (error) {
      lock.release();
      throw error;
    }
  } else {
    client = await PGlite.create();
  }
  await client.exec(`set time zone 'UTC'`);
  const db = drizzlePglite(client, { schema }) as unknown as Database;
  return {
    db,
    kind: 'pglite',
    raw: async (text, params) => (await client.query<Record<string, unknown>>(text, params)).rows,
    close: async () => {
      await client.close();
      lock?.release();
    },
  };
}

export async function runMigrations(handle: DatabaseHandle): Promise<void> {
  const config = { migrationsFolder: MIGRATIONS_FOLDER };
  if (handle.kind === 'postgres') await migratePostgres(handle.db as never, config);
  else await migratePglite(handle.db as never, config);
}

/** Runs raw SQL through drizzle and returns its rows, whichever driver is underneath. */
export async function queryRows<T>(db: DatabaseOrTransaction, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown;
  if (Array.isArray(result)) return result as T[];
  return (result as { rows: T[] }).rows;
}

export function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

export { sql };

/**
 * queryRows as a prepared statement: on PostgreSQL postgres.js prepares it once per connection (by its text), so
 * the server keeps its plan instead of planning it again at every call — for the views' short, many-armed index
 * reads the planning costs more than the reading. Only for statements whose text repeats (values as parameters).
 * PGlite runs it as queryRows does.
 */
export async function queryPrepared<T>(db: DatabaseOrTransaction, query: SQL): Promise<T[]> {
  const internal = db as unknown as {
    session: {
      prepareQuery(
        built: { sql: string; params: unknown[] },
        fields: undefined,
        name: string,
        arrayMode: boolean,
      ): { execute(): Promise<unknown> };
    };
    dialect: { sqlToQuery(query: SQL): { sql: string; params: unknown[] } };
  };
  const result = (await internal.session
    .prepareQuery(internal.dialect.sqlToQuery(query), undefined, 'view', false)
    .execute()) as unknown;
  if (Array.isArray(result)) return result as T[];
  return (result as { rows: T[] }).rows;
}
