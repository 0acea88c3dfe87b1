// Credit kept on a client's account and money going back (finance admins). Credit is kept from a credit note larger
// than its invoice's due when the admin says so (corrections.ts), applied later to another open invoice of the same
// client and currency, and refunded; an invoice's overpayment is refunded too. Each is an event with a reason;
// nothing is deleted. Balances are derived from the rows (db/queries/account-credit.ts), in integer minor units.
import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Transaction } from '../db/client.js';
import { accountCreditBalance } from '../db/queries/account-credit.js';
import type { InvoiceView } from '../db/queries/invoices.js';
import { accountCredits, type ClientRow, clients, refunds } from '../db/schema.js';
import { todayIn } from '../domain/dates.js';
import { formatMoney, parseMoney } from '../domain/money.js';
import type { LedgerContext, WriteOptions } from './context.js';
import { LedgerError } from './errors.js';
import { mutate } from './invoices.js';
import { refuseLedgerOwned } from './ledger-owned.js';
import { actorOf, authorize, type Principal } from './policy.js';
import {
  amountInput,
  checkPaymentDate,
  currencyCode,
  idempotencyKey,
  localDate,
  optionalText,
  requiredText,
  version,
} from './schemas.js';
import { appendEvent, loadWorkspace, parseInput, type Written, write } from './write.js';

const applySchema = z.object({
  invoice: requiredText(100),
  /** Defaults to as much as the balance and the invoice's due allow. */
  amount: amountInput.optional(),
  /** Defaults to today in the workspace's time zone. */
  appliedOn: localDate.optional(),
  reason: requiredText(2000, { multiline: true }),
  expectedVersion: version.optional(),
});

const refundFields = {
  /** Defaults to everything refundable. */
  amount: amountInput.optional(),
  /** Defaults to today in the workspace's time zone. */
  refundedOn: localDate.optional(),
  method: optionalText(60),
  reference: optionalText(200),
  reason: requiredText(2000, { multiline: true }),
};

const refundOverpaymentSchema = z.object({
  invoice: requiredText(100),
  ...refundFields,
  expectedVersion: version.optional(),
});

const refundAccountSchema = z.object({
  /** The client's id or name. */
  client: requiredText(200),
  currency: currencyCode,
  ...refundFields,
});

export type ApplyAccountCreditInput = z.input<typeof applySchema>;
export type RefundOverpaymentInput = z.input<typeof refundOverpaymentSchema>;
export type RefundAccountCreditInput = z.input<typeof refundAccountSchema>;

export interface AppliedCreditResult {
  invoice: InvoiceView;
  amountMinor: bigint;
  balanceAfterMinor: bigint;
}

export interface RefundResult {
  invoice: InvoiceView;
  refundId: string;
  amountMinor: bigint;
}

export interface AccountRefundResult {
  clientId: string;
  clientName: string;
  refundId: string;
  amountMinor: bigint;
  currency: string;
  balanceAfterMinor: bigint;
}

/**
 * Applies credit on the client's account to one of their open invoices in the same currency: its credited amount
 * grows by it (closing it when it covers what was due), the balance drops by it. Never more than the balance or the
 * invoice's due. The event `account_credit_applied` is shared with the client.
 */
export async function applyAccountCredit(
  ctx: LedgerContext,
  teamId: string,
  principal: Principal,
  input: ApplyAccountCreditInput,
  options: WriteOptions = {},
): Promise<Written<AppliedCreditResult>> {
  const data = parseInput(applySchema, input);
  const written = await mutate(
    ctx,
    teamId,
    principal,
    'applyAccountCredit',
    data,
    options,
    async (tx, row, workspace) => {
      refuseVoid(row);
      await refuseLedgerOwned(tx, teamId, principal, row, ['amount'], 'apply credit to it');
      if (!row.sentAt) {
        throw new LedgerError('INVOICE_NOT_SENT', `${row.number} is a draft: send it before applying credit to it.`);
      }
      const due = row.totalMinor - row.paidMinor - row.creditedMinor;
      if (due <= 0n) {
        throw new LedgerError(
          'NOTHING_DUE',
          `Nothing is due on ${row.number}, so there is nothing to apply credit to.`,
          [{ field: 'amount', message: `nothing is due on ${row.number}` }],
        );
      }
      const client = await lockClient(tx, teamId, row.clientId);
      const balance = await accountCreditBalance(tx, { teamId, clientId: client.id, currency: row.currency });
      if (balance <= 0n) {
        throw new LedgerError('NO_ACCOUNT_CREDIT', `${client.name} has no credit on account in ${row.currency}.`, [
          { field: 'amount', message: `${client.name} has no credit on account in ${row.currency}` },
        ]);
      }
      const amount = data.amount === undefined ? min(balance, due) : toMinor(data.amount, row.currency);
      if (amount > balance) {
        throw new LedgerError(
          'CREDIT_EXCEEDS_BALANCE',
          `${formatMoney(amount, row.currency)} is more than the ${formatMoney(balance, row.currency)} of credit on ${client.name}'s account.`,
          [{ field: 'amount', message: `is more than the ${formatMoney(balance, row.currency)} on account` }],
        );
      }
      if (amount > due) {
        throw new LedgerError(
          'CREDIT_EXCEEDS_DUE',
          `${formatMoney(amount, row.currency)} is more than the ${formatMoney(due, row.currency)} still due on ${row.number}; apply at most what is due.`,
          [{ field: 'amount', message: `is more than the ${formatMoney(due, row.currency)} still due` }],
        );
      }
      const today = todayIn(workspace.timeZone, ctx.clock.now());
      const appliedOn = data.appliedOn ?? today;
      checkPaymentDate('appliedOn', appliedOn, today);
      if (appliedOn < row.issueDate)
        throw LedgerError.invalid('appliedOn', `is before the invoice date ${row.issueDate}`);
      await tx.insert(accountCredits).values({
        teamId,
        clientId: client.id,
        currency: row.currency,
        kind: 'applied',
        amountMinor: amount,
        invoiceId: row.id,
        onDate: appliedOn,
        reason: data.reason,
        recordedBy: principal.id,
        createdAt: ctx.clock.now(),
      });
      const creditedMinor = row.creditedMinor + amount;
      const closes = amount === due;
      return {
        set: { creditedMinor, paidOn: closes ? appliedOn : null },
        event: {
          kind: 'account_credit_applied',
          // The client's own credit, taken off their invoice: shown on their page (not the reason).
          visibility: 'shared',
          details: {
            amountMinor: amount,
            currency: row.currency,
            appliedOn,
            reason: data.reason,
            balanceAfterMinor: balance - amount,
            amountDueAfterMinor: due - amount,
          },
        },
        result: { amountMinor: amount, balanceAfterMinor: balance - amount },
      };
    },
  );
  const extra = written.extra as { amountMinor: bigint; balanceAfterMinor: bigint };
  return { result: { invoice: written.result, ...extra }, replayed: written.replayed };
}

/**
 * Records money going back of an invoice's overpayment: its paid amount drops by it (it stays paid: never more than
 * the overpayment is refunded). The event `refunded` is shared with the client.
 */
export async function refundOverpayment(
  ctx: LedgerContext,
  teamId: string,
  principal: Principal,
  input: RefundOverpaymentInput,
  options: WriteOptions = {},
): Promise<Written<RefundResult>> {
  const data = parseInput(refundOverpaymentSchema, input);
  const written = await mutate(ctx, teamId, principal, 'recordRefund', data, options, async (tx, row, workspace) => {
    refuseVoid(row);
    await refuseLedgerOwned(tx, teamId, principal, row, ['amount'], 'record its refunds');
    const over = row.paidMinor + row.creditedMinor - row.totalMinor;
    const refundable = min(over, row.paidMinor);
    if (refundable <= 0n) {
      throw new LedgerError('NOTHING_TO_REFUND', `${row.number} is not overpaid, so there is nothing to refund.`, [
        { field: 'amount', message: `${row.number} is not overpaid` },
      ]);
    }
    const amount = data.amount === undefined ? refundable : toMinor(data.amount, row.currency);
    if (amount > refundable) {
      throw new LedgerError(
        'REFUND_EXCEEDS_REFUNDABLE',
        `${formatMoney(amount, row.currency)} is more than the ${formatMoney(refundable, row.currency)} overpaid on ${row.number}; refund at most that.`,
        [{ field: 'amount', message: `is more than the ${formatMoney(refundable, row.currency)} refundable` }],
      );
    }
    const refundedOn = refundDate(data.refundedOn, todayIn(workspace.timeZone, ctx.clock.now()), row.issueDate);
    const [refund] = await tx
      .insert(refunds)
      .values({
        teamId,
        clientId: row.clientId,
        currency: row.currency,
        source: 'overpayment',
        invoiceId: row.id,
        amountMinor: amount,
        refundedOn,
        method: data.method,
        reference: data.reference,
        reason: data.reason,
        recordedBy: principal.id,
        createdAt: ctx.clock.now(),
      })
      .returning({ id: refunds.id });
    if (!refund) throw new Error('refund insert returned no row');
    return {
      set: { paidMinor: row.paidMinor - amount },
      event: {
        kind: 'refunded',
        // Money going back to the client: theirs to see (not the team's reason).
        visibility: 'shared',
        details: {
          refundId: refund.id,
          source: 'overpayment',
          amountMinor: amount,
          currency: row.currency,
          refundedOn,
          method: data.method,
          reference: data.reference,
          reason: data.reason,
          overpaidAfterMinor: refundable - amount,
        },
      },
      result: { refundId: refund.id, amountMinor: amount },
    };
  });
  const extra = written.extra as { refundId: string; amountMinor: bigint };
  return { result: { invoice: written.result, ...extra }, replayed: written.replayed };
}

/**
 * Records money going back of credit on the client's account: the balance in that currency drops by it, never below
 * zero. The client event `account_credit_refunded` is shared with the client.
 */
export async function refundAccountCredit(
  ctx: LedgerContext,
  teamId: string,
  principal: Principal,
  input: RefundAccountCreditInput,
  options: WriteOptions = {},
): Promise<Written<AccountRefundResult>> {
  authorize(principal, 'recordRefund', teamId);
  const data = parseInput(refundAccountSchema, input);
  const key = parseInput(idempotencyKey, options.idempotencyKey);
  return write(ctx, { teamId, operation: 'refundAccountCredit', idempotencyKey: key }, async (tx) => {
    const workspace = await loadWorkspace(tx, teamId);
    const found = await findClientRow(tx, teamId, data.client);
    const client = await lockClient(tx, teamId, found.id);
    const balance = await accountCreditBalance(tx, { teamId, clientId: client.id, currency: data.currency });
    if (balance <= 0n) {
      throw new LedgerError('NO_ACCOUNT_CREDIT', `${client.name} has no credit on account in ${data.currency}.`, [
        { field: 'amount', message: `${client.name} has no credit on account in ${data.currency}` },
      ]);
    }
    const amount = data.amount === undefined ? balance : toMinor(data.amount, data.currency);
    if (amount > balance) {
      throw new LedgerError(
        'REFUND_EXCEEDS_REFUNDABLE',
        `${formatMoney(amount, data.currency)} is more than the ${formatMoney(balance, data.currency)} of credit on ${client.name}'s account; refund at most that.`,
        [{ field: 'amount', message: `is more than the ${formatMoney(balance, data.currency)} on account` }],
      );
    }
    const refundedOn = refundDate(data.refundedOn, todayIn(workspace.timeZone, ctx.clock.now()));
    const [refund] = await tx
      .insert(refunds)
      .values({
        teamId,
        clientId: client.id,
        currency: data.currency,
        source: 'account',
        amountMinor: amount,
        refundedOn,
        method: data.method,
        reference: data.reference,
        reason: data.reason,
        recordedBy: principal.id,
        createdAt: ctx.clock.now(),
      })
      .returning({ id: refunds.id });
    if (!refund) throw new Error('refund insert returned no row');
    await appendEvent(tx, {
      teamId,
      clientId: client.id,
      kind: 'account_credit_refunded',
      actor: actorOf(principal),
      at: ctx.clock.now(),
      visibility: 'shared',
      details: {
        refundId: refund.id,
        source: 'account',
        amountMinor: amount,
        currency: data.currency,
        refundedOn,
        method: data.method,
        reference: data.reference,
        reason: data.reason,
        balanceAfterMinor: balance - amount,
      },
    });
    return {
      clientId: client.id,
      clientName: client.name,
      refundId: refund.id,
      amountMinor: amount,
      currency: data.currency,
      balanceAfterMinor: balance - amount,
    };
  });
}

/**
 * Keeps `amount` on the client's account from a credit note (inside the note's transaction). The caller has locked
 * the invoice; the client is locked here so that balances are read and written one at a time.
 */
export async function keepOnAccount(
  tx: Transaction,
  params: {
    teamId: string;
    clientId: string;
    currency: string;
    invoiceId: string;
    creditNoteId: string;
    amountMinor: bigint;
    onDate: string;
    reason: string;
    by: string;
    now: Date;
  },
): Promise<bigint> {
  await lockClient(tx, params.teamId, params.clientId);
  await tx.insert(accountCredits).values({
    teamId: params.teamId,
    clientId: params.clientId,
    currency: params.currency,
    kind: 'kept',
    amountMinor: params.amountMinor,
    invoiceId: params.invoiceId,
    creditNoteId: params.creditNoteId,
    onDate: params.onDate,
    reason: params.reason,
    recordedBy: params.by,
    createdAt: params.now,
  });
  return accountCreditBalance(tx, params);
}

/**
 * Takes back what a withdrawn credit note kept on the client's account. Refused when that credit has since been
 * applied or refunded (the balance is short of it): it has to be undone there first. Returns the amount taken back.
 */
export async function withdrawFromAccount(
  tx: Transaction,
  params: {
    teamId: string;
    clientId: string;
    currency: string;
    invoiceId: string;
    creditNoteId: string;
    noteNumber: string;
    onDate: string;
    reason: string;
    by: string;
    now: Date;
  },
): Promise<bigint> {
  const [kept] = await tx
    .select({
      total: sql<string>`coalesce(sum(case when ${accountCredits.kind} = 'kept' then ${accountCredits.amountMinor} else -${accountCredits.amountMinor} end), 0)::text`,
    })
    .from(accountCredits)
    .where(and(eq(accountCredits.teamId, params.teamId), eq(accountCredits.creditNoteId, params.creditNoteId)));
  const amount = BigInt(kept?.total ?? '0');
  if (amount <= 0n) return 0n;
  const client = await lockClient(tx, params.teamId, params.clientId);
  const balance = await accountCreditBalance(tx, params);
  if (balance < amount) {
    throw new LedgerError(
      'ACCOUNT_CREDIT_USED',
      `Credit note ${params.noteNumber} kept ${formatMoney(amount, params.currency)} on ${client.name}'s account, and only ${formatMoney(balance, params.currency)} of credit is left there (the rest was applied or refunded); it cannot be withdrawn.`,
      [{ field: 'creditNote', message: 'its credit on account was applied or refunded' }],
    );
  }
  await tx.insert(accountCredits).values({
    teamId: params.teamId,
    clientId: params.clientId,
    currency: params.currency,
    kind: 'withdrawn',
    amountMinor: amount,
    invoiceId: params.invoiceId,
    creditNoteId: params.creditNoteId,
    onDate: params.onDate,
    reason: params.reason,
    recordedBy: params.by,
    createdAt: params.now,
  });
  return amount;
}

async function lockClient(tx: Transaction, teamId: string, clientId: string): Promise<ClientRow> {
  const [client] = await tx
    .select()
    .from(clients)
    .where(and(eq(clients.teamId, teamId), eq(clients.id, clientId)))
    .for('update');
  if (!client) throw new LedgerError('CLIENT_NOT_FOUND', 'That client does not exist in this workspace.');
  return client;
}

async function findClientRow(tx: Transaction, teamId: string, idOrName: string): Promise<ClientRow> {
  const isId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrName);
  const [client] = await tx
    .select()
    .from(clients)
    .where(
      and(
        eq(clients.teamId, teamId),
        isId ? eq(clients.id, idOrName) : sql`lower(${clients.name}) = lower(${idOrName})`,
      ),
    );
  if (!client) {
    throw new LedgerError('CLIENT_NOT_FOUND', `No client named ${idOrName} in this workspace.`, [
      { field: 'client', message: 'no such client' },
    ]);
  }
  return client;
}

function refundDate(given: string | undefined, today: string, notBefore?: string): string {
  const refundedOn = given ?? today;
  if (refundedOn > today) throw LedgerError.invalid('refundedOn', `cannot be in the future (today is ${today})`);
  checkPaymentDate('refundedOn', refundedOn, today);
  if (notBefore && refundedOn < notBefore) {
    throw LedgerError.invalid('refundedOn', `is before the invoice date ${notBefore}`);
  }
  return refundedOn;
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

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

function refuseVoid(row: { number: string; voidedAt: Date | null; voidReason: string | null }) {
  if (row.voidedAt) {
    throw new LedgerError(
      'INVOICE_VOID',
      `${row.number} is void (${row.voidReason}); nothing more can be recorded on it.`,
    );
  }
}
