// Payments recorded here, posted to the connected ledger (issue 11, "To the ledger"): a setting per connection
// (off by default; finance admins choose the account the payments are paid into), and the outbox row each payment
// on a ledger's invoice gets in the payment's own transaction. The books' worker (src/books/push.ts) sends it.
//
// With the setting off, a payment on a ledger's invoice is refused as before (record it in the ledger). With it on,
// a finance admin's payment from Slack is recorded here and queued for the ledger at once; the CLI and imports are
// still refused (they are not "recorded in Slack", and an import of the ledger's own numbers must not echo back).
import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Transaction } from '../db/client.js';
import {
  type InvoiceRow,
  invoices,
  type LedgerPushRow,
  type LedgerPushSettingRow,
  ledgerConnections,
  ledgerLinks,
  ledgerPushes,
  ledgerPushSettings,
} from '../db/schema.js';
import { formatMoney } from '../domain/money.js';
import type { LedgerContext } from './context.js';
import { LedgerError } from './errors.js';
import { ledgerOwnerOf, refuseLedgerOwned } from './ledger-owned.js';
import { actorOf, authorize, type Principal } from './policy.js';
import { requiredText } from './schemas.js';
import { appendEvent, parseInput } from './write.js';

/** A reference this long is shown whole by the ledger. */
const REFERENCE_MAX = 255;
const LABEL: Readonly<Record<string, string>> = { xero: 'Xero', quickbooks: 'QuickBooks' };

/** Where a payment on a ledger's invoice goes, when the setting is on. */
export interface PushPlan {
  provider: string;
  tenantId: string;
  accountId: string;
  accountCode: string | null;
  externalInvoiceId: string;
}

/**
 * Decides a payment on this invoice: undefined when it is ours to record as usual (not the ledger's invoice, or the
 * ledger's own sync recording it), a plan when it goes to the ledger too (the setting on, a person in Slack), and
 * LEDGER_OWNED otherwise — the same refusal as before the setting existed.
 */
export async function paymentPushFor(
  tx: Transaction,
  teamId: string,
  principal: Principal,
  row: Pick<InvoiceRow, 'id' | 'number'>,
): Promise<PushPlan | undefined> {
  const provider = await ledgerOwnerOf(tx, teamId, row.id);
  if (provider === undefined) return undefined;
  if (principal.type === 'user') {
    const [on] = await tx
      .select({
        tenantId: ledgerPushSettings.tenantId,
        accountId: ledgerPushSettings.accountId,
        accountCode: ledgerPushSettings.accountCode,
        externalInvoiceId: ledgerLinks.externalId,
      })
      .from(ledgerPushSettings)
      .innerJoin(
        ledgerConnections,
        and(
          eq(ledgerConnections.teamId, ledgerPushSettings.teamId),
          eq(ledgerConnections.provider, ledgerPushSettings.provider),
          // The account belongs to the organisation it was chosen in.
          eq(ledgerConnections.tenantId, ledgerPushSettings.tenantId),
        ),
      )
      .innerJoin(
        ledgerLinks,
        and(
          eq(ledgerLinks.teamId, ledgerPushSettings.teamId),
          eq(ledgerLinks.provider, ledgerPushSettings.provider),
          eq(ledgerLinks.kind, 'invoice'),
          eq(ledgerLinks.localId, row.id),
        ),
      )
      .where(
        and(
          eq(ledgerPushSettings.teamId, teamId),
          eq(ledgerPushSettings.provider, provider),
          eq(ledgerPushSettings.enabled, true),
        ),
      )
      .limit(1);
    if (on?.accountId) {
      return {
        provider,
        tenantId: on.tenantId,
        accountId: on.accountId,
        accountCode: on.accountCode,
        externalInvoiceId: on.externalInvoiceId,
      };
    }
  }
  await refuseLedgerOwned(tx, teamId, principal, row, ['amount'], 'record its payments');
  return undefined;
}

/**
 * A ledger takes a payment on an invoice only up to what is due there (Xero keeps overpayments apart): one that would
 * overpay is refused here, on its amount, rather than recorded and then refused by the ledger.
 */
export function refuseLedgerOverpayment(
  plan: PushPlan,
  row: Pick<InvoiceRow, 'number' | 'currency'>,
  amount: bigint,
  due: bigint,
): void {
  if (amount <= due) return;
  const label = LABEL[plan.provider] ?? plan.provider;
  const most = formatMoney(due, row.currency);
  throw new LedgerError(
    'OVERPAYMENT',
    `${label} takes a payment on ${row.number} only up to the ${most} due; record the overpayment in ${label}.`,
    [{ field: 'amount', message: `${label} takes at most the ${most} due; record an overpayment in ${label}` }],
  );
}

/** The push of one payment, written in the payment's transaction once its event exists. */
export async function queuePaymentPush(
  tx: Transaction,
  plan: PushPlan,
  payment: {
    teamId: string;
    eventId: bigint;
    invoiceId: string;
    paymentId: string;
    amountMinor: bigint;
    currency: string;
    paidOn: string;
    reference: string | null;
    now: Date;
  },
): Promise<void> {
  const id = randomUUID();
  const ours = `recorded in Slack, receivables event ${payment.eventId}`;
  const reference = (payment.reference ? `${payment.reference} (${ours})` : ours).slice(0, REFERENCE_MAX);
  await tx.insert(ledgerPushes).values({
    teamId: payment.teamId,
    id,
    provider: plan.provider,
    tenantId: plan.tenantId,
    eventId: payment.eventId,
    invoiceId: payment.invoiceId,
    paymentId: payment.paymentId,
    externalInvoiceId: plan.externalInvoiceId,
    amountMinor: payment.amountMinor,
    currency: payment.currency,
    paidOn: payment.paidOn,
    accountId: plan.accountId,
    accountCode: plan.accountCode,
    reference,
    // The event id names the payment; the push's own id keeps two databases connected to one organisation apart.
    idempotencyKey: `receivables-event-${payment.eventId}-${id}`,
    nextAttemptAt: payment.now,
  });
}

// --- the setting ------------------------------------------------------------------------------------------------

const settingSchema = z.discriminatedUnion('enabled', [
  z.object({ enabled: z.literal(false) }),
  z.object({
    enabled: z.literal(true),
    account: z.object(
      { id: requiredText(200), code: z.string().trim().max(40).nullable(), name: requiredText(200) },
      { message: 'choose the account the payments are paid into' },
    ),
  }),
]);

export type PaymentPushInput = z.input<typeof settingSchema>;

export async function getPaymentPushSetting(
  ctx: Pick<LedgerContext, 'db'>,
  teamId: string,
  provider: string,
): Promise<LedgerPushSettingRow | undefined> {
  const [row] = await ctx.db
    .select()
    .from(ledgerPushSettings)
    .where(and(eq(ledgerPushSettings.teamId, teamId), eq(ledgerPushSettings.provider, provider)));
  return row;
}

/**
 * Turns posting payments to the ledger on (into an account the caller has checked the ledger lists) or off.
 * Finance admins only (manageLedgerConnection); the connection must exist; a `ledger_push_changed` event records it.
 */
export async function savePaymentPushSetting(
  ctx: LedgerContext,
  teamId: string,
  principal: Principal,
  provider: string,
  input: PaymentPushInput,
): Promise<LedgerPushSettingRow> {
  authorize(principal, 'manageLedgerConnection', teamId, ['enabled']);
  const data = parseInput(settingSchema, input);
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    const [connection] = await tx
      .select()
      .from(ledgerConnections)
      .where(and(eq(ledgerConnections.teamId, teamId), eq(ledgerConnections.provider, provider)))
      .for('update');
    if (!connection || connection.status === 'disconnected') {
      throw new LedgerError('VALIDATION', `Connect ${provider} first: /invoice connect ${provider}.`, [
        { field: 'enabled', message: `connect ${provider} first` },
      ]);
    }
    const [before] = await tx
      .select()
      .from(ledgerPushSettings)
      .where(and(eq(ledgerPushSettings.teamId, teamId), eq(ledgerPushSettings.provider, provider)));
    const values = {
      tenantId: connection.tenantId,
      enabled: data.enabled,
      ...(data.enabled
        ? { accountId: data.account.id, accountCode: data.account.code || null, accountName: data.account.name }
        : {}),
      updatedBy: principal.id,
      updatedAt: now,
    };
    const [row] = await tx
      .insert(ledgerPushSettings)
      .values({ teamId, provider, ...values })
      .onConflictDoUpdate({ target: [ledgerPushSettings.teamId, ledgerPushSettings.provider], set: values })
      .returning();
    if (!row) throw new Error('ledger_push_settings upsert returned no row');
    const wasOn = Boolean(before?.enabled && before.tenantId === connection.tenantId);
    if (wasOn !== row.enabled || (row.enabled && before?.accountId !== row.accountId)) {
      await appendEvent(tx, {
        teamId,
        kind: 'ledger_push_changed',
        actor: actorOf(principal),
        at: now,
        details: {
          provider,
          enabled: row.enabled,
          account: row.enabled ? { id: row.accountId, code: row.accountCode, name: row.accountName } : null,
          was: wasOn ? { id: before?.accountId, code: before?.accountCode, name: before?.accountName } : null,
        },
      });
    }
    return row;
  });
}

/** Whether the setting is on for the connection as it is now (its organisation the one the account is in). */
export function pushIsOn(
  setting: LedgerPushSettingRow | undefined,
  connection: { tenantId: string; status: string } | undefined,
): boolean {
  return Boolean(
    setting?.enabled &&
      setting.accountId &&
      connection &&
      connection.status !== 'disconnected' &&
      connection.tenantId === setting.tenantId,
  );
}

// --- what people see --------------------------------------------------------------------------------------------

/** The pushes of one invoice, oldest first (its card says where each stands). */
export async function pushesOfInvoice(
  ctx: Pick<LedgerContext, 'db'>,
  teamId: string,
  invoiceId: string,
): Promise<LedgerPushRow[]> {
  return ctx.db
    .select()
    .from(ledgerPushes)
    .where(and(eq(ledgerPushes.teamId, teamId), eq(ledgerPushes.invoiceId, invoiceId)))
    .orderBy(asc(ledgerPushes.createdAt), asc(ledgerPushes.eventId));
}

/** Pushes not yet in the ledger (retrying, or refused for good), newest first, for the connection's status. */
export async function unsentPushes(
  ctx: Pick<LedgerContext, 'db'>,
  teamId: string,
  provider: string,
  limit = 10,
): Promise<(LedgerPushRow & { number: string })[]> {
  const rows = await ctx.db
    .select({ push: ledgerPushes, number: invoices.number })
    .from(ledgerPushes)
    .innerJoin(invoices, and(eq(invoices.teamId, ledgerPushes.teamId), eq(invoices.id, ledgerPushes.invoiceId)))
    .where(
      and(
        eq(ledgerPushes.teamId, teamId),
        eq(ledgerPushes.provider, provider),
        inArray(ledgerPushes.status, ['pending', 'failed']),
      ),
    )
    .orderBy(desc(ledgerPushes.eventId))
    .limit(limit);
  return rows.map((r) => ({ ...r.push, number: r.number }));
}
