// The owner's numbers (DSO, collected, expected in) as mrkdwn lines, shared by the digest's headline and the App
// Home. Per-currency amounts are exact; a converted total is marked ≈ and names the date of its rates.
import type { CountedAmounts, CurrencyAmount } from '../../domain/digest.js';
import { NUMBERS_METHOD, type OwnerNumbers } from '../../domain/numbers.js';
import {
  type ConvertedTotal,
  describeRate,
  LEDGER_RATES_RULE,
  type Reporting,
  ratesPhrase,
} from '../../domain/rates.js';
import { section } from './blocks.js';
import { esc, joinMd, literal, type Mrkdwn, md, money, moneyList, plural, type SlackMessage } from './text.js';

function amountsOr(amounts: readonly CurrencyAmount[], none: Mrkdwn = literal('nothing')): Mrkdwn {
  return amounts.length > 0 ? moneyList(amounts) : none;
}

/**
 * ' (≈ $3,040.00 at the rates of 2026-12-01; no rate for GBP)' — "at Xero's rates of …" when every rate used came
 * from the connected ledger — or nothing when no conversion was needed.
 */
export function convertedNote(total: ConvertedTotal | null | undefined): Mrkdwn {
  if (!total || (!total.approximate && total.missing.length === 0)) return literal('');
  const parts: Mrkdwn[] = [];
  if (total.approximate) {
    parts.push(md`≈ ${money(total.minor, total.currency)} at ${esc(ratesPhrase(total))}`);
  }
  if (total.missing.length > 0) parts.push(md`no rate for ${esc(total.missing.join(', '))}`);
  return md` (${joinMd(parts, '; ')})`;
}

function dsoLine(n: OwnerNumbers): Mrkdwn {
  const per = n.dso.perCurrency.map((d) =>
    d.days === null ? md`${esc(d.currency)} no sales in 90 days` : md`${plural(d.days, 'day')} (${esc(d.currency)})`,
  );
  const converted = n.dso.converted;
  const across =
    converted && converted.days !== null && (converted.receivables.approximate || converted.sales.approximate)
      ? md` · ≈ ${plural(converted.days, 'day')} across currencies in ${esc(converted.receivables.currency)} at ${esc(ratesPhrase(converted.receivables.approximate ? converted.receivables : converted.sales))}`
      : literal('');
  return md`*DSO:* ${per.length > 0 ? joinMd(per, ' · ') : literal('no receivables or sales yet')}${across}`;
}

function countedText(c: CountedAmounts): Mrkdwn {
  return c.count === 0 ? literal('nothing') : md`${moneyList(c.amounts)} (${plural(c.count, 'payment')})`;
}

function collectedLine(n: OwnerNumbers): Mrkdwn {
  const c = n.collected;
  return md`*Collected this week:* ${countedText(c.thisWeek)}${convertedNote(c.converted?.thisWeek)} · last week ${countedText(c.lastWeek)} · 4-week average ${amountsOr(c.fourWeekAverage)}`;
}

function expectedLines(n: OwnerNumbers): Mrkdwn[] {
  const e = n.expected;
  const weeks = e.weeks.map((w) => md`from ${esc(w.from)}: ${amountsOr(w.amounts, literal('—'))}`);
  const apart: Mrkdwn[] = [];
  if (e.late.count > 0) apart.push(md`${moneyList(e.late.amounts)} late with no date (${e.late.count})`);
  if (e.inDispute.count > 0) apart.push(md`${moneyList(e.inDispute.amounts)} in dispute (${e.inDispute.count})`);
  if (e.later.count > 0) apart.push(md`${moneyList(e.later.amounts)} after 4 weeks (${e.later.count})`);
  const lines = [
    md`*Expected in, next 4 weeks:* ${amountsOr(e.total.amounts)}${convertedNote(e.totalConverted)}`,
    md`By week ${joinMd(weeks, ' · ')}`,
  ];
  if (apart.length > 0) lines.push(md`Not forecast: ${joinMd(apart, ' · ')}`);
  return lines;
}

/** The numbers, one line each (expected in takes two or three), then how they are worked out. */
export function numbersLines(n: OwnerNumbers): { lines: Mrkdwn[]; method: Mrkdwn } {
  return {
    lines: [dsoLine(n), collectedLine(n), ...expectedLines(n)],
    method: md`${esc(NUMBERS_METHOD.dso)}. ${esc(NUMBERS_METHOD.collected)}. ${esc(NUMBERS_METHOD.expected)}.`,
  };
}

/** 'DSO 76 days (USD)' for a notification's one line. */
export function numbersHeadline(n: OwnerNumbers): Mrkdwn {
  const first = n.dso.perCurrency.find((d) => d.days !== null);
  return first ? md`DSO ${plural(first.days ?? 0, 'day')} (${esc(first.currency)})` : literal('');
}

/** `/invoice rates`: what was just changed, the reporting currency and each rate with its date, and how to set them. */
export function ratesMessage(p: { reporting: Reporting | null; changed: string | null }): SlackMessage {
  const lines: Mrkdwn[] = [];
  if (p.changed) lines.push(md`✅ ${esc(p.changed)}`);
  if (!p.reporting) {
    lines.push(
      literal(
        'No reporting currency yet: totals stay per currency. A finance admin names one with `/invoice rates currency USD`.',
      ),
    );
  } else {
    const into = p.reporting.currency;
    lines.push(md`*Reporting currency:* ${esc(into)}`);
    if (p.reporting.rates.length === 0) lines.push(md`No rates yet: \`/invoice rates EUR 1.08\` sets one.`);
    for (const r of p.reporting.rates) {
      lines.push(md`• ${esc(describeRate(r, into))}`);
    }
    lines.push(
      literal(
        'Totals converted at these rates are approximate (≈) and say the date of the rates; each currency’s own total stays exact. Each amount is converted once, rounded half to even.',
      ),
    );
    lines.push(literal(LEDGER_RATES_RULE));
  }
  const text = joinMd(lines, '\n');
  return { text, blocks: [section(text)] };
}
