// The owner's numbers, pure: DSO, what was collected week on week, and what is expected in over the next four
// weeks. The store reads the facts (NumbersData, src/db/queries/numbers.ts); `today` is passed in. Every amount is
// integer minor units per currency; a total across currencies is converted only at the end (rates.ts) and marked
// approximate.
//
// How each number is worked out (the views say it in words, NUMBERS_METHOD):
// - DSO = receivables ÷ credit sales × 90, per currency. Receivables: what is still due today on invoices that
//   were sent (drafts and void invoices are not receivables). Credit sales: the totals of the invoices sent and
//   dated in the 90 days ending today, less their credit notes. Rounded to whole days, half to even. No sales in
//   the window: no DSO.
// - Collected: payments not reversed, by the day they were received. This week is the 7 days ending today, last
//   week the 7 before, and the 4-week average the 4 weeks before this one (last week included), summed and ÷ 4,
//   rounded half to even.
// - Expected in: each open, sent invoice not in dispute, for what is still due on it, on one date: the client's
//   scheduled date when the invoice's promise is the client's own (the status page), else a promise logged with a
//   chase, while that date is today or later; else the due date if it is today or later. Week 1 is today and the
//   6 days after, week 4 ends 27 days from today. An invoice whose every date has passed (overdue, no live promise)
//   is not forecast: it is counted apart as late, and disputed ones as in dispute.
import { addDays, daysBetween, type LocalDate } from './dates.js';
import { amountsByCurrency, type CountedAmounts, type CurrencyAmount } from './digest.js';
import { type ConvertedTotal, convertTotal, divideHalfEven, type Reporting } from './rates.js';

export const DSO_WINDOW_DAYS = 90;
export const FORECAST_WEEKS = 4;
/** Days of payments the collected numbers read: this week and the four before it. */
export const COLLECTED_DAYS = 35;

/** How the numbers are worked out, in one line each, for every view that shows them. */
export const NUMBERS_METHOD = {
  dso: `DSO = receivables ÷ credit sales of the last ${DSO_WINDOW_DAYS} days × ${DSO_WINDOW_DAYS} (sent invoices dated in the window, less credit notes), per currency`,
  collected:
    'Collected: payments received in the 7 days ending today, against the 7 before and the average week of the 4 before this one',
  expected: `Expected in: what is due on sent invoices by the client's scheduled date, else a live promise, else the due date, over the next ${FORECAST_WEEKS} weeks (disputes and late invoices without a date apart)`,
} as const;

/** What the store reads for the numbers. */
export interface NumbersData {
  today: LocalDate;
  /** Still due today on sent, open invoices, per currency. */
  receivables: CurrencyAmount[];
  /** Sent invoices dated in the DSO window, less their credit notes, per currency. */
  creditSales: CurrencyAmount[];
  /** Payments not reversed, received in the COLLECTED_DAYS ending today, summed per currency and day. */
  payments: { currency: string; receivedOn: LocalDate; minor: bigint; count: number }[];
  /** The open, sent invoices with what is still due and their dates (each entry may stand for `count` alike). */
  open: ExpectedSource[];
  /** The reporting currency and its rates; null when none is named. */
  reporting: Reporting | null;
}

export interface ExpectedSource {
  invoiceId?: string;
  /** How many invoices this stands for, alike in what the forecast reads (amountDueMinor is theirs summed); 1 if unset. */
  count?: number;
  currency: string;
  amountDueMinor: bigint;
  dueDate: LocalDate;
  /** The invoice's promised date (a chase's promise or the client's scheduled date, the latest given). */
  promisedDate: LocalDate | null;
  /** The date of the client's latest "payment scheduled" answer on the status page, if any. */
  scheduledDate: LocalDate | null;
  inDispute: boolean;
}

export type ExpectedBasis = 'scheduled' | 'promised' | 'due';

export interface Dso {
  currency: string;
  receivablesMinor: bigint;
  creditSalesMinor: bigint;
  /** Whole days; null when there were no credit sales in the window. */
  days: number | null;
}

export interface ForecastWeek {
  /** 1 … FORECAST_WEEKS. */
  week: number;
  from: LocalDate;
  to: LocalDate;
  count: number;
  amounts: CurrencyAmount[];
  /** The same money by what gave its date. */
  byBasis: Record<ExpectedBasis, CountedAmounts>;
  converted: ConvertedTotal | null;
}

export interface OwnerNumbers {
  today: LocalDate;
  dso: {
    perCurrency: Dso[];
    converted: { days: number | null; receivables: ConvertedTotal; sales: ConvertedTotal } | null;
  };
  collected: {
    thisWeek: CountedAmounts;
    lastWeek: CountedAmounts;
    /** The average week of the four before this one, per currency (rounded half to even). */
    fourWeekAverage: CurrencyAmount[];
    converted: { thisWeek: ConvertedTotal; lastWeek: ConvertedTotal; fourWeekAverage: ConvertedTotal } | null;
  };
  expected: {
    weeks: ForecastWeek[];
    /** All four weeks together. */
    total: CountedAmounts;
    totalConverted: ConvertedTotal | null;
    /** Expected after the four weeks. */
    later: CountedAmounts;
    /** Overdue with no live promise or scheduled date: no date to forecast. */
    late: CountedAmounts;
    inDispute: CountedAmounts;
  };
  reportingCurrency: string | null;
}

/** receivables ÷ sales × days, whole days rounded half to even; null without sales. */
export function dsoDays(receivablesMinor: bigint, creditSalesMinor: bigint, days = DSO_WINDOW_DAYS): number | null {
  if (creditSalesMinor <= 0n) return null;
  return Number(divideHalfEven(receivablesMinor * BigInt(days), creditSalesMinor));
}

/** The date an open invoice is expected to be paid, and why; null when every date it has has passed. */
export function expectedDate(
  source: Pick<ExpectedSource, 'dueDate' | 'promisedDate' | 'scheduledDate'>,
  today: LocalDate,
): { date: LocalDate; basis: ExpectedBasis } | null {
  const promise = source.promisedDate;
  if (promise !== null && promise >= today) {
    return { date: promise, basis: promise === source.scheduledDate ? 'scheduled' : 'promised' };
  }
  if (source.dueDate >= today) return { date: source.dueDate, basis: 'due' };
  return null;
}

function countedOf(items: readonly { currency: string; minor: bigint; count?: number }[]): CountedAmounts {
  return { count: items.reduce((n, i) => n + (i.count ?? 1), 0), amounts: amountsByCurrency(items) };
}

export function computeNumbers(data: NumbersData): OwnerNumbers {
  const { today, reporting } = data;
  const convert = (amounts: readonly CurrencyAmount[]) => (reporting ? convertTotal(amounts, reporting) : null);

  // DSO, per currency: every currency with receivables or sales.
  const currencies = [...new Set([...data.receivables, ...data.creditSales].map((a) => a.currency))].sort();
  const sumOf = (list: readonly CurrencyAmount[], currency: string) =>
    list.filter((a) => a.currency === currency).reduce((s, a) => s + a.minor, 0n);
  const perCurrency = currencies.map((currency) => {
    const receivablesMinor = sumOf(data.receivables, currency);
    const creditSalesMinor = sumOf(data.creditSales, currency);
    return { currency, receivablesMinor, creditSalesMinor, days: dsoDays(receivablesMinor, creditSalesMinor) };
  });
  const receivablesConverted = convert(data.receivables);
  const salesConverted = convert(data.creditSales);
  const dsoConverted =
    receivablesConverted && salesConverted
      ? {
          days: dsoDays(receivablesConverted.minor, salesConverted.minor),
          receivables: receivablesConverted,
          sales: salesConverted,
        }
      : null;

  // Collected: weeks counted back from today (week 0 is the 7 days ending today).
  const weekOf = (day: LocalDate) => Math.floor(daysBetween(day, today) / 7);
  const inWeeks = (from: number, to: number) =>
    data.payments
      .filter((p) => p.receivedOn <= today && weekOf(p.receivedOn) >= from && weekOf(p.receivedOn) <= to)
      .map((p) => ({ currency: p.currency, minor: p.minor, count: p.count }));
  const thisWeek = countedOf(inWeeks(0, 0));
  const lastWeek = countedOf(inWeeks(1, 1));
  const fourWeekAverage = amountsByCurrency(inWeeks(1, 4))
    .map((a) => ({ currency: a.currency, minor: divideHalfEven(a.minor, 4n) }))
    .filter((a) => a.minor !== 0n);

  // Expected in.
  const weeks = Array.from({ length: FORECAST_WEEKS }, (_, i) => ({
    week: i + 1,
    from: addDays(today, i * 7),
    to: addDays(today, i * 7 + 6),
    items: [] as { currency: string; minor: bigint; count: number; basis: ExpectedBasis }[],
  }));
  const later: (CurrencyAmount & { count: number })[] = [];
  const late: (CurrencyAmount & { count: number })[] = [];
  const inDispute: (CurrencyAmount & { count: number })[] = [];
  for (const source of data.open) {
    const money = { currency: source.currency, minor: source.amountDueMinor, count: source.count ?? 1 };
    if (source.amountDueMinor <= 0n) continue;
    if (source.inDispute) {
      inDispute.push(money);
      continue;
    }
    const expected = expectedDate(source, today);
    if (!expected) {
      late.push(money);
      continue;
    }
    const week = weeks[Math.floor(daysBetween(today, expected.date) / 7)];
    if (week) week.items.push({ ...money, basis: expected.basis });
    else later.push(money);
  }
  const forecast: ForecastWeek[] = weeks.map((w) => {
    const amounts = amountsByCurrency(w.items);
    const basis = (b: ExpectedBasis) => countedOf(w.items.filter((i) => i.basis === b));
    return {
      week: w.week,
      from: w.from,
      to: w.to,
      count: w.items.reduce((n, i) => n + i.count, 0),
      amounts,
      byBasis: { scheduled: basis('scheduled'), promised: basis('promised'), due: basis('due') },
      converted: convert(amounts),
    };
  });
  const allWeeks = weeks.flatMap((w) => w.items);

  return {
    today,
    dso: { perCurrency, converted: dsoConverted },
    collected: {
      thisWeek,
      lastWeek,
      fourWeekAverage,
      converted: reporting
        ? {
            thisWeek: convertTotal(thisWeek.amounts, reporting),
            lastWeek: convertTotal(lastWeek.amounts, reporting),
            fourWeekAverage: convertTotal(fourWeekAverage, reporting),
          }
        : null,
    },
    expected: {
      weeks: forecast,
      total: countedOf(allWeeks),
      totalConverted: convert(allWeeks),
      later: countedOf(later),
      late: countedOf(late),
      inDispute: countedOf(inDispute),
    },
    reportingCurrency: reporting?.currency ?? null,
  };
}
