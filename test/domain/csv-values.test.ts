import { describe, expect, it } from 'vitest';
import {
  cellText,
  dateOrderEvidence,
  multiply,
  readDate,
  readDecimal,
  readMoney,
} from '../../src/domain/csv-values.js';

describe('reading a date cell', () => {
  it('reads ISO dates, with or without a time after them', () => {
    expect(readDate('2026-09-14', undefined)).toEqual({ ok: true, value: '2026-09-14' });
    expect(readDate('2026-09-14T00:00:00', undefined)).toEqual({ ok: true, value: '2026-09-14' });
  });

  it('reads 14/09/2026 as 14 September whatever the order, since it can be read only one way', () => {
    expect(readDate('14/09/2026', undefined)).toEqual({ ok: true, value: '2026-09-14' });
    expect(dateOrderEvidence('14/09/2026')).toBe('dmy');
    expect(dateOrderEvidence('09/14/2026')).toBe('mdy');
    expect(dateOrderEvidence('03/04/2026')).toBeUndefined();
  });

  it('reads 03/04/2026 in the order given, and refuses to guess without one', () => {
    expect(readDate('03/04/2026', 'dmy')).toEqual({ ok: true, value: '2026-04-03' });
    expect(readDate('03/04/2026', 'mdy')).toEqual({ ok: true, value: '2026-03-04' });
    expect(readDate('03/04/2026', undefined)).toEqual({
      ok: false,
      message:
        '"03/04/2026" is ambiguous: it could be 3 April 2026 or 4 March 2026, and no other date in the file tells ' +
        'which comes first; write it as YYYY-MM-DD or say the order (--date-order dmy or mdy)',
    });
  });

  it('reads a date whose day and month are the same number without an order', () => {
    expect(readDate('05/05/2026', undefined)).toEqual({ ok: true, value: '2026-05-05' });
  });

  it('reads "1 Sep 2026" as Xero writes dates on screen', () => {
    expect(readDate('1 Sep 2026', undefined)).toEqual({ ok: true, value: '2026-09-01' });
  });

  it('refuses dates that do not exist, two-digit years and text', () => {
    expect(readDate('31/02/2026', 'dmy')).toEqual({
      ok: false,
      message: '"31/02/2026" is not a real date (read as day/month/year)',
    });
    expect(readDate('2026-02-29', undefined)).toEqual({ ok: false, message: '"2026-02-29" is not a real date' });
    expect(readDate('14/09/26', undefined)).toEqual({
      ok: false,
      message: '"14/09/26" has a 2-digit year; write the year in full',
    });
    expect(readDate('next week', undefined)).toMatchObject({
      ok: false,
      message: expect.stringContaining('not a date'),
    });
  });
});

describe('reading an amount cell', () => {
  it("reads amounts with parseMoney's rules and keeps its messages", () => {
    expect(readMoney('$1,234.50', 'USD')).toEqual({ ok: true, value: 123450n });
    expect(readMoney('12,50', 'USD')).toEqual({
      ok: false,
      message:
        '"12,50" is ambiguous: a comma separates thousands only in groups of three; use a point for decimals: 12.50',
    });
  });

  it("drops zeros past the currency's decimals, which changes nothing, but never rounds", () => {
    expect(readMoney('1500.0000', 'NZD')).toEqual({ ok: true, value: 150000n });
    expect(readMoney('640000.00', 'JPY')).toEqual({ ok: true, value: 640000n });
    expect(readMoney('12.345', 'USD')).toMatchObject({ ok: false });
  });

  it('reads a credit line as negative only where that is allowed', () => {
    expect(readMoney('-50.00', 'USD', { signed: true })).toEqual({ ok: true, value: -5000n });
    expect(readMoney('(50.00)', 'USD', { signed: true })).toEqual({ ok: true, value: -5000n });
    expect(readMoney('-50.00', 'USD')).toMatchObject({ ok: false, message: expect.stringContaining('negative') });
  });

  it('multiplies a quantity by a unit amount exactly, or not at all', () => {
    const quantity = (text: string) => {
      const read = readDecimal(text);
      if (!read.ok) throw new Error(read.message);
      return read.value;
    };
    expect(multiply(quantity('3.0000'), 85000n)).toBe(255000n);
    expect(multiply(quantity('1.5'), 1001n)).toBeUndefined();
  });
});

describe('a cell of text', () => {
  it('takes off the quote an export puts before a formula-like value, and the spaces around it', () => {
    expect(cellText("  '=SUM(A1)  ")).toBe('=SUM(A1)');
    expect(cellText("'-5 off")).toBe('-5 off');
    expect(cellText("O'Brien")).toBe("O'Brien");
    expect(cellText(undefined)).toBe('');
  });
});

describe('dates a file may hold', () => {
  it('refuses a year a person would not mean, and a date holding a control character', () => {
    expect(readDate('9999-12-31', undefined)).toEqual({
      ok: false,
      message: '9999-12-31 is not a plausible date: write a date between 1900 and 2199',
    });
    expect(readDate('01/01/0001', 'dmy').ok).toBe(false);
    expect(readDate('1 Jan 2200', undefined).ok).toBe(false);
    const nul = readDate('2026-09-01\u0000', undefined);
    expect(nul.ok).toBe(false);
    if (!nul.ok) expect(nul.message).toContain('U+0000');
    expect(readDate('1970-01-01', undefined)).toEqual({ ok: true, value: '1970-01-01' });
  });
});
