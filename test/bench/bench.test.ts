// Smoke test of the benchmark: its --quick path on PGlite, in-process. What it holds is that each view
// computes the same thing as the hand-written SQL it is timed against; it asserts nothing about timings.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type AnswerPair,
  benchDatabase,
  CASES,
  type DatabaseResult,
  formatReport,
  parseArgs,
} from '../../bench/run.js';
import { percentile, summarize } from '../../bench/stats.js';

describe('bench --quick on PGlite', () => {
  const options = parseArgs(['--quick', '--db', 'pglite']);
  let result: DatabaseResult;

  beforeAll(async () => {
    // Collect the answers without failing fast, so each view's comparison below shows its own diff.
    result = await benchDatabase(
      'pglite',
      options,
      () => {},
      () => {},
    );
  });

  it('seeds the quick book: 2,000 invoices in the workspace, a mix of states, 20 large clients', () => {
    expect(options).toMatchObject({ invoices: 2_000, iterations: 20, databases: ['pglite'] });
    const { counts, bigClients } = result.seed;
    expect(counts.benchInvoices).toBe(2_000);
    expect(counts.workspaces).toBe(2);
    expect(counts.invoices).toBeGreaterThan(counts.benchInvoices);
    expect(counts.paidInvoices / counts.benchInvoices).toBeGreaterThan(0.7);
    expect(counts.paidInvoices / counts.benchInvoices).toBeLessThan(0.8);
    for (const n of [counts.openInvoices, counts.voidInvoices, counts.draftInvoices, counts.events]) {
      expect(n).toBeGreaterThan(0);
    }
    expect(new Set(bigClients).size).toBe(20);
  });

  const byName = (name: string): AnswerPair[] => result.answers.filter((p) => p.name === name);

  it.each(CASES.map((c) => c.name))('%s gives the same answer as its hand-written SQL', (name) => {
    const pairs = byName(name);
    expect(pairs.length).toBeGreaterThan(0);
    for (const pair of pairs) expect(pair.view, `${name} #${pair.variant}`).toEqual(pair.baseline);
  });

  /** The view's side of the first answer of a case, as the benchmark normalised it. */
  function viewAnswer<T>(name: string, variant = 0): T {
    const pair = byName(name).find((p) => p.variant === variant);
    if (!pair) throw new Error(`no answer for ${name} #${variant}`);
    return pair.view as T;
  }

  it('compares answers that are not empty', () => {
    const { lists } = viewAnswer<{ lists: Record<string, string[]> }>('getOverview');
    for (const state of ['overdue', 'sent', 'draft', 'paid']) expect(lists[state]).toHaveLength(20);
    expect(viewAnswer<unknown[]>('getAging')).not.toHaveLength(0);
    expect(byName('getClientRecord')).toHaveLength(20);
    for (let variant = 0; variant < 20; variant++) {
      const record = viewAnswer<{ invoices: string[]; history: string[]; invoiceCount: number }>(
        'getClientRecord',
        variant,
      );
      expect(record.invoiceCount).toBeGreaterThan(0);
      expect(record.invoices.length).toBeGreaterThan(0);
      expect(record.history.length).toBeGreaterThan(0);
    }
    const changes = viewAnswer<Record<string, string[]>>('getDayChanges');
    expect(Object.values(changes).flat().length).toBeGreaterThan(0);
  });

  it('times every view and its baseline over the iterations and reports them', () => {
    expect(result.cases.map((c) => c.name)).toEqual(CASES.map((c) => c.name));
    for (const c of result.cases) {
      for (const s of [c.view, c.baseline, c.viewSql]) {
        expect(s.n).toBe(options.iterations);
        expect(Number.isFinite(s.p50) && Number.isFinite(s.p99)).toBe(true);
      }
    }
    const report = formatReport([result], options);
    for (const c of CASES) expect(report).toContain(`| ${c.name} | pglite |`);
  });
});

describe('bench stats', () => {
  it('interpolates percentiles between ranks', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([5], 99)).toBe(5);
    expect(Number.isNaN(percentile([], 50))).toBe(true);
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(hundred, 99)).toBeCloseTo(99.01);
    expect(summarize([3, 1, 2])).toMatchObject({ n: 3, p50: 2, min: 1, max: 3, mean: 2 });
  });
});
