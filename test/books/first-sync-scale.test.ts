// A first sync of a big Xero ledger against the contract fake keeping Xero's limits on the test's clock (60 calls
// in any minute, 5 at once, 5,000 a day; a 429 with Retry-After beyond them): it finishes with no 429, and a sync
// whose process dies half-way is carried on by another from the page it had saved, not from the start.
//
// 5,000 invoices (taken in set-based: 24–40 s of database work on this loaded machine) run with
// LONG_SIMULATION=1 (and in `npm run bench -- --suite books`); the default run checks the same things on 150 (two
// pages of each kind).
import { randomBytes } from 'node:crypto';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Books, createBooks } from '../../src/books/index.js';
import type { DatabaseHandle } from '../../src/db/client.js';
import { invoices } from '../../src/db/schema.js';
import { fixedClock } from '../../src/services/context.js';
import { ensureWorkspace } from '../../src/services/workspaces.js';
import { emptyDatabase, testDatabase } from '../helpers/db.js';
import { FAKE_XERO_CLIENT, type FakeXero, startFakeXero } from '../helpers/fake-xero.js';
import { ALICE, asAdmin } from '../helpers/ledger.js';
import { seedLedger } from '../helpers/xero-ledger.js';

const LONG = process.env.LONG_SIMULATION === '1';
const INVOICES = LONG ? 5_000 : 150;
const NOW = '2026-11-23T15:00:00Z';
const TEAM = 'T0SCALE';
/** What one Xero call takes, on the test's clock (a page of 100 invoices with their payments). */
const CALL_MS = 250;

let handle: DatabaseHandle;
let xero: FakeXero;
let clock: ReturnType<typeof fixedClock>;

beforeAll(async () => {
  handle = await testDatabase('pglite');
  xero = await startFakeXero({ limits: { now: () => clock.now().getTime() } });
});
afterAll(async () => {
  await xero.close();
});

/** A process's books: every Xero call takes CALL_MS of the clock; `hold` may keep one call from ever answering. */
function booksFor(key: string, hold?: (url: URL) => Promise<never> | undefined): Books {
  const ledger = { db: handle.db, clock };
  return createBooks({
    ledger,
    xero: { ...FAKE_XERO_CLIENT, apiUrl: xero.url, identityUrl: xero.url, loginUrl: xero.url },
    tokenKey: key,
    publicUrl: () => 'http://127.0.0.1:9',
    logger: { info: () => {}, warn: () => {}, error: () => {} },
    sleep: async (ms) => clock.advance(ms),
    fetch: async (input, init) => {
      const url = new URL(String(input));
      const held = hold?.(url);
      if (held) return held;
      const answer = await fetch(url, init);
      clock.advance(CALL_MS);
      return answer;
    },
  });
}

async function connect(books: Books): Promise<void> {
  const back = new URL(await xero.approve(await books.startConnect(TEAM, asAdmin(ALICE, TEAM), 'xero')));
  await books.completeConnect(
    'xero',
    {
      state: back.searchParams.get('state') ?? '',
      code: back.searchParams.get('code') ?? '',
    },
    async (team, user) => asAdmin({ type: 'user', id: user }, team),
  );
}

async function invoiceCount(): Promise<number> {
  const [row] = await handle.db.select({ n: count() }).from(invoices).where(eq(invoices.teamId, TEAM));
  return row?.n ?? 0;
}

const accountingCalls = () => xero.calls().filter((c) => c.path.startsWith('/api.xro/2.0/'));
const openPages = () =>
  xero
    .calls('/api.xro/2.0/Invoices')
    .filter((c) => c.query.Statuses?.includes('AUTHORISED'))
    .map((c) => Number(c.query.page));

describe(`a first sync of ${INVOICES.toLocaleString('en-US')} Xero invoices`, () => {
  let seeded: ReturnType<typeof seedLedger>;
  beforeEach(async () => {
    await emptyDatabase(handle);
    clock = fixedClock(NOW);
    xero.reset();
    xero.setNow(NOW);
    seeded = seedLedger(xero, { invoices: INVOICES, today: '2026-11-23' });
    await ensureWorkspace({ db: handle.db, clock }, { teamId: TEAM, name: 'Scale', timeZone: 'America/New_York' });
  });

  it('takes every one in, within 60 calls a minute, 5 at once and the day, with no 429', {
    timeout: 600_000,
  }, async () => {
    const books = booksFor(randomBytes(32).toString('base64'));
    await connect(books);
    const started = clock.now().getTime();

    const outcome = await books.syncNow(TEAM, 'xero');

    expect(outcome).toMatchObject({ created: INVOICES, problems: [], finished: true });
    expect(outcome?.payments).toBe(seeded.payments);
    expect(await invoiceCount()).toBe(INVOICES);
    const stats = xero.limitStats();
    expect(stats.refused).toEqual({ minute: 0, day: 0, concurrent: 0 });
    expect(stats.mostAtOnce).toBeLessThanOrEqual(5);
    const calls = accountingCalls().length;
    // One call a page: the contacts, the open invoices and those paid in the last 90 days.
    const pages = (n: number) => Math.ceil(n / 100);
    // …and one page of credit notes (none here).
    expect(calls).toBe(pages(seeded.contacts) + pages(seeded.open) + pages(seeded.paid) + 1);
    expect(stats.counted).toBe(calls);
    expect(stats.dayRemaining).toBe(5_000 - calls);
    const minutes = (clock.now().getTime() - started) / 60_000;
    if (calls > 60) expect(minutes).toBeGreaterThanOrEqual(1);
    expect(await books.connection(TEAM, 'xero')).toMatchObject({
      syncState: null,
      syncDone: seeded.contacts + INVOICES,
      syncTotal: seeded.contacts + INVOICES,
    });
    console.info(
      `first sync of ${INVOICES} invoices (${seeded.open} open, ${seeded.paid} paid, ${seeded.contacts} contacts, ` +
        `${seeded.payments} payments): ${calls} Accounting API calls, ${minutes.toFixed(2)} simulated minutes, ` +
        `0 429s, most at once ${stats.mostAtOnce}, day headroom ${stats.dayRemaining} of 5000`,
    );
  });

  it('carries on from the saved page when the process syncing dies half-way, fetching nothing again', {
    timeout: 600_000,
  }, async () => {
    const key = randomBytes(32).toString('base64');
    const halfway = Math.ceil(Math.ceil(seeded.open / 100) / 2);
    let reached: () => void = () => {};
    const atHalfway = new Promise<void>((resolve) => {
      reached = resolve;
    });
    let kill: (error: Error) => void = () => {};
    // The first process's call for the middle page never answers: it has died there, its claim still held.
    const dying = booksFor(key, (url) => {
      if (url.pathname.endsWith('/Invoices') && url.searchParams.get('Statuses')?.includes('AUTHORISED')) {
        if (url.searchParams.get('page') === String(halfway)) {
          reached();
          return new Promise<never>((_, reject) => {
            kill = reject;
          });
        }
      }
      return undefined;
    });
    await connect(dying);
    const first = dying.syncNow(TEAM, 'xero');
    await atHalfway;
    const saved = await dying.connection(TEAM, 'xero');
    expect(saved?.syncState).toMatchObject({ mode: 'first', phase: 'open', page: halfway });
    expect(saved?.claimToken).not.toBeNull();
    const before = openPages().length;

    // Another process (a replica, or the restart) finds the claim held, and takes it once it has lapsed (5 min).
    const next = booksFor(key);
    expect(await next.syncNow(TEAM, 'xero')).toBeUndefined();
    clock.advance(6 * 60_000);
    const outcome = await next.syncNow(TEAM, 'xero');

    expect(outcome).toMatchObject({ problems: [], finished: true });
    expect(await invoiceCount()).toBe(INVOICES);
    const lastPage = Math.ceil(seeded.open / 100);
    const resumed = openPages().slice(before);
    expect(resumed[0]).toBe(halfway);
    expect(resumed.filter((p) => p < halfway)).toEqual([]);
    // Each open page fetched once, but the one the dead process asked for and never saw.
    expect(openPages().length).toBe(lastPage);
    expect(xero.limitStats().refused).toEqual({ minute: 0, day: 0, concurrent: 0 });

    // The dead process's call finally fails: it writes nothing over the place of the one that took over.
    kill(new Error('socket hang up'));
    expect(await first).toBeUndefined();
    await dying.idle();
    expect(await next.connection(TEAM, 'xero')).toMatchObject({ syncState: null, lastSyncError: null });
    console.info(
      `resumed at open page ${halfway} of ${lastPage}: ${resumed.length} open pages fetched by the second process, ` +
        `${openPages().length} by both (pages 1–${halfway - 1} not again)`,
    );
  });
});
