// Smoke test of the books suite on a small ledger: it syncs every invoice with no 429 and reports one row per
// database. Nothing about timings is asserted.
import { describe, expect, it } from 'vitest';
import { formatBooksReport, runBooksSuite } from '../../bench/books.js';
import { parseArgs } from '../../bench/run.js';

describe('bench --suite books', () => {
  it('is a suite of its own, at most 5,000 invoices (a Xero day), on PostgreSQL unless --db says', () => {
    expect(parseArgs(['--suite', 'books'])).toMatchObject({ suites: ['books'], suiteDatabases: ['postgres'] });
  });

  it('takes a small ledger in with no 429 and reports its calls, minutes and the day left', async () => {
    const options = { ...parseArgs(['--suite', 'books', '--db', 'pglite']), invoices: 120 };
    const [result] = await runBooksSuite(options);
    expect(result).toMatchObject({ database: 'pglite', invoices: 120, created: 120, finished: true });
    expect(result?.limits.refused).toEqual({ minute: 0, day: 0, concurrent: 0 });
    // 30 customers, 84 open and 36 paid invoices: a page each, and one page of credit notes (none).
    expect(result?.calls).toBe(4);
    expect(result?.limits.dayRemaining).toBe(4996);
    const report = formatBooksReport(result ? [result] : []);
    expect(report.split('\n').filter((l) => l.startsWith('| pglite | 120 (84 / 36) | 30 |'))).toHaveLength(1);
  });
});
