import { describe, expect, it } from 'vitest';
import { decimalToMinor, msDateToLocalDate, parseJsonExact, parseMsDate } from '../../src/books/values.js';

describe('reading what a ledger sends', () => {
  it('keeps every JSON number as the decimal text it was sent as', () => {
    expect(parseJsonExact('{"Total": 46.00, "A": [0.1, -2, 1e3], "S": "1.5 \\" 2", "B": true, "N": null}')).toEqual({
      Total: '46.00',
      A: ['0.1', '-2', '1e3'],
      S: '1.5 " 2',
      B: true,
      N: null,
    });
  });

  it('turns 0.1 + 0.2 style amounts into exact minor units', () => {
    expect(decimalToMinor('0.30', 'USD')).toBe(30n);
    expect(decimalToMinor('1234567890123.45', 'USD')).toBe(123456789012345n);
  });

  it('reads JPY with no decimals and KWD with three', () => {
    expect(decimalToMinor('150000', 'JPY')).toBe(150000n);
    expect(decimalToMinor('150000.00', 'JPY')).toBe(150000n);
    expect(decimalToMinor('12.345', 'KWD')).toBe(12345n);
    expect(decimalToMinor('12.3', 'KWD')).toBe(12300n);
  });

  it('refuses a fraction the currency cannot hold, a negative amount and an exponent', () => {
    expect(() => decimalToMinor('100.5', 'JPY')).toThrow(/more decimals than JPY has \(0\)/);
    expect(() => decimalToMinor('1.001', 'USD')).toThrow(/more decimals/);
    expect(() => decimalToMinor('-5', 'USD')).toThrow(/not a plain non-negative decimal/);
    expect(() => decimalToMinor('1e3', 'USD')).toThrow(/not a plain/);
    expect(() => decimalToMinor('5', 'XYZ')).toThrow(/not an ISO 4217/);
  });

  it("reads Xero's /Date(…)/ instants and dates", () => {
    expect(parseMsDate('/Date(1541176290160+0000)/')?.toISOString()).toBe('2018-11-02T16:31:30.160Z');
    expect(msDateToLocalDate('/Date(1539993600000+0000)/')).toBe('2018-10-20');
    expect(parseMsDate('2018-10-20')).toBeUndefined();
  });
});
