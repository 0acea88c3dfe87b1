import { describe, expect, it } from 'vitest';
import { derivedLabel, derivedStateLines } from '../../src/domain/derived-history.js';
import {
  computeNumbers,
  dsoDays,
  type ExpectedSource,
  expectedDate,
  type NumbersData,
} from '../../src/domain/numbers.js';
import { convertMinor, convertTotal, divideHalfEven, normaliseRate, parseRate } from '../../src/domain/rates.js';

const TODAY = '2026-12-03';

function open(
  invoiceId: string,
  currency: string,
  amountDueMinor: bigint,
  dueDate: string,
  extra: Partial<ExpectedSource> = {},
): ExpectedSource {
  return {
    invoiceId,
    currency,
    amountDueMinor,
    dueDate,
    promisedDate: null,
    scheduledDate: null,
    inDispute: false,
    ...extra,
  };
}

// A small book worked out by hand (the comments are the hand computation).
const book: NumbersData = {
  today: TODAY,
  // USD: $12,000.00 due on sent invoices; EUR €500.00.
  receivables: [
    { currency: 'USD', minor: 1_200_000n },
    { currency: 'EUR', minor: 50_000n },
  ],
  // USD: $36,000.00 sent and dated in the 90 days ending 2026-12-03; EUR €700.00.
  creditSales: [
    { currency: 'USD', minor: 3_600_000n },
    { currency: 'EUR', minor: 70_000n },
  ],
  payments: [
    { currency: 'USD', receivedOn: '2026-12-03', minor: 10_000n, count: 1 }, // this week (0 days back)
    { currency: 'USD', receivedOn: '2026-11-27', minor: 5_000n, count: 1 }, // this week (6 days back)
    { currency: 'USD', receivedOn: '2026-11-26', minor: 20_000n, count: 1 }, // last week (7 days back)
    { currency: 'USD', receivedOn: '2026-11-20', minor: 1_000n, count: 1 }, // last week (13 days back)
    { currency: 'USD', receivedOn: '2026-11-19', minor: 30_000n, count: 2 }, // 2 weeks back
    { currency: 'USD', receivedOn: '2026-10-30', minor: 9_002n, count: 1 }, // 4 weeks back (34 days)
    { currency: 'USD', receivedOn: '2026-10-29', minor: 100_000n, count: 1 }, // 5 weeks back: outside
    { currency: 'EUR', receivedOn: '2026-12-01', minor: 12_345n, count: 1 }, // this week
  ],
  open: [
    open('A', 'USD', 100_000n, '2026-12-05'), // due in 2 days: week 1, by due date
    open('I', 'USD', 7_000n, TODAY), // due today: week 1
    open('B', 'USD', 40_000n, '2026-11-20', { promisedDate: '2026-12-12' }), // promise in 9 days: week 2
    open('C', 'EUR', 12_345n, '2026-11-01', { promisedDate: '2026-12-20', scheduledDate: '2026-12-20' }), // 17 days: week 3, scheduled
    open('H', 'USD', 3_000n, '2026-12-20', { promisedDate: '2026-12-01' }), // promise passed, due date ahead: week 3
    open('D', 'USD', 55_000n, '2026-11-01', { promisedDate: '2026-11-25' }), // broken promise, overdue: late
    open('E', 'USD', 2_500n, '2026-12-30'), // 27 days: week 4
    open('F', 'USD', 8_800n, '2026-12-31'), // 28 days: after the four weeks
    open('G', 'USD', 60_000n, '2026-12-05', { inDispute: true }), // in dispute: apart
  ],
  reporting: { currency: 'USD', rates: [{ currency: 'EUR', rate: '1.05', rateDate: '2026-12-01' }] },
};

describe('DSO', () => {
  it('is receivables ÷ credit sales × 90, in whole days, per currency', () => {
    const n = computeNumbers(book);
    // USD 1,200,000 × 90 / 3,600,000 = 30; EUR 50,000 × 90 / 70,000 = 64.29 → 64.
    expect(n.dso.perCurrency).toEqual([
      { currency: 'EUR', receivablesMinor: 50_000n, creditSalesMinor: 70_000n, days: 64 },
      { currency: 'USD', receivablesMinor: 1_200_000n, creditSalesMinor: 3_600_000n, days: 30 },
    ]);
  });

  it('rounds a half day to the even day and has none without sales', () => {
    expect(dsoDays(1n, 4n)).toBe(22); // 22.5 → 22
    expect(dsoDays(3n, 4n)).toBe(68); // 67.5 → 68
    expect(dsoDays(5n, 0n)).toBeNull();
  });

  it('across currencies converts receivables and sales once each at the rates, then divides', () => {
    const n = computeNumbers(book);
    // Receivables: 1,200,000 + 50,000 × 1.05 = 52,500 → 1,252,500. Sales: 3,600,000 + 73,500 = 3,673,500.
    // 1,252,500 × 90 / 3,673,500 = 30.69 → 31.
    expect(n.dso.converted?.receivables).toMatchObject({
      minor: 1_252_500n,
      approximate: true,
      rateDate: '2026-12-01',
    });
    expect(n.dso.converted?.sales.minor).toBe(3_673_500n);
    expect(n.dso.converted?.days).toBe(31);
  });
});

describe('collected', () => {
  it('this week, last week and the average of the four weeks before this one', () => {
    const n = computeNumbers(book);
    expect(n.collected.thisWeek).toEqual({
      count: 3,
      amounts: [
        { currency: 'EUR', minor: 12_345n },
        { currency: 'USD', minor: 15_000n },
      ],
    });
    expect(n.collected.lastWeek).toEqual({ count: 2, amounts: [{ currency: 'USD', minor: 21_000n }] });
    // (21,000 + 30,000 + 0 + 9,002) / 4 = 15,000.5 → 15,000 (half to even).
    expect(n.collected.fourWeekAverage).toEqual([{ currency: 'USD', minor: 15_000n }]);
    // This week in USD: 15,000 + 12,345 × 1.05 = 12,962.25 → 12,962; 27,962.
    expect(n.collected.converted?.thisWeek).toMatchObject({ minor: 27_962n, approximate: true });
    expect(n.collected.converted?.lastWeek).toMatchObject({ minor: 21_000n, approximate: false, rateDate: null });
  });
});

describe('expected in', () => {
  it('puts each open invoice in the week of its scheduled date, live promise or due date', () => {
    const n = computeNumbers(book);
    const weeks = n.expected.weeks.map((w) => ({
      week: w.week,
      from: w.from,
      to: w.to,
      count: w.count,
      amounts: w.amounts,
    }));
    expect(weeks).toEqual([
      { week: 1, from: '2026-12-03', to: '2026-12-09', count: 2, amounts: [{ currency: 'USD', minor: 107_000n }] },
      { week: 2, from: '2026-12-10', to: '2026-12-16', count: 1, amounts: [{ currency: 'USD', minor: 40_000n }] },
      {
        week: 3,
        from: '2026-12-17',
        to: '2026-12-23',
        count: 2,
        amounts: [
          { currency: 'EUR', minor: 12_345n },
          { currency: 'USD', minor: 3_000n },
        ],
      },
      { week: 4, from: '2026-12-24', to: '2026-12-30', count: 1, amounts: [{ currency: 'USD', minor: 2_500n }] },
    ]);
    expect(n.expected.weeks[1]?.byBasis.promised).toEqual({ count: 1, amounts: [{ currency: 'USD', minor: 40_000n }] });
    expect(n.expected.weeks[2]?.byBasis.scheduled).toEqual({
      count: 1,
      amounts: [{ currency: 'EUR', minor: 12_345n }],
    });
    expect(n.expected.weeks[2]?.byBasis.due).toEqual({ count: 1, amounts: [{ currency: 'USD', minor: 3_000n }] });
    // Week 3 in USD: 3,000 + 12,962 = 15,962.
    expect(n.expected.weeks[2]?.converted).toMatchObject({ minor: 15_962n, approximate: true, rateDate: '2026-12-01' });
    expect(n.expected.total.count).toBe(6);
    expect(n.expected.later).toEqual({ count: 1, amounts: [{ currency: 'USD', minor: 8_800n }] });
    expect(n.expected.late).toEqual({ count: 1, amounts: [{ currency: 'USD', minor: 55_000n }] });
    expect(n.expected.inDispute).toEqual({ count: 1, amounts: [{ currency: 'USD', minor: 60_000n }] });
  });

  it('says what gave the date', () => {
    expect(
      expectedDate({ dueDate: '2026-12-01', promisedDate: '2026-12-04', scheduledDate: '2026-12-04' }, TODAY),
    ).toEqual({
      date: '2026-12-04',
      basis: 'scheduled',
    });
    // A chase's promise given after the client's scheduled date replaces it.
    expect(
      expectedDate({ dueDate: '2026-12-01', promisedDate: '2026-12-08', scheduledDate: '2026-12-04' }, TODAY),
    ).toEqual({
      date: '2026-12-08',
      basis: 'promised',
    });
    expect(expectedDate({ dueDate: '2026-12-01', promisedDate: null, scheduledDate: null }, TODAY)).toBeNull();
  });

  it('without a reporting currency converts nothing', () => {
    const n = computeNumbers({ ...book, reporting: null });
    expect(n.dso.converted).toBeNull();
    expect(n.collected.converted).toBeNull();
    expect(n.expected.totalConverted).toBeNull();
  });
});

describe('rates', () => {
  it('reads a typed decimal as an exact fraction', () => {
    expect(parseRate('1.05')).toEqual({ numerator: 105n, denominator: 100n });
    expect(parseRate('150')).toEqual({ numerator: 150n, denominator: 1n });
    expect(parseRate('0.000123')).toEqual({ numerator: 123n, denominator: 1_000_000n });
    for (const bad of ['0', '0.00', '-1', '1e3', '1,05', '', 'abc', '1.0000000000001'])
      expect(parseRate(bad)).toBeUndefined();
    expect(normaliseRate('01.2700')).toBe('1.27');
  });

  it('converts minor units across exponents, rounding once half to even', () => {
    expect(convertMinor(1000n, 'JPY', 'USD', { numerator: 63n, denominator: 10_000n })).toBe(630n); // ¥1,000 at 0.0063 = $6.30
    expect(convertMinor(1000n, 'KWD', 'USD', { numerator: 325n, denominator: 100n })).toBe(325n); // KD 1.000 at 3.25 = $3.25
    expect(convertMinor(100n, 'USD', 'JPY', { numerator: 1505n, denominator: 10n })).toBe(150n); // 150.5 → 150
    expect(convertMinor(300n, 'USD', 'JPY', { numerator: 1505n, denominator: 10n })).toBe(452n); // 451.5 → 452
    expect(convertMinor(10n, 'EUR', 'USD', { numerator: 105n, denominator: 100n })).toBe(10n); // 10.5 → 10
    expect(convertMinor(30n, 'EUR', 'USD', { numerator: 105n, denominator: 100n })).toBe(32n); // 31.5 → 32
    expect(divideHalfEven(-5n, 2n)).toBe(-2n);
  });

  it('a total names the currencies without a rate and leaves them out', () => {
    const total = convertTotal(
      [
        { currency: 'USD', minor: 100n },
        { currency: 'GBP', minor: 500n },
      ],
      { currency: 'USD', rates: [] },
    );
    expect(total).toEqual({ currency: 'USD', minor: 100n, approximate: false, rateDate: null, missing: ['GBP'] });
  });
});

describe('derived Due and Overdue lines', () => {
  const sentAt = new Date('2026-11-01T10:00:00Z');
  it('start at local midnight of the due date and the day after, in the workspace zone', () => {
    const lines = derivedStateLines(
      { dueDate: '2026-11-10', sentAt, paidOn: null, voidedAt: null },
      'Pacific/Auckland',
      new Date('2026-12-01T00:00:00Z'),
    );
    // Auckland is UTC+13 in November: local midnight of 10 Nov is 09 Nov 11:00 UTC.
    expect(lines).toEqual([
      { kind: 'became_due', at: new Date('2026-11-09T11:00:00Z'), date: '2026-11-10' },
      { kind: 'became_overdue', at: new Date('2026-11-10T11:00:00Z'), date: '2026-11-11' },
    ]);
    expect(derivedLabel('became_due')).toBe('became_due (derived)');
  });

  it('none once settled before, none still to come, and overdue when sent late', () => {
    const now = new Date('2026-12-01T00:00:00Z');
    expect(
      derivedStateLines({ dueDate: '2026-11-10', sentAt, paidOn: '2026-11-09', voidedAt: null }, 'UTC', now),
    ).toEqual([]);
    // Paid on the due date: it was Due that morning, never Overdue.
    expect(
      derivedStateLines({ dueDate: '2026-11-10', sentAt, paidOn: '2026-11-10', voidedAt: null }, 'UTC', now).map(
        (l) => l.kind,
      ),
    ).toEqual(['became_due']);
    expect(derivedStateLines({ dueDate: '2026-12-05', sentAt, paidOn: null, voidedAt: null }, 'UTC', now)).toEqual([]);
    expect(
      derivedStateLines({ dueDate: '2026-11-10', sentAt: null, paidOn: null, voidedAt: null }, 'UTC', now),
    ).toEqual([]);
    const late = new Date('2026-11-20T15:00:00Z');
    expect(
      derivedStateLines({ dueDate: '2026-11-10', sentAt: late, paidOn: null, voidedAt: null }, 'UTC', now),
    ).toEqual([{ kind: 'became_overdue', at: late, date: '2026-11-20' }]);
    expect(
      derivedStateLines(
        { dueDate: '2026-11-10', sentAt, paidOn: null, voidedAt: new Date('2026-11-10T12:00:00Z') },
        'UTC',
        now,
      ).map((l) => l.kind),
    ).toEqual(['became_due']);
  });
});
