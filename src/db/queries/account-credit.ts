// Credit on a client's account and the refunds: the balances (derived from the rows, in integer minor units) and the
// lines the client record, the card, the status page and the exports list.
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { type DatabaseOrTransaction, queryRows } from '../client.js';
import { accountCredits, invoices, refunds } from '../schema.js';

/** A movement of credit on account as the views list it. */
export interface AccountCreditLine {
  id: string;
  clientId: string;
  currency: string;
  kind: 'kept' | 'applied' | 'withdrawn';
  amountMinor: bigint;
  invoiceId: string;
  invoiceNumber: string;
  creditNoteId: string | null;
  onDate: string;
  reason: string;
}

/** A refund as the views list it. */
export interface RefundLine {
  id: string;
  clientId: string;
  currency: string;
  source: 'overpayment' | 'account';
  invoiceId: string | null;
  invoiceNumber: string | null;
  amountMinor: bigint;
  refundedOn: string;
  method: string | null;
  reference: string | null;
  reason: string;
}

/**
 * Each currency's credit on the client's account: kept − applied − withdrawn − refunded from the account, from the
 * rows themselves. Currencies with nothing left are left out.
 */
export async function accountCreditBalances(
  db: DatabaseOrTransaction,
  params: { teamId: string; clientId: string },
): Promise<Map<string, bigint>> {
  const rows = await queryRows<{ currency: string; balance: string | null }>(
    db,
    sql`
    select currency, sum(amount)::text as balance from (
      select currency, case when kind = 'kept' then amount_minor else -amount_minor end as amount
        from account_credits where team_id = ${params.teamId} and client_id = ${params.clientId}
      union all
      select currency, -amount_minor from refunds
        where team_id = ${params.teamId} and client_id = ${params.clientId} and source = 'account'
    ) m group by currency order by currency`,
  );
  const out = new Map<string, bigint>();
  for (const row of rows) {
    const balance = BigInt(String(row.balance ?? '0'));
    if (balance !== 0n) out.set(String(row.currency), balance);
  }
  return out;
}

/** The client's balance in one currency (0n when none). */
export async function accountCreditBalance(
  db: DatabaseOrTransaction,
  params: { teamId: string; clientId: string; currency: string },
): Promise<bigint> {
  return (await accountCreditBalances(db, params)).get(params.currency) ?? 0n;
}

/** Every movement of credit on the client's account (or on these invoices), oldest first. */
export async function getAccountCredits(
  db: DatabaseOrTransaction,
  params: { teamId: string; clientId?: string; invoiceIds?: readonly string[] },
): Promise<AccountCreditLine[]> {
  if (params.invoiceIds && params.invoiceIds.length === 0) return [];
  const rows = await db
    .select({ c: accountCredits, number: invoices.number })
    .from(accountCredits)
    .innerJoin(invoices, and(eq(invoices.teamId, accountCredits.teamId), eq(invoices.id, accountCredits.invoiceId)))
    .where(
      and(
        eq(accountCredits.teamId, params.teamId),
        params.clientId ? eq(accountCredits.clientId, params.clientId) : undefined,
        params.invoiceIds ? inArray(accountCredits.invoiceId, [...params.invoiceIds]) : undefined,
      ),
    )
    .orderBy(asc(accountCredits.onDate), asc(accountCredits.seq));
  return rows.map(({ c, number }) => ({
    id: c.id,
    clientId: c.clientId,
    currency: c.currency,
    kind: c.kind as AccountCreditLine['kind'],
    amountMinor: c.amountMinor,
    invoiceId: c.invoiceId,
    invoiceNumber: number,
    creditNoteId: c.creditNoteId,
    onDate: c.onDate,
    reason: c.reason,
  }));
}

/** Every refund to the client (or of these invoices' overpayments), oldest first. */
export async function getRefunds(
  db: DatabaseOrTransaction,
  params: { teamId: string; clientId?: string; invoiceIds?: readonly string[] },
): Promise<RefundLine[]> {
  if (params.invoiceIds && params.invoiceIds.length === 0) return [];
  const rows = await db
    .select({ r: refunds, number: invoices.number })
    .from(refunds)
    .leftJoin(invoices, and(eq(invoices.teamId, refunds.teamId), eq(invoices.id, refunds.invoiceId)))
    .where(
      and(
        eq(refunds.teamId, params.teamId),
        params.clientId ? eq(refunds.clientId, params.clientId) : undefined,
        params.invoiceIds ? inArray(refunds.invoiceId, [...params.invoiceIds]) : undefined,
      ),
    )
    .orderBy(asc(refunds.refundedOn), asc(refunds.seq));
  return rows.map(({ r, number }) => ({
    id: r.id,
    clientId: r.clientId,
    currency: r.currency,
    source: r.source as RefundLine['source'],
    invoiceId: r.invoiceId,
    invoiceNumber: number,
    amountMinor: r.amountMinor,
    refundedOn: r.refundedOn,
    method: r.method,
    reference: r.reference,
    reason: r.reason,
  }));
}

/**
 * The client's open invoices in a currency that have live cards (at most `limit`): their "Apply credit on account"
 * button follows the balance, so they are redrawn when it changes.
 */
export async function carded(
  db: DatabaseOrTransaction,
  params: { teamId: string; clientId: string; currency: string; limit?: number },
): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(
    db,
    sql`select distinct i.id::text as id from invoices i
        join posted_messages p on p.team_id = i.team_id and p.invoice_id = i.id
        where i.team_id = ${params.teamId} and i.client_id = ${params.clientId}::uuid and i.currency = ${params.currency}
          and i.voided_at is null and i.paid_minor + i.credited_minor < i.total_minor
        limit ${params.limit ?? 25}`,
  );
  return rows.map((r) => r.id);
}
