import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CURRENCY_CODES, CURRENCY_EXPONENTS, type CurrencyCode } from '../../src/domain/currencies.js';
import {
  currencyExponent,
  formatMoney,
  isCurrency,
  MAX_MAJOR_UNITS,
  MoneyError,
  type MoneyErrorCode,
  maxMinorUnits,
  parseMoney,
  sumMinor,
  toDecimalString,
} from '../../src/domain/money.js';
import { hiddenCharacterIn } from '../../src/domain/text.js';

/** "1234567.89" → "1,234,567.89", the way the tests expect people to write grouped amounts. */
function withCommas(decimal: string): string {
  const [intPart = '', frac] = decimal.split('.');
  const grouped = intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}

describe('the currency table', () => {
  it('lists the active ISO 4217 currencies, between 155 and 180 of them', () => {
    expect(CURRENCY_CODES.length).toBeGreaterThanOrEqual(155);
    expect(CURRENCY_CODES.length).toBeLessThanOrEqual(180);
    for (const code of CURRENCY_CODES) expect(code).toMatch(/^[A-Z]{3}$/);
  });

  it('gives the ISO exponent, including where Intl (CLDR) shows fewer digits', () => {
    expect({
      JPY: currencyExponent('JPY'),
      USD: currencyExponent('USD'),
      EUR: currencyExponent('EUR'),
      GBP: currencyExponent('GBP'),
      KWD: currencyExponent('KWD'),
      BHD: currencyExponent('BHD'),
      JOD: currencyExponent('JOD'),
      OMR: currencyExponent('OMR'),
      TND: currencyExponent('TND'),
      LYD: currencyExponent('LYD'),
      IQD: currencyExponent('IQD'),
      CLP: currencyExponent('CLP'),
      KRW: currencyExponent('KRW'),
      VND: currencyExponent('VND'),
      ISK: currencyExponent('ISK'),
      UGX: currencyExponent('UGX'),
      CLF: currencyExponent('CLF'),
      UYW: currencyExponent('UYW'),
      XAF: currencyExponent('XAF'),
      XOF: currencyExponent('XOF'),
      XPF: currencyExponent('XPF'),
      XCD: currencyExponent('XCD'),
      COP: currencyExponent('COP'),
      HUF: currencyExponent('HUF'),
      IDR: currencyExponent('IDR'),
    }).toEqual({
      JPY: 0,
      USD: 2,
      EUR: 2,
      GBP: 2,
      KWD: 3,
      BHD: 3,
      JOD: 3,
      OMR: 3,
      TND: 3,
      LYD: 3,
      IQD: 3,
      CLP: 0,
      KRW: 0,
      VND: 0,
      ISK: 0,
      UGX: 0,
      CLF: 4,
      UYW: 4,
      XAF: 0,
      XOF: 0,
      XPF: 0,
      XCD: 2,
      COP: 2,
      HUF: 2,
      IDR: 2,
    });
  });

  it('leaves out metals, testing and other codes without minor units', () => {
    for (const code of ['XAU', 'XAG', 'XPT', 'XPD', 'XTS', 'XXX', 'XDR', 'XSU', 'XUA', 'XBA', 'HRK', 'VEF']) {
      expect(isCurrency(code), code).toBe(false);
    }
  });

  it('accepts upper-case codes only, so callers upper-case what people type', () => {
    expect(isCurrency('USD')).toBe(true);
    expect(isCurrency('usd')).toBe(false);
    expect(currencyExponent('usd')).toBeUndefined();
  });

  it('does not mistake object properties for currencies', () => {
    expect(isCurrency('constructor')).toBe(false);
    expect(currencyExponent('toString')).toBeUndefined();
  });
});

describe('parseMoney', () => {
  it('reads yen as whole units, with or without the sign, code and commas', () => {
    expect(parseMoney('1000', 'JPY')).toEqual({ ok: true, minor: 1000n });
    expect(parseMoney('¥1,000', 'JPY')).toEqual({ ok: true, minor: 1000n });
    expect(parseMoney('JPY 1,234,567', 'JPY')).toEqual({ ok: true, minor: 1234567n });
    expect(parseMoney('2.5k', 'JPY')).toEqual({ ok: true, minor: 2500n });
  });

  it('reads dollars into cents', () => {
    expect(parseMoney('1,234.50', 'USD')).toEqual({ ok: true, minor: 123450n });
    expect(parseMoney('$12', 'USD')).toEqual({ ok: true, minor: 1200n });
    expect(parseMoney('0.5', 'USD')).toEqual({ ok: true, minor: 50n });
  });

  it('reads Kuwaiti dinar into fils, three decimals', () => {
    expect(parseMoney('1,234.567', 'KWD')).toEqual({ ok: true, minor: 1234567n });
    expect(parseMoney('KWD 12.5', 'KWD')).toEqual({ ok: true, minor: 12500n });
    expect(parseMoney('12', 'KWD')).toEqual({ ok: true, minor: 12000n });
  });

  it.each([
    ['  1,234.50  ', 'USD', 123450n],
    ['$1,234.50', 'USD', 123450n],
    ['$ 1,234.50', 'USD', 123450n],
    ['CA$1,234.50', 'CAD', 123450n],
    ['$1,234.50', 'CAD', 123450n],
    ['$99', 'AUD', 9900n],
    ['$99', 'NZD', 9900n],
    ['$99', 'SGD', 9900n],
    ['$99', 'HKD', 9900n],
    ['$99', 'MXN', 9900n],
    ['US$99', 'USD', 9900n],
    ['€1,234.50', 'EUR', 123450n],
    ['£1,234.50', 'GBP', 123450n],
    ['¥1,000', 'JPY', 1000n],
    ['¥1,000', 'CNY', 100000n],
    ['₹1,234.50', 'INR', 123450n],
    ['CHF 1,234.50', 'CHF', 123450n],
    ['USD 1,234.50', 'USD', 123450n],
    ['1234.50 usd', 'USD', 123450n],
    ['1234.50USD', 'USD', 123450n],
    ['$1,234.50 USD', 'USD', 123450n],
    ['1,234,567.89', 'USD', 123456789n],
    ['1234567.89', 'USD', 123456789n],
    ['1.2k', 'USD', 120000n],
    ['1.2K', 'USD', 120000n],
    ['2.5m', 'USD', 250000000n],
    ['2.5M', 'USD', 250000000n],
    ['1,500k', 'USD', 150000000n],
    ['1.2345k', 'USD', 123450n],
    ['1.23456k', 'USD', 123456n],
    ['0.0001k', 'USD', 10n],
    ['1.2k USD', 'USD', 120000n],
    ['0', 'USD', 0n],
    ['0.00', 'USD', 0n],
    ['0', 'JPY', 0n],
    ['1000000000000000', 'USD', 100000000000000000n],
    ['999,999,999,999,999.99', 'USD', 99999999999999999n],
    ['1.2345', 'CLF', 12345n],
  ] as const)('accepts %j in %s as %d minor units', (input, currency, minor) => {
    expect(parseMoney(input, currency)).toEqual({ ok: true, minor });
  });

  it.each<[string, string, MoneyErrorCode, string]>([
    ['', 'USD', 'MONEY_EMPTY', 'The amount is empty; write a number such as 1,234.50'],
    ['   ', 'JPY', 'MONEY_EMPTY', 'The amount is empty; write a number such as 1,234'],
    [
      '12',
      'usd',
      'MONEY_UNKNOWN_CURRENCY',
      '"usd" is not a currency code we know; use an upper-case ISO 4217 code such as USD, EUR or JPY',
    ],
    [
      '12',
      'XAU',
      'MONEY_UNKNOWN_CURRENCY',
      '"XAU" is not a currency code we know; use an upper-case ISO 4217 code such as USD, EUR or JPY',
    ],
    [
      '-12.50',
      'USD',
      'MONEY_NEGATIVE',
      '"-12.50" is negative; write the amount without a minus sign or brackets, e.g. 12.50',
    ],
    [
      '−12.50',
      'USD',
      'MONEY_NEGATIVE',
      '"−12.50" is negative; write the amount without a minus sign or brackets, e.g. 12.50',
    ],
    [
      '-$12.50',
      'USD',
      'MONEY_NEGATIVE',
      '"-$12.50" is negative; write the amount without a minus sign or brackets, e.g. $12.50',
    ],
    [
      '$-12.50',
      'USD',
      'MONEY_NEGATIVE',
      '"$-12.50" is negative; write the amount without a minus sign or brackets, e.g. $12.50',
    ],
    [
      'USD -12.50',
      'USD',
      'MONEY_NEGATIVE',
      '"USD -12.50" is negative; write the amount without a minus sign or brackets, e.g. USD 12.50',
    ],
    [
      '(12.50)',
      'USD',
      'MONEY_NEGATIVE',
      '"(12.50)" is negative; write the amount without a minus sign or brackets, e.g. 12.50',
    ],
    [
      '($1,234.50)',
      'USD',
      'MONEY_NEGATIVE',
      '"($1,234.50)" is negative; write the amount without a minus sign or brackets, e.g. $1,234.50',
    ],
    [
      '12,50',
      'USD',
      'MONEY_AMBIGUOUS_SEPARATOR',
      '"12,50" is ambiguous: a comma separates thousands only in groups of three; use a point for decimals: 12.50',
    ],
    [
      '12,34',
      'USD',
      'MONEY_AMBIGUOUS_SEPARATOR',
      '"12,34" is ambiguous: a comma separates thousands only in groups of three; use a point for decimals: 12.34',
    ],
    [
      '0,5',
      'EUR',
      'MONEY_AMBIGUOUS_SEPARATOR',
      '"0,5" is ambiguous: a comma separates thousands only in groups of three; use a point for decimals: 0.5',
    ],
    ['1,234,5', 'USD', 'MONEY_BAD_GROUPING', '"1,234,5" is not grouped in threes; write 12345 or 12,345'],
    ['1,23,456', 'INR', 'MONEY_BAD_GROUPING', '"1,23,456" is not grouped in threes; write 123456 or 123,456'],
    [
      '1234,567.50',
      'USD',
      'MONEY_BAD_GROUPING',
      '"1234,567.50" is not grouped in threes; write 1234567.50 or 1,234,567.50',
    ],
    ['12,50', 'JPY', 'MONEY_BAD_GROUPING', '"12,50" is not grouped in threes; write 1250 or 1,250'],
    ['1 234 567', 'USD', 'MONEY_BAD_GROUPING', '"1 234 567" groups thousands with spaces; write 1234567 or 1,234,567'],
    [
      "1'234.50",
      'CHF',
      'MONEY_BAD_GROUPING',
      '"1\'234.50" groups thousands with apostrophes; write 1234.50 or 1,234.50',
    ],
    [
      '12.345',
      'USD',
      'MONEY_TOO_MANY_DECIMALS',
      '"12.345" has 3 decimals but USD has 2; if the point separates thousands, write 12345 or 12,345',
    ],
    [
      '1.000',
      'JPY',
      'MONEY_TOO_MANY_DECIMALS',
      '"1.000" has 3 decimals but JPY has none; if the point separates thousands, write 1000 or 1,000',
    ],
    [
      '1000.5',
      'JPY',
      'MONEY_TOO_MANY_DECIMALS',
      '"1000.5" has 1 decimal but JPY has none; round it to a whole number: 1001',
    ],
    [
      '12.3456',
      'USD',
      'MONEY_TOO_MANY_DECIMALS',
      '"12.3456" has 4 decimals but USD has 2; round it to 2 decimals: 12.35',
    ],
    [
      '1,234.5678',
      'USD',
      'MONEY_TOO_MANY_DECIMALS',
      '"1,234.5678" has 4 decimals but USD has 2; round it to 2 decimals: 1,234.57',
    ],
    [
      '1.2345',
      'KWD',
      'MONEY_TOO_MANY_DECIMALS',
      '"1.2345" has 4 decimals but KWD has 3; round it to 3 decimals: 1.235',
    ],
    [
      '1.23456789k',
      'USD',
      'MONEY_TOO_MANY_DECIMALS',
      '"1.23456789k" is 1234.56789, which has 5 decimals but USD has 2; round it to 2 decimals: 1234.57',
    ],
    [
      '0.001',
      'USD',
      'MONEY_TOO_MANY_DECIMALS',
      '"0.001" has 3 decimals but USD has 2; the smallest USD amount is 0.01',
    ],
    [
      '1.234,50',
      'USD',
      'MONEY_MIXED_SEPARATORS',
      '"1.234,50" uses a point for thousands and a comma for decimals; write 1,234.50',
    ],
    [
      '€1.234.567,89',
      'EUR',
      'MONEY_MIXED_SEPARATORS',
      '"€1.234.567,89" uses a point for thousands and a comma for decimals; write 1,234,567.89',
    ],
    [
      '1.234.567',
      'USD',
      'MONEY_MIXED_SEPARATORS',
      '"1.234.567" uses points to group thousands; write 1234567 or 1,234,567',
    ],
    [
      '1.2,3',
      'USD',
      'MONEY_MIXED_SEPARATORS',
      '"1.2,3" mixes points and commas; write commas for thousands and a point for decimals, e.g. 1,234.50',
    ],
    [
      '€12.50',
      'USD',
      'MONEY_CURRENCY_MISMATCH',
      '"€12.50" is marked €, which is not USD; write the amount in USD without it, e.g. 12.50',
    ],
    [
      '$12.50',
      'EUR',
      'MONEY_CURRENCY_MISMATCH',
      '"$12.50" is marked $, which is not EUR; write the amount in EUR without it, e.g. 12.50',
    ],
    [
      'EUR 12.50',
      'USD',
      'MONEY_CURRENCY_MISMATCH',
      '"EUR 12.50" is marked EUR, which is not USD; write the amount in USD without it, e.g. 12.50',
    ],
    [
      '12.50 gbp',
      'USD',
      'MONEY_CURRENCY_MISMATCH',
      '"12.50 gbp" is marked GBP, which is not USD; write the amount in USD without it, e.g. 12.50',
    ],
    [
      'US$12',
      'CAD',
      'MONEY_CURRENCY_MISMATCH',
      '"US$12" is marked US$, which is not CAD; write the amount in CAD without it, e.g. 12',
    ],
    ['abc', 'USD', 'MONEY_NOT_A_NUMBER', '"abc" is not an amount; write a number such as 1,234.50'],
    ['12x', 'USD', 'MONEY_NOT_A_NUMBER', '"12x" is not an amount; write a number such as 1,234.50'],
    ['+12', 'USD', 'MONEY_NOT_A_NUMBER', '"+12" is not an amount; write a number such as 1,234.50'],
    ['$', 'USD', 'MONEY_NOT_A_NUMBER', '"$" is not an amount; write a number such as 1,234.50'],
    ['NaN', 'USD', 'MONEY_NOT_A_NUMBER', '"NaN" is not an amount; write a number such as 1,234.50'],
    ['Infinity', 'USD', 'MONEY_NOT_A_NUMBER', '"Infinity" is not an amount; write a number such as 1,234.50'],
    ['-Infinity', 'USD', 'MONEY_NOT_A_NUMBER', '"-Infinity" is not an amount; write a number such as 1,234.50'],
    ['$NaN', 'USD', 'MONEY_NOT_A_NUMBER', '"$NaN" is not an amount; write a number such as 1,234.50'],
    ['12 bucks', 'USD', 'MONEY_NOT_A_NUMBER', '"12 bucks" is not an amount; write a number such as 1,234.50'],
    [
      'XYZ 12',
      'USD',
      'MONEY_NOT_A_NUMBER',
      '"XYZ 12" contains XYZ, which is not a currency code; write just the amount, e.g. 12',
    ],
    [
      '12 mil',
      'USD',
      'MONEY_NOT_A_NUMBER',
      '"12 mil" contains mil, which is not a currency code; write just the amount, e.g. 12',
    ],
    ['.5', 'USD', 'MONEY_NOT_A_NUMBER', '".5" needs a digit before the point; write 0.5'],
    ['5.', 'USD', 'MONEY_NOT_A_NUMBER', '"5." ends with a point; write 5'],
    ['1.2.3', 'USD', 'MONEY_NOT_A_NUMBER', '"1.2.3" has more than one point; write a number such as 1,234.50'],
    ['1e6', 'USD', 'MONEY_SCIENTIFIC_NOTATION', '"1e6" is scientific notation; write the number out in full: 1000000'],
    ['1.5E3', 'USD', 'MONEY_SCIENTIFIC_NOTATION', '"1.5E3" is scientific notation; write the number out in full: 1500'],
    ['5e-3', 'KWD', 'MONEY_SCIENTIFIC_NOTATION', '"5e-3" is scientific notation; write the number out in full: 0.005'],
    [
      '1000000000000000.01',
      'USD',
      'MONEY_TOO_LARGE',
      '"1000000000000000.01" is more than 1,000,000,000,000,000 USD, the largest amount allowed; check for extra digits',
    ],
  ])('rejects %j in %s with %s', (input, currency, code, message) => {
    expect(parseMoney(input, currency)).toEqual({ ok: false, code, message });
  });

  it('cuts a long paste short when quoting it back', () => {
    const result = parseMoney(`12${'x'.repeat(60)}`, 'USD');
    expect(result).toEqual({
      ok: false,
      code: 'MONEY_NOT_A_NUMBER',
      message: `"12${'x'.repeat(37)}…" is not an amount; write a number such as 1,234.50`,
    });
  });

  it('refuses to read more than 100 characters', () => {
    expect(parseMoney('1'.repeat(101), 'USD')).toEqual({
      ok: false,
      code: 'MONEY_NOT_A_NUMBER',
      message: `"${'1'.repeat(39)}…" is too long to be an amount; write a number such as 1,234.50`,
    });
  });

  it('caps 4-decimal currencies at 10^18 minor units so they still fit a PostgreSQL bigint', () => {
    expect(maxMinorUnits('CLF')).toBe(10n ** 18n);
    expect(parseMoney('100,000,000,000,000', 'CLF')).toEqual({ ok: true, minor: 10n ** 18n });
    expect(parseMoney('100000000000000.0001', 'CLF')).toMatchObject({ ok: false, code: 'MONEY_TOO_LARGE' });
    expect(maxMinorUnits('USD')).toBe(MAX_MAJOR_UNITS * 100n);
  });
});

describe('formatMoney', () => {
  it('shows dollars with a symbol, grouping and two decimals', () => {
    expect(formatMoney(123450n, 'USD')).toBe('$1,234.50');
    expect(formatMoney(5n, 'USD')).toBe('$0.05');
    expect(formatMoney(0n, 'USD')).toBe('$0.00');
  });

  it('shows yen without decimals', () => {
    expect(formatMoney(1000n, 'JPY')).toBe('¥1,000');
  });

  it('shows Kuwaiti dinar with its code and three decimals', () => {
    expect(formatMoney(1234567n, 'KWD')).toBe('KWD\u00a01,234.567');
  });

  it('shows euros in English and in German', () => {
    expect(formatMoney(123450n, 'EUR')).toBe('€1,234.50');
    expect(formatMoney(123450n, 'EUR', 'de-DE')).toBe('1.234,50\u00a0€');
  });

  it('uses the ISO decimals even where Intl would show fewer', () => {
    expect(formatMoney(1234567n, 'IQD')).toBe('IQD\u00a01,234.567');
    expect(formatMoney(123450n, 'COP')).toBe('COP\u00a01,234.50');
  });

  it('shows negative amounts with a minus sign', () => {
    expect(formatMoney(-123450n, 'USD')).toBe('-$1,234.50');
    expect(formatMoney(-1n, 'KWD')).toBe('-KWD\u00a00.001');
  });

  it('shows very large amounts exactly, with no float rounding', () => {
    expect(formatMoney(99999999999999999n, 'USD')).toBe('$999,999,999,999,999.99');
    expect(formatMoney(1234567890123456n, 'USD')).toBe('$12,345,678,901,234.56');
    expect(formatMoney(9007199254740993n, 'JPY')).toBe('¥9,007,199,254,740,993');
  });

  it('throws a MoneyError for a currency that is not in the table', () => {
    expect(() => formatMoney(1n, 'usd')).toThrow(MoneyError);
    expect(() => formatMoney(1n, 'XAU')).toThrow(
      expect.objectContaining({ code: 'MONEY_UNKNOWN_CURRENCY', name: 'MoneyError' }),
    );
  });
});

describe('toDecimalString', () => {
  it('writes plain decimals for forms and CSV, without grouping or symbol', () => {
    expect(toDecimalString(123450n, 'USD')).toBe('1234.50');
    expect(toDecimalString(5n, 'USD')).toBe('0.05');
    expect(toDecimalString(-5n, 'USD')).toBe('-0.05');
    expect(toDecimalString(1000n, 'JPY')).toBe('1000');
    expect(toDecimalString(1n, 'KWD')).toBe('0.001');
    expect(toDecimalString(0n, 'CLF')).toBe('0.0000');
  });

  it('throws a MoneyError for a currency that is not in the table', () => {
    expect(() => toDecimalString(1n, 'ABC')).toThrow(expect.objectContaining({ code: 'MONEY_UNKNOWN_CURRENCY' }));
  });
});

describe('sumMinor', () => {
  it('adds amounts exactly, past the range of a float', () => {
    expect(sumMinor([])).toBe(0n);
    expect(sumMinor([10n, 20n, -5n])).toBe(25n);
    expect(sumMinor([9007199254740993n, 1n])).toBe(9007199254740994n);
  });
});

describe('money properties', () => {
  const examples: readonly CurrencyCode[] = ['JPY', 'USD', 'KWD'];

  for (const currency of examples) {
    const max = MAX_MAJOR_UNITS * 10n ** BigInt(CURRENCY_EXPONENTS[currency]);

    it(`reads back every ${currency} amount written by toDecimalString, plain and with commas`, () => {
      fc.assert(
        fc.property(fc.bigInt({ min: 0n, max }), (minor) => {
          const decimal = toDecimalString(minor, currency);
          expect(parseMoney(decimal, currency)).toEqual({ ok: true, minor });
          expect(parseMoney(withCommas(decimal), currency)).toEqual({ ok: true, minor });
        }),
      );
    });
  }

  it('reads back what formatMoney shows in English, for every currency', () => {
    const amounts = fc
      .constantFrom(...CURRENCY_CODES)
      .chain((currency) => fc.tuple(fc.constant(currency), fc.bigInt({ min: 0n, max: maxMinorUnits(currency) })));
    fc.assert(
      fc.property(amounts, ([currency, minor]) => {
        expect(parseMoney(formatMoney(minor, currency), currency)).toEqual({ ok: true, minor });
      }),
      { numRuns: 500 },
    );
  });

  it('never rounds: an accepted amount is the exact value typed, and finer fractions are rejected', () => {
    const digits = (minLength: number, maxLength: number) =>
      fc.string({ unit: fc.constantFrom(...'0123456789'), minLength, maxLength });
    const typed = fc.record({
      intPart: digits(1, 8),
      fracPart: digits(0, 9),
      multiplier: fc.constantFrom('', 'k', 'm'),
      currency: fc.constantFrom<CurrencyCode>('JPY', 'USD', 'KWD', 'CLF'),
    });
    fc.assert(
      fc.property(typed, ({ intPart, fracPart, multiplier, currency }) => {
        const input = fracPart === '' ? `${intPart}${multiplier}` : `${intPart}.${fracPart}${multiplier}`;
        const exp = CURRENCY_EXPONENTS[currency];
        const shift = multiplier === '' ? 0 : multiplier === 'k' ? 3 : 6;
        const finerThanAllowed = fracPart.length - shift > exp;
        const result = parseMoney(input, currency);
        if (finerThanAllowed) {
          expect(result).toMatchObject({ ok: false, code: 'MONEY_TOO_MANY_DECIMALS' });
          return;
        }
        // value typed = digits / 10^fracLen * 10^shift, so minor * 10^fracLen must equal digits * 10^(shift + exp).
        expect(result.ok).toBe(true);
        if (result.ok) {
          expect(result.minor * 10n ** BigInt(fracPart.length)).toBe(
            BigInt(intPart + fracPart) * 10n ** BigInt(shift + exp),
          );
        }
      }),
    );
  });

  it('never throws on arbitrary text, and anything it accepts is within range', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.constantFrom(...CURRENCY_CODES), (input, currency) => {
        const result = parseMoney(input, currency);
        if (result.ok) {
          expect(result.minor >= 0n && result.minor <= maxMinorUnits(currency)).toBe(true);
        } else {
          expect(result.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('odd characters in an amount', () => {
  it('refuses a NUL, a control character, a bidi override or a zero-width space, naming it', () => {
    for (const [typed, shown] of [
      ['12\u0000', 'U+0000'],
      ['1\u001b2', 'U+001B'],
      ['\u202E12.50', 'U+202E'],
      ['1\u200B000', 'U+200B'],
      ['12\u0085', 'U+0085'],
    ] as const) {
      const parsed = parseMoney(typed, 'USD');
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) {
        expect(parsed.code).toBe('MONEY_NOT_A_NUMBER');
        expect(parsed.message).toContain(shown);
        expect(hiddenCharacterIn(parsed.message)).toBeNull();
      }
    }
  });
});
