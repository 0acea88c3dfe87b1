// Smoke test of the benchmark's slack and jobs suites: their --quick path on PGlite, cut to a couple of rounds.
// What it holds is that the app answers every timed request with the right list and that each job computes the
// same data as the hand-written SQL it is timed against; it asserts nothing about timings.
import { beforeAll, describe, expect, it } from 'vitest';
import { benchJobs, formatJobsReport, JOB_CASES, type JobsResult } from '../../bench/jobs.js';
import { parseArgs } from '../../bench/run.js';
import { assertSlackAnswers, benchSlack, formatSlackReport, type SlackResult } from '../../bench/slack.js';
import { DIGEST_LIST_CAP } from '../../src/domain/digest.js';

const slackOptions = parseArgs([
  ...['--suite', 'slack', '--quick', '--db', 'pglite'],
  // Tiny: 2 rounds, no warm-up, bursts of 20 (the real run sends 50 at once).
  ...['--iterations', '2', '--warmup', '0', '--concurrency', '1,20'],
]);
const jobsOptions = parseArgs(['--suite', 'jobs', '--quick', '--db', 'pglite', '--iterations', '3', '--warmup', '0']);
let slack: SlackResult;
let jobs: JobsResult;

// Both at once: most of each is starting its own PGlite. Nothing here is timed.
beforeAll(async () => {
  [slack, jobs] = await Promise.all([
    benchSlack('pglite', slackOptions),
    // Collect the answers without failing fast, so each job's comparison below shows its own diff.
    benchJobs(
      'pglite',
      jobsOptions,
      () => {},
      () => {},
    ),
  ]);
});

describe('bench --suite slack --quick on PGlite', () => {
  const options = slackOptions;
  const result = () => slack;

  it('parses the suite options: by default PostgreSQL, 300 rounds at 1 and 50 at once, the fake in the app process', () => {
    expect(parseArgs(['--suite', 'slack'])).toMatchObject({
      suites: ['slack'],
      suiteDatabases: ['postgres'],
      invoices: 100_000,
      slackIterations: 300,
      concurrency: [1, 50],
      fakeIn: 'app',
    });
    expect(parseArgs(['--quick'])).toMatchObject({
      suites: ['views', 'slack', 'jobs', 'page', 'dates', 'books', 'import', 'many'],
      slackIterations: 20,
    });
    expect(parseArgs(['--fake-in', 'client', '--db', 'both'])).toMatchObject({
      fakeIn: 'client',
      databases: ['pglite', 'postgres'],
      suiteDatabases: ['pglite', 'postgres'],
    });
    expect(options).toMatchObject({
      suites: ['slack'],
      suiteDatabases: ['pglite'],
      invoices: 2_000,
      slackIterations: 2,
      concurrency: [1, 20],
      fakeIn: 'app',
    });
  });

  it('acknowledges every request with 200, to the app and to the bare app, at each level', () => {
    expect(result().levels.map((l) => [l.concurrency, l.target, l.requests])).toEqual([
      [1, 'app', 2],
      [1, 'bare', 2],
      [20, 'app', 40],
      [20, 'bare', 40],
    ]);
    for (const level of result().levels) expect(level.failures).toEqual([]);
  });

  it("answers each /invoice list at its own response_url with the list of the seeded book's invoices", () => {
    expect(result().replies).toEqual({ checked: 42, right: 42 });
    expect(() => assertSlackAnswers(result())).not.toThrow();
    const { expected } = result();
    expect(expected.response_type).toBe('ephemeral');
    expect(expected.blocks.length).toBeGreaterThan(2);
    expect(expected.blocks[0].text.text).toMatch(/^\*Invoices\*\n.*overdue/);
  });

  it('times the ack of both apps and the reply of the app, and reports them', () => {
    for (const level of result().levels) {
      expect(Number.isFinite(level.ack.p50) && Number.isFinite(level.ack.p99)).toBe(true);
      expect(level.ack.p50).toBeGreaterThan(0);
      expect(level.phases.map((p) => p.time.n)).toEqual([
        level.requests,
        level.requests,
        level.requests,
        level.requests,
      ]);
      if (level.target === 'app') expect(level.reply?.n).toBe(level.requests);
      else expect(level.reply).toBeNull();
    }
    const report = formatSlackReport([result()], options);
    expect(report).toContain('| 20 | receivables-bot | 40 |');
    expect(report).toContain("The fake Slack runs in the app's process and event loop");
  });
});

describe('bench --suite jobs --quick on PGlite', () => {
  const options = jobsOptions;
  const result = () => jobs;

  it.each(JOB_CASES.map((c) => c.name))('%s gives the same answer as its hand-written SQL', (name) => {
    const answer = result().answers.find((a) => a.name === name);
    expect(answer).toBeDefined();
    expect(answer?.view).toEqual(answer?.baseline);
  });

  it('compares answers that are not empty: alerts on both days, every open invoice in the digest, listed or counted', () => {
    for (const name of ['planAlerts (Tuesday: 1 date)', 'planAlerts (Monday: 3 dates)']) {
      const lines = result().answers.find((a) => a.name === name)?.view as string[];
      expect(lines.some((l) => l.startsWith('became_overdue:'))).toBe(true);
      expect(result().alertRows[name]).toBeGreaterThan(0);
    }
    const { counts } = result().seed;
    const digest = result().answers.find((a) => a.name === 'buildDigest')?.view as {
      lines: string[];
      totals: string[];
    };
    // What the thread says per state: a heading line ("overdue 12 USD:…; more …") then the lines it names.
    const headings = digest.lines.filter((l) => /^(overdue|due|sent|draft) /.test(l));
    expect(headings.length).toBeGreaterThan(0);
    const counted = headings.reduce((n, l) => n + Number(l.split(' ')[1]), 0);
    expect(counted).toBe(counts.openInvoices + counts.draftInvoices);
    expect(digest.totals.length).toBeGreaterThan(0);
    expect(result().digest.openLines).toBe(counted);
    // Each state lists at most DIGEST_LIST_CAP and counts the rest: together, every open invoice once.
    expect(result().digest.listedLines).toBe(digest.lines.length - headings.length);
    expect(result().digest.listedLines + result().digest.countedLines).toBe(counted);
    expect(result().digest.listedLines).toBeLessThanOrEqual(DIGEST_LIST_CAP * 4);
  });

  it('times each job and its baseline over the iterations and reports them', () => {
    expect(result().cases.map((c) => c.name)).toEqual(JOB_CASES.map((c) => c.name));
    for (const c of result().cases) {
      for (const s of [c.view, c.baseline, c.viewSql]) {
        expect(s.n).toBe(3);
        expect(Number.isFinite(s.p50) && Number.isFinite(s.p99)).toBe(true);
      }
    }
    const report = formatJobsReport([result()], options);
    for (const c of JOB_CASES) expect(report).toContain(`| ${c.name} |`);
  });
});
