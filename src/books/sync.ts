// The pull sync, the same for every provider: contacts become clients, the ledger's sales invoices become or update
// ours, its payments become payment events, its voids and deletions void ours — all through the services, as the
// ledger's system actor, each with an idempotency key made from the ledger's ids, so a re-sync writes nothing.
//
// The first sync takes every open invoice and those paid in the last 90 days; later ones only what changed since
// the cursor (If-Modified-Since), page by page. The place (phase, page) is saved after every page under the
// connection's claim, so a crash resumes there; re-doing a page changes nothing. A page's plainly new records (the
// whole of a first sync) are taken in set-based (services/ledger-intake.ts), with the same rows and events.
import { and, count, eq, inArray, isNull, sql } from 'drizzle-orm';
import { insertMany } from '../db/bulk.js';
import type { Transaction } from '../db/client.js';
import { findClientsByNames, findInvoicesByNumbers } from '../db/queries/import.js';
import { findInvoiceRow } from '../db/queries/invoices.js';
import {
  clients,
  creditNotes as creditNoteRows,
  type InvoiceRow,
  type LedgerConnectionRow,
  ledgerLinks,
  payments as paymentRows,
} from '../db/schema.js';
import { addDays, todayIn } from '../domain/dates.js';
import { cleanText, controlCharacterIn, stripControls } from '../domain/text.js';
import { createClient, updateClient } from '../services/clients.js';
import type { LedgerContext } from '../services/context.js';
import { issueCreditNote, reversePayment, withdrawCreditNote } from '../services/corrections.js';
import { isLedgerError, LedgerError } from '../services/errors.js';
import { createInvoice, editInvoice, markSent, recordPayment, voidInvoice } from '../services/invoices.js';
import { createClientsInBulk, createInvoicesInBulk, type NewLedgerInvoice } from '../services/ledger-intake.js';
import { operatorPrincipal, type Principal } from '../services/policy.js';
import { loadWorkspace } from '../services/write.js';
import type {
  Auth,
  LedgerContact,
  LedgerCreditNote,
  LedgerInvoice,
  LedgerPayment,
  LedgerProvider,
  Page,
  ProviderId,
} from './provider.js';
import { InvoiceRates, takeLedgerRates } from './rates.js';
import { AmountError, decimalToMinor } from './values.js';

/**
 * Who the ledger's changes are made by: the app itself on behalf of the ledger, a system principal (events say
 * `system`/`xero`). The policy (services/policy.ts) allows system principals as the operator; the sync only ever
 * passes the connection's own team id.
 */
export function ledgerActor(provider: ProviderId): Principal {
  return operatorPrincipal(provider);
}

export const FIRST_SYNC_PAID_DAYS = 90;
/** How far before the run's start the next run looks back (clock skew between us and the ledger). */
export const CURSOR_OVERLAP_MS = 5 * 60_000;

type Phase = 'contacts' | 'open' | 'paid' | 'invoices' | 'payments' | 'credits';

export interface SyncState {
  mode: 'first' | 'changes';
  phase: Phase;
  page: number;
  /** ISO instant: If-Modified-Since for this run (null on the first). */
  since: string | null;
  startedAt: string;
}

export interface SyncProblem {
  ref: string;
  message: string;
}

export interface SyncOutcome {
  /** Our invoices that changed (their cards need updating). */
  changedInvoices: string[];
  created: number;
  updated: number;
  payments: number;
  /** Payments deleted in the ledger, reversed here. */
  reversed: number;
  /** Credit-note allocations taken in as credit notes here. */
  credits: number;
  /** Credit notes voided in the ledger after we took them in, withdrawn here. */
  withdrawn: number;
  voided: number;
  clients: number;
  problems: SyncProblem[];
  /** False when the claim was lost mid-way (another replica carries on) or the run paused (shutting down). */
  finished: boolean;
  /** The run stopped after a page because the process is stopping; its place is saved. */
  paused: boolean;
}

export interface SyncDeps {
  ctx: LedgerContext;
  provider: LedgerProvider;
  /** A usable access token (refreshed when needed). */
  accessToken: () => Promise<string>;
  /** Saves the place; false when the claim is lost. */
  save: (fields: {
    syncState: SyncState | null;
    syncDone: number;
    syncTotal: number;
    syncCursor?: Date;
    lastSyncAt?: Date;
    lastSyncError?: string | null;
  }) => Promise<boolean>;
  /** True once the process is stopping: the run ends after the page it is on (its place saved). */
  stopping?: () => boolean;
  /** New records a page needs to be taken in set-based (BULK_FROM unless given). */
  bulkFrom?: number;
}

const PHASES: Record<SyncState['mode'], Phase[]> = {
  first: ['contacts', 'open', 'paid', 'credits'],
  // Payments and credit notes last: one applied to an invoice whose own record did not change still arrives.
  changes: ['contacts', 'invoices', 'payments', 'credits'],
};

export async function runSync(deps: SyncDeps, connection: LedgerConnectionRow): Promise<SyncOutcome> {
  const { ctx, provider } = deps;
  const teamId = connection.teamId;
  const workspace = await loadWorkspace(ctx.db, teamId);
  const now = ctx.clock.now();
  const state: SyncState = (connection.syncState as SyncState | null) ?? {
    mode: connection.syncCursor ? 'changes' : 'first',
    phase: 'contacts',
    page: 1,
    since: connection.syncCursor?.toISOString() ?? null,
    startedAt: now.toISOString(),
  };
  const fresh = connection.syncState === null;
  let done = fresh ? 0 : connection.syncDone;
  let total = fresh ? 0 : connection.syncTotal;
  const outcome: SyncOutcome = {
    changedInvoices: [],
    created: 0,
    updated: 0,
    payments: 0,
    reversed: 0,
    credits: 0,
    withdrawn: 0,
    voided: 0,
    clients: 0,
    problems: [],
    finished: false,
    paused: false,
  };
  const changed = new Set<string>();
  const since = state.since ? new Date(state.since) : undefined;
  const today = todayIn(workspace.timeZone, now);
  const paidCutoff = addDays(today, -FIRST_SYNC_PAID_DAYS);
  // A provider that lists no credit notes (the method is optional) skips that phase.
  const phases = PHASES[state.mode].filter((phase) => phase !== 'credits' || provider.listCreditNotesSince);
  const bulkFrom = deps.bulkFrom ?? BULK_FROM;
  const seenRates = new InvoiceRates();

  for (let p = phases.indexOf(state.phase); p < phases.length; p++) {
    const phase = phases[p] as Phase;
    let page = phase === state.phase ? state.page : 1;
    for (;;) {
      const auth: Auth = { accessToken: await deps.accessToken(), tenantId: connection.tenantId };
      let listing: Page<LedgerContact> | Page<LedgerInvoice> | Page<LedgerPayment> | Page<LedgerCreditNote>;
      if (phase === 'contacts') {
        listing = await provider.listContactsSince(auth, since, page);
      } else if (phase === 'credits' && provider.listCreditNotesSince) {
        // The first sync takes the credit notes of the invoices it took (those of the last 90 days and open ones).
        const creditsSince = since ?? new Date(`${paidCutoff}T00:00:00Z`);
        listing = await provider.listCreditNotesSince(auth, creditsSince, page);
      } else if (phase === 'payments') {
        listing = await provider.listPaymentsSince(auth, since, page);
      } else {
        listing = await provider.listInvoicesSince(auth, {
          page,
          ...(phase === 'open' ? { only: 'open' } : {}),
          // Paid in the last 90 days: a payment changed the invoice then, so it was modified since.
          ...(phase === 'paid' ? { only: 'paid', since: new Date(`${paidCutoff}T00:00:00Z`) } : {}),
          ...(phase === 'invoices' ? { since } : {}),
        });
      }
      if (page === 1 && listing.total !== undefined) total += listing.total;
      // The page's new records, taken in set-based (a first sync is all new): what is left goes one by one below.
      const inBulk =
        phase === 'contacts'
          ? await contactsInBulk(ctx, teamId, provider.id, listing.items as LedgerContact[], outcome, bulkFrom)
          : phase === 'open' || phase === 'paid' || phase === 'invoices'
            ? await invoicesInBulk(ctx, teamId, provider, listing.items as LedgerInvoice[], {
                paidCutoff,
                today,
                outcome,
                changed,
                bulkFrom,
              })
            : new Set<string>();
      for (const item of listing.items) {
        done += 1;
        if (phase === 'contacts' && inBulk.has((item as LedgerContact).externalId)) continue;
        if (phase === 'contacts') {
          await guarded(outcome, `contact ${(item as LedgerContact).name}`, () =>
            applyContact(ctx, teamId, provider.id, item as LedgerContact, outcome),
          );
          continue;
        }
        if (phase === 'credits') {
          const note = item as LedgerCreditNote;
          await guarded(outcome, `credit note ${note.number ?? note.externalId}`, async () => {
            for (const id of await applyCreditNote(ctx, teamId, provider, note, outcome)) changed.add(id);
          });
          continue;
        }
        if (phase === 'payments') {
          const payment = item as LedgerPayment;
          await guarded(outcome, `payment ${payment.reference ?? payment.externalId}`, async () => {
            for (const id of await applyPayment(ctx, teamId, provider, payment, outcome)) changed.add(id);
          });
          continue;
        }
        const invoice = item as LedgerInvoice;
        seenRates.note(invoice);
        if (inBulk.has(invoice.externalId)) {
          for (const note of invoice.credits ?? []) {
            await guarded(outcome, `credit note ${note.number ?? note.externalId}`, async () => {
              for (const id of await applyCreditNote(ctx, teamId, provider, note, outcome)) changed.add(id);
            });
          }
          continue;
        }
        // Paid in full before the last 90 days: not ours to chase, unless we already have it.
        if (
          invoice.status === 'paid' &&
          !paidSince(invoice, paidCutoff) &&
          (phase === 'paid' || !(await findLink(ctx.db, teamId, provider.id, 'invoice', invoice.externalId)))
        ) {
          continue;
        }
        await guarded(outcome, invoice.number ?? invoice.externalId, async () => {
          const id = await applyInvoice(ctx, teamId, provider, invoice, outcome);
          if (id) changed.add(id);
        });
        // Credit the ledger records on the invoice's side (QuickBooks' credit memos), after its payments.
        for (const note of invoice.credits ?? []) {
          await guarded(outcome, `credit note ${note.number ?? note.externalId}`, async () => {
            for (const id of await applyCreditNote(ctx, teamId, provider, note, outcome)) changed.add(id);
          });
        }
        if (invoice.listsAdvances && invoice.status !== 'void') {
          await guarded(outcome, invoice.number ?? invoice.externalId, async () => {
            for (const id of await reverseRemovedAdvances(ctx, teamId, provider, invoice, outcome)) changed.add(id);
          });
        }
        if (invoice.credits && invoice.status !== 'void') {
          for (const id of await withdrawRemovedCredits(ctx, teamId, provider, invoice, outcome)) changed.add(id);
        }
      }
      const next: SyncState = listing.more
        ? { ...state, phase, page: page + 1 }
        : { ...state, phase: phases[p + 1] ?? phase, page: 1 };
      if (!(await deps.save({ syncState: next, syncDone: done, syncTotal: Math.max(total, done) }))) {
        outcome.changedInvoices = [...changed];
        return outcome;
      }
      if (deps.stopping?.() && (listing.more || p + 1 < phases.length)) {
        outcome.changedInvoices = [...changed];
        outcome.paused = true;
        return outcome;
      }
      if (!listing.more) break;
      page += 1;
    }
  }
  // The ledger's exchange rates (books/rates.ts): a rate not read is a problem reported, not a failed sync.
  const rates = await takeLedgerRates({
    ctx,
    provider,
    teamId,
    auth: async () => ({ accessToken: await deps.accessToken(), tenantId: connection.tenantId }),
    seen: seenRates,
    today,
  });
  if (rates.problem) outcome.problems.push({ ref: 'exchange rates', message: rates.problem });
  const started = new Date(state.startedAt);
  outcome.changedInvoices = [...changed];
  outcome.finished = await deps.save({
    syncState: null,
    syncDone: done,
    syncTotal: Math.max(total, done),
    syncCursor: new Date(started.getTime() - CURSOR_OVERLAP_MS),
    lastSyncAt: ctx.clock.now(),
    lastSyncError: problemSummary(outcome.problems),
  });
  return outcome;
}

function paidSince(invoice: LedgerInvoice, cutoff: string): boolean {
  const last = invoice.payments.at(-1)?.date;
  return last ? last >= cutoff : invoice.updatedAt.toISOString().slice(0, 10) >= cutoff;
}

/** A refusal (a bad number, a void with payments…) is reported and the sync goes on; anything else stops it. */
async function guarded(outcome: SyncOutcome, ref: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (isLedgerError(error) || error instanceof AmountError) {
      // The ledger's own text, named in a problem that is stored and shown: without its control characters.
      outcome.problems.push({ ref: stripControls(ref).slice(0, 200), message: stripControls(error.message) });
      return;
    }
    throw error;
  }
}

function problemSummary(problems: SyncProblem[]): string | null {
  if (problems.length === 0) return null;
  const shown = problems.slice(0, 5).map((p) => `${p.ref}: ${p.message}`);
  const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
  return `${problems.length} record${problems.length === 1 ? '' : 's'} not taken in: ${shown.join('; ')}${more}`;
}

// --- links ------------------------------------------------------------------------------------------------------

/** A credit note's link is per allocation: `<credit note id>:<invoice id>` in the ledger. */
type LinkKind = 'invoice' | 'contact' | 'payment' | 'credit_note';

async function findLink(
  db: LedgerContext['db'] | Transaction,
  teamId: string,
  provider: ProviderId,
  kind: LinkKind,
  externalId: string,
) {
  const [row] = await db
    .select()
    .from(ledgerLinks)
    .where(
      and(
        eq(ledgerLinks.teamId, teamId),
        eq(ledgerLinks.provider, provider),
        eq(ledgerLinks.kind, kind),
        eq(ledgerLinks.externalId, externalId),
      ),
    );
  return row;
}

async function link(
  tx: Transaction,
  teamId: string,
  provider: ProviderId,
  kind: LinkKind,
  externalId: string,
  localId: string | null,
  externalUpdatedAt: Date | null,
) {
  await tx
    .insert(ledgerLinks)
    .values({ teamId, provider, kind, externalId, localId, externalUpdatedAt })
    .onConflictDoUpdate({
      target: [ledgerLinks.teamId, ledgerLinks.provider, ledgerLinks.kind, ledgerLinks.externalId],
      set: { localId, externalUpdatedAt },
    });
}

async function linkedLocal(tx: Transaction, teamId: string, provider: ProviderId, kind: LinkKind, localId: string) {
  const [row] = await tx
    .select({ externalId: ledgerLinks.externalId })
    .from(ledgerLinks)
    .where(
      and(
        eq(ledgerLinks.teamId, teamId),
        eq(ledgerLinks.provider, provider),
        eq(ledgerLinks.kind, kind),
        eq(ledgerLinks.localId, localId),
      ),
    );
  return row?.externalId;
}

// --- the set-based path: a page's new records -----------------------------------------------------------------

/**
 * A page needs at least this many new records to be taken in set-based; fewer go one by one through the services
 * (the same rows and events either way: the set-based path is checked by the services' own rules).
 */
export const BULK_FROM = 10;

async function linksOf(
  db: LedgerContext['db'],
  teamId: string,
  provider: ProviderId,
  kind: LinkKind,
  externalIds: readonly string[],
) {
  if (externalIds.length === 0) return new Map<string, { localId: string | null }>();
  const rows = await db
    .select({ externalId: ledgerLinks.externalId, localId: ledgerLinks.localId })
    .from(ledgerLinks)
    .where(
      and(
        eq(ledgerLinks.teamId, teamId),
        eq(ledgerLinks.provider, provider),
        eq(ledgerLinks.kind, kind),
        inArray(ledgerLinks.externalId, [...new Set(externalIds)]),
      ),
    );
  return new Map(rows.map((r) => [r.externalId, { localId: r.localId }]));
}

type LinkRow = typeof ledgerLinks.$inferInsert;

/**
 * The page's customer contacts we have never seen and whose name no client has (any case, nor another contact of the
 * page): created in bulk as createClient would create them, each linked. Returns their ids; anything else (a
 * contact already linked, a name to match, a refusal) is left to applyContact.
 */
async function contactsInBulk(
  ctx: LedgerContext,
  teamId: string,
  provider: ProviderId,
  items: readonly LedgerContact[],
  outcome: SyncOutcome,
  bulkFrom: number,
): Promise<Set<string>> {
  const candidates: { contact: LedgerContact; name: string }[] = [];
  for (const contact of items) {
    if (!contact.isCustomer) continue;
    const name = cleanText(contact.name);
    if (controlCharacterIn(name) || name === '') continue;
    candidates.push({ contact, name });
  }
  if (candidates.length < bulkFrom) return new Set();
  const linked = await linksOf(
    ctx.db,
    teamId,
    provider,
    'contact',
    candidates.map((c) => c.contact.externalId),
  );
  const named = await findClientsByNames(ctx.db, { teamId, names: candidates.map((c) => c.name) });
  const seen = new Map<string, number>();
  for (const c of candidates) seen.set(c.name.toLowerCase(), (seen.get(c.name.toLowerCase()) ?? 0) + 1);
  const fresh = candidates.filter(
    (c) =>
      !linked.has(c.contact.externalId) && !named.has(c.name.toLowerCase()) && seen.get(c.name.toLowerCase()) === 1,
  );
  if (fresh.length < bulkFrom) return new Set();
  const byKey = new Map(fresh.map((c) => [c.contact.externalId, c.contact]));
  const { written } = await createClientsInBulk(
    ctx,
    teamId,
    ledgerActor(provider),
    fresh.map((c) => ({ key: c.contact.externalId, name: c.name, contactEmail: emailOrNull(c.contact.email) })),
    async (tx, made) => {
      await insertMany(
        tx,
        ledgerLinks,
        made.map(
          (m): LinkRow => ({
            teamId,
            provider,
            kind: 'contact',
            externalId: m.key,
            localId: m.clientId,
            externalUpdatedAt: byKey.get(m.key)?.updatedAt ?? null,
          }),
        ),
      );
    },
  );
  outcome.clients += written.length;
  return new Set(written.map((w) => w.key));
}

/**
 * The page's invoices we have never seen, whose number (any case, in any currency) no invoice here has, and whose
 * contact is linked to a client already in step with it: created in bulk with their payments, exactly as
 * applyInvoice would (createInvoice, then recordPayment for each payment up to what the ledger says is paid), each
 * linked with its payments. Returns their ids; everything else goes through applyInvoice.
 */
async function invoicesInBulk(
  ctx: LedgerContext,
  teamId: string,
  provider: LedgerProvider,
  items: readonly LedgerInvoice[],
  p: {
    paidCutoff: string;
    today: string;
    outcome: SyncOutcome;
    changed: Set<string>;
    bulkFrom: number;
  },
): Promise<Set<string>> {
  const live = items.filter((i) => i.status !== 'void' && i.number !== null);
  if (live.length < p.bulkFrom) return new Set();
  const linked = await linksOf(
    ctx.db,
    teamId,
    provider.id,
    'invoice',
    live.map((i) => i.externalId),
  );
  const kept: LedgerInvoice[] = [];
  for (const raw of live) {
    if (linked.has(raw.externalId)) continue;
    // Paid in full before the last 90 days and never ours: the loop below skips it.
    if (raw.status === 'paid' && !paidSince(raw, p.paidCutoff)) continue;
    try {
      kept.push(asKept(raw));
    } catch {
      // Refused one by one, where the problem is reported.
    }
  }
  if (kept.length < p.bulkFrom) return new Set();
  const numbers = new Map<string, number>();
  for (const i of kept)
    numbers.set((i.number ?? '').toLowerCase(), (numbers.get((i.number ?? '').toLowerCase()) ?? 0) + 1);
  const existing = await findInvoicesByNumbers(ctx.db, { teamId, numbers: kept.map((i) => i.number ?? '') });
  const contacts = await linksOf(
    ctx.db,
    teamId,
    provider.id,
    'contact',
    kept.map((i) => i.contact.externalId),
  );
  const clientIds = [...new Set([...contacts.values()].flatMap((c) => (c.localId ? [c.localId] : [])))];
  const clientRows = clientIds.length
    ? await ctx.db
        .select({ id: clients.id, name: clients.name, contactEmail: clients.contactEmail })
        .from(clients)
        .where(and(eq(clients.teamId, teamId), inArray(clients.id, clientIds)))
    : [];
  const clientById = new Map(clientRows.map((c) => [c.id, c]));
  const paymentLinks = await linksOf(
    ctx.db,
    teamId,
    provider.id,
    'payment',
    kept.flatMap((i) => i.payments.map((x) => x.externalId)),
  );
  // A payment listed twice on the page (an advance allocated twice to one invoice, one payment over several
  // invoices) is followed one by one, where each listing is its own part; one link per payment here.
  const listed = new Map<string, number>();
  for (const x of kept.flatMap((i) => i.payments)) listed.set(x.externalId, (listed.get(x.externalId) ?? 0) + 1);
  const planned: NewLedgerInvoice[] = [];
  const unpaid = new Map<string, string[]>();
  for (const invoice of kept) {
    const number = invoice.number as string;
    if (numbers.get(number.toLowerCase()) !== 1 || existing.has(number.toLowerCase())) continue;
    const clientId = contacts.get(invoice.contact.externalId)?.localId;
    const client = clientId ? clientById.get(clientId) : undefined;
    // A client to rename or give an email first: clientFor does that, one by one.
    if (!client || client.name !== invoice.contact.name) continue;
    const email = emailOrNull(invoice.contact.email);
    if (email && client.contactEmail !== email) continue;
    if (invoice.payments.some((x) => paymentLinks.has(x.externalId) || listed.get(x.externalId) !== 1)) continue;
    try {
      const issueDate = invoice.issueDate ?? invoice.updatedAt.toISOString().slice(0, 10);
      const total = decimalToMinor(invoice.total, invoice.currency);
      const ledgerPaid = invoice.payments.length > 0 ? decimalToMinor(invoice.amountPaid, invoice.currency) : 0n;
      let paid = 0n;
      const payments: NewLedgerInvoice['payments'] = [];
      const none: string[] = [];
      for (const payment of invoice.payments) {
        if (payment.deleted) continue;
        const amount = decimalToMinor(payment.amount, invoice.currency);
        const take = [amount, ledgerPaid - paid, total - paid].reduce((a, b) => (b < a ? b : a));
        if (take <= 0n) {
          none.push(payment.externalId);
          continue;
        }
        paid += take;
        payments.push({
          key: payment.externalId,
          amount: take,
          receivedOn: laterOf(payment.date < p.today ? payment.date : p.today, issueDate),
          reference: `from ${provider.label}${payment.reference ? `: ${stripControls(payment.reference)}` : ''}`.slice(
            0,
            200,
          ),
          method: provider.label,
        });
      }
      planned.push({
        key: invoice.externalId,
        number,
        clientId: client.id,
        currency: invoice.currency,
        total,
        issueDate,
        dueDate: laterOf(invoice.dueDate ?? issueDate, issueDate),
        status: invoice.status === 'draft' ? 'draft' : 'sent',
        payments,
      });
      unpaid.set(invoice.externalId, none);
    } catch (error) {
      if (error instanceof AmountError || isLedgerError(error)) continue;
      throw error;
    }
  }
  if (planned.length < p.bulkFrom) return new Set();
  const updatedAt = new Map(kept.map((i) => [i.externalId, i.updatedAt]));
  const { written } = await createInvoicesInBulk(ctx, teamId, ledgerActor(provider.id), planned, async (tx, made) => {
    const rows: LinkRow[] = [];
    for (const m of made) {
      const link = (kind: LinkKind, externalId: string, localId: string | null, at: Date | null): LinkRow => ({
        teamId,
        provider: provider.id,
        kind,
        externalId,
        localId,
        externalUpdatedAt: at,
      });
      rows.push(link('invoice', m.key, m.invoiceId, updatedAt.get(m.key) ?? null));
      for (const x of m.payments) rows.push(link('payment', x.key, x.paymentId, null));
      for (const x of unpaid.get(m.key) ?? []) rows.push(link('payment', x, null, null));
    }
    await insertMany(tx, ledgerLinks, rows);
  });
  for (const m of written) {
    p.outcome.created += 1;
    p.outcome.payments += m.payments.length;
    p.changed.add(m.invoiceId);
  }
  return new Set(written.map((w) => w.key));
}

// --- contacts → clients -----------------------------------------------------------------------------------------

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;
const emailOrNull = (email: string | null) => (email && EMAIL.test(email) && email.length <= 254 ? email : null);

/** A customer contact becomes (or updates) a client; suppliers we have never billed are left out. */
async function applyContact(
  ctx: LedgerContext,
  teamId: string,
  provider: ProviderId,
  raw: LedgerContact,
  outcome: SyncOutcome,
): Promise<void> {
  const contact = { ...raw, name: keptText('name', raw.name) };
  const existing = await findLink(ctx.db, teamId, provider, 'contact', contact.externalId);
  if (!existing && !contact.isCustomer) return;
  if (existing?.externalUpdatedAt && contact.updatedAt && existing.externalUpdatedAt >= contact.updatedAt) return;
  await ctx.db.transaction(async (tx) => {
    const clientId = await clientFor({ db: tx, clock: ctx.clock }, teamId, provider, contact, outcome);
    await link(tx, teamId, provider, 'contact', contact.externalId, clientId, contact.updatedAt ?? null);
  });
}

/** Our client for the ledger's contact: linked, or the same name (any case), or created; name and email kept in step. */
async function clientFor(
  ctx: LedgerContext,
  teamId: string,
  provider: ProviderId,
  contact: { externalId: string; name: string; email: string | null },
  outcome: SyncOutcome,
): Promise<string> {
  const tx = ctx.db as Transaction;
  const actor = ledgerActor(provider);
  const email = emailOrNull(contact.email);
  const linked = await findLink(tx, teamId, provider, 'contact', contact.externalId);
  let clientId = linked?.localId ?? undefined;
  if (!clientId) {
    const [byName] = await tx
      .select({ id: clients.id })
      .from(clients)
      .where(and(eq(clients.teamId, teamId), sql`lower(${clients.name}) = lower(${contact.name})`));
    if (byName && !(await linkedLocal(tx, teamId, provider, 'contact', byName.id))) clientId = byName.id;
  }
  if (!clientId) {
    const { result } = await createClient(
      ctx,
      teamId,
      actor,
      { name: contact.name, contactEmail: email },
      { idempotencyKey: `${provider}:contact:${contact.externalId}` },
    );
    outcome.clients += 1;
    await link(tx, teamId, provider, 'contact', contact.externalId, result.id, null);
    return result.id;
  }
  const [current] = await tx
    .select()
    .from(clients)
    .where(and(eq(clients.teamId, teamId), eq(clients.id, clientId)));
  if (current) {
    const changes: { name?: string; contactEmail?: string | null } = {};
    if (current.name !== contact.name) changes.name = contact.name;
    if (email && current.contactEmail !== email) changes.contactEmail = email;
    if (Object.keys(changes).length > 0) await updateClient(ctx, teamId, actor, { clientId, changes });
  }
  if (!linked) await link(tx, teamId, provider, 'contact', contact.externalId, clientId, null);
  return clientId;
}

// --- invoices ---------------------------------------------------------------------------------------------------

/**
 * Brings our invoice in line with the ledger's, in one transaction with its link. Returns our invoice's id when
 * anything changed. Matching: by link; else by number (any case) in the same currency, never a duplicate.
 */
async function applyInvoice(
  ctx: LedgerContext,
  teamId: string,
  provider: LedgerProvider,
  raw: LedgerInvoice,
  outcome: SyncOutcome,
): Promise<string | undefined> {
  const invoice = asKept(raw);
  const existing = await findLink(ctx.db, teamId, provider.id, 'invoice', invoice.externalId);
  // Nothing changed in the ledger since we last applied it: nothing to do (a re-sync writes nothing).
  if (existing?.externalUpdatedAt && existing.externalUpdatedAt >= invoice.updatedAt) return undefined;
  return ctx.db.transaction(async (tx) => {
    const t: LedgerContext = { db: tx, clock: ctx.clock };
    const actor = ledgerActor(provider.id);
    const key = (what: string) => `${provider.id}:invoice:${invoice.externalId}:${what}`;
    let row = existing?.localId ? await reread(t, teamId, existing.localId) : undefined;
    let touched = false;

    if (!row && invoice.number) {
      const found = (await findInvoiceRow(tx, { teamId, idOrNumber: invoice.number }))?.invoice;
      if (found) {
        if (found.currency !== invoice.currency) {
          throw new LedgerError(
            'DUPLICATE_INVOICE_NUMBER',
            `${found.number} is in ${found.currency} here but in ${invoice.currency} in ${provider.label}; correct one of them, then /invoice connect ${provider.id} resync.`,
          );
        }
        const other = await linkedLocal(tx, teamId, provider.id, 'invoice', found.id);
        if (other && other !== invoice.externalId) {
          throw new LedgerError(
            'DUPLICATE_INVOICE_NUMBER',
            `${found.number} here is already the ${provider.label} invoice ${other}; two ${provider.label} invoices share the number.`,
          );
        }
        row = found;
      }
    }
    if (!row) {
      if (invoice.status === 'void') {
        // Voided or deleted before we ever had it: nothing to record.
        await link(tx, teamId, provider.id, 'invoice', invoice.externalId, null, invoice.updatedAt);
        return undefined;
      }
      if (!invoice.number) throw LedgerError.invalid('number', `the ${provider.label} invoice has no number yet`);
      const clientId = await clientFor(t, teamId, provider.id, invoice.contact, outcome);
      const issueDate = invoice.issueDate ?? invoice.updatedAt.toISOString().slice(0, 10);
      const { result } = await createInvoice(
        t,
        teamId,
        actor,
        {
          number: invoice.number,
          clientId,
          currency: invoice.currency,
          total: decimalToMinor(invoice.total, invoice.currency),
          issueDate,
          terms: { kind: 'fixed', dueDate: laterOf(invoice.dueDate ?? issueDate, issueDate) },
          status: invoice.status === 'draft' ? 'draft' : 'sent',
        },
        { idempotencyKey: key('create') },
      );
      outcome.created += 1;
      touched = true;
      row = await reread(t, teamId, result.id);
    } else if (!row.voidedAt && invoice.status !== 'void') {
      // A void's figures are not facts to copy (QuickBooks zeroes a voided invoice; a deleted one sends none).
      const changes = await editsFor(t, teamId, provider.id, invoice, row, outcome);
      if (Object.keys(changes).length > 0) {
        await editInvoice(t, teamId, actor, { invoice: row.id, expectedVersion: row.version, changes });
        outcome.updated += 1;
        touched = true;
        row = await reread(t, teamId, row.id);
      }
    }
    if (!row) throw new Error('the synced invoice vanished');

    if (invoice.status !== 'draft' && invoice.status !== 'void' && !row.sentAt && !row.voidedAt) {
      await markSent(t, teamId, actor, { invoice: row.id }, { idempotencyKey: key('sent') });
      touched = true;
      row = await reread(t, teamId, row.id);
    }

    // Payments: each of the ledger's once (by its id), up to what the ledger says is paid — a payment someone
    // already recorded here by hand is not recorded twice.
    const ledgerPaid = invoice.payments.length > 0 ? decimalToMinor(invoice.amountPaid, invoice.currency) : 0n;
    const today = todayIn((await loadWorkspace(tx, teamId)).timeZone, ctx.clock.now());
    // An amount the ledger changes in place (Xero's advances), summed per id should it be listed more than once.
    const followed = new Map<string, bigint>();
    for (const payment of invoice.payments) {
      if (!(payment.followsAmount || payment.followsEdits) || payment.deleted) continue;
      const amount = decimalToMinor(payment.amount, invoice.currency);
      followed.set(payment.externalId, (followed.get(payment.externalId) ?? 0n) + amount);
    }
    for (const payment of invoice.payments) {
      if (payment.deleted || !row || row.voidedAt) continue;
      if (payment.followsAmount || payment.followsEdits) {
        const amount = followed.get(payment.externalId);
        if (amount === undefined) continue;
        followed.delete(payment.externalId);
        const after = await followAmount(t, teamId, provider, row, payment, { amount, ledgerPaid, today }, outcome);
        if (after) {
          touched = true;
          row = after;
        }
        continue;
      }
      if (await findLink(tx, teamId, provider.id, 'payment', payment.externalId)) continue;
      const amount = decimalToMinor(payment.amount, invoice.currency);
      const room = ledgerPaid - row.paidMinor;
      const due = row.totalMinor - row.paidMinor - row.creditedMinor;
      const take = [amount, room, due].reduce((a, b) => (b < a ? b : a));
      if (take <= 0n) {
        await link(tx, teamId, provider.id, 'payment', payment.externalId, null, null);
        continue;
      }
      const receivedOn = laterOf(payment.date < today ? payment.date : today, row.issueDate);
      const { result } = await recordPayment(
        t,
        teamId,
        actor,
        {
          invoice: row.id,
          amount: take,
          receivedOn,
          reference: `from ${provider.label}${payment.reference ? `: ${stripControls(payment.reference)}` : ''}`.slice(
            0,
            200,
          ),
          method: provider.label,
        },
        { idempotencyKey: `${provider.id}:payment:${payment.externalId}` },
      );
      await link(tx, teamId, provider.id, 'payment', payment.externalId, result.paymentId, null);
      outcome.payments += 1;
      touched = true;
      row = await reread(t, teamId, row.id);
    }

    if (invoice.status === 'void' && row && !row.voidedAt) {
      const word = invoice.ledgerStatus === 'DELETED' ? 'Deleted' : 'Voided';
      // The ledger voids or deletes only an invoice with no payment left on it: a payment of its we still count
      // was taken off in the ledger first (its own removal may come later in this sync, or not at all once the
      // invoice is gone), so it is reversed here, then the invoice voided.
      const counting = await tx
        .select({ id: paymentRows.id, externalId: ledgerLinks.externalId })
        .from(paymentRows)
        .innerJoin(
          ledgerLinks,
          and(
            eq(ledgerLinks.teamId, paymentRows.teamId),
            eq(ledgerLinks.provider, provider.id),
            eq(ledgerLinks.kind, 'payment'),
            eq(ledgerLinks.localId, paymentRows.id),
          ),
        )
        .where(and(eq(paymentRows.teamId, teamId), eq(paymentRows.invoiceId, row.id), isNull(paymentRows.reversedAt)));
      for (const payment of counting) {
        await reversePayment(
          t,
          teamId,
          actor,
          { invoice: row.id, payment: payment.id, reason: `${word} in ${provider.label} with the invoice` },
          { idempotencyKey: `${provider.id}:payment:${payment.externalId}:deleted` },
        );
        outcome.reversed += 1;
      }
      // Credit notes too: QuickBooks takes a memo's credit off an invoice (the memo unapplied or deleted) before it
      // voids it, and Xero its credit notes' allocations; that removal may arrive only as the void. Each of ours
      // still counting is withdrawn first, as the ledger did, then the invoice voided.
      const credited = await tx
        .select({ id: creditNoteRows.id, externalId: ledgerLinks.externalId })
        .from(creditNoteRows)
        .innerJoin(
          ledgerLinks,
          and(
            eq(ledgerLinks.teamId, creditNoteRows.teamId),
            eq(ledgerLinks.provider, provider.id),
            eq(ledgerLinks.kind, 'credit_note'),
            eq(ledgerLinks.localId, creditNoteRows.id),
          ),
        )
        .where(
          and(
            eq(creditNoteRows.teamId, teamId),
            eq(creditNoteRows.invoiceId, row.id),
            isNull(creditNoteRows.withdrawnAt),
          ),
        );
      for (const note of credited) {
        await withdrawCreditNote(
          t,
          teamId,
          actor,
          { invoice: row.id, creditNote: note.id, reason: `${word} in ${provider.label} with the invoice` },
          { idempotencyKey: `${provider.id}:credit:${note.externalId}:with-invoice` },
        );
        outcome.withdrawn += 1;
      }
      await voidInvoice(
        t,
        teamId,
        actor,
        { invoice: row.id, reason: `${word} in ${provider.label}` },
        { idempotencyKey: key('void') },
      );
      outcome.voided += 1;
      touched = true;
    }
    if (!row) throw new Error('the synced invoice vanished');
    await link(tx, teamId, provider.id, 'invoice', invoice.externalId, row.id, invoice.updatedAt);
    return touched ? row.id : undefined;
  });
}

/**
 * A payment the ledger lists on its own (its invoice's record may not have changed): recorded once, on our
 * invoice linked to its invoice, up to what is still due there. One we have already (by its id) is left alone.
 */
async function applyPayment(
  ctx: LedgerContext,
  teamId: string,
  provider: LedgerProvider,
  payment: LedgerPayment,
  outcome: SyncOutcome,
): Promise<string[]> {
  if (payment.deleted) return reverseDeleted(ctx, teamId, provider, payment, outcome);
  const moved = payment.whole ? await reverseMoved(ctx, teamId, provider, payment.whole, outcome) : [];
  if (payment.invoiceExternalId === '') return moved;
  const invoiceLink = await findLink(ctx.db, teamId, provider.id, 'invoice', payment.invoiceExternalId);
  if (await findLink(ctx.db, teamId, provider.id, 'payment', payment.externalId)) {
    if (!payment.followsEdits || !invoiceLink?.localId) return moved;
    const followed = await followEdited(ctx, teamId, provider, invoiceLink.localId, payment, outcome);
    return followed ? [...moved, followed] : moved;
  }
  if (!invoiceLink?.localId) return moved;
  const localId = invoiceLink.localId;
  const id = await ctx.db.transaction(async (tx) => {
    const t: LedgerContext = { db: tx, clock: ctx.clock };
    const row = await reread(t, teamId, localId);
    if (!row) return undefined;
    const take = [
      decimalToMinor(payment.amount, row.currency),
      row.totalMinor - row.paidMinor - row.creditedMinor,
    ].reduce((a, b) => (b < a ? b : a));
    if (row.voidedAt || take <= 0n) {
      await link(tx, teamId, provider.id, 'payment', payment.externalId, null, null);
      return undefined;
    }
    const today = todayIn((await loadWorkspace(tx, teamId)).timeZone, ctx.clock.now());
    const { result } = await recordPayment(
      t,
      teamId,
      ledgerActor(provider.id),
      {
        invoice: row.id,
        amount: take,
        receivedOn: laterOf(payment.date < today ? payment.date : today, row.issueDate),
        reference: `from ${provider.label}${payment.reference ? `: ${stripControls(payment.reference)}` : ''}`.slice(
          0,
          200,
        ),
        method: provider.label,
      },
      { idempotencyKey: `${provider.id}:payment:${payment.externalId}` },
    );
    await link(tx, teamId, provider.id, 'payment', payment.externalId, result.paymentId, null);
    outcome.payments += 1;
    return row.id;
  });
  return id ? [...moved, id] : moved;
}

/**
 * A payment the ledger edited in place, listed on its own (QuickBooks' CDC lists it whole once its SyncToken moves):
 * followed on our invoice linked to its invoice, as applyInvoice follows it, up to what is still due there. Returns
 * the invoice's id when anything changed.
 */
async function followEdited(
  ctx: LedgerContext,
  teamId: string,
  provider: LedgerProvider,
  localId: string,
  payment: LedgerPayment,
  outcome: SyncOutcome,
): Promise<string | undefined> {
  return ctx.db.transaction(async (tx) => {
    const t: LedgerContext = { db: tx, clock: ctx.clock };
    const row = await reread(t, teamId, localId);
    if (!row || row.voidedAt) return undefined;
    const today = todayIn((await loadWorkspace(tx, teamId)).timeZone, ctx.clock.now());
    const amount = decimalToMinor(payment.amount, row.currency);
    // The invoice's paid figure is not at hand here: what we count now bounds it. A new amount moves the invoice's
    // balance, so its own record lists it too, with what is paid; here a date moved, or a part taken off, is followed.
    const ledgerPaid = row.paidMinor;
    const after = await followAmount(t, teamId, provider, row, payment, { amount, ledgerPaid, today }, outcome);
    return after ? row.id : undefined;
  });
}

/**
 * The parts of a whole payment recorded here (`<payment>:<invoice>`, and their further parts `~n`) that the ledger
 * no longer lists — its line moved to another invoice, or taken off — are reversed ("Changed in QuickBooks"), once.
 * Returns the invoices that changed.
 */
async function reverseMoved(
  ctx: LedgerContext,
  teamId: string,
  provider: LedgerProvider,
  whole: { id: string; parts: string[] },
  outcome: SyncOutcome,
): Promise<string[]> {
  const listed = new Set(whole.parts);
  const recorded = await ctx.db
    .select({ externalId: ledgerLinks.externalId, localId: ledgerLinks.localId })
    .from(ledgerLinks)
    .where(
      and(
        eq(ledgerLinks.teamId, teamId),
        eq(ledgerLinks.provider, provider.id),
        eq(ledgerLinks.kind, 'payment'),
        sql`starts_with(${ledgerLinks.externalId}, ${`${whole.id}:`})`,
      ),
    );
  const changed: string[] = [];
  for (const part of recorded) {
    if (!part.localId || listed.has(partBase(part.externalId))) continue;
    const localId = part.localId;
    const id = await ctx.db.transaction(async (tx) => {
      const row = await ourPaymentInvoice(tx, ctx, teamId, localId);
      if (!row) return undefined;
      await reversePayment(
        { db: tx, clock: ctx.clock },
        teamId,
        ledgerActor(provider.id),
        { invoice: row.id, payment: localId, reason: `Changed in ${provider.label}` },
        { idempotencyKey: `${provider.id}:payment:${part.externalId}:changed` },
      );
      outcome.reversed += 1;
      return row.id;
    });
    if (id && !changed.includes(id)) changed.push(id);
  }
  return changed;
}

/**
 * A payment whose amount the ledger changes in place (a Xero advance on an invoice: allocated to it again, or one of
 * its allocations there deleted) is followed. The first time it is taken in as any payment (`<key>`, up to what the
 * ledger says is paid and what is due). Later, ours for it still counting are compared with the ledger's amount:
 * more there (allocated again: it counts twice), the difference is a further payment (`<key>~<n>`); less there, ours
 * are reversed ("Reduced in Xero") newest first until they are no more than it, and the rest is a further payment.
 * Returns the invoice as it is after, when anything changed.
 */
async function followAmount(
  t: LedgerContext,
  teamId: string,
  provider: LedgerProvider,
  start: InvoiceRow,
  payment: LedgerPayment,
  ledger: { amount: bigint; ledgerPaid: bigint; today: string },
  outcome: SyncOutcome,
): Promise<InvoiceRow | undefined> {
  const tx = t.db as Transaction;
  const actor = ledgerActor(provider.id);
  const key = payment.externalId;
  const parts = await paymentParts(tx, teamId, provider.id, key);
  // Every part linked to nothing: not taken on purpose (recorded here already, or nothing was due).
  if (parts.length > 0 && parts.every((part) => !part.localId)) return undefined;
  const counting = parts.filter((part) => part.localId && !part.reversedAt && part.amountMinor !== null);
  let counted = counting.reduce((sum, part) => sum + (part.amountMinor ?? 0n), 0n);
  const on = laterOf(payment.date < ledger.today ? payment.date : ledger.today, start.issueDate);
  // A payment edited in place (QuickBooks) is one payment here too: when its amount or its date moved, ours for it
  // are all reversed ("Changed in QuickBooks") and it is taken anew, on its date, up to what the ledger says is paid
  // and what is due. Only a change that takes something different: one held back by a payment recorded here by hand
  // (it took less than the ledger's amount) is not taken again for nothing. A date still to come was taken on the day
  // it arrived: that is not a change.
  const anew =
    parts.length > 0 && payment.followsEdits === true && edited(start, counting, counted, ledger, on, payment);
  if (parts.length > 0 && counted === ledger.amount && !anew) return undefined;
  if (parts.length > 0 && payment.followsEdits && !anew) return undefined;
  const [reason, suffix] = payment.followsEdits ? ['Changed', 'changed'] : ['Reduced', 'reduced'];
  let row = start;
  let touched = false;
  for (const part of anew ? [...counting].reverse() : reductionOrder(counting, counted - ledger.amount)) {
    if (!anew && counted <= ledger.amount) break;
    await reversePayment(
      t,
      teamId,
      actor,
      { invoice: row.id, payment: part.localId as string, reason: `${reason} in ${provider.label}` },
      { idempotencyKey: `${provider.id}:payment:${part.externalId}:${suffix}` },
    );
    outcome.reversed += 1;
    counted -= part.amountMinor ?? 0n;
    touched = true;
    const now = await reread(t, teamId, row.id);
    if (!now) throw new Error('the synced invoice vanished');
    row = now;
  }
  const partKey = parts.length === 0 ? key : `${key}~${parts.length + 1}`;
  const take = [
    ledger.amount - counted,
    ledger.ledgerPaid - row.paidMinor,
    row.totalMinor - row.paidMinor - row.creditedMinor,
  ].reduce((a, b) => (b < a ? b : a));
  if (take <= 0n) {
    // A first part not taken is linked to nothing (a re-sync leaves it); a further one is tried again.
    if (parts.length === 0) await link(tx, teamId, provider.id, 'payment', key, null, null);
    return touched ? row : undefined;
  }
  const { result } = await recordPayment(
    t,
    teamId,
    actor,
    {
      invoice: row.id,
      amount: take,
      receivedOn: on,
      reference: `from ${provider.label}${payment.reference ? `: ${stripControls(payment.reference)}` : ''}`.slice(
        0,
        200,
      ),
      method: provider.label,
    },
    { idempotencyKey: `${provider.id}:payment:${partKey}` },
  );
  await link(tx, teamId, provider.id, 'payment', partKey, result.paymentId, null);
  outcome.payments += 1;
  return reread(t, teamId, row.id);
}

/**
 * Whether a payment edited in place differs from ours for it: another day (not one still to come), less than we
 * count, or more that would be taken (room left by what the ledger says is paid and by what is due).
 */
function edited(
  row: InvoiceRow,
  counting: readonly { amountMinor: bigint | null; receivedOn: string | null }[],
  counted: bigint,
  ledger: { amount: bigint; ledgerPaid: bigint; today: string },
  on: string,
  payment: LedgerPayment,
): boolean {
  if (payment.date <= ledger.today && counting.some((part) => part.receivedOn !== on)) return true;
  if (ledger.amount < counted) return true;
  const whole = [
    ledger.amount,
    ledger.ledgerPaid - row.paidMinor + counted,
    row.totalMinor - row.paidMinor - row.creditedMinor + counted,
  ].reduce((a, b) => (b < a ? b : a));
  return whole > counted;
}

/** The parts of one followed payment recorded (`<key>`, then `<key>~2`…), oldest first, with our payments. */
async function paymentParts(tx: Transaction, teamId: string, provider: ProviderId, key: string) {
  const rows = await tx
    .select({
      externalId: ledgerLinks.externalId,
      localId: ledgerLinks.localId,
      amountMinor: paymentRows.amountMinor,
      reversedAt: paymentRows.reversedAt,
      receivedOn: paymentRows.receivedOn,
    })
    .from(ledgerLinks)
    .leftJoin(paymentRows, and(eq(paymentRows.teamId, ledgerLinks.teamId), eq(paymentRows.id, ledgerLinks.localId)))
    .where(
      and(
        eq(ledgerLinks.teamId, teamId),
        eq(ledgerLinks.provider, provider),
        eq(ledgerLinks.kind, 'payment'),
        sql`(${ledgerLinks.externalId} = ${key} or starts_with(${ledgerLinks.externalId}, ${`${key}~`}))`,
      ),
    );
  return rows.sort((a, b) => partNumber(a.externalId) - partNumber(b.externalId));
}

/**
 * The ledger's texts as ours are kept (services/schemas.ts cleans what anyone types the same way): NFC, bidi
 * overrides dropped, runs of white space one space. So "INV  7" or an NFD "Café" in Xero matches the invoice or
 * client typed here, and a re-sync finds nothing changed. Anything else (`< > &`, `<!channel>`, `*bold*`, any
 * script) is kept as it is; a control character is refused by the services, per record, as a sync problem.
 */
function asKept(invoice: LedgerInvoice): LedgerInvoice {
  const number = invoice.number === null ? null : keptText('number', invoice.number);
  return {
    ...invoice,
    number: number === '' ? null : number,
    contact: { ...invoice.contact, name: keptText('client', invoice.contact.name) },
  };
}

/** Cleaned; one holding a control character is refused before any query sees it (PostgreSQL cannot hold a NUL). */
function keptText(field: string, text: string): string {
  const kept = cleanText(text);
  const control = controlCharacterIn(kept);
  if (control) {
    throw LedgerError.invalid(
      field,
      `contains a control character (${control}) that cannot be saved; remove it in the ledger`,
    );
  }
  return kept;
}

/**
 * A payment deleted in the ledger: the payment we recorded for it (if any, and not reversed already) is reversed,
 * with the reason "Deleted in Xero". A deleted payment we never recorded changes nothing.
 */
async function reverseDeleted(
  ctx: LedgerContext,
  teamId: string,
  provider: LedgerProvider,
  payment: LedgerPayment,
  outcome: SyncOutcome,
): Promise<string[]> {
  // The payment's own link, or (a whole payment gone, named by its id alone) the links of each of its parts.
  const parts = await ctx.db
    .select({ externalId: ledgerLinks.externalId, localId: ledgerLinks.localId })
    .from(ledgerLinks)
    .where(
      and(
        eq(ledgerLinks.teamId, teamId),
        eq(ledgerLinks.provider, provider.id),
        eq(ledgerLinks.kind, 'payment'),
        payment.invoiceExternalId === ''
          ? sql`(${ledgerLinks.externalId} = ${payment.externalId} or starts_with(${ledgerLinks.externalId}, ${`${payment.externalId}:`}))`
          : eq(ledgerLinks.externalId, payment.externalId),
      ),
    );
  const word = payment.voided ? 'Voided' : 'Deleted';
  const changed: string[] = [];
  for (const part of parts) {
    if (!part.localId) continue;
    const localId = part.localId;
    const id = await ctx.db.transaction(async (tx) => {
      const row = await ourPaymentInvoice(tx, ctx, teamId, localId);
      if (!row) return undefined;
      await reversePayment(
        { db: tx, clock: ctx.clock },
        teamId,
        ledgerActor(provider.id),
        { invoice: row.id, payment: localId, reason: `${word} in ${provider.label}` },
        { idempotencyKey: `${provider.id}:payment:${part.externalId}:deleted` },
      );
      outcome.reversed += 1;
      return row.id;
    });
    if (id) changed.push(id);
  }
  return changed;
}

/**
 * Advances (Xero's prepayments and overpayments) recorded here as payments on this invoice that the ledger no longer
 * lists on it — the allocation deleted, or the advance voided — are reversed ("Allocation removed in Xero"), so the
 * invoice is what its remaining facts give. The reversal's key is the deleted payment's: once, whichever way it comes.
 */
async function reverseRemovedAdvances(
  ctx: LedgerContext,
  teamId: string,
  provider: LedgerProvider,
  invoice: LedgerInvoice,
  outcome: SyncOutcome,
): Promise<string[]> {
  const listed = new Set(invoice.payments.filter((p) => !p.deleted).map((p) => p.externalId));
  const recorded = await stillCounting(ctx, teamId, provider, 'payment', invoice.externalId);
  const changed: string[] = [];
  for (const advance of recorded) {
    if (listed.has(partBase(advance.externalId)) || !advance.localId) continue;
    const localId = advance.localId;
    const id = await ctx.db.transaction(async (tx) => {
      const row = await ourPaymentInvoice(tx, ctx, teamId, localId);
      if (!row) return undefined;
      await reversePayment(
        { db: tx, clock: ctx.clock },
        teamId,
        ledgerActor(provider.id),
        { invoice: row.id, payment: localId, reason: `Allocation removed in ${provider.label}` },
        { idempotencyKey: `${provider.id}:payment:${advance.externalId}:deleted` },
      );
      outcome.reversed += 1;
      return row.id;
    });
    if (id) changed.push(id);
  }
  return changed;
}

/** The live invoice our payment is on, while the payment still counts (not reversed); else undefined. */
async function ourPaymentInvoice(tx: Transaction, ctx: LedgerContext, teamId: string, paymentId: string) {
  const [ours] = await tx
    .select({ invoiceId: paymentRows.invoiceId, reversedAt: paymentRows.reversedAt })
    .from(paymentRows)
    .where(and(eq(paymentRows.teamId, teamId), eq(paymentRows.id, paymentId)));
  if (!ours || ours.reversedAt) return undefined;
  const row = await reread({ db: tx, clock: ctx.clock }, teamId, ours.invoiceId);
  return row && !row.voidedAt ? row : undefined;
}

/**
 * A sales credit note: each allocation to an invoice we have becomes a credit note here, once (by the credit note's
 * and the invoice's ids), up to what is still due. Numbered as in the ledger; a note allocated to several invoices
 * numbers each part `<number>/<n>`. A credit note voided in the ledger after we took it in is withdrawn here (each
 * part we took in), with the reason "Voided in Xero"; one voided before we ever had it changes nothing.
 *
 * The ledger's amount for an allocation is followed: allocated twice to the same invoice, it counts twice (the
 * allocations' sum); reduced there, our notes for it are withdrawn ("Reduced in QuickBooks") newest first until
 * they are no more than the new amount, and the rest taken in as a further note; applied more, or applied again
 * after we withdrew ours (a memo re-applied by the same payment), the difference is taken in as a further note.
 * A further note is its own row, numbered on (`CM-1/2`), linked `<allocation>~<n>`: no note ever counts twice.
 */
async function applyCreditNote(
  ctx: LedgerContext,
  teamId: string,
  provider: LedgerProvider,
  note: LedgerCreditNote,
  outcome: SyncOutcome,
): Promise<string[]> {
  const changed: string[] = [];
  const byKey = new Map<string, LedgerCreditNote['allocations']>();
  for (const allocation of note.allocations) {
    const key = allocation.externalId ?? `${note.externalId}:${allocation.invoiceExternalId}`;
    byKey.set(key, [...(byKey.get(key) ?? []), allocation]);
  }
  for (const [key, allocations] of byKey) {
    const allocation = allocations[0] as LedgerCreditNote['allocations'][number];
    const parts = await creditParts(ctx.db, teamId, provider.id, key);
    if (note.status === 'void') {
      for (const part of parts) {
        if (!part.localId || part.withdrawnAt) continue;
        const id = await withdrawVoided(ctx, teamId, provider, part.externalId, part.localId);
        if (id) {
          outcome.withdrawn += 1;
          changed.push(id);
        }
      }
      continue;
    }
    // Every part linked to nothing: not taken on purpose (nothing was due, or the invoice was void).
    if (parts.length > 0 && parts.every((part) => !part.localId)) continue;
    // Ours for it already count what the ledger says (the usual re-sync): nothing to open a transaction for.
    if (parts.length > 0 && sameAmount(allocations, note.currency, parts)) continue;
    const invoiceLink = await findLink(ctx.db, teamId, provider.id, 'invoice', allocation.invoiceExternalId);
    if (!invoiceLink?.localId) continue;
    const localId = invoiceLink.localId;
    const id = await ctx.db.transaction(async (tx) => {
      const t: LedgerContext = { db: tx, clock: ctx.clock };
      let row = await reread(t, teamId, localId);
      if (!row) return undefined;
      const amount = allocations.reduce((sum, a) => sum + decimalToMinor(a.amount, row?.currency ?? note.currency), 0n);
      const counting = parts.filter((part) => part.localId && !part.withdrawnAt && part.amountMinor !== null);
      let counted = counting.reduce((sum, part) => sum + (part.amountMinor ?? 0n), 0n);
      if (parts.length > 0 && (amount === counted || row.voidedAt)) return undefined;
      let touched = false;
      // Reduced in the ledger: ours withdrawn, newest first, until they are no more than its amount.
      for (const part of reductionOrder(counting, counted - amount)) {
        if (counted <= amount) break;
        await withdrawCreditNote(
          t,
          teamId,
          ledgerActor(provider.id),
          { invoice: row.id, creditNote: part.localId as string, reason: `Reduced in ${provider.label}` },
          { idempotencyKey: `${provider.id}:credit:${part.externalId}:reduced` },
        );
        outcome.withdrawn += 1;
        counted -= part.amountMinor ?? 0n;
        touched = true;
        row = await reread(t, teamId, row.id);
        if (!row) throw new Error('the credited invoice vanished');
      }
      const partKey = parts.length === 0 ? key : `${key}~${parts.length + 1}`;
      const due = row.totalMinor - row.paidMinor - row.creditedMinor;
      const wanted = amount - counted;
      const take = wanted < due ? wanted : due;
      if (row.voidedAt || !row.sentAt || take <= 0n) {
        // A first part not taken is linked to nothing (a re-sync leaves it); a further one is tried again.
        if (parts.length === 0) await link(tx, teamId, provider.id, 'credit_note', key, null, note.updatedAt);
        return touched ? row.id : undefined;
      }
      const today = todayIn((await loadWorkspace(tx, teamId)).timeZone, ctx.clock.now());
      const day = allocation.date ?? note.date ?? today;
      const number = note.number ?? `${provider.label}-${note.externalId.slice(0, 8)}`;
      // Each part of a note applied more than once (to several invoices, or through several QuickBooks payments, or
      // taken in again) is numbered <number>/<n> in the order they arrive, n counting the parts already seen.
      const [seen] = await tx
        .select({ n: count() })
        .from(ledgerLinks)
        .where(
          and(
            eq(ledgerLinks.teamId, teamId),
            eq(ledgerLinks.provider, provider.id),
            eq(ledgerLinks.kind, 'credit_note'),
            sql`starts_with(${ledgerLinks.externalId}, ${`${note.externalId}:`})`,
          ),
        );
      const earlier = seen?.n ?? 0;
      const { result } = await issueCreditNote(
        t,
        teamId,
        ledgerActor(provider.id),
        {
          invoice: row.id,
          number: note.allocations.length > 1 || earlier > 0 ? `${number}/${earlier + 1}` : number,
          amount: take,
          issuedOn: laterOf(day < today ? day : today, row.issueDate),
          reason: `Credit note ${number} in ${provider.label}${note.reference ? `: ${note.reference}` : ''}`.slice(
            0,
            2000,
          ),
        },
        { idempotencyKey: `${provider.id}:credit:${partKey}` },
      );
      await link(tx, teamId, provider.id, 'credit_note', partKey, result.creditNoteId, note.updatedAt);
      outcome.credits += 1;
      return row.id;
    });
    if (id) changed.push(id);
  }
  // A note that lists all its allocations (Xero's; a QuickBooks memo arrives one application at a time): a part we
  // took in whose allocation it no longer lists was deleted there, and is withdrawn ("Allocation removed in Xero").
  if (note.status === 'open' && note.allocations.every((a) => a.externalId === undefined)) {
    const taken = await ctx.db
      .select({ externalId: ledgerLinks.externalId, localId: ledgerLinks.localId })
      .from(ledgerLinks)
      .innerJoin(
        creditNoteRows,
        and(eq(creditNoteRows.teamId, ledgerLinks.teamId), eq(creditNoteRows.id, ledgerLinks.localId)),
      )
      .where(
        and(
          eq(ledgerLinks.teamId, teamId),
          eq(ledgerLinks.provider, provider.id),
          eq(ledgerLinks.kind, 'credit_note'),
          sql`starts_with(${ledgerLinks.externalId}, ${`${note.externalId}:`})`,
          isNull(creditNoteRows.withdrawnAt),
        ),
      );
    for (const part of taken) {
      if (byKey.has(partBase(part.externalId)) || !part.localId) continue;
      const id = await withdrawVoided(ctx, teamId, provider, part.externalId, part.localId, {
        reason: `Allocation removed in ${provider.label}`,
        key: 'removed',
      });
      if (id) {
        outcome.withdrawn += 1;
        changed.push(id);
      }
    }
  }
  return changed;
}

/** The allocations' sum (in the note's currency) is what our notes for them still counting add up to. */
function sameAmount(
  allocations: LedgerCreditNote['allocations'],
  currency: string,
  parts: { localId: string | null; withdrawnAt: Date | null; amountMinor: bigint | null }[],
): boolean {
  const amount = allocations.reduce((sum, a) => sum + decimalToMinor(a.amount, currency), 0n);
  const counted = parts.reduce((sum, p) => sum + (p.localId && !p.withdrawnAt ? (p.amountMinor ?? 0n) : 0n), 0n);
  return amount === counted;
}

/** The parts of one allocation taken in (`<key>`, then `<key>~2`, `<key>~3`…), oldest first, with our notes. */
async function creditParts(db: LedgerContext['db'], teamId: string, provider: ProviderId, key: string) {
  const rows = await db
    .select({
      externalId: ledgerLinks.externalId,
      localId: ledgerLinks.localId,
      amountMinor: creditNoteRows.amountMinor,
      withdrawnAt: creditNoteRows.withdrawnAt,
    })
    .from(ledgerLinks)
    .leftJoin(
      creditNoteRows,
      and(eq(creditNoteRows.teamId, ledgerLinks.teamId), eq(creditNoteRows.id, ledgerLinks.localId)),
    )
    .where(
      and(
        eq(ledgerLinks.teamId, teamId),
        eq(ledgerLinks.provider, provider),
        eq(ledgerLinks.kind, 'credit_note'),
        sql`(${ledgerLinks.externalId} = ${key} or starts_with(${ledgerLinks.externalId}, ${`${key}~`}))`,
      ),
    );
  return rows.sort((a, b) => partNumber(a.externalId) - partNumber(b.externalId));
}

/**
 * Which of ours to undo when the ledger's amount went down by `less`: the newest part of exactly that amount (the
 * allocation deleted there, most likely), else newest first.
 */
function reductionOrder<T extends { amountMinor: bigint | null }>(counting: readonly T[], less: bigint): T[] {
  const exact = counting.filter((part) => part.amountMinor === less).at(-1);
  return exact ? [exact] : [...counting].reverse();
}

/** 1 for `<key>`, n for `<key>~n`. */
function partNumber(externalId: string): number {
  const at = externalId.lastIndexOf('~');
  return at < 0 ? 1 : Number(externalId.slice(at + 1));
}

/** The allocation a part belongs to: `<key>` of `<key>~n`. */
/**
 * Our payments (not reversed) or credit notes (not withdrawn) taken in from the ledger against one of its invoices,
 * whose links are `<payment or note>:<invoice>[:…][~n]`: what may since have been taken off it there.
 */
async function stillCounting(
  ctx: LedgerContext,
  teamId: string,
  provider: LedgerProvider,
  kind: 'payment' | 'credit_note',
  invoiceExternalId: string,
): Promise<{ externalId: string; localId: string | null }[]> {
  const onInvoice = and(
    eq(ledgerLinks.teamId, teamId),
    eq(ledgerLinks.provider, provider.id),
    eq(ledgerLinks.kind, kind),
    sql`split_part(split_part(${ledgerLinks.externalId}, '~', 1), ':', 2) = ${invoiceExternalId}`,
  );
  const link = { externalId: ledgerLinks.externalId, localId: ledgerLinks.localId };
  return kind === 'payment'
    ? ctx.db
        .select(link)
        .from(ledgerLinks)
        .innerJoin(
          paymentRows,
          and(eq(paymentRows.teamId, ledgerLinks.teamId), eq(paymentRows.id, ledgerLinks.localId)),
        )
        .where(and(onInvoice, isNull(paymentRows.reversedAt)))
    : ctx.db
        .select(link)
        .from(ledgerLinks)
        .innerJoin(
          creditNoteRows,
          and(eq(creditNoteRows.teamId, ledgerLinks.teamId), eq(creditNoteRows.id, ledgerLinks.localId)),
        )
        .where(and(onInvoice, isNull(creditNoteRows.withdrawnAt)));
}

function partBase(externalId: string): string {
  const at = externalId.indexOf('~');
  return at < 0 ? externalId : externalId.slice(0, at);
}

/**
 * Our credit note for a part of a note voided in the ledger (or no longer applied there: `why`), withdrawn (once: a
 * note already withdrawn, or on an invoice voided since, is left as it is). Returns the invoice's id when it changed.
 */
async function withdrawVoided(
  ctx: LedgerContext,
  teamId: string,
  provider: LedgerProvider,
  key: string,
  creditNoteId: string,
  why: { reason: string; key: string } = { reason: `Voided in ${provider.label}`, key: 'voided' },
): Promise<string | undefined> {
  return ctx.db.transaction(async (tx) => {
    const [ours] = await tx
      .select({ invoiceId: creditNoteRows.invoiceId, withdrawnAt: creditNoteRows.withdrawnAt })
      .from(creditNoteRows)
      .where(and(eq(creditNoteRows.teamId, teamId), eq(creditNoteRows.id, creditNoteId)));
    if (!ours || ours.withdrawnAt) return undefined;
    const row = await reread({ db: tx, clock: ctx.clock }, teamId, ours.invoiceId);
    if (!row || row.voidedAt) return undefined;
    await withdrawCreditNote(
      { db: tx, clock: ctx.clock },
      teamId,
      ledgerActor(provider.id),
      { invoice: row.id, creditNote: creditNoteId, reason: why.reason },
      { idempotencyKey: `${provider.id}:credit:${key}:${why.key}` },
    );
    return row.id;
  });
}

/**
 * Credit taken in from the invoice's side (QuickBooks: `<memo>:<invoice>:<payment>`) that the ledger no longer lists
 * on it — the memo deleted or voided, or the payment that applied it deleted or changed — is withdrawn here, as a
 * credit note voided in Xero is (see applyCreditNote): the note stays, marked, and what it took off is due again.
 * Returns the invoices that changed; a re-sync finds the note withdrawn already and changes nothing.
 */
async function withdrawRemovedCredits(
  ctx: LedgerContext,
  teamId: string,
  provider: LedgerProvider,
  invoice: LedgerInvoice,
  outcome: SyncOutcome,
): Promise<string[]> {
  const listed = new Set(
    (invoice.credits ?? []).flatMap((n) =>
      n.allocations.map((a) => a.externalId ?? `${n.externalId}:${a.invoiceExternalId}`),
    ),
  );
  const taken = await stillCounting(ctx, teamId, provider, 'credit_note', invoice.externalId);
  const changed: string[] = [];
  for (const credit of taken) {
    if (listed.has(partBase(credit.externalId)) || !credit.localId) continue;
    const id = await withdrawVoided(ctx, teamId, provider, credit.externalId, credit.localId, {
      reason: `No longer applied to ${invoice.number ?? invoice.externalId} in ${provider.label}`,
      key: 'removed',
    });
    if (id) {
      outcome.withdrawn += 1;
      changed.push(id);
    }
  }
  return changed;
}

async function reread(ctx: LedgerContext, teamId: string, id: string): Promise<InvoiceRow | undefined> {
  return (await findInvoiceRow(ctx.db, { teamId, idOrNumber: id }))?.invoice;
}

function laterOf(a: string, b: string): string {
  return a > b ? a : b;
}

type Changes = {
  number?: string;
  clientId?: string;
  currency?: string;
  total?: bigint;
  issueDate?: string;
  terms?: { kind: 'fixed'; dueDate: string };
};

/** What the ledger says differently from us, among the facts it owns (number, client, currency, total, dates). */
async function editsFor(
  ctx: LedgerContext,
  teamId: string,
  provider: ProviderId,
  invoice: LedgerInvoice,
  row: InvoiceRow,
  outcome: SyncOutcome,
): Promise<Changes> {
  const changes: Changes = {};
  if (invoice.number && invoice.number !== row.number) changes.number = invoice.number;
  const clientId = await clientFor(ctx, teamId, provider, invoice.contact, outcome);
  if (clientId !== row.clientId) changes.clientId = clientId;
  if (invoice.currency !== row.currency) changes.currency = invoice.currency;
  const total = decimalToMinor(invoice.total, invoice.currency);
  if (total !== row.totalMinor) changes.total = total;
  const issueDate = invoice.issueDate ?? row.issueDate;
  if (issueDate !== row.issueDate) changes.issueDate = issueDate;
  const dueDate = laterOf(invoice.dueDate ?? issueDate, issueDate);
  if (dueDate !== row.dueDate || row.termsKind !== 'fixed') {
    // A due date of our own terms that lands on the ledger's date is the same fact: leave the terms as they are.
    if (dueDate !== row.dueDate || changes.issueDate) changes.terms = { kind: 'fixed', dueDate };
  }
  return changes;
}
