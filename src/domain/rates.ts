// Exchange rates and one total across currencies, pure. A rate is kept as the decimal string a finance admin typed
// ("1.2734": units of the reporting currency for one unit of the other) and read as an exact fraction of two
// bigints; an amount in minor units is converted with it and rounded once, half to even, into the reporting
// currency's minor units. No float ever holds a rate or an amount. Per-currency totals stay exact; a converted
// total is approximate and says the date of the rates it used.
import type { LocalDate } from './dates.js';
import { currencyExponent } from './money.js';

/** A rate as an exact fraction: numerator / denominator, both positive. */
export interface Ratio {
  numerator: bigint;
  denominator: bigint;
}

/** Who a rate is from: a finance admin ('manual') or the connected ledger it was read from. */
export type RateSource = 'manual' | 'xero' | 'quickbooks';

/** The ledger's name for people, in "at Xero's rates of …". */
export const LEDGER_RATE_LABEL: Readonly<Record<Exclude<RateSource, 'manual'>, string>> = {
  xero: 'Xero',
  quickbooks: 'QuickBooks',
};

/** One currency's rate into the reporting currency, with the day it is the rate of. */
export interface Rate {
  currency: string;
  /**
   * Units of the reporting currency for one unit of `currency`, as typed: '1.2734'; or one over a decimal, '1/0.92',
   * when the ledger quotes it the other way round (Xero: 0.92 EUR for one USD), kept exact rather than divided out.
   */
  rate: string;
  rateDate: LocalDate;
  /** 'manual' when absent. */
  source?: RateSource;
}

/** At most 12 digits before the point and 12 after: wider than any published rate, small enough to stay exact. */
const RATE_PATTERN = /^(\d{1,12})(?:\.(\d{1,12}))?$/;

/**
 * Reads a rate typed as a plain decimal ('1.27', '0.000123', '150'), or one over a decimal ('1/0.92', as a ledger's
 * inverse quote is kept); undefined when it is not one or is zero.
 */
export function parseRate(text: string): Ratio | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith('1/')) {
    const inverse = parseDecimal(trimmed.slice(2));
    return inverse ? { numerator: inverse.denominator, denominator: inverse.numerator } : undefined;
  }
  return parseDecimal(trimmed);
}

function parseDecimal(text: string): Ratio | undefined {
  const match = RATE_PATTERN.exec(text);
  if (!match) return undefined;
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  const numerator = BigInt(whole + fraction);
  if (numerator === 0n) return undefined;
  return { numerator, denominator: 10n ** BigInt(fraction.length) };
}

/** A rate as people read it back: the decimal without trailing zeros ('1.2700' → '1.27', '1/0.920000' → '1/0.92'). */
export function normaliseRate(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith('1/')) {
    const inverse = normaliseDecimal(trimmed.slice(2));
    return inverse ? `1/${inverse}` : undefined;
  }
  return normaliseDecimal(trimmed);
}

function normaliseDecimal(text: string): string | undefined {
  const ratio = parseDecimal(text);
  if (!ratio) return undefined;
  const [whole, fraction = ''] = text.split('.');
  const trimmed = fraction.replace(/0+$/, '');
  const head = (whole ?? '0').replace(/^0+(?=\d)/, '');
  return trimmed ? `${head}.${trimmed}` : head;
}

/**
 * One rate as people read it, after "• ": '1 EUR = 1.08 USD (rate of 2026-11-20)', or for a ledger's inverted quote
 * its value to 6 places (half to even) and the quote itself: '1 GBP = 1.265823 USD (Xero's rate of 2026-11-22:
 * 1 USD = 0.79 GBP)'.
 */
export function describeRate(r: Rate, into: string): string {
  const text = r.rate.trim();
  const ratio = parseRate(text);
  if (!ratio || !text.startsWith('1/')) return `1 ${r.currency} = ${text} ${into} (${rateOrigin(r)})`;
  const millionths = divideHalfEven(ratio.numerator * 1_000_000n, ratio.denominator);
  const value = `${millionths / 1_000_000n}.${(millionths % 1_000_000n).toString().padStart(6, '0')}`;
  return `1 ${r.currency} = ${value} ${into} (${rateOrigin(r)}: 1 ${into} = ${text.slice(2)} ${r.currency})`;
}

/** "Xero's rate of 2026-12-01", or "rate of 2026-12-01" for one set here. */
export function rateOrigin(r: Rate): string {
  return r.source && r.source !== 'manual'
    ? `${possessive(LEDGER_RATE_LABEL[r.source])} rate of ${r.rateDate}`
    : `rate of ${r.rateDate}`;
}

/** Which rate wins when both the ledger and a finance admin set one (services/rates.ts `setLedgerRates`). */
export const LEDGER_RATES_RULE =
  'With Xero or QuickBooks connected and the reporting currency its home currency, each sync reads its rates: a newer date replaces the rate kept, and on the same date a rate set here stays.';

/** "Xero's", "QuickBooks'". */
function possessive(name: string): string {
  return name.endsWith('s') ? `${name}'` : `${name}'s`;
}

/** "Xero's rates of 2026-12-01", or "the rates of …" when not all the rates used came from one ledger. */
export function ratesPhrase(total: Pick<ConvertedTotal, 'rateDate' | 'source'>): string {
  const whose = total.source && total.source !== 'manual' ? possessive(LEDGER_RATE_LABEL[total.source]) : 'the';
  return `${whose} rates of ${total.rateDate ?? '?'}`;
}

/**
 * numerator / denominator rounded to the nearest integer, a tie to the even one (banker's rounding): the one
 * rounding every conversion makes. The denominator is positive.
 */
export function divideHalfEven(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError('the denominator must be positive');
  const negative = numerator < 0n;
  const n = negative ? -numerator : numerator;
  const quotient = n / denominator;
  const twice = (n % denominator) * 2n;
  const rounded = twice > denominator || (twice === denominator && quotient % 2n === 1n) ? quotient + 1n : quotient;
  return negative ? -rounded : rounded;
}

/**
 * `minor` units of `from` in minor units of `to` at `rate` (units of `to` per unit of `from`), rounded once, half
 * to even: minor × numerator × 10^exp(to) / (denominator × 10^exp(from)). ¥1,000 at 0.0063 into USD is
 * 1000 × 63 × 100 / (10000 × 1) = 630 cents ($6.30).
 */
export function convertMinor(minor: bigint, from: string, to: string, rate: Ratio): bigint {
  const fromExp = currencyExponent(from);
  const toExp = currencyExponent(to);
  if (fromExp === undefined || toExp === undefined) throw new RangeError(`unknown currency ${from} or ${to}`);
  return divideHalfEven(minor * rate.numerator * 10n ** BigInt(toExp), rate.denominator * 10n ** BigInt(fromExp));
}

/** The reporting currency and the rates into it. */
export interface Reporting {
  currency: string;
  rates: readonly Rate[];
}

/** A total across currencies in the reporting currency. */
export interface ConvertedTotal {
  currency: string;
  minor: bigint;
  /** True when any amount was converted at a rate (the exact per-currency totals are the record). */
  approximate: boolean;
  /** The oldest date of the rates used: "at the rates of …". Null when nothing was converted. */
  rateDate: LocalDate | null;
  /** Currencies with an amount but no rate: left out of the total, and named. */
  missing: string[];
  /** Where every rate used came from, when they all came from one place; absent when none was used or they differ. */
  source?: RateSource;
}

/**
 * One total of amounts in several currencies: each currency's exact sum converted once (rounded half to even),
 * then added. An amount already in the reporting currency is added as it is.
 */
export function convertTotal(
  amounts: readonly { currency: string; minor: bigint }[],
  reporting: Reporting,
): ConvertedTotal {
  const sums = new Map<string, bigint>();
  for (const a of amounts) sums.set(a.currency, (sums.get(a.currency) ?? 0n) + a.minor);
  let minor = 0n;
  let approximate = false;
  let rateDate: LocalDate | null = null;
  const missing: string[] = [];
  const sources = new Set<RateSource>();
  for (const [currency, sum] of [...sums].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (sum === 0n) continue;
    if (currency === reporting.currency) {
      minor += sum;
      continue;
    }
    const rate = reporting.rates.find((r) => r.currency === currency);
    const ratio = rate ? parseRate(rate.rate) : undefined;
    if (!rate || !ratio) {
      missing.push(currency);
      continue;
    }
    minor += convertMinor(sum, currency, reporting.currency, ratio);
    approximate = true;
    sources.add(rate.source ?? 'manual');
    if (rateDate === null || rate.rateDate < rateDate) rateDate = rate.rateDate;
  }
  const [only] = sources.size === 1 ? sources : [];
  return { currency: reporting.currency, minor, approximate, rateDate, missing, ...(only ? { source: only } : {}) };
}
