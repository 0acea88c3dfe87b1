// The connected ledger's exchange rates, read at the end of each sync: when the workspace's reporting currency is
// the ledger's home currency, its rates into it are taken (services/rates.ts `setLedgerRates` says which rate wins
// over one a finance admin set). Xero quotes a rate on each invoice (the most recent invoice's per currency, dated
// its invoice date); QuickBooks keeps an ExchangeRate per currency and day, read for each currency the book holds.
import { currenciesHeld } from '../db/queries/numbers.js';
import type { LocalDate } from '../domain/dates.js';
import type { LedgerContext } from '../services/context.js';
import { operatorPrincipal } from '../services/policy.js';
import { setLedgerRates } from '../services/rates.js';
import { loadWorkspace } from '../services/write.js';
import {
  type Auth,
  isProviderError,
  type LedgerInvoice,
  type LedgerProvider,
  type LedgerRateQuote,
} from './provider.js';

/** Each currency's rate from the most recent invoice seen (by invoice date) in one sync run. */
export class InvoiceRates {
  private readonly latest = new Map<string, LedgerRateQuote>();

  note(invoice: LedgerInvoice): void {
    if (!invoice.homeRate || !invoice.issueDate || invoice.status === 'void') return;
    const kept = this.latest.get(invoice.currency);
    if (kept && kept.rateDate >= invoice.issueDate) return;
    this.latest.set(invoice.currency, {
      currency: invoice.currency,
      rate: invoice.homeRate,
      rateDate: invoice.issueDate,
    });
  }

  get quotes(): LedgerRateQuote[] {
    return [...this.latest.values()];
  }
}

export interface TakeRatesParams {
  ctx: LedgerContext;
  provider: LedgerProvider;
  teamId: string;
  auth: () => Promise<Auth>;
  seen: InvoiceRates;
  today: LocalDate;
}

/**
 * Reads the ledger's rates and keeps those that win. Returns the currencies whose rate changed, or a problem to
 * report (the ledger did not answer): the sync itself is not failed for a rate.
 */
export async function takeLedgerRates(p: TakeRatesParams): Promise<{ changed: string[]; problem?: string }> {
  const { ctx, provider, teamId } = p;
  if (!provider.homeCurrency) return { changed: [] };
  const workspace = await loadWorkspace(ctx.db, teamId);
  // No reporting currency: nothing to convert into, so no call is spent.
  if (!workspace.reportingCurrency) return { changed: [] };
  // A ledger that quotes rates only on invoices, and no invoice seen this run: nothing to ask it.
  if (!provider.exchangeRates && p.seen.quotes.length === 0) return { changed: [] };
  try {
    const auth = await p.auth();
    const home = await provider.homeCurrency(auth);
    if (!home || home.toUpperCase() !== workspace.reportingCurrency) return { changed: [] };
    const quotes = p.seen.quotes.filter((q) => q.currency !== home.toUpperCase());
    if (provider.exchangeRates) {
      const foreign = (await currenciesHeld(ctx.db, teamId)).filter((c) => c !== home.toUpperCase());
      if (foreign.length > 0) quotes.push(...(await provider.exchangeRates(auth, foreign, p.today)));
    }
    if (quotes.length === 0) return { changed: [] };
    // The ledger's system principal, as the sync's own changes (events by `system`/`xero`).
    const changed = await setLedgerRates(ctx, teamId, operatorPrincipal(provider.id), {
      source: provider.id,
      home,
      rates: quotes,
    });
    return { changed };
  } catch (error) {
    if (isProviderError(error, 'UNAVAILABLE') || isProviderError(error, 'BAD_RESPONSE')) {
      return { changed: [], problem: `${provider.label}'s exchange rates were not read: ${error.message}` };
    }
    throw error;
  }
}
