import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareDates } from '../../src/domain/dates.js';
import {
  describeDueBasis,
  describeTerms,
  dueDateFor,
  MAX_TERM_DAYS,
  type PaymentTerms,
  parseTerms,
  TERMS_CHOICES,
} from '../../src/domain/terms.js';

const anyDate = fc
  .integer({ min: Date.UTC(1900, 0, 1) / 86_400_000, max: Date.UTC(2199, 11, 31) / 86_400_000 })
  .map((day) => new Date(day * 86_400_000).toISOString().slice(0, 10));
const anyDays = fc.integer({ min: 0, max: MAX_TERM_DAYS });

describe('dueDateFor', () => {
  it('adds N days for net N', () => {
    expect(dueDateFor({ kind: 'net', days: 30 }, '2026-09-01')).toBe('2026-10-01');
    expect(dueDateFor({ kind: 'net', days: 60 }, '2026-09-01')).toBe('2026-10-31');
    expect(dueDateFor({ kind: 'net', days: 0 }, '2026-09-01')).toBe('2026-09-01');
  });

  it('makes net 30 from 29 February 2028 due on 30 March', () => {
    expect(dueDateFor({ kind: 'net', days: 30 }, '2028-02-29')).toBe('2028-03-30');
  });

  it('makes net 30 from 31 January due in March, since February is short', () => {
    expect(dueDateFor({ kind: 'net', days: 30 }, '2026-01-31')).toBe('2026-03-02');
    expect(dueDateFor({ kind: 'net', days: 30 }, '2028-01-31')).toBe('2028-03-01');
  });

  it('makes an invoice due on receipt due on its basis date', () => {
    expect(dueDateFor({ kind: 'receipt' }, '2026-09-01')).toBe('2026-09-01');
  });

  it('makes end of month due on the last day of the basis month, 29 February in a leap year', () => {
    expect(dueDateFor({ kind: 'eom', days: 0 }, '2026-09-10')).toBe('2026-09-30');
    expect(dueDateFor({ kind: 'eom', days: 0 }, '2028-02-03')).toBe('2028-02-29');
    expect(dueDateFor({ kind: 'eom', days: 0 }, '2027-02-03')).toBe('2027-02-28');
    expect(dueDateFor({ kind: 'eom', days: 0 }, '2026-09-30')).toBe('2026-09-30');
  });

  it('counts end of month + N from the last day of the month, across the year end', () => {
    expect(dueDateFor({ kind: 'eom', days: 15 }, '2026-09-10')).toBe('2026-10-15');
    expect(dueDateFor({ kind: 'eom', days: 15 }, '2026-12-10')).toBe('2027-01-15');
    expect(dueDateFor({ kind: 'eom', days: 45 }, '2026-11-20')).toBe('2027-01-14');
    expect(dueDateFor({ kind: 'eom', days: 30 }, '2028-02-01')).toBe('2028-03-30');
  });

  it('uses the fixed date whatever the basis date', () => {
    expect(dueDateFor({ kind: 'fixed', dueDate: '2026-10-31' }, '2026-09-01')).toBe('2026-10-31');
  });

  it('refuses days that are negative, fractional or beyond a year, and basis dates that do not exist', () => {
    expect(() => dueDateFor({ kind: 'net', days: -1 }, '2026-09-01')).toThrow(RangeError);
    expect(() => dueDateFor({ kind: 'net', days: 7.5 }, '2026-09-01')).toThrow(RangeError);
    expect(() => dueDateFor({ kind: 'eom', days: 366 }, '2026-09-01')).toThrow(RangeError);
    expect(() => dueDateFor({ kind: 'receipt' }, '2026-02-29')).toThrow(RangeError);
  });

  it('never falls before the basis date for net N', () => {
    fc.assert(
      fc.property(anyDate, anyDays, (d, n) => {
        expect(compareDates(dueDateFor({ kind: 'net', days: n }, d), d)).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('never falls before the end of the basis month for end of month + N', () => {
    fc.assert(
      fc.property(anyDate, anyDays, (d, n) => {
        const due = dueDateFor({ kind: 'eom', days: n }, d);
        expect(compareDates(due, d)).toBeGreaterThanOrEqual(0);
        expect(due.slice(0, 7) >= d.slice(0, 7)).toBe(true);
      }),
    );
  });
});

describe('describeTerms', () => {
  it('names each kind of terms', () => {
    expect(describeTerms({ kind: 'net', days: 60 })).toBe('net 60');
    expect(describeTerms({ kind: 'receipt' })).toBe('due on receipt');
    expect(describeTerms({ kind: 'eom', days: 0 })).toBe('end of month');
    expect(describeTerms({ kind: 'eom', days: 15 })).toBe('end of month + 15');
    expect(describeTerms({ kind: 'fixed', dueDate: '2026-10-31' })).toBe('fixed date');
  });
});

describe('describeDueBasis', () => {
  it('says what the terms run from', () => {
    expect(describeDueBasis({ kind: 'net', days: 60 }, '2026-09-01')).toBe('net 60 from 2026-09-01');
    expect(describeDueBasis({ kind: 'receipt' }, '2026-09-01')).toBe('due on receipt from 2026-09-01');
    expect(describeDueBasis({ kind: 'eom', days: 15 }, '2026-09-10')).toBe('end of month + 15 from 2026-09-10');
  });

  it('names a basis other than the invoice date in parentheses', () => {
    expect(describeDueBasis({ kind: 'net', days: 60 }, '2026-09-01', 'delivery')).toBe(
      'net 60 from 2026-09-01 (delivery)',
    );
  });

  it('leaves the invoice date unnamed, however it is given', () => {
    for (const label of [null, undefined, 'invoice date', 'Invoice date', '']) {
      expect(describeDueBasis({ kind: 'net', days: 60 }, '2026-09-01', label)).toBe('net 60 from 2026-09-01');
    }
  });

  it('gives a fixed due date without a basis', () => {
    expect(describeDueBasis({ kind: 'fixed', dueDate: '2026-10-31' }, '2026-09-01', 'delivery')).toBe(
      'fixed due date 2026-10-31',
    );
  });
});

describe('parseTerms', () => {
  const accepted: [string, PaymentTerms][] = [
    ['net 30', { kind: 'net', days: 30 }],
    ['net30', { kind: 'net', days: 30 }],
    ['n30', { kind: 'net', days: 30 }],
    ['30', { kind: 'net', days: 30 }],
    ['  NET 45  ', { kind: 'net', days: 45 }],
    ['Net  0', { kind: 'net', days: 0 }],
    ['net 365', { kind: 'net', days: 365 }],
    ['receipt', { kind: 'receipt' }],
    ['due on receipt', { kind: 'receipt' }],
    ['Due On Receipt', { kind: 'receipt' }],
    ['on receipt', { kind: 'receipt' }],
    ['COD', { kind: 'receipt' }],
    ['eom', { kind: 'eom', days: 0 }],
    ['end of month', { kind: 'eom', days: 0 }],
    ['eom+15', { kind: 'eom', days: 15 }],
    ['eom 15', { kind: 'eom', days: 15 }],
    ['eom + 15', { kind: 'eom', days: 15 }],
    ['End of Month + 15', { kind: 'eom', days: 15 }],
    ['2026-10-31', { kind: 'fixed', dueDate: '2026-10-31' }],
    ['2028-02-29', { kind: 'fixed', dueDate: '2028-02-29' }],
  ];

  it.each(accepted)('reads %j', (text, terms) => {
    expect(parseTerms(text)).toEqual({ ok: true, terms });
  });

  const refused = [
    'net 366',
    'net -5',
    'net 7.5',
    'eom+400',
    'net thirty',
    'net',
    '2026-02-29',
    '2026-13-01',
    'whenever',
  ];

  it.each(refused)('refuses %j with a message that quotes it and lists what is accepted', (text) => {
    const result = parseTerms(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toContain(`"${text}"`);
    expect(result.message).toContain('net 30');
    expect(result.message).toContain('eom+15');
    expect(result.message).toContain('YYYY-MM-DD');
  });

  it('says why when the days are out of range', () => {
    const result = parseTerms('net 400');
    expect(result.ok || result.message).toContain('whole number from 0 to 365');
  });

  it('says so when the terms are empty', () => {
    const result = parseTerms('   ');
    expect(result.ok || result.message).toMatch(/^Payment terms are empty\. Use net N/);
  });

  it('reads back every description of net and end of month terms', () => {
    const anyTerms = fc.oneof(
      anyDays.map((days): PaymentTerms => ({ kind: 'net', days })),
      anyDays.map((days): PaymentTerms => ({ kind: 'eom', days })),
      fc.constant<PaymentTerms>({ kind: 'receipt' }),
    );
    fc.assert(
      fc.property(anyTerms, (terms) => {
        expect(parseTerms(describeTerms(terms))).toEqual({ ok: true, terms });
      }),
    );
  });
});

describe('TERMS_CHOICES', () => {
  it('offers net 7, 15, 30, 45, 60 and 90, due on receipt and end of month, in that order', () => {
    expect(TERMS_CHOICES).toEqual([
      { kind: 'net', days: 7, label: 'Net 7' },
      { kind: 'net', days: 15, label: 'Net 15' },
      { kind: 'net', days: 30, label: 'Net 30' },
      { kind: 'net', days: 45, label: 'Net 45' },
      { kind: 'net', days: 60, label: 'Net 60' },
      { kind: 'net', days: 90, label: 'Net 90' },
      { kind: 'receipt', label: 'Due on receipt' },
      { kind: 'eom', days: 0, label: 'End of month' },
    ]);
  });

  it('has labels that parseTerms reads back as the same terms', () => {
    for (const { label, ...terms } of TERMS_CHOICES) {
      expect(parseTerms(label)).toEqual({ ok: true, terms });
    }
  });
});
