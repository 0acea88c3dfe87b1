// Reading instants as local dates: localDateOf (src/domain/dates.ts, which keeps each zone's offset per UTC
// day) against Intl straight (one DateTimeFormat per zone, formatToParts per instant, the way the code read
// every date before). Lists and alerts read a date per row, so this is on every view's hot path.
//
// For each zone: 2,000 instants spread over two years (every hour of the day, every day of the year), checked
// to give the same dates both ways first, then timed in batches, interleaved, after a warm-up: p50/p99 of a
// batch, and per call.
import { localDateOf } from '../src/domain/dates.js';
import type { BenchOptions } from './run.js';
import { formatRatio, type Summary, summarize } from './stats.js';

export const DATE_ZONES = ['America/New_York', 'Asia/Tokyo', 'Australia/Lord_Howe'] as const;
const BATCH = 2_000;
const START = Date.UTC(2025, 0, 1);

export interface DatesRow {
  zone: string;
  cached: Summary;
  intl: Summary;
}

/** The instants of a batch: day i·7919 mod 730 of the two years, at second i·104,729 mod 86,400 of the day. */
export function batchInstants(): Date[] {
  return Array.from(
    { length: BATCH },
    (_, i) => new Date(START + ((i * 7919) % 730) * 86_400_000 + ((i * 104_729) % 86_400) * 1000),
  );
}

/** The baseline: Intl's own reading of the date, as the domain did it per call before the per-day cache. */
export function intlReader(zone: string): (instant: Date) => string {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    calendar: 'gregory',
    numberingSystem: 'latn',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  return (instant) => {
    const parts: Record<string, string> = {};
    for (const part of format.formatToParts(instant)) parts[part.type] = part.value;
    return `${parts.year}-${parts.month}-${parts.day}`;
  };
}

export function runDatesSuite(options: Pick<BenchOptions, 'iterations' | 'warmup'>): DatesRow[] {
  const instants = batchInstants();
  const rows: DatesRow[] = [];
  for (const zone of DATE_ZONES) {
    const intl = intlReader(zone);
    for (const instant of instants) {
      const [cached, straight] = [localDateOf(instant, zone), intl(instant)];
      if (cached !== straight) throw new Error(`${zone} ${instant.toISOString()}: ${cached} ≠ ${straight}`);
    }
    const time = (read: (instant: Date) => string) => {
      const start = performance.now();
      let length = 0;
      for (const instant of instants) length += read(instant).length;
      if (length !== instants.length * 10) throw new Error('a date was not YYYY-MM-DD');
      return performance.now() - start;
    };
    const cachedMs: number[] = [];
    const intlMs: number[] = [];
    for (let round = 0; round < options.warmup + options.iterations; round++) {
      const a = time((instant) => localDateOf(instant, zone));
      const b = time(intl);
      if (round >= options.warmup) {
        cachedMs.push(a);
        intlMs.push(b);
      }
    }
    rows.push({ zone, cached: summarize(cachedMs), intl: summarize(intlMs) });
  }
  return rows;
}

export function formatDatesReport(rows: readonly DatesRow[], options: Pick<BenchOptions, 'iterations'>): string {
  const perCall = (ms: number) => `${((ms * 1000) / BATCH).toFixed(2)}`;
  const lines = [
    `## Local dates: localDateOf against Intl (µs per call; batches of ${BATCH.toLocaleString('en-US')} instants over two years, ${options.iterations} batches each, interleaved; answers checked equal first)`,
    '',
    '| zone | localDateOf p50 | p99 | Intl p50 | p99 | ratio p50 | ratio p99 |',
    '|---|--:|--:|--:|--:|--:|--:|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.zone} | ${perCall(r.cached.p50)} | ${perCall(r.cached.p99)} | ${perCall(r.intl.p50)} | ${perCall(r.intl.p99)} | ${formatRatio(r.cached.p50 / r.intl.p50)} | ${formatRatio(r.cached.p99 / r.intl.p99)} |`,
    );
  }
  return lines.join('\n');
}
