// Corrections to the money on an invoice (finance admins): reversing a payment recorded by mistake, and issuing a
// credit note that takes part or all of the amount due off it, and withdrawing a credit note (voided in the books
// after we took it in). Each is an event with a reason; nothing is deleted: a reversed payment or a withdrawn credit
// note stays, marked so, and counts for nothing; the invoice's state follows from its facts.
import { and, asc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Transaction } from '../db/client.js';
import type { InvoiceView } from '../db/queries/invoices.js';
import { creditNotes, events, type InvoiceRow, payments } from '../db/schema.js';
import { todayIn } from '../domain/dates.js';
import { formatMoney, parseMoney } from '../domain/money.js';
import { keepOnAccount, withdrawFromAccount } from './account-credit.js';
import type { LedgerContext, WriteOptions } from './context.js';
import { isUniqueViolation, LedgerError } from './errors.js';
import { mutate } from './invoices.js';
import { refuseLedgerOwned } from './ledger-owned.js';
import type { Principal } from './policy.js';
import { amountInput, checkPaymentDate, localDate, requiredText, uuid, version } from './schemas.js';
import { parseInput, type Written } from './write.js';

const invoiceRef = requiredText(100);

const reverseSchema = z.object({
  invoice: invoiceRef,
  /** The payment to reverse (its id). */
  payment: uuid,
  reason: requiredText(2000, { multiline: true }),
  expectedVersion: version.optional(),
});

const creditSchema = z.object({
  invoice: invoiceRef,
  number: requiredText(40).regex(/^[^\s<>&]+$/, 'must be one word without spaces or < > &, like CN-0042'),
  /** Defaults to everything still due (a full credit). */
  amount: amountInput.optional(),
  /** Defaults to today in the workspace's time zone. */
  issuedOn: localDate.optional(),
  reason: requiredText(2000, { multiline: true }),
  /**
   * Said explicitly by the admin: a credit larger than what is due closes the invoice for what was due and keeps
   * the rest as credit on the client's account. Without it such a credit is refused.
   */
  keepOnAccount: z.boolean().default(false),
  expectedVersion: version.optional(),
});

const withdrawSchema = z.object({
  invoice: invoiceRef,
  /** The credit note to withdraw (its id). */
  creditNote: uuid,
  reason: requiredText(2000, { multiline: true }),
  expectedVersion: version.optional(),
});

export type ReversePaymentInput = z.input<typeof reverseSchema>;
export type WithdrawCreditNoteInput = z.input<typeof withdrawSchema>;
export type IssueCreditNoteInput = z.input<typeof creditSchema>;

export interface ReversalResult {
  invoice: InvoiceView;
  paymentId: string;
  amountMinor: bigint;
}

export interface CreditNoteResult {
  invoice: InvoiceView;
  creditNoteId: string;
  /** What the note takes off (or, withdrawn, gives back to) the invoice. */
  amountMinor: bigint;
  /** The part kept on (or, withdrawn, taken back from) the client's account. */
  onAccountMinor: bigint;
}

/**
 * Reverses a payment recorded by mistake: the payment stays, marked reversed with who, when and why; the invoice's
 * paid amount drops by it, so its state is what its remaining facts give (Overdue again, say). The event
 * `payment_reversed` names the payment and the event that recorded it. A reversed payment cannot be reversed again.
 */
export async function reversePayment(
  ctx: LedgerContext,
  teamId: string,
  principal: Principal,
  input: ReversePaymentInput,
  options: WriteOptions = {},
): Promise<Written<ReversalResult>> {
  const data = parseInput(reverseSchema, input);
  const written = await mutate(ctx, teamId, principal, 'reversePayment', data, options, async (tx, row) => {
    refuseVoid(row);
    await refuseLedgerOwned(tx, teamId, principal, row, ['payment'], 'reverse or delete its payments');
    const [payment] = await tx
      .select()
      .from(payments)
      .where(and(eq(payments.teamId, teamId), eq(payments.id, data.payment), eq(payments.invoiceId, row.id)))
      .for('update');
    if (!payment) {
      throw new LedgerError('PAYMENT_NOT_FOUND', `${row.number} has no such payment; pick one of its payments.`, [
        { field: 'payment', message: `is not a payment on ${row.number}` },
      ]);
    }
    if (payment.reversedAt) {
      throw new LedgerError(
        'PAYMENT_ALREADY_REVERSED',
        `The payment of ${formatMoney(payment.amountMinor, row.currency)} received ${payment.receivedOn} was already reversed (${payment.reversalReason}); a reversal is never undone: record the payment again if it did come.`,
        [{ field: 'payment', message: 'was already reversed' }],
      );
    }
    if (payment.amountMinor > row.paidMinor) {
      throw new LedgerError(
        'PAYMENT_REFUNDED',
        `Part of the payment of ${formatMoney(payment.amountMinor, row.currency)} on ${row.number} was refunded to the client already; a refunded payment cannot be reversed.`,
        [{ field: 'payment', message: 'was partly refunded' }],
      );
    }
    const now = ctx.clock.now();
    await tx
      .update(payments)
      .set({ reversedAt: now, reversedBy: principal.id, reversalReason: data.reason })
      .where(and(eq(payments.teamId, teamId), eq(payments.id, payment.id)));
    const paidMinor = row.paidMinor - payment.amountMinor;
    const settled = paidMinor + row.creditedMinor >= row.totalMinor;
    const due = row.totalMinor - paidMinor - row.creditedMinor;
    return {
      set: { paidMinor, paidOn: settled ? row.paidOn : null },
      event: {
        kind: 'payment_reversed',
        // The client saw the payment on their page: they see it taken back too (not the team's reason).
        visibility: 'shared',
        details: {
          paymentId: payment.id,
          paymentEventId: await paymentEventId(tx, teamId, row.id, payment.id),
          amountMinor: payment.amountMinor,
          currency: row.currency,
          receivedOn: payment.receivedOn,
          reference: payment.reference,
          reason: data.reason,
          amountDueAfterMinor: due > 0n ? due : 0n,
        },
      },
      result: { paymentId: payment.id, amountMinor: payment.amountMinor },
    };
  });
  const { paymentId, amountMinor } = written.extra as { paymentId: string; amountMinor: bigint };
  return { result: { invoice: written.result, paymentId, amountMinor }, replayed: written.replayed };
}

/**
 * Issues a credit note against an invoice: it takes its amount off what is due (all of it when no amount is given).
 * A credit for more than is due is refused. An invoice credited in full is closed as Credited, not Paid.
 */
export async function issueCreditNote(
  ctx: LedgerContext,
  teamId: string,
  principal: Principal,
  input: IssueCreditNoteInput,
  options: WriteOptions = {},
): Promise<Written<CreditNoteResult>> {
  const data = parseInput(creditSchema, input);
  let written: Awaited<ReturnType<typeof mutate>>;
  try {
    written = await mutate(ctx, teamId, principal, 'issueCreditNote', data, options, async (tx, row, workspace) => {
      refuseVoid(row);
      await refuseLedgerOwned(tx, teamId, principal, row, ['amount'], 'issue its credit notes');
      if (!row.sentAt) {
        throw new LedgerError(
          'INVOICE_NOT_SENT',
          `${row.number} is a draft: change its total or void it instead of crediting it.`,
        );
      }
      const due = row.totalMinor - row.paidMinor - row.creditedMinor;
      if (due <= 0n) {
        throw new LedgerError(
          'CREDIT_EXCEEDS_DUE',
          `Nothing is due on ${row.number}, so there is nothing to credit; reverse a payment recorded by mistake instead.`,
          [{ field: 'amount', message: `nothing is due on ${row.number}` }],
        );
      }
      const whole = data.amount === undefined ? due : toMinor(data.amount, row.currency);
      if (whole > due && !data.keepOnAccount) {
        throw new LedgerError(
          'CREDIT_EXCEEDS_DUE',
          `A credit note of ${formatMoney(whole, row.currency)} is more than the ${formatMoney(due, row.currency)} still due on ${row.number}; credit at most what is due, or keep the rest as credit on the client's account.`,
          [{ field: 'amount', message: `is more than the ${formatMoney(due, row.currency)} still due` }],
        );
      }
      // What the note takes off this invoice; the rest (said so) is kept on the client's account.
      const amount = whole > due ? due : whole;
      const onAccount = whole - amount;
      const today = todayIn(workspace.timeZone, ctx.clock.now());
      const issuedOn = data.issuedOn ?? today;
      checkPaymentDate('issuedOn', issuedOn, today);
      if (issuedOn < row.issueDate) {
        throw LedgerError.invalid('issuedOn', `is before the invoice date ${row.issueDate}`);
      }
      await refuseDuplicateNumber(tx, teamId, data.number);
      const [note] = await tx
        .insert(creditNotes)
        .values({
          teamId,
          invoiceId: row.id,
          number: data.number,
          amountMinor: amount,
          issuedOn,
          reason: data.reason,
          issuedBy: principal.id,
          createdAt: ctx.clock.now(),
        })
        .returning({ id: creditNotes.id });
      if (!note) throw new Error('credit note insert returned no row');
      const balanceAfter =
        onAccount > 0n
          ? await keepOnAccount(tx, {
              teamId,
              clientId: row.clientId,
              currency: row.currency,
              invoiceId: row.id,
              creditNoteId: note.id,
              amountMinor: onAccount,
              onDate: issuedOn,
              reason: data.reason,
              by: principal.id,
              now: ctx.clock.now(),
            })
          : null;
      const creditedMinor = row.creditedMinor + amount;
      const closes = amount === due;
      return {
        set: { creditedMinor, paidOn: closes ? issuedOn : null },
        event: {
          kind: 'credit_note_issued',
          // A credit is the client's to know: shown on their page (number, amount and date; not the reason).
          visibility: 'shared',
          details: {
            creditNoteId: note.id,
            number: data.number,
            amountMinor: amount,
            currency: row.currency,
            issuedOn,
            reason: data.reason,
            amountDueAfterMinor: due - amount,
            fullyCredited: creditedMinor >= row.totalMinor,
            ...(balanceAfter !== null ? { keptOnAccountMinor: onAccount, accountBalanceAfterMinor: balanceAfter } : {}),
          },
        },
        result: { creditNoteId: note.id, amountMinor: amount, onAccountMinor: onAccount },
      };
    });
  } catch (error) {
    if (isUniqueViolation(error, 'credit_notes_team_number_key')) throw duplicateNumber(data.number);
    throw error;
  }
  const { creditNoteId, amountMinor, onAccountMinor } = written.extra as {
    creditNoteId: string;
    amountMinor: bigint;
    onAccountMinor: bigint;
  };
  return {
    result: { invoice: written.result, creditNoteId, amountMinor, onAccountMinor },
    replayed: written.replayed,
  };
}

/**
 * Withdraws a credit note (voided in the books after we took it in, say): the note stays, marked withdrawn with who,
 * when and why, and stops counting: the invoice's credited amount drops by it, so its state is what its remaining
 * facts give (Overdue again, say). The event `credit_note_withdrawn` names the note. A withdrawn note cannot be
 * withdrawn again; a void invoice refuses.
 */
export async function withdrawCreditNote(
  ctx: LedgerContext,
  teamId: string,
  principal: Principal,
  input: WithdrawCreditNoteInput,
  options: WriteOptions = {},
): Promise<Written<CreditNoteResult>> {
  const data = parseInput(withdrawSchema, input);
  const written = await mutate(ctx, teamId, principal, 'withdrawCreditNote', data, options, async (tx, row, ws) => {
    refuseVoid(row);
    await refuseLedgerOwned(tx, teamId, principal, row, ['amount'], 'withdraw its credit notes');
    const [note] = await tx
      .select()
      .from(creditNotes)
      .where(
        and(eq(creditNotes.teamId, teamId), eq(creditNotes.id, data.creditNote), eq(creditNotes.invoiceId, row.id)),
      )
      .for('update');
    if (!note) {
      throw new LedgerError(
        'CREDIT_NOTE_NOT_FOUND',
        `${row.number} has no such credit note; pick one of its credit notes.`,
        [{ field: 'creditNote', message: `is not a credit note on ${row.number}` }],
      );
    }
    if (note.withdrawnAt) {
      throw new LedgerError(
        'CREDIT_NOTE_ALREADY_WITHDRAWN',
        `Credit note ${note.number} was already withdrawn (${note.withdrawalReason}); a withdrawal is never undone: issue a new credit note if one is due.`,
        [{ field: 'creditNote', message: 'was already withdrawn' }],
      );
    }
    // What the note kept on the client's account goes too (refused when it was applied or refunded since).
    const fromAccount = await withdrawFromAccount(tx, {
      teamId,
      clientId: row.clientId,
      currency: row.currency,
      invoiceId: row.id,
      creditNoteId: note.id,
      noteNumber: note.number,
      onDate: todayIn(ws.timeZone, ctx.clock.now()),
      reason: data.reason,
      by: principal.id,
      now: ctx.clock.now(),
    });
    await tx
      .update(creditNotes)
      .set({ withdrawnAt: ctx.clock.now(), withdrawnBy: principal.id, withdrawalReason: data.reason })
      .where(and(eq(creditNotes.teamId, teamId), eq(creditNotes.id, note.id)));
    const creditedMinor = row.creditedMinor - note.amountMinor;
    const settled = row.paidMinor + creditedMinor >= row.totalMinor;
    const due = row.totalMinor - row.paidMinor - creditedMinor;
    return {
      set: { creditedMinor, paidOn: settled ? row.paidOn : null },
      event: {
        kind: 'credit_note_withdrawn',
        // The client saw the credit on their page: they see it taken back too (not the team's reason).
        visibility: 'shared',
        details: {
          creditNoteId: note.id,
          number: note.number,
          amountMinor: note.amountMinor,
          currency: row.currency,
          issuedOn: note.issuedOn,
          reason: data.reason,
          amountDueAfterMinor: due > 0n ? due : 0n,
          ...(fromAccount > 0n ? { withdrawnFromAccountMinor: fromAccount } : {}),
        },
      },
      result: { creditNoteId: note.id, amountMinor: note.amountMinor, onAccountMinor: fromAccount },
    };
  });
  const { creditNoteId, amountMinor, onAccountMinor } = written.extra as {
    creditNoteId: string;
    amountMinor: bigint;
    onAccountMinor: bigint;
  };
  return {
    result: { invoice: written.result, creditNoteId, amountMinor, onAccountMinor },
    replayed: written.replayed,
  };
}

/** The id of the event that recorded the payment ('paid' or 'part_paid' naming it), if there is one. */
async function paymentEventId(
  tx: Transaction,
  teamId: string,
  invoiceId: string,
  paymentId: string,
): Promise<bigint | null> {
  const [found] = await tx
    .select({ id: events.id })
    .from(events)
    .where(
      and(
        eq(events.teamId, teamId),
        eq(events.invoiceId, invoiceId),
        sql`${events.kind} in ('paid', 'part_paid')`,
        sql`${events.details}->>'paymentId' = ${paymentId}`,
      ),
    )
    .orderBy(asc(events.id))
    .limit(1);
  return found?.id ?? null;
}

async function refuseDuplicateNumber(tx: Transaction, teamId: string, number: string) {
  const [existing] = await tx
    .select({ number: creditNotes.number })
    .from(creditNotes)
    .where(and(eq(creditNotes.teamId, teamId), sql`lower(${creditNotes.number}) = lower(${number})`));
  if (existing) throw duplicateNumber(existing.number);
}

function duplicateNumber(number: string) {
  return new LedgerError('DUPLICATE_CREDIT_NOTE_NUMBER', `Credit note ${number} already exists; use another number.`, [
    { field: 'number', message: `${number} is already used` },
  ]);
}

function toMinor(amount: bigint | string, currency: string): bigint {
  let minor: bigint;
  if (typeof amount === 'bigint') {
    minor = amount;
  } else {
    const parsed = parseMoney(amount, currency);
    if (!parsed.ok) throw LedgerError.invalid('amount', parsed.message);
    minor = parsed.minor;
  }
  if (minor <= 0n) throw LedgerError.invalid('amount', 'must be more than zero');
  return minor;
}

function refuseVoid(row: InvoiceRow) {
  if (row.voidedAt) {
    throw new LedgerError(
      'INVOICE_VOID',
      `${row.number} is void (${row.voidReason}); nothing more can be recorded on it.`,
    );
  }
}
