// Outgrowing the embedded database: `npm run db:copy` moves the whole book into an empty database and checks
// it, table by table. Embedded → embedded always; embedded → PostgreSQL → embedded when TEST_DATABASE_URL is set.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TEAM_ID, seedDemoBook } from '../../src/cli/seed.js';
import { type DatabaseHandle, openDatabase } from '../../src/db/client.js';
import { bookTables, compareBooks, copyBook } from '../../src/db/copy.js';
import { fixedClock } from '../../src/services/context.js';
import { sentInvoice } from '../helpers/ledger.js';

const NOW = '2026-11-23T15:00:00Z';
const opened: DatabaseHandle[] = [];
async function fresh(options: { url?: string; dataDir?: string } = {}): Promise<DatabaseHandle> {
  const handle = await openDatabase(options);
  opened.push(handle);
  return handle;
}
afterAll(async () => {
  for (const handle of opened.splice(0)) await handle.close().catch(() => {});
});

async function seeded(): Promise<DatabaseHandle> {
  const handle = await fresh();
  await seedDemoBook({ db: handle.db, clock: fixedClock(NOW) });
  return handle;
}

async function events(handle: DatabaseHandle) {
  return handle.raw('select id::text, kind, at::text, invoice_id::text from events order by id', []);
}

describe('copying the book to another database', () => {
  let source: DatabaseHandle;
  beforeAll(async () => {
    source = await seeded();
  });

  it('copies every table into an empty embedded database, checks it, refuses a second copy, and is ready to use', async () => {
    const target = await fresh();
    const done: string[] = [];
    const report = await copyBook(source, target, { progress: (table) => done.push(table), batchRows: 7 });
    expect(report.ok).toBe(true);
    const order = await bookTables(source);
    expect(done).toEqual(order);
    // Parents come before the tables that point at them.
    expect(order.indexOf('workspaces')).toBeLessThan(order.indexOf('invoices'));
    expect(order.indexOf('clients')).toBeLessThan(order.indexOf('invoices'));
    const byTable = Object.fromEntries(report.tables.map((t) => [t.table, t.rows]));
    expect(byTable.invoices).toBeGreaterThan(10);
    expect(byTable.events).toBeGreaterThan(byTable.invoices as number);
    expect(await events(target)).toEqual(await events(source));

    // A second copy into it is refused, and writes nothing.
    await expect(copyBook(source, target)).rejects.toMatchObject({ code: 'TARGET_NOT_EMPTY' });
    expect((await compareBooks(source, target)).ok).toBe(true);

    // A difference is noticed, in the table it is in.
    await target.raw(
      "update invoices set description = description || ' (changed)' where ctid = (select ctid from invoices limit 1)",
      [],
    );
    const changed = await compareBooks(source, target);
    expect(changed.ok).toBe(false);
    expect(changed.tables.filter((t) => !t.matches).map((t) => t.table)).toEqual(['invoices']);

    // New events continue after the copied ones (the sequences were carried over).
    const [last] = await target.raw('select max(id)::text as id from events', []);
    await sentInvoice({ db: target.db, clock: fixedClock(NOW) }, DEMO_TEAM_ID, 'U0ALICE', { number: 'AFTER-COPY' });
    const [next] = await target.raw('select max(id)::text as id from events', []);
    expect(BigInt(String(next?.id))).toBeGreaterThan(BigInt(String(last?.id)));
  });

  it.runIf(Boolean(process.env.TEST_DATABASE_URL))(
    'moves the book to PostgreSQL and back, with the same checksums on both kinds of database',
    async () => {
      const base = new URL(process.env.TEST_DATABASE_URL as string);
      const name = `${base.pathname.slice(1)}_copy_w${process.env.VITEST_POOL_ID ?? '0'}`;
      const admin = await openDatabase({ url: base.toString(), migrate: false, maxConnections: 1 });
      await admin.raw(`drop database if exists "${name}" with (force)`, []);
      await admin.raw(`create database "${name}"`, []);
      const url = new URL(base);
      url.pathname = `/${name}`;
      try {
        const postgres = await openDatabase({ url: url.toString(), maxConnections: 2 });
        try {
          const there = await copyBook(source, postgres);
          expect(there.ok).toBe(true);
          expect(await events(postgres)).toEqual(await events(source));
          const back = await fresh();
          const home = await copyBook(postgres, back);
          expect(home.ok).toBe(true);
          expect(home.tables.map((t) => t.checksum)).toEqual(there.tables.map((t) => t.checksum));
        } finally {
          await postgres.close();
        }
      } finally {
        await admin.raw(`drop database if exists "${name}" with (force)`, []);
        await admin.close();
      }
    },
    90_000,
  );
});

describe('npm run db:copy', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('copies an embedded database folder into another and says what to change in .env', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'rb-copy-'));
    dirs.push(root);
    const from = path.join(root, 'old');
    const to = path.join(root, 'new');
    const handle = await openDatabase({ dataDir: from });
    await seedDemoBook({ db: handle.db, clock: fixedClock(NOW) });
    await handle.close();
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/db-copy.ts', '--from', from, '--to', to], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: '' },
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`Copying from the embedded database in ${from} to the embedded database in ${to}…`);
    expect(run.stdout).toMatch(
      /Checked: \d+ tables, \d+ rows, each table's count and checksum the same on both sides\./,
    );
    expect(run.stdout).toContain(`Now remove DATABASE_URL from .env and set DATA_DIR=${to}, then start the bot.`);
  });
});
