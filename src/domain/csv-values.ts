// Reading one CSV cell as a date or an amount, with messages a person can act on. Exact: nothing is rounded.
import { FIRST_YEAR, isLocalDate, isPlausibleDate, LAST_YEAR, type LocalDate } from './dates.js';
import { currencyExponent, parseMoney } from './money.js';
import { hiddenCharacterIn } from './text.js';

export type Read<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * Which way round day and month are in slashed dates: 'dmy' (31/01/2026, Xero outside the US) or 'mdy'
 * (01/31/2026, QuickBooks in the US). Undecided when nothing in the file tells.
 */
export type DateOrder = 'dmy' | 'mdy';

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const SLASHED = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})$/;
const NAMED = /^(\d{1,2})[ -]([A-Za-z]{3,9})[ -](\d{4})$/;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function ymd(year: number, month: number, day: number): LocalDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function spoken(date: LocalDate): string {
  const [y, m, d] = date.split('-').map(Number);
  return `${d} ${MONTH_NAMES[(m ?? 1) - 1]} ${y}`;
}

/** What a slashed date says about the order, when it can only be read one way: 13/01/2026 → 'dmy'. */
export function dateOrderEvidence(text: string): DateOrder | undefined {
  const match = SLASHED.exec(text.trim());
  if (!match) return undefined;
  const first = Number(match[1]);
  const second = Number(match[2]);
  if (first > 12 && second <= 12) return 'dmy';
  if (second > 12 && first <= 12) return 'mdy';
  return undefined;
}

/**
 * A date as accounting exports write it: 2026-01-31 (a time after it is ignored), 31/01/2026 or 01/31/2026
 * (read with `order`; without one, only when just one reading is a real date or both are the same day), or
 * 31 Jan 2026. A two-digit year is refused rather than guessed.
 */
export function readDate(text: string, order: DateOrder | undefined): Read<LocalDate> {
  const read = readAnyDate(text, order);
  if (read.ok && !isPlausibleDate(read.value)) {
    return {
      ok: false,
      message: `${read.value} is not a plausible date: write a date between ${FIRST_YEAR} and ${LAST_YEAR}`,
    };
  }
  return read;
}

function readAnyDate(text: string, order: DateOrder | undefined): Read<LocalDate> {
  const typed = text.trim();
  if (typed === '') return { ok: false, message: 'is empty; write a date like 2026-09-01' };
  const hidden = hiddenCharacterIn(typed);
  if (hidden)
    return { ok: false, message: `holds a control or invisible character (${hidden}); write a date like 2026-09-01` };
  const iso = ISO.exec(typed);
  if (iso) {
    const date = `${iso[1]}-${iso[2]}-${iso[3]}`;
    return isLocalDate(date) ? { ok: true, value: date } : { ok: false, message: `"${typed}" is not a real date` };
  }
  const named = NAMED.exec(typed);
  if (named) {
    const month = MONTHS.indexOf((named[2] ?? '').slice(0, 3).toLowerCase()) + 1;
    const date = ymd(Number(named[3]), month, Number(named[1]));
    if (month === 0 || !isLocalDate(date)) return { ok: false, message: `"${typed}" is not a real date` };
    return { ok: true, value: date };
  }
  const slashed = SLASHED.exec(typed);
  if (!slashed) {
    return { ok: false, message: `"${typed}" is not a date; write it as 2026-09-01, 01/09/2026 or 1 Sep 2026` };
  }
  const [, a = '', b = '', yearText = ''] = slashed;
  if (yearText.length !== 4) {
    return { ok: false, message: `"${typed}" has a ${yearText.length}-digit year; write the year in full` };
  }
  const year = Number(yearText);
  const dayFirst = ymd(year, Number(b), Number(a));
  const monthFirst = ymd(year, Number(a), Number(b));
  const readings = order === 'dmy' ? [dayFirst] : order === 'mdy' ? [monthFirst] : [dayFirst, monthFirst];
  const real = [...new Set(readings.filter(isLocalDate))];
  const [only] = real;
  if (real.length === 1 && only !== undefined) return { ok: true, value: only };
  if (real.length === 0) {
    const how = order === 'dmy' ? ' (read as day/month/year)' : order === 'mdy' ? ' (read as month/day/year)' : '';
    return { ok: false, message: `"${typed}" is not a real date${how}` };
  }
  return {
    ok: false,
    message:
      `"${typed}" is ambiguous: it could be ${spoken(dayFirst)} or ${spoken(monthFirst)}, and no other date in the ` +
      'file tells which comes first; write it as YYYY-MM-DD or say the order (--date-order dmy or mdy)',
  };
}

const FORMULA_GUARD = /^'(?=[-=+@\t\r\uFF1D\uFF0B\uFF0D\uFF20])/;

/** A cell's text, trimmed, without the quote a spreadsheet-safe export puts before "=", "+", "-" or "@". */
export function cellText(value: string | undefined): string {
  return (value ?? '').trim().replace(FORMULA_GUARD, '');
}

/** Drops zeros past the currency's decimals ("1500.0000" USD → "1500.00"): exact, so never a rounding. */
function trimZeros(text: string, exponent: number): string {
  const match = /^(.*\.\d*?)(0+)$/.exec(text);
  if (!match) return text;
  const [, head = '', zeros = ''] = match;
  const decimals = head.length - head.indexOf('.') - 1 + zeros.length;
  const keep = Math.max(exponent, decimals - zeros.length);
  const cut = decimals - keep;
  const trimmed = text.slice(0, text.length - cut);
  return trimmed.endsWith('.') ? trimmed.slice(0, -1) : trimmed;
}

/**
 * An amount in `currency`, in minor units, with parseMoney's messages. `signed` allows a minus sign or
 * accounting brackets (credit lines on an invoice); otherwise a negative amount is refused as parseMoney does.
 */
export function readMoney(text: string, currency: string, options: { signed?: boolean } = {}): Read<bigint> {
  const exponent = currencyExponent(currency);
  if (exponent === undefined) return { ok: false, message: `"${currency}" is not a currency we know` };
  let typed = text.trim();
  let negative = false;
  if (options.signed) {
    const brackets = /^\((.*)\)$/.exec(typed);
    if (brackets) {
      typed = (brackets[1] ?? '').trim();
      negative = true;
    } else if (/^[-\u2212]/.test(typed)) {
      typed = typed.slice(1).trim();
      negative = true;
    }
  }
  const parsed = parseMoney(trimZeros(typed, exponent), currency);
  if (!parsed.ok) return { ok: false, message: parsed.message };
  return { ok: true, value: negative ? -parsed.minor : parsed.minor };
}

/** A plain decimal such as a quantity ("2", "1.5000"), as digits and a scale: "1.50" → 150n scale 2. */
export function readDecimal(text: string): Read<{ units: bigint; scale: number }> {
  const typed = text.trim().replaceAll(',', '');
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(typed);
  if (!match) return { ok: false, message: `"${text.trim()}" is not a number like 2 or 1.5` };
  const [, sign = '', whole = '', fraction = ''] = match;
  const units = BigInt(whole + fraction);
  return { ok: true, value: { units: sign === '-' ? -units : units, scale: fraction.length } };
}

/** quantity × unit amount in minor units, exactly, or a message when it is not a whole number of minor units. */
export function multiply(quantity: { units: bigint; scale: number }, unitMinor: bigint): bigint | undefined {
  const product = quantity.units * unitMinor;
  const divisor = 10n ** BigInt(quantity.scale);
  return product % divisor === 0n ? product / divisor : undefined;
}
