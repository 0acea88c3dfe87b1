// The first sync of a Xero ledger at Xero's own scale: 5,000 sales invoices (or --invoices, if fewer) over a
// quarter as many customers, from the contract fake (test/helpers/fake-xero.ts) keeping Xero's limits on a
// simulated clock — 60 calls a minute, 5 at once, 5,000 a day, 429 with Retry-After beyond them — with each call
// taking CALL_MS of that clock. Reports the calls, the simulated minutes, the 429s (there must be none), the day's
// calls left, and the wall-clock time the database work took.
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { createBooks } from '../src/books/index.js';
import { fixedClock } from '../src/services/context.js';
import { ensureWorkspace } from '../src/services/workspaces.js';
import { FAKE_XERO_CLIENT, type FakeXeroLimitStats, startFakeXero } from '../test/helpers/fake-xero.js';
import { type SeededLedger, seedLedger } from '../test/helpers/xero-ledger.js';
import { type BenchOptions, type DatabaseKind, type Logger, openBenchDatabase } from './run.js';

export const BOOKS_DATABASE = 'receivables_bench_books';
/** A Xero organisation's day allows 5,000 calls; a first sync of that many invoices is the case to prove. */
export const BOOKS_MAX_INVOICES = 5_000;
/** What one Xero call takes on the simulated clock (a page of 100 invoices with their payments). */
const CALL_MS = 250;
const NOW = '2026-11-23T15:00:00Z';
const TEAM = 'T0BOOKSBENCH';

export interface BooksResult {
  database: DatabaseKind;
  seeded: SeededLedger;
  invoices: number;
  /** Accounting API calls the sync made. */
  calls: number;
  simulatedMinutes: number;
  wallSeconds: number;
  limits: FakeXeroLimitStats;
  created: number;
  finished: boolean;
  load: { before: number; after: number };
}

async function benchBooks(kind: DatabaseKind, options: BenchOptions, log: Logger): Promise<BooksResult> {
  const invoices = Math.min(options.invoices, BOOKS_MAX_INVOICES);
  const opened = await openBenchDatabase(kind, { ...options, reuse: false }, log, BOOKS_DATABASE);
  const clock = fixedClock(NOW);
  const xero = await startFakeXero({ limits: { now: () => clock.now().getTime() } });
  try {
    xero.setNow(NOW);
    const seeded = seedLedger(xero, { invoices, today: NOW.slice(0, 10) });
    const ledger = { db: opened.handle.db, clock };
    await ensureWorkspace(ledger, { teamId: TEAM, name: 'Books bench', timeZone: 'America/New_York' });
    const books = createBooks({
      ledger,
      xero: { ...FAKE_XERO_CLIENT, apiUrl: xero.url, identityUrl: xero.url, loginUrl: xero.url },
      tokenKey: randomBytes(32).toString('base64'),
      publicUrl: () => 'http://127.0.0.1:9',
      logger: { info: () => {}, warn: log, error: log },
      sleep: async (ms) => clock.advance(ms),
      fetch: async (input, init) => {
        const answer = await fetch(input, init);
        clock.advance(CALL_MS);
        return answer;
      },
    });
    const admin = { type: 'user' as const, id: 'U0BENCH', teamId: TEAM, role: 'finance_admin' as const };
    const back = new URL(await xero.approve(await books.startConnect(TEAM, admin, 'xero')));
    await books.completeConnect(
      'xero',
      {
        state: back.searchParams.get('state') ?? '',
        code: back.searchParams.get('code') ?? '',
      },
      async () => admin,
    );
    log(`books (${kind}): first sync of ${invoices.toLocaleString('en-US')} invoices from the fake Xero…`);
    const before = loadavg()[0] ?? 0;
    const startedAt = clock.now().getTime();
    const wall = performance.now();
    const outcome = await books.syncNow(TEAM, 'xero');
    const wallSeconds = (performance.now() - wall) / 1000;
    return {
      database: kind,
      seeded,
      invoices,
      calls: xero.calls().filter((c) => c.path.startsWith('/api.xro/2.0/')).length,
      simulatedMinutes: (clock.now().getTime() - startedAt) / 60_000,
      wallSeconds,
      limits: xero.limitStats(),
      created: outcome?.created ?? 0,
      finished: outcome?.finished ?? false,
      load: { before, after: loadavg()[0] ?? 0 },
    };
  } finally {
    await xero.close();
    await opened.close();
  }
}

export async function runBooksSuite(options: BenchOptions, log: Logger = () => {}): Promise<BooksResult[]> {
  const results: BooksResult[] = [];
  for (const kind of options.suiteDatabases) results.push(await benchBooks(kind, options, log));
  return results;
}

export function formatBooksReport(results: readonly BooksResult[]): string {
  const lines = ['\n## Books: a first Xero sync within Xero’s limits (60 a minute, 5 at once, 5,000 a day)\n'];
  lines.push(
    `Each call takes ${CALL_MS} ms of the simulated clock; load average on ${cpus().length} CPUs while syncing: ` +
      results.map((r) => `${r.load.before.toFixed(1)} → ${r.load.after.toFixed(1)} (${r.database})`).join(', '),
  );
  lines.push('');
  lines.push(
    '| database | invoices (open / paid) | customers | payments | taken in | calls | simulated min | 429s | most at once | day left | wall s | invoices/s |',
  );
  lines.push('|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const r of results) {
    const refused = r.limits.refused.minute + r.limits.refused.day + r.limits.refused.concurrent;
    lines.push(
      `| ${r.database} | ${r.invoices} (${r.seeded.open} / ${r.seeded.paid}) | ${r.seeded.contacts} | ` +
        `${r.seeded.payments} | ${r.created}${r.finished ? '' : ' (unfinished)'} | ${r.calls} | ` +
        `${r.simulatedMinutes.toFixed(2)} | ${refused} | ${r.limits.mostAtOnce} | ${r.limits.dayRemaining} | ` +
        `${r.wallSeconds.toFixed(1)} | ${(r.created / r.wallSeconds).toFixed(0)} |`,
    );
  }
  return lines.join('\n');
}
