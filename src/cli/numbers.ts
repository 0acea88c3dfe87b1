// The owner's numbers in a terminal (DSO, collected, expected in), shown by `overview`, and `rates`: the reporting
// currency and the exchange rates, set as the operator (a finance admin everywhere in the database).
import { getNumbersData, getReporting } from '../db/queries/numbers.js';
import type { WorkspaceRow } from '../db/schema.js';
import { type LocalDate, todayIn } from '../domain/dates.js';
import type { CountedAmounts, CurrencyAmount } from '../domain/digest.js';
import { formatMoney } from '../domain/money.js';
import { computeNumbers, NUMBERS_METHOD, type OwnerNumbers } from '../domain/numbers.js';
import { type ConvertedTotal, describeRate, LEDGER_RATES_RULE, ratesPhrase } from '../domain/rates.js';
import type { LedgerContext } from '../services/context.js';
import { LedgerError } from '../services/errors.js';
import { operatorPrincipal } from '../services/policy.js';
import { setRate, setReportingCurrency } from '../services/rates.js';
import { getWorkspace } from '../services/workspaces.js';
import type { Command } from './commands.js';
import { plural } from './format.js';
import { plainStyle, type Style } from './table.js';

const INDENT = '  ';

function list(amounts: readonly CurrencyAmount[], none = 'nothing'): string {
  return amounts.length > 0 ? amounts.map((a) => formatMoney(a.minor, a.currency)).join(' + ') : none;
}

function converted(total: ConvertedTotal | null | undefined): string {
  if (!total || (!total.approximate && total.missing.length === 0)) return '';
  const parts: string[] = [];
  if (total.approximate) {
    parts.push(`≈ ${formatMoney(total.minor, total.currency)} at ${ratesPhrase(total)}`);
  }
  if (total.missing.length > 0) parts.push(`no rate for ${total.missing.join(', ')}`);
  return ` (${parts.join('; ')})`;
}

function payments(c: CountedAmounts): string {
  return c.count === 0 ? 'nothing' : `${list(c.amounts)} (${plural(c.count, 'payment')})`;
}

/** The numbers as lines for the terminal, with how they are worked out. */
export function numbersText(n: OwnerNumbers, style: Style = plainStyle): string[] {
  const dso = n.dso.perCurrency.map((d) =>
    d.days === null ? `${d.currency} no sales in 90 days` : `${plural(d.days, 'day')} (${d.currency})`,
  );
  const across = n.dso.converted;
  const acrossText =
    across && across.days !== null && (across.receivables.approximate || across.sales.approximate)
      ? ` · ≈ ${plural(across.days, 'day')} across currencies in ${across.receivables.currency} at ${ratesPhrase(across.receivables.approximate ? across.receivables : across.sales)}`
      : '';
  const c = n.collected;
  const e = n.expected;
  const lines = [
    style.bold('The numbers'),
    `${INDENT}DSO: ${dso.length > 0 ? dso.join(' · ') : 'no receivables or sales yet'}${acrossText}`,
    `${INDENT}Collected this week: ${payments(c.thisWeek)}${converted(c.converted?.thisWeek)} · last week ${payments(c.lastWeek)} · 4-week average ${list(c.fourWeekAverage)}`,
    `${INDENT}Expected in, next 4 weeks: ${list(e.total.amounts)}${converted(e.totalConverted)}`,
    ...e.weeks.map(
      (w) => `${INDENT}${INDENT}week ${w.week} (${w.from} – ${w.to}): ${list(w.amounts, '—')}${converted(w.converted)}`,
    ),
  ];
  const apart: string[] = [];
  if (e.late.count > 0) apart.push(`${list(e.late.amounts)} late with no date (${e.late.count})`);
  if (e.inDispute.count > 0) apart.push(`${list(e.inDispute.amounts)} in dispute (${e.inDispute.count})`);
  if (e.later.count > 0) apart.push(`${list(e.later.amounts)} after 4 weeks (${e.later.count})`);
  if (apart.length > 0) lines.push(`${INDENT}Not forecast: ${apart.join(' · ')}`);
  for (const how of [NUMBERS_METHOD.dso, NUMBERS_METHOD.collected, NUMBERS_METHOD.expected]) {
    lines.push(style.dim(`${INDENT}${how}.`));
  }
  return lines;
}

/** Reads and works out the numbers as of today in the workspace's zone. */
export async function ownerNumbers(ctx: LedgerContext, workspace: WorkspaceRow, today?: LocalDate) {
  const day = today ?? todayIn(workspace.timeZone, ctx.clock.now());
  return computeNumbers(await getNumbersData(ctx.db, { workspace, today: day }));
}

/**
 * `rates`: the reporting currency and each rate with its date; `rates currency USD` names the reporting currency;
 * `rates EUR 1.0842 [YYYY-MM-DD]` sets a rate (today unless dated).
 */
export const ratesCommand: Command = async (ctx, workspace, args, out) => {
  const principal = operatorPrincipal();
  try {
    if (args[0] === 'currency' && args.length === 2) {
      const row = await setReportingCurrency(ctx, workspace.teamId, principal, { currency: args[1] ?? '' });
      out(`The reporting currency is now ${row.reportingCurrency}.`);
    } else if (args.length === 2 || args.length === 3) {
      const row = await setRate(ctx, workspace.teamId, principal, {
        currency: args[0] ?? '',
        rate: args[1] ?? '',
        ...(args[2] ? { rateDate: args[2] } : {}),
      });
      out(`1 ${row.currency} = ${row.rate} ${row.intoCurrency}, the rate of ${row.rateDate}.`);
    } else if (args.length !== 0) {
      out('Usage: npm run cli -- rates [currency CODE | CODE RATE [YYYY-MM-DD]]');
      return 2;
    }
  } catch (error) {
    if (error instanceof LedgerError) {
      out(error.message);
      return 2;
    }
    throw error;
  }
  const current = await getReporting(ctx.db, await getWorkspace(ctx, workspace.teamId));
  if (!current) {
    out('No reporting currency yet: `npm run cli -- rates currency USD` names one; totals stay per currency.');
    return 0;
  }
  out(`Reporting currency: ${current.currency}`);
  if (current.rates.length === 0) out(`${INDENT}no rates yet: \`npm run cli -- rates EUR 1.08\` sets one`);
  for (const r of current.rates) {
    out(`${INDENT}${describeRate(r, current.currency)}`);
  }
  out(`${INDENT}${LEDGER_RATES_RULE}`);
  return 0;
};
