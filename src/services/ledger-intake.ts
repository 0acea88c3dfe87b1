// The set-based intake of a ledger's new clients and invoices (a first sync, or any page of new ones): each record is
// checked in memory by the very rules createClient, createInvoice and recordPayment apply (their schemas and
// helpers), planned with the rows and events those services would write — client_created; created, sent, then paid or
// part_paid per payment, in that order — and written in a few multi-row statements in one transaction, with the
// caller's own rows (the ledger's links) in the same transaction. A record a rule refuses is not written and is
// handed back, for the caller to take in one by one through the services, which say why in their own words.
import { randomUUID } from 'node:crypto';
import { inArray } from 'drizzle-orm';
import { insertMany } from '../db/bulk.js';
import type { Transaction } from '../db/client.js';
import { type ClientRow, clients, invoices, payments } from '../db/schema.js';
import { type LocalDate, todayIn } from '../domain/dates.js';
import { formatMoney } from '../domain/money.js';
import { createClientSchema } from './clients.js';
import type { LedgerContext } from './context.js';
import { isLedgerError, LedgerError } from './errors.js';
import {
  type CreateInvoiceInput,
  createdDetails,
  createInvoiceSchema,
  newInvoiceValues,
  paymentReceived,
  type RecordPaymentInput,
  recordPaymentSchema,
  toMinor,
} from './invoices.js';
import { actorOf, authorize, type Principal } from './policy.js';
import { checkPaymentDate } from './schemas.js';
import { appendEvents, type EventInput, loadWorkspace, parseInput } from './write.js';

export interface NewLedgerClient {
  /** The caller's name for it (the ledger's contact id), handed back with its id. */
  key: string;
  name: string;
  contactEmail: string | null;
}

export interface NewLedgerPayment {
  key: string;
  amount: bigint;
  receivedOn: LocalDate;
  reference: string;
  method: string;
}

export interface NewLedgerInvoice {
  key: string;
  number: string;
  clientId: string;
  currency: string;
  total: bigint;
  issueDate: LocalDate;
  dueDate: LocalDate;
  status: 'draft' | 'sent';
  /** Recorded in this order, each as recordPayment would record it. */
  payments: NewLedgerPayment[];
}

export interface TakenIn<T> {
  /** The records written, each with the id it got (and its payments', for invoices). */
  written: T[];
  /** The keys of the records a rule refused: take them in through the services, one by one. */
  refused: string[];
}

/** After the rows are written, in the same transaction: the caller's own rows about them. */
type After<T> = (tx: Transaction, written: T[]) => Promise<void>;

/** New clients (createClient's rules and its client_created event), written in bulk. */
export async function createClientsInBulk(
  ctx: LedgerContext,
  teamId: string,
  principal: Principal,
  list: readonly NewLedgerClient[],
  after: After<{ key: string; clientId: string }>,
): Promise<TakenIn<{ key: string; clientId: string }>> {
  authorize(principal, 'createClient', teamId);
  const actor = actorOf(principal);
  const now = ctx.clock.now();
  const rows: (typeof clients.$inferInsert)[] = [];
  const plannedEvents: EventInput[] = [];
  const written: { key: string; clientId: string }[] = [];
  const refused: string[] = [];
  for (const item of list) {
    let data: ReturnType<typeof parseClient>;
    try {
      data = parseClient(item);
    } catch (error) {
      if (!isLedgerError(error)) throw error;
      refused.push(item.key);
      continue;
    }
    const row = {
      id: randomUUID(),
      teamId,
      name: data.name,
      contactName: data.contactName ?? null,
      contactEmail: data.contactEmail,
      termsKind: data.terms?.kind ?? 'net',
      termsDays: data.terms?.kind === 'receipt' ? 0 : (data.terms?.days ?? 30),
      notes: data.notes ?? null,
      archived: false,
      createdAt: now,
    };
    rows.push(row);
    plannedEvents.push({
      teamId,
      clientId: row.id,
      kind: 'client_created',
      actor,
      at: now,
      details: { name: row.name, contactName: row.contactName, contactEmail: row.contactEmail },
    });
    written.push({ key: item.key, clientId: row.id });
  }
  if (written.length > 0) {
    await ctx.db.transaction(async (tx) => {
      await insertMany(tx, clients, rows);
      await appendEvents(tx, plannedEvents);
      await after(tx, written);
    });
  }
  return { written, refused };
}

function parseClient(item: NewLedgerClient) {
  return parseInput(createClientSchema, { name: item.name, contactEmail: item.contactEmail });
}

/**
 * New invoices with their payments (createInvoice's and recordPayment's rules and events), written in bulk. An
 * invoice whose client is not there, or that any rule refuses, is handed back whole (none of its payments written).
 */
export async function createInvoicesInBulk(
  ctx: LedgerContext,
  teamId: string,
  principal: Principal,
  list: readonly NewLedgerInvoice[],
  after: After<{ key: string; invoiceId: string; payments: { key: string; paymentId: string }[] }>,
): Promise<TakenIn<{ key: string; invoiceId: string; payments: { key: string; paymentId: string }[] }>> {
  authorize(principal, 'createInvoice', teamId);
  authorize(principal, 'recordPayment', teamId);
  const actor = actorOf(principal);
  const now = ctx.clock.now();
  const workspace = await loadWorkspace(ctx.db, teamId);
  const today = todayIn(workspace.timeZone, now);
  const clientIds = [...new Set(list.map((i) => i.clientId))];
  const known = new Map<string, Pick<ClientRow, 'id' | 'name' | 'archived' | 'termsKind' | 'termsDays'>>();
  for (let start = 0; start < clientIds.length; start += 5_000) {
    const rows = await ctx.db
      .select({
        id: clients.id,
        teamId: clients.teamId,
        name: clients.name,
        archived: clients.archived,
        termsKind: clients.termsKind,
        termsDays: clients.termsDays,
      })
      .from(clients)
      .where(inArray(clients.id, clientIds.slice(start, start + 5_000)));
    for (const row of rows) if (row.teamId === teamId) known.set(row.id, row);
  }
  const invoiceRows: (typeof invoices.$inferInsert)[] = [];
  const paymentRows: (typeof payments.$inferInsert)[] = [];
  const plannedEvents: EventInput[] = [];
  const written: { key: string; invoiceId: string; payments: { key: string; paymentId: string }[] }[] = [];
  const refused: string[] = [];
  for (const item of list) {
    const client = known.get(item.clientId);
    if (!client) {
      refused.push(item.key);
      continue;
    }
    try {
      const planned = planInvoice({ teamId, principal, actor, today, timeZone: workspace.timeZone, now }, item, client);
      invoiceRows.push(planned.row);
      paymentRows.push(...planned.payments);
      plannedEvents.push(...planned.events);
      written.push({ key: item.key, invoiceId: planned.row.id, payments: planned.paymentIds });
    } catch (error) {
      if (!isLedgerError(error)) throw error;
      refused.push(item.key);
    }
  }
  if (written.length > 0) {
    await ctx.db.transaction(async (tx) => {
      await insertMany(tx, invoices, invoiceRows);
      await insertMany(tx, payments, paymentRows);
      await appendEvents(tx, plannedEvents);
      await after(tx, written);
    });
  }
  return { written, refused };
}

interface Planning {
  teamId: string;
  principal: Principal;
  actor: ReturnType<typeof actorOf>;
  today: LocalDate;
  timeZone: string;
  now: Date;
}

/** One invoice as createInvoice then recordPayment (per payment) would write it; throws what they would refuse. */
function planInvoice(
  p: Planning,
  item: NewLedgerInvoice,
  client: Pick<ClientRow, 'id' | 'name' | 'archived' | 'termsKind' | 'termsDays'>,
) {
  const { teamId, actor, today, now } = p;
  const data = parseInput(createInvoiceSchema, {
    number: item.number,
    clientId: client.id,
    currency: item.currency,
    total: item.total,
    issueDate: item.issueDate,
    terms: { kind: 'fixed', dueDate: item.dueDate },
    status: item.status,
  } satisfies CreateInvoiceInput);
  const totalMinor = toMinor(data.total, data.currency, 'total');
  const { terms, values } = newInvoiceValues({
    teamId,
    data,
    totalMinor,
    client,
    actor,
    today,
    timeZone: p.timeZone,
    now,
  });
  const row = {
    id: randomUUID(),
    ...values,
    paidMinor: 0n,
    paidOn: null as LocalDate | null,
    lastActionKind: 'created',
    lastActionAt: now,
    lastActionBy: actor.id,
    version: 1,
  };
  const events: EventInput[] = [];
  const event = (kind: string, rest: Partial<EventInput> = {}) =>
    events.push({ teamId, invoiceId: row.id, clientId: client.id, kind, actor, at: now, ...rest });
  event('created', { details: createdDetails(row, terms) });
  if (data.status === 'sent') {
    event('sent', { visibility: 'shared' });
    row.lastActionKind = 'sent';
  }
  const planned: (typeof payments.$inferInsert)[] = [];
  const paymentIds: { key: string; paymentId: string }[] = [];
  for (const entry of item.payments) {
    const payment = parseInput(recordPaymentSchema, {
      invoice: row.id,
      amount: entry.amount,
      receivedOn: entry.receivedOn,
      reference: entry.reference,
      method: entry.method,
    } satisfies RecordPaymentInput);
    const due = row.totalMinor - row.paidMinor;
    if (due <= 0n) throw new LedgerError('INVOICE_PAID', `${row.number} is paid already.`);
    const amount = payment.amount === undefined ? due : toMinor(payment.amount, row.currency, 'amount');
    if (amount > due && !payment.overpayment) {
      throw new LedgerError(
        'OVERPAYMENT',
        `${formatMoney(amount, row.currency)} is more than the ${formatMoney(due, row.currency)} due on ${row.number}.`,
      );
    }
    const on = payment.receivedOn ?? today;
    if (on > today) throw LedgerError.invalid('receivedOn', `cannot be in the future (today is ${today})`);
    checkPaymentDate('receivedOn', on, today);
    if (on < row.issueDate) throw LedgerError.invalid('receivedOn', `is before the invoice date ${row.issueDate}`);
    const paymentId = randomUUID();
    planned.push({
      id: paymentId,
      teamId,
      invoiceId: row.id,
      amountMinor: amount,
      receivedOn: on,
      reference: payment.reference,
      method: payment.method,
      overpayment: amount > due,
      recordedBy: p.principal.id,
    });
    paymentIds.push({ key: entry.key, paymentId });
    const received = paymentReceived({
      paymentId,
      amount,
      due: due,
      currency: row.currency,
      receivedOn: on,
      reference: payment.reference,
      method: payment.method,
    });
    row.paidMinor += amount;
    row.paidOn = received.paidInFull ? on : null;
    row.version++;
    row.lastActionKind = received.kind;
    event(row.lastActionKind, { visibility: 'shared', details: received.details });
  }
  return { row, payments: planned, paymentIds, events };
}
