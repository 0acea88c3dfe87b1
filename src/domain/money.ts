// Money as integer minor units (bigint): reading amounts people type, and writing them back for display.
//
// parseMoney(input, currency) — the accepted grammar, in order from left to right:
//
//   1. Surrounding whitespace is ignored.
//   2. An optional ISO 4217 code, matched case-insensitively ("USD 1,234.50", "usd 12"). A different known code
//      ("EUR 12" when the currency is USD) is MONEY_CURRENCY_MISMATCH.
//   3. An optional currency symbol that belongs to the currency: "$" for any dollar or peso currency (USD, CAD,
//      AUD, NZD, SGD, HKD, MXN, …), qualified dollars ("US$", "CA$", "A$", "NZ$", "HK$", "MX$", "NT$", "EC$",
//      "S$"), "€" EUR, "£" for the pounds (GBP, GIP, FKP, SHP, EGP, SSP, SYP, LBP), "¥"/"￥" JPY and CNY, "CN¥"
//      CNY, "₹" INR, "Rs"/"Rs." for the rupees, and the other signs in SYMBOLS below. A symbol of another
//      currency ("€12" for USD) is MONEY_CURRENCY_MISMATCH. Whitespace may follow the code or symbol.
//   4. Digits, either plain ("1234567") or with comma thousands separators in groups of three ("1,234,567";
//      the first group is 1–3 digits and does not start with 0).
//   5. Optionally a point and decimals: at least one digit on each side of the point, and no more decimals
//      than the currency's ISO exponent (USD 2, JPY 0 so no point at all, KWD 3, CLF 4).
//   6. An optional multiplier right after the digits: k / K (thousand) or m / M (million). The multiplied
//      value must still fit the currency's decimals exactly: "1.2345k" USD = 1234.50, "0.0001k" USD = 0.10,
//      "1.23456789k" USD is MONEY_TOO_MANY_DECIMALS. Nothing is ever rounded.
//   7. An optional ISO code suffix ("1234.50 usd", "1.2k USD"), only when there was no code prefix.
//
// Input longer than 100 characters (after trimming) is rejected as MONEY_NOT_A_NUMBER without being read.
// Zero ("0", "0.00") parses to 0n: whether zero is allowed is the caller's decision.
// The result is at most 10^15 major units (MONEY_TOO_LARGE beyond that), and never more than 10^18 minor
// units, so every amount fits a PostgreSQL bigint (for the 4-decimal CLF and UYW the 10^18 cap applies first:
// 10^14 major units).
//
// Everything else is rejected with its own code and a one-sentence message that quotes the input and says
// what to write instead: empty input (MONEY_EMPTY); a minus sign or accounting parentheses (MONEY_NEGATIVE); a
// comma that can only be a decimal comma, "12,50" (MONEY_AMBIGUOUS_SEPARATOR); commas not in groups of three,
// "1,234,5", "1,23,456", or spaces/apostrophes as thousands separators (MONEY_BAD_GROUPING); more decimals
// than the currency has, "12.345" in USD (MONEY_TOO_MANY_DECIMALS); European separators, "1.234,50" or
// "1.234.567" (MONEY_MIXED_SEPARATORS); "1e6" (MONEY_SCIENTIFIC_NOTATION); letters, NaN, Infinity, a plus sign
// or anything else (MONEY_NOT_A_NUMBER); a currency that is not in the ISO table (MONEY_UNKNOWN_CURRENCY).
//
// Currency codes passed in by callers are upper-case ISO 4217 codes ('USD'); 'usd' is not accepted, so callers
// upper-case user input before passing it. Arithmetic is on strings and bigint only: no amount ever passes
// through a JS number.

import { CURRENCY_EXPONENTS, type CurrencyCode } from './currencies.js';
import { hiddenCharacterIn } from './text.js';

export type MoneyErrorCode =
  | 'MONEY_EMPTY'
  | 'MONEY_UNKNOWN_CURRENCY'
  | 'MONEY_NOT_A_NUMBER'
  | 'MONEY_NEGATIVE'
  | 'MONEY_SCIENTIFIC_NOTATION'
  | 'MONEY_TOO_MANY_DECIMALS'
  | 'MONEY_AMBIGUOUS_SEPARATOR'
  | 'MONEY_BAD_GROUPING'
  | 'MONEY_MIXED_SEPARATORS'
  | 'MONEY_CURRENCY_MISMATCH'
  | 'MONEY_TOO_LARGE';

export type ParseMoneyResult = { ok: true; minor: bigint } | { ok: false; code: MoneyErrorCode; message: string };

/** Thrown only for programmer errors, such as formatting an amount in a currency that is not in the table. */
export class MoneyError extends Error {
  readonly code: MoneyErrorCode;

  constructor(code: MoneyErrorCode, message: string) {
    super(message);
    this.name = 'MoneyError';
    this.code = code;
  }
}

/** The largest amount parseMoney accepts, in major units. */
export const MAX_MAJOR_UNITS = 10n ** 15n;

// PostgreSQL bigint tops out at 9.2 × 10^18; 10^18 keeps sums of a few amounts in range too.
const MAX_MINOR_UNITS = 10n ** 18n;

/** Digits after the decimal point for an upper-case ISO 4217 code, or undefined if the code is not in the table. */
export function currencyExponent(code: string): number | undefined {
  return isCurrency(code) ? CURRENCY_EXPONENTS[code] : undefined;
}

/** Whether `code` is an active ISO 4217 code. Upper case only: callers upper-case user input first. */
export function isCurrency(code: string): code is CurrencyCode {
  return Object.hasOwn(CURRENCY_EXPONENTS, code);
}

/** The largest amount parseMoney accepts for `currency`, in minor units. */
export function maxMinorUnits(currency: CurrencyCode): bigint {
  const max = MAX_MAJOR_UNITS * 10n ** BigInt(CURRENCY_EXPONENTS[currency]);
  return max < MAX_MINOR_UNITS ? max : MAX_MINOR_UNITS;
}

const DOLLARS_AND_PESOS: readonly CurrencyCode[] = [
  'USD',
  'USN',
  'CAD',
  'AUD',
  'NZD',
  'SGD',
  'HKD',
  'TWD',
  'XCD',
  'BSD',
  'BBD',
  'BZD',
  'BMD',
  'BND',
  'KYD',
  'FJD',
  'GYD',
  'JMD',
  'LRD',
  'NAD',
  'SBD',
  'SRD',
  'TTD',
  'MXN',
  'ARS',
  'CLP',
  'COP',
  'CUP',
  'CUC',
  'DOP',
  'UYU',
];
const POUNDS: readonly CurrencyCode[] = ['GBP', 'GIP', 'FKP', 'SHP', 'EGP', 'SSP', 'SYP', 'LBP'];
const RUPEES: readonly CurrencyCode[] = ['INR', 'PKR', 'LKR', 'NPR', 'MUR', 'SCR'];

// Symbols a person may put before an amount, and the currencies each may stand for. Includes every symbol
// Intl.NumberFormat('en-US') prints, so formatMoney's output parses back.
const SYMBOLS: readonly (readonly [symbol: string, currencies: readonly CurrencyCode[]])[] = (
  [
    ['$', DOLLARS_AND_PESOS],
    ['US$', ['USD']],
    ['CA$', ['CAD']],
    ['A$', ['AUD']],
    ['AU$', ['AUD']],
    ['NZ$', ['NZD']],
    ['S$', ['SGD']],
    ['HK$', ['HKD']],
    ['MX$', ['MXN']],
    ['NT$', ['TWD']],
    ['EC$', ['XCD']],
    ['R$', ['BRL']],
    ['€', ['EUR']],
    ['£', POUNDS],
    ['¥', ['JPY', 'CNY']],
    ['￥', ['JPY', 'CNY']],
    ['CN¥', ['CNY']],
    ['₹', ['INR']],
    ['Rs', RUPEES],
    ['Rs.', RUPEES],
    ['₩', ['KRW', 'KPW']],
    ['₽', ['RUB']],
    ['₺', ['TRY']],
    ['₪', ['ILS']],
    ['₫', ['VND']],
    ['₱', ['PHP']],
    ['฿', ['THB']],
    ['₴', ['UAH']],
    ['₦', ['NGN']],
    ['₡', ['CRC']],
    ['₸', ['KZT']],
    ['₮', ['MNT']],
    ['₲', ['PYG']],
    ['₭', ['LAK']],
    ['₵', ['GHS']],
    ['₼', ['AZN']],
    ['₾', ['GEL']],
    ['R', ['ZAR']],
    ['RM', ['MYR']],
    ['Rp', ['IDR']],
    ['FCFA', ['XAF']],
    ['F CFA', ['XOF']],
    ['CFPF', ['XPF']],
    ['Cg.', ['XCG']],
  ] as const
)
  .slice()
  // Longest first, so "US$" wins over "$" and "Rs." over "Rs" and "R".
  .sort((a, b) => b[0].length - a[0].length);

type Fail = Extract<ParseMoneyResult, { ok: false }>;

function fail(code: MoneyErrorCode, message: string): Fail {
  return { ok: false, code, message };
}

/** The input as quoted back in messages: long pastes are cut so the sentence stays readable. */
function quote(typed: string): string {
  return typed.length > 40 ? `"${typed.slice(0, 39)}…"` : `"${typed}"`;
}

/** A well-formed example amount for a currency with `exp` decimals: 1,234 / 1,234.50 / 1,234.500. */
function example(exp: number): string {
  return exp === 0 ? '1,234' : `1,234.${'5'.padEnd(exp, '0')}`;
}

function decimals(n: number): string {
  return n === 1 ? '1 decimal' : `${n} decimals`;
}

function group(intDigits: string): string {
  return intDigits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function stripLeadingZeros(intDigits: string): string {
  return intDigits.replace(/^0+(?=\d)/, '');
}

/** "write 12345 or 12,345", or just "write 12" when grouping changes nothing. */
function writeEither(intDigits: string, rest: string): string {
  const plain = `${stripLeadingZeros(intDigits)}${rest}`;
  const grouped = `${group(stripLeadingZeros(intDigits))}${rest}`;
  return plain === grouped ? `write ${plain}` : `write ${plain} or ${grouped}`;
}

/** Plain decimal text of `units` scaled by 10^-scale: (123456n, 2) → "1234.56". */
function scaled(units: bigint, scale: number, grouped: boolean): string {
  const digits = units.toString().padStart(scale + 1, '0');
  const intPart = digits.slice(0, digits.length - scale);
  const text = grouped ? group(intPart) : intPart;
  return scale === 0 ? text : `${text}.${digits.slice(digits.length - scale)}`;
}

function isMinus(ch: string | undefined): boolean {
  return ch === '-' || ch === '\u2212' || ch === '\u2013';
}

/** Accounting parentheses or a minus sign at the start of what is left to read. */
function negative(rest: string, typed: string, exp: number): Fail | undefined {
  const parens = rest.startsWith('(') && rest.endsWith(')');
  if (!parens && !isMinus(rest[0])) return undefined;
  const positive = parens ? typed.replace('(', '').replace(/\)$/, '').trim() : typed.replace(/[-\u2212\u2013]\s*/, '');
  const instead = /\d/.test(positive) ? positive : example(exp);
  return fail(
    'MONEY_NEGATIVE',
    `${quote(typed)} is negative; write the amount without a minus sign or brackets, e.g. ${instead}`,
  );
}

/** What is left of the input if it looks like a number, else a generic example, for "e.g." in messages. */
function plausible(amount: string, exp: number): string {
  return /^\d[\d.,]*[kKmM]?$/.test(amount) ? amount : example(exp);
}

function mismatch(typed: string, marker: string, currency: string, amount: string, exp: number): Fail {
  return fail(
    'MONEY_CURRENCY_MISMATCH',
    `${quote(typed)} is marked ${marker}, which is not ${currency}; write the amount in ${currency} without it, e.g. ${plausible(amount, exp)}`,
  );
}

/** What to do with three letters found before or after the amount. */
function checkCode(letters: string, typed: string, currency: string, amount: string, exp: number): Fail | undefined {
  const code = letters.toUpperCase();
  if (code === currency) return undefined;
  if (isCurrency(code)) return mismatch(typed, code, currency, amount, exp);
  return fail(
    'MONEY_NOT_A_NUMBER',
    `${quote(typed)} contains ${letters}, which is not a currency code; write just the amount, e.g. ${plausible(amount, exp)}`,
  );
}

// The longest real amount ("CLF 100,000,000,000,000.0000" and the like) is far shorter; the cap keeps the
// grouping regexes used for suggestions cheap on pasted junk.
const MAX_INPUT_LENGTH = 100;
const NOT_A_NUMBER_WORDS = /^[+-]?(?:nan|inf|infinity|∞)$/i;
const CODE_PREFIX = /^([A-Za-z]{3})(?![A-Za-z])\s*/;
const CODE_SUFFIX = /(?<![A-Za-z])([A-Za-z]{3})$/;
const SCIENTIFIC = /^(\d+)(?:\.(\d+))?[eE]([+-]?\d+)$/;
const OTHER_GROUPING = /^(\d{1,3}(?:([ \u00A0\u202F'’_])\d{3})+)(?:[.,](\d+))?$/;
const COMMA_GROUPED = /^[1-9]\d{0,2}(?:,\d{3})+$/;
const EUROPEAN = /^(\d{1,3}(?:\.\d{3})+)(?:,(\d+))?$/;

const GROUPING_NAMES: Record<string, string> = {
  ' ': 'spaces',
  '\u00A0': 'spaces',
  '\u202F': 'spaces',
  "'": 'apostrophes',
  '’': 'apostrophes',
  _: 'underscores',
};

/** "1.5e3" → "1500", "5e-3" → "0.005": the number written out, for the message. */
function expandScientific(intPart: string, fracPart: string, exponent: number): string {
  const digits = intPart + fracPart;
  const point = intPart.length + exponent;
  let whole: string;
  let frac: string;
  if (point <= 0) {
    whole = '0';
    frac = '0'.repeat(-point) + digits;
  } else if (point >= digits.length) {
    whole = digits + '0'.repeat(point - digits.length);
    frac = '';
  } else {
    whole = digits.slice(0, point);
    frac = digits.slice(point);
  }
  whole = stripLeadingZeros(whole);
  frac = frac.replace(/0+$/, '');
  return frac === '' ? whole : `${whole}.${frac}`;
}

/**
 * Reads an amount a person typed into integer minor units of `currency` (an upper-case ISO 4217 code).
 * The accepted forms are listed at the top of this file; anything else returns a code and a message to show.
 */
export function parseMoney(input: string, currency: string): ParseMoneyResult {
  const exp = currencyExponent(currency);
  if (exp === undefined) {
    return fail(
      'MONEY_UNKNOWN_CURRENCY',
      `"${currency}" is not a currency code we know; use an upper-case ISO 4217 code such as USD, EUR or JPY`,
    );
  }
  const typed = input.trim();
  const hidden = hiddenCharacterIn(typed);
  if (hidden) {
    return fail(
      'MONEY_NOT_A_NUMBER',
      `The amount holds a control or invisible character (${hidden}); write a number such as ${example(exp)}`,
    );
  }
  const q = quote(typed);
  if (typed === '') return fail('MONEY_EMPTY', `The amount is empty; write a number such as ${example(exp)}`);
  if (typed.length > MAX_INPUT_LENGTH) {
    return fail('MONEY_NOT_A_NUMBER', `${q} is too long to be an amount; write a number such as ${example(exp)}`);
  }
  if (NOT_A_NUMBER_WORDS.test(typed)) {
    return fail('MONEY_NOT_A_NUMBER', `${q} is not an amount; write a number such as ${example(exp)}`);
  }

  let rest = typed;
  let problem = negative(rest, typed, exp);
  if (problem) return problem;

  const prefix = CODE_PREFIX.exec(rest);
  const prefixCode = prefix?.[1];
  if (prefix && prefixCode !== undefined && prefix[0].length < rest.length) {
    rest = rest.slice(prefix[0].length);
    problem = checkCode(prefixCode, typed, currency, rest, exp) ?? negative(rest, typed, exp);
    if (problem) return problem;
  }

  // Intl writes "F CFA" with a narrow no-break space; each replacement keeps the length, so slicing still lines up.
  const spaced = rest.replace(/[\u00a0\u202f]/g, ' ');
  const symbol = SYMBOLS.find(([sign]) => spaced.startsWith(sign));
  if (symbol) {
    rest = rest.slice(symbol[0].length).trimStart();
    if (!symbol[1].includes(currency as CurrencyCode)) return mismatch(typed, symbol[0], currency, rest, exp);
    problem = negative(rest, typed, exp);
    if (problem) return problem;
  }

  if (NOT_A_NUMBER_WORDS.test(rest)) {
    return fail('MONEY_NOT_A_NUMBER', `${q} is not an amount; write a number such as ${example(exp)}`);
  }
  const suffixCode = prefixCode === undefined ? CODE_SUFFIX.exec(rest)?.[1] : undefined;
  if (suffixCode !== undefined) {
    rest = rest.slice(0, rest.length - 3).trimEnd();
    problem = checkCode(suffixCode, typed, currency, rest, exp);
    if (problem) return problem;
  }

  return parseNumber(rest, typed, currency, exp);
}

/** The number itself, once any code and symbol are gone: digits, commas, a point and a multiplier. */
function parseNumber(text: string, typed: string, currency: string, exp: number): ParseMoneyResult {
  const q = quote(typed);
  const notANumber = fail('MONEY_NOT_A_NUMBER', `${q} is not an amount; write a number such as ${example(exp)}`);
  if (!/\d/.test(text) || NOT_A_NUMBER_WORDS.test(text)) return notANumber;

  const multiplier = /^(.*\d)([kKmM])$/.exec(text);
  const body = multiplier?.[1] ?? text;
  const letter = multiplier?.[2] ?? '';
  const shift = letter === '' ? 0 : letter === 'k' || letter === 'K' ? 3 : 6;

  const scientific = SCIENTIFIC.exec(body);
  if (scientific) {
    const [, intPart = '', fracPart = '', exponent = '0'] = scientific;
    const power = Number(exponent); // an exponent, never an amount
    const hint = Math.abs(power) <= 30 ? `: ${expandScientific(intPart, fracPart, power)}` : '';
    return fail('MONEY_SCIENTIFIC_NOTATION', `${q} is scientific notation; write the number out in full${hint}`);
  }

  const other = OTHER_GROUPING.exec(body);
  if (other) {
    const [, grouped = '', separator = ' ', frac] = other;
    const digits = grouped.replace(/\D/g, '');
    const name = GROUPING_NAMES[separator] ?? 'spaces';
    return fail(
      'MONEY_BAD_GROUPING',
      `${q} groups thousands with ${name}; ${writeEither(digits, `${frac === undefined ? '' : `.${frac}`}${letter}`)}`,
    );
  }

  if (!/^[\d.,]+$/.test(body)) return notANumber;

  const points = body.split('.').length - 1;
  const commas = body.split(',').length - 1;
  const firstPoint = body.indexOf('.');

  if (points > 0 && body.lastIndexOf(',') > firstPoint) {
    const european = EUROPEAN.exec(body);
    if (european) {
      const [, grouped = '', frac = ''] = european;
      const intDigits = stripLeadingZeros(grouped.replaceAll('.', ''));
      return fail(
        'MONEY_MIXED_SEPARATORS',
        `${q} uses a point for thousands and a comma for decimals; write ${group(intDigits)}.${frac}${letter}`,
      );
    }
    return fail(
      'MONEY_MIXED_SEPARATORS',
      `${q} mixes points and commas; write commas for thousands and a point for decimals, e.g. ${example(exp)}`,
    );
  }

  if (points > 1) {
    const european = commas === 0 ? EUROPEAN.exec(body) : null;
    if (european) {
      return fail(
        'MONEY_MIXED_SEPARATORS',
        `${q} uses points to group thousands; ${writeEither(body.replaceAll('.', ''), letter)}`,
      );
    }
    return fail('MONEY_NOT_A_NUMBER', `${q} has more than one point; write a number such as ${example(exp)}`);
  }

  const [intRaw = '', fracRaw = ''] = body.split('.');
  if (points === 1 && intRaw === '') {
    return fail('MONEY_NOT_A_NUMBER', `${q} needs a digit before the point; write 0${body}${letter}`);
  }
  if (points === 1 && fracRaw === '') {
    return fail('MONEY_NOT_A_NUMBER', `${q} ends with a point; write ${intRaw}${letter}`);
  }

  let intDigits = intRaw;
  if (commas > 0) {
    if (!COMMA_GROUPED.test(intRaw)) {
      const afterComma = intRaw.length - intRaw.lastIndexOf(',') - 1;
      if (points === 0 && commas === 1 && afterComma >= 1 && afterComma <= exp) {
        const asDecimal = `${intRaw.startsWith(',') ? '0' : ''}${intRaw.replace(',', '.')}${letter}`;
        return fail(
          'MONEY_AMBIGUOUS_SEPARATOR',
          `${q} is ambiguous: a comma separates thousands only in groups of three; use a point for decimals: ${asDecimal}`,
        );
      }
      const rest = `${points === 1 ? `.${fracRaw}` : ''}${letter}`;
      return fail(
        'MONEY_BAD_GROUPING',
        `${q} is not grouped in threes; ${writeEither(intRaw.replaceAll(',', ''), rest)}`,
      );
    }
    intDigits = intRaw.replaceAll(',', '');
  }

  const fracLen = fracRaw.length;
  const units = BigInt(intDigits + fracRaw);
  if (fracLen - shift > exp) {
    const has = `${currency} has ${exp === 0 ? 'none' : exp}`;
    if (shift === 0 && fracLen === 3 && /^[1-9]\d{0,2}$/.test(intRaw)) {
      return fail(
        'MONEY_TOO_MANY_DECIMALS',
        `${q} has 3 decimals but ${has}; if the point separates thousands, ${writeEither(intRaw + fracRaw, '')}`,
      );
    }
    // Half-up rounding, shown as a suggestion only: the input is still rejected.
    const drop = 10n ** BigInt(fracLen - shift - exp);
    const rounded = (units + drop / 2n) / drop;
    const value = scaled(units, fracLen - shift, false);
    const what =
      shift === 0 ? `${q} has ${decimals(fracLen)}` : `${q} is ${value}, which has ${decimals(fracLen - shift)}`;
    const to = exp === 0 ? 'a whole number' : decimals(exp);
    const suggestion =
      rounded === 0n
        ? `the smallest ${currency} amount is ${scaled(1n, exp, false)}`
        : `round it to ${to}: ${scaled(rounded, exp, commas > 0)}`;
    return fail('MONEY_TOO_MANY_DECIMALS', `${what} but ${has}; ${suggestion}`);
  }

  const minor = units * 10n ** BigInt(exp + shift - fracLen);
  const max = maxMinorUnits(currency as CurrencyCode);
  if (minor > max) {
    return fail(
      'MONEY_TOO_LARGE',
      `${q} is more than ${scaled(max, exp, true).replace(/\.0+$/, '')} ${currency}, the largest amount allowed; check for extra digits`,
    );
  }
  return { ok: true, minor };
}

function requireExponent(currency: string): number {
  const exp = currencyExponent(currency);
  if (exp === undefined) {
    throw new MoneyError(
      'MONEY_UNKNOWN_CURRENCY',
      `"${currency}" is not an ISO 4217 code in the currency table (codes are upper case, e.g. USD)`,
    );
  }
  return exp;
}

/** Plain decimal text for forms and CSV, without grouping or symbol: 123450n USD → "1234.50", -5n → "-0.05". */
export function toDecimalString(minor: bigint, currency: string): string {
  const exp = requireExponent(currency);
  const text = scaled(minor < 0n ? -minor : minor, exp, false);
  return minor < 0n ? `-${text}` : text;
}

const formatters = new Map<string, Intl.NumberFormat>();

/**
 * An amount for people to read: formatMoney(123450n, 'USD') → "$1,234.50", formatMoney(1000n, 'JPY') → "¥1,000".
 * Always shows exactly the currency's ISO decimals (not CLDR's), and passes Intl an exact decimal string.
 */
export function formatMoney(minor: bigint, currency: string, locale = 'en-US'): string {
  const exp = requireExponent(currency);
  const key = `${locale}\u0000${currency}`;
  let formatter = formatters.get(key);
  if (formatter === undefined) {
    formatter = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      minimumFractionDigits: exp,
      maximumFractionDigits: exp,
    });
    formatters.set(key, formatter);
  }
  // Intl.NumberFormat reads decimal strings exactly (ES2023), so no amount goes through a float.
  return formatter.format(toDecimalString(minor, currency) as `${number}`);
}

/** The total of some amounts in the same currency. */
export function sumMinor(values: readonly bigint[]): bigint {
  return values.reduce((total, value) => total + value, 0n);
}
