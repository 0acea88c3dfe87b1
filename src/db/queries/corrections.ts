// An invoice's payments (reversed ones too) and credit notes, as the card's forms, the history and the exports list them.
import { and, asc, count, eq, inArray, isNull } from 'drizzle-orm';
import type { DatabaseOrTransaction } from '../client.js';
import { creditNotes, payments } from '../schema.js';

/** A payment as the reversal form and the exports list it. */
export interface PaymentLine {
  id: string;
  invoiceId: string;
  amountMinor: bigint;
  receivedOn: string;
  reference: string | null;
  method: string | null;
  recordedBy: string;
  reversedAt: Date | null;
  reversalReason: string | null;
}

/** A credit note as the views list it. */
export interface CreditNoteLine {
  id: string;
  invoiceId: string;
  number: string;
  amountMinor: bigint;
  issuedOn: string;
  reason: string;
  issuedBy: string;
}

/** Every payment on these invoices, reversed ones too, in the order they came. */
export async function getPayments(
  db: DatabaseOrTransaction,
  params: { teamId: string; invoiceIds: readonly string[] },
): Promise<PaymentLine[]> {
  if (params.invoiceIds.length === 0) return [];
  const rows = await db
    .select()
    .from(payments)
    .where(and(eq(payments.teamId, params.teamId), inArray(payments.invoiceId, [...params.invoiceIds])))
    .orderBy(asc(payments.receivedOn), asc(payments.createdAt), asc(payments.id));
  return rows.map((p) => ({
    id: p.id,
    invoiceId: p.invoiceId,
    amountMinor: p.amountMinor,
    receivedOn: p.receivedOn,
    reference: p.reference,
    method: p.method,
    recordedBy: p.recordedBy,
    reversedAt: p.reversedAt,
    reversalReason: p.reversalReason,
  }));
}

/** The credit notes that count against these invoices (withdrawn ones left out), oldest first. */
export async function getCreditNotes(
  db: DatabaseOrTransaction,
  params: { teamId: string; invoiceIds: readonly string[] },
): Promise<CreditNoteLine[]> {
  if (params.invoiceIds.length === 0) return [];
  const rows = await db
    .select()
    .from(creditNotes)
    .where(
      and(
        eq(creditNotes.teamId, params.teamId),
        inArray(creditNotes.invoiceId, [...params.invoiceIds]),
        // A withdrawn note (voided in the books) stays in the table but counts for nothing.
        isNull(creditNotes.withdrawnAt),
      ),
    )
    .orderBy(asc(creditNotes.issuedOn), asc(creditNotes.createdAt), asc(creditNotes.id));
  return rows.map((c) => ({
    id: c.id,
    invoiceId: c.invoiceId,
    number: c.number,
    amountMinor: c.amountMinor,
    issuedOn: c.issuedOn,
    reason: c.reason,
    issuedBy: c.issuedBy,
  }));
}

/** A credit note number to offer: CN- and one more than the workspace has issued (the admin may change it). */
export async function suggestCreditNoteNumber(db: DatabaseOrTransaction, teamId: string): Promise<string> {
  const [row] = await db.select({ n: count() }).from(creditNotes).where(eq(creditNotes.teamId, teamId));
  return `CN-${String((row?.n ?? 0) + 1).padStart(4, '0')}`;
}
