// Smoke test of the dates suite: it checks its two readers agree before timing, and reports a row per zone.
// Nothing about timings is asserted.
import { describe, expect, it } from 'vitest';
import { batchInstants, DATE_ZONES, formatDatesReport, intlReader, runDatesSuite } from '../../bench/dates.js';
import { parseArgs } from '../../bench/run.js';
import { localDateOf } from '../../src/domain/dates.js';

describe('bench --suite dates', () => {
  it('is a suite of its own', () => {
    expect(parseArgs(['--suite', 'dates'])).toMatchObject({ suites: ['dates'] });
  });

  it('reads the same dates both ways, over every hour of the day across two years', () => {
    const instants = batchInstants();
    expect(new Set(instants.map((i) => i.getUTCHours())).size).toBe(24);
    expect(new Set(instants.map((i) => i.toISOString().slice(0, 10))).size).toBeGreaterThan(700);
    for (const zone of DATE_ZONES) {
      const intl = intlReader(zone);
      for (const instant of instants) expect(localDateOf(instant, zone)).toBe(intl(instant));
    }
  });

  it('reports p50 and p99 per zone for both readers', () => {
    const rows = runDatesSuite({ iterations: 2, warmup: 0 });
    expect(rows.map((r) => r.zone)).toEqual([...DATE_ZONES]);
    for (const r of rows) expect([r.cached.n, r.intl.n]).toEqual([2, 2]);
    const report = formatDatesReport(rows, { iterations: 2 });
    expect(report.split('\n').filter((l) => l.startsWith('| America/New_York'))).toHaveLength(1);
  });
});
