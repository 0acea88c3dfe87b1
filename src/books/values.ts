// Reading what a ledger sends, exactly: JSON whose numbers stay decimal text (never a float), amounts to integer
// minor units in the currency's ISO decimals, and Xero's /Date(…)/ instants.
import { currencyExponent } from '../domain/money.js';

/**
 * JSON.parse, except that every number becomes its own decimal text ("46.00" stays "46.00"): money is read from
 * the digits the ledger sent, not from a binary float. (Node 20 has no JSON.parse source access.)
 */
export function parseJsonExact(text: string): unknown {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '"') {
      // Copy the string as it is, escapes included.
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 64));
      if (!match) throw new SyntaxError(`Bad number in JSON at ${i}`);
      out += `"${match[0]}"`;
      i += match[0].length;
    } else {
      out += c;
      i += 1;
    }
  }
  return JSON.parse(out);
}

export class AmountError extends Error {
  readonly code = 'BAD_AMOUNT';
}

/**
 * "1234.50" in USD → 123450n; "1000" or "1000.00" in JPY → 1000n; "12.345" in KWD → 12345n. Digits past the
 * currency's decimals must be zeros (anything else cannot be an amount in that currency). Negative amounts and
 * exponents are refused.
 */
export function decimalToMinor(text: string, currency: string): bigint {
  const exponent = currencyExponent(currency);
  if (exponent === undefined) throw new AmountError(`${currency} is not an ISO 4217 currency`);
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) throw new AmountError(`"${text}" is not a plain non-negative decimal`);
  const whole = match[1] as string;
  const fraction = match[2] ?? '';
  const kept = fraction.slice(0, exponent).padEnd(exponent, '0');
  if (/[^0]/.test(fraction.slice(exponent))) {
    throw new AmountError(`"${text}" has more decimals than ${currency} has (${exponent})`);
  }
  return BigInt(whole) * 10n ** BigInt(exponent) + BigInt(kept === '' ? '0' : kept);
}

/** `/Date(1539993600000+0000)/` (Xero's JSON dates; the offset is informative, the milliseconds are UTC) → Date. */
export function parseMsDate(text: string): Date | undefined {
  const match = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/.exec(text.trim());
  if (!match) return undefined;
  const date = new Date(Number(match[1]));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** A ledger's calendar date (Xero sends midnight UTC of the day) as YYYY-MM-DD. */
export function msDateToLocalDate(text: string): string | undefined {
  return parseMsDate(text)?.toISOString().slice(0, 10);
}

/** The /Date(…)/ form of an instant, as Xero writes it. */
export function toMsDate(at: Date): string {
  return `/Date(${at.getTime()}+0000)/`;
}

// --- exact decimal text (the ledgers' amounts, added and compared without a float) ----------------------------

function scaled(a: string, b: string): [bigint, bigint, number] {
  const scale = Math.max(a.split('.')[1]?.length ?? 0, b.split('.')[1]?.length ?? 0);
  const toInt = (s: string) => {
    const [whole = '0', fraction = ''] = s.replace('-', '').split('.');
    const n = BigInt(whole + fraction.padEnd(scale, '0'));
    return s.startsWith('-') ? -n : n;
  };
  return [toInt(a), toInt(b), scale];
}

function show(n: bigint, scale: number): string {
  const negative = n < 0n;
  const digits = (negative ? -n : n).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

export function addDecimal(a: string, b: string): string {
  const [x, y, scale] = scaled(a, b);
  return show(x + y, scale);
}

export function subDecimal(a: string, b: string): string {
  const [x, y, scale] = scaled(a, b);
  return show(x - y, scale);
}

export function compareDecimal(a: string, b: string): -1 | 0 | 1 {
  const [x, y] = scaled(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}
