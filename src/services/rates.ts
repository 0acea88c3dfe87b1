// The reporting currency and the exchange rates into it (finance admins only): what turns the per-currency totals
// into one approximate total. Each change is its own event in the same transaction: `reporting_currency_set`
// (from, to) and `rate_set` (currency, into, rate and date, and the rate it replaced), so the history keeps every
// rate that was ever used.
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { type ExchangeRateRow, exchangeRates, type WorkspaceRow, workspaces } from '../db/schema.js';
import { isLocalDate, type LocalDate, todayIn } from '../domain/dates.js';
import { isCurrency } from '../domain/money.js';
import { normaliseRate, type RateSource } from '../domain/rates.js';
import type { LedgerContext } from './context.js';
import { LedgerError } from './errors.js';
import { actorOf, authorize, type Principal } from './policy.js';
import { appendEvent, parseInput } from './write.js';

const currency = z
  .string()
  .trim()
  .transform((c) => c.toUpperCase())
  .refine(isCurrency, { message: 'must be an ISO 4217 currency code like USD, EUR or JPY' });

const reportingSchema = z.object({ currency: currency.nullable() });

const rateSchema = z.object({
  currency,
  rate: z
    .string()
    .trim()
    // One over a decimal ('1/0.92') is how a ledger's inverted quote is kept, not something to type.
    .refine((r) => !r.includes('/') && normaliseRate(r) !== undefined, {
      message:
        'must be a positive decimal like 1.2734 (units of the reporting currency for one unit; at most 12 decimals)',
    }),
  /** The day the rate is of; today in the workspace's zone when not given. */
  rateDate: z.string().refine(isLocalDate, { message: 'must be a date like 2026-12-01' }).optional(),
});

export type RateInput = z.input<typeof rateSchema>;

/** Names (or with null clears) the reporting currency. Rates set into another currency stay, unused, until it returns. */
export async function setReportingCurrency(
  ctx: LedgerContext,
  teamId: string,
  principal: Principal,
  input: z.input<typeof reportingSchema>,
): Promise<WorkspaceRow> {
  authorize(principal, 'manageRates', teamId, ['currency']);
  const data = parseInput(reportingSchema, input);
  return ctx.db.transaction(async (tx) => {
    const [current] = await tx.select().from(workspaces).where(eq(workspaces.teamId, teamId)).for('update');
    if (!current) throw new LedgerError('WORKSPACE_NOT_FOUND', `No workspace ${teamId} is set up.`);
    if (current.reportingCurrency === data.currency) return current;
    const [row] = await tx
      .update(workspaces)
      .set({ reportingCurrency: data.currency })
      .where(eq(workspaces.teamId, teamId))
      .returning();
    await appendEvent(tx, {
      teamId,
      kind: 'reporting_currency_set',
      actor: actorOf(principal),
      at: ctx.clock.now(),
      details: { from: current.reportingCurrency, to: data.currency },
    });
    if (!row) throw new LedgerError('CONFLICT', 'The workspace changed meanwhile; try again.');
    return row;
  });
}

/** Sets one currency's rate into the reporting currency, dated (today unless said), with a `rate_set` event. */
export async function setRate(
  ctx: LedgerContext,
  teamId: string,
  principal: Principal,
  input: RateInput,
): Promise<ExchangeRateRow> {
  authorize(principal, 'manageRates', teamId, ['rate']);
  const data = parseInput(rateSchema, input);
  const rate = normaliseRate(data.rate) as string;
  return ctx.db.transaction(async (tx) => {
    const [workspace] = await tx.select().from(workspaces).where(eq(workspaces.teamId, teamId)).for('update');
    if (!workspace) throw new LedgerError('WORKSPACE_NOT_FOUND', `No workspace ${teamId} is set up.`);
    const into = workspace.reportingCurrency;
    if (!into) {
      throw LedgerError.invalid('currency', 'name the reporting currency first (/invoice rates currency USD)');
    }
    if (data.currency === into) {
      throw LedgerError.invalid('currency', `${into} is the reporting currency: its amounts are not converted`);
    }
    const now = ctx.clock.now();
    const today = todayIn(workspace.timeZone, now);
    const rateDate = data.rateDate ?? today;
    if (rateDate > today) throw LedgerError.invalid('rateDate', `is in the future (today is ${today})`);
    const [previous] = await tx
      .select()
      .from(exchangeRates)
      .where(and(eq(exchangeRates.teamId, teamId), eq(exchangeRates.currency, data.currency)));
    const values = { rate, rateDate, intoCurrency: into, setBy: actorOf(principal).id, setAt: now, source: 'manual' };
    const [row] = await tx
      .insert(exchangeRates)
      .values({ teamId, currency: data.currency, ...values })
      .onConflictDoUpdate({ target: [exchangeRates.teamId, exchangeRates.currency], set: values })
      .returning();
    await appendEvent(tx, {
      teamId,
      kind: 'rate_set',
      actor: actorOf(principal),
      at: now,
      details: {
        currency: data.currency,
        into,
        rate,
        rateDate,
        previous: previous ? previousOf(previous) : null,
      },
    });
    if (!row) throw new Error('rate upsert returned no row');
    return row;
  });
}

function previousOf(row: ExchangeRateRow) {
  return { into: row.intoCurrency, rate: row.rate, rateDate: row.rateDate, source: row.source };
}

/** One rate the ledger quotes into its home currency. */
export interface LedgerRate {
  currency: string;
  /** Home-currency units for one unit of `currency`: a decimal, or '1/0.92' when the ledger quotes it inverted. */
  rate: string;
  rateDate: LocalDate;
}

/**
 * Takes the connected ledger's rates at a sync, as the ledger's system principal (events by `system`/`xero`), only
 * when the reporting currency is the ledger's home currency (its rates are into that). Which rate wins:
 * - a rate of a newer date replaces the one kept, whoever set either;
 * - on the same date a rate a finance admin set stays (the ledger's is not taken), and a ledger's changed rate
 *   replaces its own earlier reading;
 * - an older rate, or the same rate again, changes nothing.
 * Each rate taken is one `rate_set` event with `source` and the rate it replaced, in one transaction with the rows.
 * Returns the currencies whose rate changed.
 */
export async function setLedgerRates(
  ctx: LedgerContext,
  teamId: string,
  principal: Principal,
  input: { source: Exclude<RateSource, 'manual'>; home: string; rates: readonly LedgerRate[] },
): Promise<string[]> {
  authorize(principal, 'manageRates', teamId, ['rate']);
  return ctx.db.transaction(async (tx) => {
    const [workspace] = await tx.select().from(workspaces).where(eq(workspaces.teamId, teamId)).for('update');
    if (!workspace) throw new LedgerError('WORKSPACE_NOT_FOUND', `No workspace ${teamId} is set up.`);
    const into = workspace.reportingCurrency;
    if (!into || into !== input.home.toUpperCase()) return [];
    const now = ctx.clock.now();
    const today = todayIn(workspace.timeZone, now);
    const kept = new Map(
      (await tx.select().from(exchangeRates).where(eq(exchangeRates.teamId, teamId))).map((r) => [r.currency, r]),
    );
    const changed: string[] = [];
    for (const given of input.rates) {
      const currency = given.currency.toUpperCase();
      const rate = normaliseRate(given.rate);
      // Nothing the ledger sends is trusted blindly: an unknown currency, a zero rate or a future date is left out.
      if (!isCurrency(currency) || currency === into || !rate || !isLocalDate(given.rateDate)) continue;
      if (given.rateDate > today) continue;
      const previous = kept.get(currency);
      if (previous && previous.intoCurrency === into) {
        if (given.rateDate < previous.rateDate) continue;
        if (given.rateDate === previous.rateDate) {
          if (previous.source === 'manual') continue;
          if (previous.source === input.source && previous.rate === rate) continue;
        }
      }
      const values = {
        rate,
        rateDate: given.rateDate,
        intoCurrency: into,
        setBy: actorOf(principal).id,
        setAt: now,
        source: input.source,
      };
      const [row] = await tx
        .insert(exchangeRates)
        .values({ teamId, currency, ...values })
        .onConflictDoUpdate({ target: [exchangeRates.teamId, exchangeRates.currency], set: values })
        .returning();
      if (!row) throw new Error('rate upsert returned no row');
      kept.set(currency, row);
      await appendEvent(tx, {
        teamId,
        kind: 'rate_set',
        actor: actorOf(principal),
        at: now,
        details: {
          currency,
          into,
          rate,
          rateDate: given.rateDate,
          source: input.source,
          previous: previous ? previousOf(previous) : null,
        },
      });
      changed.push(currency);
    }
    return changed;
  });
}
