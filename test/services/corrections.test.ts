import { describe, expect, it } from 'vitest';
import { getDayChangeIds, getHistory } from '../../src/db/queries/views.js';
import { issueCreditNote, reversePayment } from '../../src/services/corrections.js';
import { isLedgerError, type LedgerError } from '../../src/services/errors.js';
import { getInvoice, recordPayment, voidInvoice } from '../../src/services/invoices.js';
import { getWorkspace } from '../../src/services/workspaces.js';
import { describeEachDatabase } from '../helpers/db.js';
import { ALICE, asAdmin, asMember, BOB, invoice, OPERATOR, workspaceWithClient } from '../helpers/ledger.js';

async function refusal(promise: Promise<unknown>): Promise<LedgerError> {
  try {
    await promise;
  } catch (error) {
    if (isLedgerError(error)) return error;
    throw error;
  }
  throw new Error('expected the service to refuse');
}

// 2026-10-05 14:00 in New York: INV-1 (issued 2026-09-01, net 30) fell due on 2026-10-01.
describeEachDatabase('corrections', '2026-10-05T18:00:00Z', (get) => {
  async function paidInvoice(amount?: string) {
    const { ctx } = get();
    const { teamId, client } = await workspaceWithClient(ctx);
    const inv = await invoice(ctx, teamId, client.id, { number: 'INV-1' });
    const { result } = await recordPayment(ctx, teamId, asAdmin(ALICE, teamId), {
      invoice: 'INV-1',
      amount,
      receivedOn: '2026-10-05',
      reference: 'BACS 77',
    });
    return { teamId, client, inv, payment: result };
  }

  describe('reversing a payment', () => {
    it('takes back a payment recorded by mistake: the invoice is Overdue again, the payment kept and marked', async () => {
      const { ctx, handle } = get();
      const { teamId, payment } = await paidInvoice();
      expect(payment.invoice.status.state).toBe('paid');
      const { result, replayed } = await reversePayment(ctx, teamId, asAdmin(BOB, teamId), {
        invoice: 'INV-1',
        payment: payment.paymentId,
        reason: 'Keyed against the wrong invoice',
      });
      expect(replayed).toBe(false);
      expect(result.amountMinor).toBe(100_000n);
      expect(result.invoice.status).toMatchObject({
        state: 'overdue',
        amountDueMinor: 100_000n,
        daysOverdue: 4,
        needsAction: true,
      });
      expect(result.invoice.paidOn).toBeNull();
      const [row] = await handle.raw(
        'select reversal_reason, reversed_by, amount_minor::text as amount from payments where id = $1::uuid',
        [payment.paymentId],
      );
      expect(row).toEqual({
        reversal_reason: 'Keyed against the wrong invoice',
        reversed_by: BOB.id,
        amount: '100000',
      });
      const history = await getHistory(ctx.db, { teamId, invoiceId: result.invoice.id });
      const paidEvent = history.find((e) => e.kind === 'paid');
      const reversal = history.at(-1);
      expect(reversal).toMatchObject({ kind: 'payment_reversed', actorId: BOB.id, visibility: 'shared' });
      expect(reversal?.details).toMatchObject({
        paymentId: payment.paymentId,
        paymentEventId: { $bigint: String(paidEvent?.id) },
        amountMinor: { $bigint: '100000' },
        reason: 'Keyed against the wrong invoice',
        amountDueAfterMinor: { $bigint: '100000' },
      });
    });

    it('reopens an Overdue invoice for the alerts: it is among the day’s changes again', async () => {
      const { ctx } = get();
      const { teamId, payment } = await paidInvoice();
      // Paid (by mistake) since it fell due: the alerts over those days see nothing to say.
      const workspace = await getWorkspace(ctx, teamId);
      const dates = ['2026-10-02', '2026-10-05'];
      expect(await getDayChangeIds(ctx.db, { workspace, dates })).toEqual([]);
      await reversePayment(ctx, teamId, asAdmin(ALICE, teamId), {
        invoice: 'INV-1',
        payment: payment.paymentId,
        reason: 'Bounced',
      });
      const changes = await getDayChangeIds(ctx.db, { workspace, dates });
      // The day after its due date it became Overdue: said again (the reversal itself is today's last action).
      expect(changes.map((c) => [c.date, c.change])).toEqual([['2026-10-02', 'overdue']]);
    });

    it('refuses to reverse a reversed payment, and changes nothing', async () => {
      const { ctx } = get();
      const { teamId, payment } = await paidInvoice();
      await reversePayment(ctx, teamId, asAdmin(ALICE, teamId), {
        invoice: 'INV-1',
        payment: payment.paymentId,
        reason: 'Bounced',
      });
      const before = await getInvoice(ctx, teamId, 'INV-1');
      const error = await refusal(
        reversePayment(ctx, teamId, asAdmin(ALICE, teamId), {
          invoice: 'INV-1',
          payment: payment.paymentId,
          reason: 'Again',
        }),
      );
      expect(error.code).toBe('PAYMENT_ALREADY_REVERSED');
      expect(error.issues).toEqual([{ field: 'payment', message: 'was already reversed' }]);
      expect(error.message).toContain('was already reversed (Bounced)');
      const after = await getInvoice(ctx, teamId, 'INV-1');
      expect({ version: after.version, paid: after.paidMinor }).toEqual({ version: before.version, paid: 0n });
    });

    it('refuses a member, before reading anything, and writes nothing', async () => {
      const { ctx, handle } = get();
      const { teamId, payment } = await paidInvoice();
      const error = await refusal(
        reversePayment(ctx, teamId, asMember(BOB, teamId), {
          invoice: 'INV-1',
          payment: payment.paymentId,
          reason: 'Bounced',
        }),
      );
      expect(error.code).toBe('FORBIDDEN');
      expect(error.message).toContain('can reverse payments');
      expect(await handle.raw('select count(*)::int as n from payments where reversed_at is not null', [])).toEqual([
        { n: 0 },
      ]);
      expect((await getInvoice(ctx, teamId, 'INV-1')).status.state).toBe('paid');
    });

    it('records once per idempotency key, and names a payment of another invoice as not found', async () => {
      const { ctx, handle } = get();
      const { teamId, client, payment } = await paidInvoice('400.00');
      const input = { invoice: 'INV-1', payment: payment.paymentId, reason: 'Duplicate entry' };
      const first = await reversePayment(ctx, teamId, OPERATOR, input, { idempotencyKey: 'k-1' });
      const again = await reversePayment(ctx, teamId, OPERATOR, input, { idempotencyKey: 'k-1' });
      expect(again.replayed).toBe(true);
      expect(again.result.paymentId).toBe(first.result.paymentId);
      expect(await handle.raw("select count(*)::int as n from events where kind = 'payment_reversed'", [])).toEqual([
        { n: 1 },
      ]);
      await invoice(ctx, teamId, client.id, { number: 'INV-2' });
      const other = await refusal(
        reversePayment(ctx, teamId, OPERATOR, { invoice: 'INV-2', payment: payment.paymentId, reason: 'x' }),
      );
      expect(other.code).toBe('PAYMENT_NOT_FOUND');
      expect(other.issues[0]?.field).toBe('payment');
    });

    it('reverses one of two part payments: only it comes off, and the other stays', async () => {
      const { ctx } = get();
      const { teamId, payment } = await paidInvoice('600.00');
      const { result: second } = await recordPayment(ctx, teamId, OPERATOR, { invoice: 'INV-1', reference: 'rest' });
      expect(second.invoice.status.state).toBe('paid');
      const { result } = await reversePayment(ctx, teamId, OPERATOR, {
        invoice: 'INV-1',
        payment: second.paymentId,
        reason: 'Entered twice',
      });
      expect(result.invoice.paidMinor).toBe(60_000n);
      expect(result.invoice.status).toMatchObject({ state: 'overdue', amountDueMinor: 40_000n });
      expect(payment.paymentId).not.toBe(second.paymentId);
    });
  });

  describe('credit notes', () => {
    it('takes a partial credit off what is due; the invoice stays Overdue', async () => {
      const { ctx, handle } = get();
      const { teamId, client } = await workspaceWithClient(ctx);
      await invoice(ctx, teamId, client.id, { number: 'INV-1' });
      const { result } = await issueCreditNote(ctx, teamId, asAdmin(ALICE, teamId), {
        invoice: 'INV-1',
        number: 'CN-1',
        amount: '$250.00',
        issuedOn: '2026-10-04',
        reason: 'One day of the workshop was cancelled',
      });
      expect(result.amountMinor).toBe(25_000n);
      expect(result.invoice.creditedMinor).toBe(25_000n);
      expect(result.invoice.status).toMatchObject({ state: 'overdue', amountDueMinor: 75_000n });
      const [note] = await handle.raw(
        'select number, amount_minor::text as amount, issued_on::text as issued_on, issued_by from credit_notes',
        [],
      );
      expect(note).toEqual({ number: 'CN-1', amount: '25000', issued_on: '2026-10-04', issued_by: ALICE.id });
      const [event] = await getHistory(ctx.db, { teamId, invoiceId: result.invoice.id, kinds: ['credit_note_issued'] });
      expect(event).toMatchObject({ visibility: 'shared', actorId: ALICE.id });
      expect(event?.details).toMatchObject({
        number: 'CN-1',
        amountMinor: { $bigint: '25000' },
        currency: 'USD',
        issuedOn: '2026-10-04',
        amountDueAfterMinor: { $bigint: '75000' },
        fullyCredited: false,
      });
    });

    it('closes a fully credited invoice as Credited, not Paid, with nothing due and no action asked', async () => {
      const { ctx } = get();
      const { teamId, client } = await workspaceWithClient(ctx);
      await invoice(ctx, teamId, client.id, { number: 'INV-1' });
      const { result } = await issueCreditNote(ctx, teamId, asAdmin(ALICE, teamId), {
        invoice: 'INV-1',
        number: 'CN-9',
        reason: 'Project cancelled after kickoff',
      });
      expect(result.amountMinor).toBe(100_000n);
      expect(result.invoice.status).toMatchObject({
        lifecycle: 'credited',
        state: 'credited',
        amountDueMinor: 0n,
        needsAction: false,
      });
      expect(result.invoice.paidOn).toBe('2026-10-05');
      // Closed: no payment, no more credit, no void.
      expect((await refusal(recordPayment(ctx, teamId, OPERATOR, { invoice: 'INV-1' }))).message).toBe(
        'INV-1 is credited in full; nothing is due on it.',
      );
      expect((await refusal(voidInvoice(ctx, teamId, OPERATOR, { invoice: 'INV-1', reason: 'x' }))).code).toBe(
        'INVOICE_HAS_CREDITS',
      );
    });

    it('refuses a credit larger than what is due, with words and the field, and writes nothing', async () => {
      const { ctx, handle } = get();
      const { teamId } = await paidInvoice('600.00');
      const error = await refusal(
        issueCreditNote(ctx, teamId, asAdmin(ALICE, teamId), {
          invoice: 'INV-1',
          number: 'CN-1',
          amount: '500.00',
          reason: 'Discount',
        }),
      );
      expect(error.code).toBe('CREDIT_EXCEEDS_DUE');
      expect(error.message).toBe(
        "A credit note of $500.00 is more than the $400.00 still due on INV-1; credit at most what is due, or keep the rest as credit on the client's account.",
      );
      expect(error.issues).toEqual([{ field: 'amount', message: 'is more than the $400.00 still due' }]);
      expect(await handle.raw('select count(*)::int as n from credit_notes', [])).toEqual([{ n: 0 }]);
    });

    it('settles as Paid what a part payment and a credit cover together', async () => {
      const { ctx } = get();
      const { teamId } = await paidInvoice('600.00');
      const { result } = await issueCreditNote(ctx, teamId, OPERATOR, {
        invoice: 'INV-1',
        number: 'CN-2',
        amount: '400.00',
        reason: 'Goodwill',
      });
      expect(result.invoice.status).toMatchObject({ state: 'paid', amountDueMinor: 0n });
    });

    it('refuses a member, a duplicate number in any case, a draft and bad fields by name', async () => {
      const { ctx } = get();
      const { teamId, client } = await workspaceWithClient(ctx);
      await invoice(ctx, teamId, client.id, { number: 'INV-1' });
      await invoice(ctx, teamId, client.id, { number: 'INV-D', status: 'draft' });
      const base = { invoice: 'INV-1', number: 'CN-1', amount: '10.00', reason: 'Discount' };
      expect((await refusal(issueCreditNote(ctx, teamId, asMember(BOB, teamId), base))).code).toBe('FORBIDDEN');
      await issueCreditNote(ctx, teamId, OPERATOR, base);
      const duplicate = await refusal(issueCreditNote(ctx, teamId, OPERATOR, { ...base, number: 'cn-1' }));
      expect(duplicate).toMatchObject({ code: 'DUPLICATE_CREDIT_NOTE_NUMBER' });
      expect(duplicate.issues[0]?.field).toBe('number');
      expect(
        (await refusal(issueCreditNote(ctx, teamId, OPERATOR, { ...base, invoice: 'INV-D', number: 'CN-3' }))).code,
      ).toBe('INVOICE_NOT_SENT');
      const badAmount = await refusal(
        issueCreditNote(ctx, teamId, OPERATOR, { ...base, number: 'CN-4', amount: '12,50' }),
      );
      expect(badAmount.issues[0]?.field).toBe('amount');
      const future = await refusal(
        issueCreditNote(ctx, teamId, OPERATOR, { ...base, number: 'CN-5', issuedOn: '2026-10-06' }),
      );
      expect(future.issues[0]?.field).toBe('issuedOn');
      const noReason = await refusal(issueCreditNote(ctx, teamId, OPERATOR, { ...base, number: 'CN-6', reason: ' ' }));
      expect(noReason.issues[0]?.field).toBe('reason');
    });

    it('keeps amounts exact in a currency without decimals (JPY)', async () => {
      const { ctx } = get();
      const { teamId, client } = await workspaceWithClient(ctx);
      await invoice(ctx, teamId, client.id, { number: 'J-1', currency: 'JPY', total: '¥100,000' });
      const { result } = await issueCreditNote(ctx, teamId, OPERATOR, {
        invoice: 'J-1',
        number: 'CN-J',
        amount: '¥12,345',
        reason: 'Rate corrected',
      });
      expect(result.invoice.status.amountDueMinor).toBe(87_655n);
      const error = await refusal(
        issueCreditNote(ctx, teamId, OPERATOR, { invoice: 'J-1', number: 'CN-K', amount: '1.5', reason: 'x' }),
      );
      expect(error.issues[0]?.field).toBe('amount');
    });
  });
});
