// Smoke test of the benchmark's page suite: its --quick path on PGlite, cut to a couple of rounds. What it holds is
// that the page the app serves shows the same invoices, amounts, payments and history as the hand-written SQL, that
// every timed request got its answer and that every answer posted was recorded once; it asserts nothing about timings.
import { beforeAll, describe, expect, it } from 'vitest';
import { assertPageRun, benchPage, formatPageReport, type PageResult, pageRounds } from '../../bench/page.js';
import { parseArgs } from '../../bench/run.js';

const options = parseArgs([
  ...['--suite', 'page', '--quick', '--db', 'pglite'],
  // Tiny: 2 rounds, no warm-up, bursts of 5 (the real run sends 50 at once).
  ...['--iterations', '2', '--warmup', '0', '--concurrency', '1,5'],
]);
let result: PageResult;

beforeAll(async () => {
  // Collect the answers without failing fast, so each comparison below shows its own diff.
  result = await benchPage(
    'pglite',
    options,
    () => {},
    () => {},
  );
});

describe('bench --suite page --quick on PGlite', () => {
  it('parses the suite options: by default PostgreSQL, 200 rounds at 1 at once and 20 at 50', () => {
    expect(parseArgs(['--suite', 'page'])).toMatchObject({
      suites: ['page'],
      suiteDatabases: ['postgres'],
      invoices: 100_000,
      pageIterations: 200,
      concurrency: [1, 50],
    });
    expect(parseArgs(['--quick'])).toMatchObject({ pageIterations: 20 });
    expect(parseArgs(['--suite', 'all']).suites).toContain('page');
    expect(options).toMatchObject({
      suites: ['page'],
      suiteDatabases: ['pglite'],
      invoices: 2_000,
      pageIterations: 2,
      concurrency: [1, 5],
    });
    expect([pageRounds(200, 1), pageRounds(200, 50), pageRounds(20, 50), pageRounds(2, 5)]).toEqual([200, 20, 2, 2]);
  });

  it.each(['big', 'typical'])("the %s client's page data and HTML equal the hand-written SQL's", (role) => {
    const checked = result.answers.filter((a) => a.name.includes(`(${role} client)`));
    expect(checked.map((a) => a.name)).toEqual([
      `getClientPage (${role} client)`,
      `GET /c/<token> HTML (${role} client)`,
    ]);
    for (const answer of checked) {
      expect(answer.view, answer.name).toEqual(answer.baseline);
      expect((answer.view as string[]).length).toBeGreaterThan(0);
    }
  });

  it("compares pages that are not empty: the big client's has open and paid invoices, payments and history", () => {
    const [big, typical] = result.clients;
    expect(big).toMatchObject({ role: 'big' });
    expect(typical).toMatchObject({ role: 'typical' });
    if (!big || !typical) return;
    for (const n of [big.open, big.paid, big.payments, big.events, typical.open + typical.paid]) {
      expect(n).toBeGreaterThan(0);
    }
    expect(big.bookInvoices).toBeGreaterThan(typical.bookInvoices);
    expect(big.pageBytes).toBeGreaterThan(typical.pageBytes);
    const html = result.answers.find((a) => a.name === 'GET /c/<token> HTML (big client)')?.view as string[];
    // id|number|open or paid|amount due|total|payments|history
    const open = html.find((line) => line.split('|')[2] === 'open')?.split('|') ?? [];
    expect(open[1]).toMatch(/^INV-\d{7}$/);
    expect(open[3]).toMatch(/^(\$|€|¥)[\d,]+(\.\d\d)?$/);
    expect(html.some((line) => /received \d{4}-\d\d-\d\d · ref BACS INV-/.test(line))).toBe(true);
    expect(html.some((line) => line.includes('Invoice sent'))).toBe(true);
  });

  it('answers every request at each level, app, bare app and raw SQL; every answer posted is recorded once', () => {
    const rows: [string, string, number, string, number][] = [];
    for (const [method, client] of [
      ['GET', 'big'],
      ['GET', 'typical'],
      ['POST', 'big'],
    ]) {
      for (const [concurrency, requests] of [
        [1, 2],
        [5, 10],
      ] as const) {
        for (const target of ['app', 'bare', 'sql'])
          rows.push([method ?? '', client ?? '', concurrency, target, requests]);
      }
    }
    expect(result.levels.map((l) => [l.method, l.client, l.concurrency, l.target, l.requests])).toEqual(rows);
    for (const level of result.levels) {
      expect(level.failures).toEqual([]);
      expect(level.time.n).toBe(level.requests);
      expect(Number.isFinite(level.time.p50) && Number.isFinite(level.time.p99)).toBe(true);
      if (level.target === 'sql') expect(level.firstByte).toBeNull();
      else expect(level.firstByte?.n).toBe(level.requests);
    }
    expect(result.recorded).toEqual({ app: { posted: 12, events: 12 }, sql: { posted: 12, events: 12 } });
    expect(() => assertPageRun(result)).not.toThrow();
  });

  it('reports each row, the ratios against both baselines, and the rate limits set aside', () => {
    const report = formatPageReport([result], options);
    expect(report).toContain('## Client page: GET /c/<token> and POST an answer, end to end over HTTP (2,000 invoices');
    for (const target of ['receivables-bot', 'bare Bolt, same bytes', 'raw SQL']) {
      expect(report).toContain(`| GET | big | 1 | ${target} | 2 |`);
      expect(report).toContain(`| POST | big | 5 | ${target} | 10 |`);
    }
    expect(report).toContain('| vs bare p50 | vs bare p99 | vs raw SQL p50 | vs raw SQL p99 |');
    for (const group of [
      'GET | big | 1',
      'GET | big | 5',
      'GET | typical | 1',
      'GET | typical | 5',
      'POST | big | 5',
    ]) {
      expect(report).toMatch(new RegExp(`\\| ${group} \\| [\\d.]+× \\| [\\d.]+× \\| [\\d.]+× \\| [\\d.]+× \\|`));
    }
    expect(report).toContain('Rate limits: the bench passes pageLimits no run reaches');
    expect(report).toContain("One GET of the big client's page, step by step");
  });
});
