// The only way invoices change. Each service validates, then writes the change and its event in one
// transaction, refusing what makes no sense with a coded error a person can act on.

import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Transaction } from '../db/client.js';
import { findInvoiceRow, type InvoiceView, termsOf, toInvoiceView } from '../db/queries/invoices.js';
import { type ClientRow, clients, type InvoiceRow, invoices, payments, type WorkspaceRow } from '../db/schema.js';
import { type LocalDate, startOfLocalDay, todayIn } from '../domain/dates.js';
import { INVOICE_NUMBER_MAX } from '../domain/invoice-number.js';
import { formatMoney, parseMoney } from '../domain/money.js';
import { dueDateFor, type PaymentTerms } from '../domain/terms.js';
import { changedFields } from './clients.js';
import type { Actor, LedgerContext, WriteOptions } from './context.js';
import { isUniqueViolation, LedgerError } from './errors.js';
import { refuseLedgerOwned } from './ledger-owned.js';
import { paymentPushFor, queuePaymentPush, refuseLedgerOverpayment } from './ledger-push.js';
import { actorOf, authorize, type Operation, type Principal } from './policy.js';
import {
  amountInput,
  checkComingDate,
  checkInvoiceDates,
  checkPaymentDate,
  currencyCode,
  idempotencyKey,
  localDate,
  optionalText,
  paymentTerms,
  requiredText,
  slackUserId,
  uuid,
  version,
} from './schemas.js';
import { appendEvent, loadWorkspace, parseInput, type Written, write } from './write.js';

// An invoice by its id or its number (as long as a number may be).
const invoiceRef = requiredText(INVOICE_NUMBER_MAX);

const createSchema = z.object({
  number: requiredText(INVOICE_NUMBER_MAX),
  /** An existing client; or give clientName to pick one by name (any case) or create it in the same transaction. */
  clientId: uuid.optional(),
  clientName: requiredText(200).optional(),
  currency: currencyCode,
  total: amountInput,
  issueDate: localDate,
  /** Defaults to the client's terms. */
  terms: paymentTerms.optional(),
  /** The date the terms run from; the issue date unless given. */
  basisDate: localDate.optional(),
  basisLabel: optionalText(40),
  ownerUserId: slackUserId.nullish(),
  description: optionalText(2000, { multiline: true }),
  status: z.enum(['draft', 'sent'], { message: 'must be draft or sent' }).default('draft'),
  /** With status sent: the day it went out, when that was before today (an import's); else it goes out now. */
  sentOn: localDate.optional(),
});

const editSchema = z.object({
  invoice: invoiceRef,
  expectedVersion: version,
  changes: createSchema.omit({ status: true, clientName: true }).partial(),
});

const paymentSchema = z.object({
  invoice: invoiceRef,
  /** Defaults to everything still due. */
  amount: amountInput.optional(),
  /** Defaults to today in the workspace's time zone. */
  receivedOn: localDate.optional(),
  reference: optionalText(200),
  method: optionalText(60),
  /** Say so to record more than is due. */
  overpayment: z.boolean().default(false),
  expectedVersion: version.optional(),
});

const chaseSchema = z.object({
  invoice: invoiceRef,
  method: z.enum(['email', 'call', 'slack', 'meeting', 'other'], {
    message: 'must be one of email, call, slack, meeting, other',
  }),
  note: optionalText(3000, { multiline: true }),
  response: optionalText(3000, { multiline: true }),
  promisedDate: localDate.optional(),
  nextFollowUp: localDate.optional(),
  /** Show this chase's note (not what they said) on the client's status page. */
  shared: z.boolean().default(false),
  expectedVersion: version.optional(),
});

const holdSchema = z.object({
  invoice: invoiceRef,
  kind: z.enum(['hold', 'dispute'], { message: 'must be hold or dispute' }),
  reason: requiredText(2000, { multiline: true }),
  expectedVersion: version.optional(),
});

const releaseSchema = z.object({
  invoice: invoiceRef,
  note: optionalText(2000, { multiline: true }),
  expectedVersion: version.optional(),
});

const voidSchema = z.object({
  invoice: invoiceRef,
  reason: requiredText(2000, { multiline: true }),
  expectedVersion: version.optional(),
});
const sentSchema = z.object({
  invoice: invoiceRef,
  expectedVersion: version.optional(),
  /** The day it went out, when that was before today (an import's); else it goes out now. */
  sentOn: localDate.optional(),
});

// The same rules for the bulk import (src/services/import.ts), which plans many invoices before writing them.
export { createSchema as createInvoiceSchema, paymentSchema as recordPaymentSchema, voidSchema as voidInvoiceSchema };

export type CreateInvoiceInput = z.input<typeof createSchema>;
export type EditInvoiceInput = z.input<typeof editSchema>;
export type RecordPaymentInput = z.input<typeof paymentSchema>;
export type LogChaseInput = z.input<typeof chaseSchema>;
export type HoldInput = z.input<typeof holdSchema>;
export type ReleaseHoldInput = z.input<typeof releaseSchema>;
export type VoidInvoiceInput = z.input<typeof voidSchema>;
export type MarkSentInput = z.input<typeof sentSchema>;

export interface PaymentResult {
  invoice: InvoiceView;
  paymentId: string;
  amountMinor: bigint;
}

export async function getInvoice(
  ctx: LedgerContext,
  teamId: string,
  idOrNumber: string,
  /** The invoice's workspace, when the caller has already read it. */
  known?: WorkspaceRow,
): Promise<InvoiceView> {
  const workspace = known ?? (await loadWorkspace(ctx.db, teamId));
  const found = await findInvoiceRow(ctx.db, { teamId, idOrNumber });
  if (!found) throw notFound(idOrNumber);
  return toInvoiceView(found.invoice, found.clientName, workspace, ctx.clock.now());
}

export async function createInvoice(
  ctx: LedgerContext,
  teamId: string,
  principal: Principal,
  input: CreateInvoiceInput,
  options: WriteOptions = {},
): Promise<Written<InvoiceView>> {
  authorize(principal, 'createInvoice', teamId);
  const data = parseInput(createSchema, input);
  const key = parseInput(idempotencyKey, options.idempotencyKey);
  const actor = actorOf(principal);
  const totalMinor = toMinor(data.total, data.currency, 'total');
  let written: Written<{ invoiceId: string }>;
  // The workspace as the transaction read it (a new invoice does not change it): the invoice is read once after.
  let read: WorkspaceRow | undefined;
  try {
    written = await write(ctx, { teamId, operation: 'createInvoice', idempotencyKey: key }, async (tx) => {
      const workspace = await loadWorkspace(tx, teamId);
      read = workspace;
      const today = todayIn(workspace.timeZone, ctx.clock.now());
      checkInvoiceDates(today, { issueDate: data.issueDate, basisDate: data.basisDate }, data.issueDate);
      const client = await clientFor(tx, teamId, actor, data, ctx.clock.now());
      const now = ctx.clock.now();
      const { terms, values } = newInvoiceValues({
        teamId,
        data,
        totalMinor,
        client,
        actor,
        today,
        timeZone: workspace.timeZone,
        now,
      });
      await refuseDuplicateNumber(tx, teamId, data.number);
      const [row] = await tx.insert(invoices).values(values).returning();
      if (!row) throw new Error('invoice insert returned no row');
      await appendEvent(tx, {
        teamId,
        invoiceId: row.id,
        clientId: client.id,
        kind: 'created',
        actor,
        at: now,
        details: createdDetails(row, terms),
      });
      if (data.status === 'sent') {
        await appendEvent(tx, {
          teamId,
          invoiceId: row.id,
          clientId: client.id,
          kind: 'sent',
          actor,
          at: now,
          visibility: 'shared',
          ...(data.sentOn ? { details: { sentOn: data.sentOn } } : {}),
        });
      }
      return { invoiceId: row.id };
    });
  } catch (error) {
    if (isUniqueViolation(error, 'invoices_team_number_key')) throw duplicateNumber(data.number);
    throw error;
  }
  return { result: await getInvoice(ctx, teamId, written.result.invoiceId, read), replayed: written.replayed };
}

export async function editInvoice(
  ctx: LedgerContext,
  teamId: string,
  principal: Principal,
  input: EditInvoiceInput,
  options: WriteOptions = {},
): Promise<Written<InvoiceView>> {
  const data = parseInput(editSchema, input);
  return mutate(ctx, teamId, principal, 'editInvoice', data, options, async (tx, row, workspace) => {
    refuseVoid(row);
    const c = data.changes;
    // Before any check of the new values: what the ledger owns is changed there, whatever the value.
    await refuseLedgerOwned(tx, teamId, principal, row, ledgerFieldsChanged(c, row));
    const currency = c.currency ?? row.currency;
    if (c.currency && c.currency !== row.currency && row.paidMinor > 0n) {
      throw LedgerError.invalid('currency', `cannot change once payments are recorded (${formatPaid(row)} received)`);
    }
    const totalMinor = c.total !== undefined ? toMinor(c.total, currency, 'total') : row.totalMinor;
    if (totalMinor < row.paidMinor) {
      throw LedgerError.invalid('total', `cannot be less than what has been paid already (${formatPaid(row)})`);
    }
    if (totalMinor < row.paidMinor + row.creditedMinor) {
      throw LedgerError.invalid(
        'total',
        `cannot be less than what has been paid and credited already (${formatMoney(row.paidMinor + row.creditedMinor, row.currency)})`,
      );
    }
    if (c.currency && c.currency !== row.currency && row.creditedMinor > 0n) {
      throw LedgerError.invalid('currency', 'cannot change once credit notes are issued against it');
    }
    if (c.clientId && c.clientId !== row.clientId) {
      const [client] = await tx
        .select({ id: clients.id, archived: clients.archived })
        .from(clients)
        .where(and(eq(clients.teamId, teamId), eq(clients.id, c.clientId)));
      if (!client) throw new LedgerError('CLIENT_NOT_FOUND', 'That client does not exist in this workspace.');
    }
    if (c.number && c.number.toLowerCase() !== row.number.toLowerCase()) {
      await refuseDuplicateNumber(tx, teamId, c.number);
    }
    const terms: PaymentTerms = c.terms ?? termsOf(row);
    const issueDate = c.issueDate ?? row.issueDate;
    // A new issue date moves the basis too, unless the basis was another date (e.g. delivery).
    const basisDate = c.basisDate ?? (row.termsBasisDate === row.issueDate ? issueDate : row.termsBasisDate);
    const due = dueDate(terms, issueDate, basisDate);
    // Only what this edit changes is held to today's windows: an old invoice stays editable.
    checkInvoiceDates(
      todayIn(workspace.timeZone, ctx.clock.now()),
      {
        issueDate: issueDate !== row.issueDate ? issueDate : undefined,
        basisDate: basisDate !== row.termsBasisDate ? basisDate : undefined,
        dueDate: due !== row.dueDate ? due : undefined,
      },
      issueDate,
      terms.kind === 'fixed' ? 'terms' : 'basisDate',
    );
    const next: Partial<InvoiceRow> = {
      number: c.number,
      clientId: c.clientId,
      currency,
      totalMinor,
      issueDate,
      termsKind: terms.kind,
      termsDays: terms.kind === 'net' || terms.kind === 'eom' ? terms.days : 0,
      termsBasisDate: basisDate,
      termsBasisLabel: c.basisLabel !== undefined ? c.basisLabel : row.termsBasisLabel,
      dueDate: due,
      ownerUserId: c.ownerUserId !== undefined ? c.ownerUserId : row.ownerUserId,
      description: c.description !== undefined ? c.description : row.description,
    };
    const changes = changedFields(row, next);
    if (Object.keys(changes).length === 0) return { changed: false };
    // A member may change what touches no money, terms, client or status; the rest is for finance admins.
    const guarded = Object.keys(changes).filter((field) => !MEMBER_EDITABLE.has(field));
    if (guarded.length > 0) {
      authorize(principal, 'editInvoiceTerms', teamId, [...new Set(guarded.map((f) => FORM_FIELD[f] ?? f))]);
    }
    return {
      set: next,
      event: { kind: 'edited', details: { changes }, isAction: false },
    };
  });
}

export async function markSent(
  ctx: LedgerContext,
  teamId: string,
  principal: Principal,
  input: MarkSentInput,
  options: WriteOptions = {},
): Promise<Written<InvoiceView>> {
  const data = parseInput(sentSchema, input);
  return mutate(ctx, teamId, principal, 'markSent', data, options, async (_tx, row, workspace) => {
    refuseVoid(row);
    if (row.sentAt) {
      throw new LedgerError('INVOICE_ALREADY_SENT', `${row.number} was already marked sent.`);
    }
    const now = ctx.clock.now();
    const sentAt = sentAtOf(data.sentOn, row.issueDate, todayIn(workspace.timeZone, now), workspace.timeZone, now);
    return {
      set: { sentAt },
      event: { kind: 'sent', visibility: 'shared', ...(data.sentOn ? { details: { sentOn: data.sentOn } } : {}) },
    };
  });
}

/**
 * When an invoice went out: now, or the start of the earlier day it was sent on (an import's), which must be
 * neither before its invoice date nor after today.
 */
function sentAtOf(
  sentOn: LocalDate | undefined,
  issueDate: LocalDate,
  today: LocalDate,
  timeZone: string,
  now: Date,
): Date {
  if (sentOn === undefined || sentOn === today) return now;
  if (sentOn > today) throw LedgerError.invalid('sentOn', `cannot be in the future (today is ${today})`);
  if (sentOn < issueDate) throw LedgerError.invalid('sentOn', `is before the invoice date ${issueDate}`);
  return startOfLocalDay(sentOn, timeZone);
}

/**
 * A payment of `amount` against `due`: whether it pays the invoice in full, and its `paid`/`part_paid` event's details.
 * One shape for recordPayment, the set-based import and the ledger's set-based intake.
 */
export function paymentReceived(p: {
  paymentId: string;
  amount: bigint;
  due: bigint;
  currency: string;
  receivedOn: string;
  reference: string | null | undefined;
  method: string | null | undefined;
}) {
  const paidInFull = p.amount >= p.due;
  return {
    paidInFull,
    kind: paidInFull ? ('paid' as const) : ('part_paid' as const),
    details: {
      paymentId: p.paymentId,
      amountMinor: p.amount,
      currency: p.currency,
      receivedOn: p.receivedOn,
      reference: p.reference,
      method: p.method,
      amountDueAfterMinor: paidInFull ? 0n : p.due - p.amount,
      overpaidMinor: p.amount > p.due ? p.amount - p.due : 0n,
    },
  };
}

export async function recordPayment(
  ctx: LedgerContext,
  teamId: string,
  principal: Principal,
  input: RecordPaymentInput,
  options: WriteOptions = {},
): Promise<Written<PaymentResult>> {
  const data = parseInput(paymentSchema, input);
  const written = await mutate(ctx, teamId, principal, 'recordPayment', data, options, async (tx, row, workspace) => {
    refuseVoid(row);
    // The ledger's invoice: refused (record it in the ledger), or, with posting to the ledger on, queued for it too.
    const push = await paymentPushFor(tx, teamId, principal, row);
    const due = row.totalMinor - row.paidMinor - row.creditedMinor;
    if (due <= 0n) refusePaid(row);
    const amount = data.amount === undefined ? due : toMinor(data.amount, row.currency, 'amount');
    if (amount > due && !data.overpayment) {
      throw new LedgerError(
        'OVERPAYMENT',
        `${formatMoney(amount, row.currency)} is more than the ${formatMoney(due, row.currency)} due on ${row.number}; ` +
          'record it as an overpayment if the client really paid more.',
        [{ field: 'amount', message: `is more than the ${formatMoney(due, row.currency)} due` }],
      );
    }
    if (push) refuseLedgerOverpayment(push, row, amount, due);
    const today = todayIn(workspace.timeZone, ctx.clock.now());
    const receivedOn = data.receivedOn ?? today;
    if (receivedOn > today) throw LedgerError.invalid('receivedOn', `cannot be in the future (today is ${today})`);
    checkPaymentDate('receivedOn', receivedOn, today);
    if (receivedOn < row.issueDate) {
      throw LedgerError.invalid(
        'receivedOn',
        `is before the invoice date ${row.issueDate}; a deposit paid in advance is recorded on the invoice date`,
      );
    }
    const [payment] = await tx
      .insert(payments)
      .values({
        teamId,
        invoiceId: row.id,
        amountMinor: amount,
        receivedOn,
        reference: data.reference,
        method: data.method,
        overpayment: amount > due,
        recordedBy: principal.id,
      })
      .returning({ id: payments.id });
    if (!payment) throw new Error('payment insert returned no row');
    const received = paymentReceived({
      paymentId: payment.id,
      amount,
      due,
      currency: row.currency,
      receivedOn,
      reference: data.reference,
      method: data.method,
    });
    return {
      set: { paidMinor: row.paidMinor + amount, paidOn: received.paidInFull ? receivedOn : null },
      event: { kind: received.kind, visibility: 'shared', details: received.details },
      result: { paymentId: payment.id, amountMinor: amount },
      ...(push
        ? {
            after: (tx: Transaction, eventId: bigint | undefined) => {
              if (eventId === undefined) throw new Error('a payment has an event');
              return queuePaymentPush(tx, push, {
                teamId,
                eventId,
                invoiceId: row.id,
                paymentId: payment.id,
                amountMinor: amount,
                currency: row.currency,
                paidOn: receivedOn,
                reference: data.reference,
                now: ctx.clock.now(),
              });
            },
          }
        : {}),
    };
  });
  const { paymentId, amountMinor } = written.extra as { paymentId: string; amountMinor: bigint };
  return { result: { invoice: written.result, paymentId, amountMinor }, replayed: written.replayed };
}

export async function logChase(
  ctx: LedgerContext,
  teamId: string,
  principal: Principal,
  input: LogChaseInput,
  options: WriteOptions = {},
): Promise<Written<InvoiceView>> {
  const data = parseInput(chaseSchema, input);
  return mutate(ctx, teamId, principal, 'logChase', data, options, async (_tx, row, workspace) => {
    refuseVoid(row);
    if (!row.sentAt) {
      throw new LedgerError('INVOICE_NOT_SENT', `${row.number} has not been sent yet; mark it sent before chasing it.`);
    }
    refusePaid(row);
    const today = todayIn(workspace.timeZone, ctx.clock.now());
    if (data.promisedDate && data.promisedDate < today) {
      throw LedgerError.invalid('promisedDate', `is in the past (today is ${today}); a promise is for today or later`);
    }
    if (data.nextFollowUp && data.nextFollowUp < today) {
      throw LedgerError.invalid('nextFollowUp', `is in the past (today is ${today})`);
    }
    if (data.promisedDate) checkComingDate('promisedDate', data.promisedDate, today);
    if (data.nextFollowUp) checkComingDate('nextFollowUp', data.nextFollowUp, today);
    return {
      set: {
        promisedDate: data.promisedDate ?? row.promisedDate,
        nextFollowUp: data.nextFollowUp ?? null,
      },
      event: {
        kind: 'chased',
        visibility: data.shared ? 'shared' : 'internal',
        details: {
          method: data.method,
          note: data.note,
          response: data.response,
          promisedDate: data.promisedDate ?? null,
          nextFollowUp: data.nextFollowUp ?? null,
        },
      },
    };
  });
}

export async function placeHold(
  ctx: LedgerContext,
  teamId: string,
  principal: Principal,
  input: HoldInput,
  options: WriteOptions = {},
): Promise<Written<InvoiceView>> {
  const data = parseInput(holdSchema, input);
  return mutate(ctx, teamId, principal, 'placeHold', data, options, async (_tx, row) => {
    refuseVoid(row);
    refusePaid(row);
    if (row.holdKind) {
      throw new LedgerError(
        'ALREADY_ON_HOLD',
        `${row.number} is already ${row.holdKind === 'dispute' ? 'disputed' : 'on hold'} (${row.holdReason}); release it first.`,
      );
    }
    const now = ctx.clock.now();
    return {
      set: { holdKind: data.kind, holdReason: data.reason, holdSince: now, holdBy: principal.id },
      event: { kind: data.kind === 'dispute' ? 'disputed' : 'held', details: { reason: data.reason } },
    };
  });
}

/** Placing an invoice in dispute is a hold of the dispute kind. */
export function dispute(
  ctx: LedgerContext,
  teamId: string,
  principal: Principal,
  input: Omit<HoldInput, 'kind'>,
  options: WriteOptions = {},
): Promise<Written<InvoiceView>> {
  return placeHold(ctx, teamId, principal, { ...input, kind: 'dispute' }, options);
}

export async function releaseHold(
  ctx: LedgerContext,
  teamId: string,
  principal: Principal,
  input: ReleaseHoldInput,
  options: WriteOptions = {},
): Promise<Written<InvoiceView>> {
  const data = parseInput(releaseSchema, input);
  return mutate(ctx, teamId, principal, 'releaseHold', data, options, async (_tx, row) => {
    if (!row.holdKind) throw new LedgerError('NOT_ON_HOLD', `${row.number} is not on hold or disputed.`);
    return {
      set: { holdKind: null, holdReason: null, holdSince: null, holdBy: null },
      event: {
        kind: 'released',
        // The client hears that a dispute is settled; an internal hold stays internal.
        visibility: row.holdKind === 'dispute' ? 'shared' : 'internal',
        details: { was: row.holdKind, reason: row.holdReason, note: data.note },
      },
    };
  });
}

export async function voidInvoice(
  ctx: LedgerContext,
  teamId: string,
  principal: Principal,
  input: VoidInvoiceInput,
  options: WriteOptions = {},
): Promise<Written<InvoiceView>> {
  const data = parseInput(voidSchema, input);
  return mutate(ctx, teamId, principal, 'voidInvoice', data, options, async (tx, row) => {
    refuseVoid(row);
    await refuseLedgerOwned(tx, teamId, principal, row, ['reason'], 'void or delete it');
    if (row.paidMinor > 0n) {
      throw new LedgerError(
        'INVOICE_HAS_PAYMENTS',
        `${row.number} has ${formatPaid(row)} recorded against it; it cannot be voided (issue a credit note instead, or reverse a payment recorded by mistake).`,
      );
    }
    if (row.creditedMinor > 0n) {
      throw new LedgerError(
        'INVOICE_HAS_CREDITS',
        `${row.number} has ${formatMoney(row.creditedMinor, row.currency)} of credit notes against it; it cannot be voided (credit the rest instead).`,
      );
    }
    return {
      set: { voidedAt: ctx.clock.now(), voidReason: data.reason, promisedDate: null, nextFollowUp: null },
      event: { kind: 'voided', details: { reason: data.reason } },
    };
  });
}

/** The invoice facts a member may edit: none of them touches money, terms, client or status. */
const MEMBER_EDITABLE: ReadonlySet<string> = new Set(['description', 'ownerUserId']);

/** The form field each guarded invoice column is edited through, to name it in a refusal. */
const FORM_FIELD: Readonly<Record<string, string>> = {
  totalMinor: 'total',
  termsKind: 'terms',
  termsDays: 'terms',
  dueDate: 'terms',
  termsBasisDate: 'basisDate',
  termsBasisLabel: 'basisLabel',
};

export interface Mutation {
  changed?: false;
  set?: Partial<InvoiceRow>;
  /**
   * The change's event. `shared` events appear on the client's status page (what the client did, what was
   * sent and paid, a dispute settled, a chase someone chose to share); everything else stays internal.
   */
  event?: { kind: string; details?: Record<string, unknown>; isAction?: boolean; visibility?: 'internal' | 'shared' };
  /** Kept with the idempotency key, handed back on a replay. */
  result?: Record<string, unknown>;
  /** More to write in the same transaction once the event exists (a payment's push to the ledger names it). */
  after?: (tx: Transaction, eventId: bigint | undefined) => Promise<void>;
}

/** Locks the invoice, checks its version, applies the change and writes its event, all in one transaction. */
export async function mutate(
  ctx: LedgerContext,
  teamId: string,
  principal: Principal,
  /** The policy's operation, which is also the idempotency key's operation. */
  operation: Operation,
  data: { invoice: string; expectedVersion?: number | undefined },
  options: WriteOptions,
  change: (tx: Transaction, row: InvoiceRow, workspace: WorkspaceRow) => Promise<Mutation>,
): Promise<Written<InvoiceView> & { extra?: unknown }> {
  // Before anything is read or replayed: a refused principal learns nothing about the invoice.
  authorize(principal, operation, teamId);
  const key = parseInput(idempotencyKey, options.idempotencyKey);
  const actor = actorOf(principal);
  // The workspace as the transaction read it (a change to an invoice does not change it): not read again after.
  let read: WorkspaceRow | undefined;
  const written = await write(ctx, { teamId, operation, idempotencyKey: key }, async (tx) => {
    const workspace = await loadWorkspace(tx, teamId);
    read = workspace;
    const found = await findInvoiceRow(tx, { teamId, idOrNumber: data.invoice, forUpdate: true });
    if (!found) throw notFound(data.invoice);
    const row = found.invoice;
    if (data.expectedVersion !== undefined && data.expectedVersion !== row.version) {
      throw new LedgerError(
        'CONFLICT',
        `${row.number} was changed by someone else meanwhile (now version ${row.version}); reload it and try again.`,
      );
    }
    const mutation = await change(tx, row, workspace);
    if (mutation.changed !== false && mutation.set) {
      await tx
        .update(invoices)
        .set({ ...mutation.set, version: sql`${invoices.version} + 1` })
        .where(and(eq(invoices.teamId, teamId), eq(invoices.id, row.id)));
    }
    let eventId: bigint | undefined;
    if (mutation.event) {
      eventId = await appendEvent(
        tx,
        {
          teamId,
          invoiceId: row.id,
          clientId: mutation.set?.clientId ?? row.clientId,
          kind: mutation.event.kind,
          actor,
          at: ctx.clock.now(),
          details: mutation.event.details ?? {},
          visibility: mutation.event.visibility ?? 'internal',
        },
        { isAction: mutation.event.isAction ?? true },
      );
    }
    await mutation.after?.(tx, eventId);
    return { invoiceId: row.id, ...(mutation.result ?? {}) };
  });
  const { invoiceId, ...extra } = written.result;
  return {
    result: await getInvoice(ctx, teamId, invoiceId, read),
    replayed: written.replayed,
    extra: Object.keys(extra).length > 0 ? extra : undefined,
  };
}

/** The invoice's client: by id, or by name (any case), created in this transaction when new. */
async function clientFor(
  tx: Transaction,
  teamId: string,
  actor: Actor,
  data: { clientId?: string | undefined; clientName?: string | undefined },
  now: Date,
) {
  if (data.clientId) {
    const [client] = await tx
      .select()
      .from(clients)
      .where(and(eq(clients.teamId, teamId), eq(clients.id, data.clientId)));
    if (!client) {
      throw new LedgerError('CLIENT_NOT_FOUND', 'That client does not exist in this workspace.', [
        { field: 'clientId', message: 'does not exist in this workspace' },
      ]);
    }
    return client;
  }
  if (!data.clientName) throw LedgerError.invalid('clientId', 'pick a client or type the name of a new one');
  const [existing] = await tx
    .select()
    .from(clients)
    .where(and(eq(clients.teamId, teamId), sql`lower(${clients.name}) = lower(${data.clientName})`));
  if (existing) return existing;
  const [created] = await tx.insert(clients).values({ teamId, name: data.clientName, createdAt: now }).returning();
  if (!created) throw new Error('client insert returned no row');
  await appendEvent(tx, {
    teamId,
    clientId: created.id,
    kind: 'client_created',
    actor,
    at: now,
    details: { name: created.name },
  });
  return created;
}

/**
 * The row a new invoice is written as, checked — the client not archived, the due date from the terms (the client's
 * own when none are given) within bounds, the day it was sent — given today in the workspace's zone. The one place
 * for createInvoice and the set-based import, so both refuse alike and write alike. The invoice and basis dates are
 * checked by the caller first (createInvoice does so before it looks the client up).
 */
export function newInvoiceValues(p: {
  teamId: string;
  data: z.output<typeof createSchema>;
  /** The total in minor units, read (and refused) by the caller before anything else. */
  totalMinor: bigint;
  client: Pick<ClientRow, 'id' | 'name' | 'archived' | 'termsKind' | 'termsDays'>;
  actor: Actor;
  today: LocalDate;
  timeZone: string;
  now: Date;
}) {
  const { data, totalMinor, client, actor, today, now } = p;
  if (client.archived) {
    throw new LedgerError('CLIENT_ARCHIVED', `${client.name} is archived; restore the client before invoicing it.`, [
      { field: 'clientId', message: `${client.name} is archived` },
    ]);
  }
  const terms: PaymentTerms = data.terms ?? termsOf(client);
  const due = dueDate(terms, data.issueDate, data.basisDate);
  checkInvoiceDates(today, { dueDate: due }, data.issueDate, terms.kind === 'fixed' ? 'terms' : 'basisDate');
  return {
    terms,
    values: {
      teamId: p.teamId,
      number: data.number,
      clientId: client.id,
      currency: data.currency,
      totalMinor,
      issueDate: data.issueDate,
      termsKind: terms.kind,
      termsDays: terms.kind === 'net' || terms.kind === 'eom' ? terms.days : 0,
      termsBasisDate: data.basisDate ?? data.issueDate,
      termsBasisLabel: data.basisLabel ?? null,
      dueDate: due,
      ownerUserId: data.ownerUserId ?? (actor.type === 'user' ? actor.id : null),
      description: data.description ?? null,
      sentAt: data.status === 'sent' ? sentAtOf(data.sentOn, data.issueDate, today, p.timeZone, now) : null,
      createdAt: now,
    },
  };
}

function dueDate(terms: PaymentTerms, issueDate: string, basisDate: string | undefined): string {
  const due = terms.kind === 'fixed' ? terms.dueDate : dueDateFor(terms, basisDate ?? issueDate);
  if (due < issueDate) {
    throw LedgerError.invalid(
      terms.kind === 'fixed' ? 'terms' : 'basisDate',
      `the due date ${due} would fall before the invoice date ${issueDate}`,
    );
  }
  return due;
}

/**
 * The form fields of an edit that would change what a connected ledger owns: given, and not what the invoice
 * already says (a form sends every field back, changed or not). A value that does not parse counts as a change.
 */
function ledgerFieldsChanged(c: z.output<typeof editSchema>['changes'], row: InvoiceRow): string[] {
  const fields: string[] = [];
  if (c.number !== undefined && c.number !== row.number) fields.push('number');
  if (c.clientId !== undefined && c.clientId !== row.clientId) fields.push('clientId');
  if (c.currency !== undefined && c.currency !== row.currency) fields.push('currency');
  if (c.total !== undefined && !sameAmount(c.total, c.currency ?? row.currency, row.totalMinor)) fields.push('total');
  if (c.issueDate !== undefined && c.issueDate !== row.issueDate) fields.push('issueDate');
  if (c.terms !== undefined && !sameTerms(c.terms, row)) fields.push('terms');
  if (c.basisDate !== undefined && c.basisDate !== row.termsBasisDate) fields.push('basisDate');
  if (c.basisLabel !== undefined && (c.basisLabel ?? null) !== (row.termsBasisLabel ?? null)) fields.push('basisLabel');
  return fields;
}

function sameAmount(amount: bigint | string, currency: string, minor: bigint): boolean {
  if (typeof amount === 'bigint') return amount === minor;
  const parsed = parseMoney(amount, currency);
  return parsed.ok && parsed.minor === minor;
}

function sameTerms(terms: PaymentTerms, row: InvoiceRow): boolean {
  const now = termsOf(row);
  if (terms.kind === 'fixed' || now.kind === 'fixed') {
    return terms.kind === now.kind && terms.kind === 'fixed' && terms.dueDate === row.dueDate;
  }
  if (terms.kind === 'receipt' || now.kind === 'receipt') return terms.kind === now.kind;
  return terms.kind === now.kind && terms.days === now.days;
}

export function toMinor(amount: bigint | string, currency: string, field: string): bigint {
  let minor: bigint;
  if (typeof amount === 'bigint') {
    minor = amount;
  } else {
    const parsed = parseMoney(amount, currency);
    if (!parsed.ok) throw LedgerError.invalid(field, parsed.message);
    minor = parsed.minor;
  }
  if (minor <= 0n) throw LedgerError.invalid(field, 'must be more than zero');
  return minor;
}

async function refuseDuplicateNumber(tx: Transaction, teamId: string, number: string) {
  const [existing] = await tx
    .select({ number: invoices.number })
    .from(invoices)
    .where(and(eq(invoices.teamId, teamId), sql`lower(${invoices.number}) = lower(${number})`));
  if (existing) throw duplicateNumber(existing.number);
}

function duplicateNumber(number: string) {
  return new LedgerError('DUPLICATE_INVOICE_NUMBER', `Invoice ${number} already exists; use another number.`, [
    { field: 'number', message: `${number} is already used` },
  ]);
}

function refuseVoid(row: InvoiceRow) {
  if (row.voidedAt)
    throw new LedgerError(
      'INVOICE_VOID',
      `${row.number} is void (${row.voidReason}); nothing more can be recorded on it.`,
    );
}

function refusePaid(row: InvoiceRow) {
  if (row.paidMinor + row.creditedMinor < row.totalMinor) return;
  throw new LedgerError(
    'INVOICE_PAID',
    row.creditedMinor >= row.totalMinor
      ? `${row.number} is credited in full; nothing is due on it.`
      : `${row.number} is already paid in full.`,
  );
}

export function formatPaid(row: Pick<InvoiceRow, 'paidMinor' | 'currency'>) {
  return formatMoney(row.paidMinor, row.currency);
}

function notFound(ref: string) {
  return new LedgerError('INVOICE_NOT_FOUND', `There is no invoice ${ref} in this workspace.`);
}

/** What a `created` event records of the invoice: the one shape for a form, an import and a retainer alike. */
export function createdDetails(
  row: Pick<InvoiceRow, 'number' | 'currency' | 'totalMinor' | 'issueDate' | 'dueDate'>,
  terms: unknown,
) {
  return {
    number: row.number,
    currency: row.currency,
    totalMinor: row.totalMinor,
    issueDate: row.issueDate,
    dueDate: row.dueDate,
    terms,
  };
}
