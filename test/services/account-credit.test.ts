import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { accountCreditBalances, getAccountCredits, getRefunds } from '../../src/db/queries/account-credit.js';
import { getHistory } from '../../src/db/queries/views.js';
import { exportHistoryCsv } from '../../src/io/export.js';
import { applyAccountCredit, refundAccountCredit, refundOverpayment } from '../../src/services/account-credit.js';
import { issueCreditNote, reversePayment, withdrawCreditNote } from '../../src/services/corrections.js';
import { isLedgerError, type LedgerError } from '../../src/services/errors.js';
import { recordPayment } from '../../src/services/invoices.js';
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

// 2026-10-05 14:00 in New York: INV-1 and INV-2 (issued 2026-09-01, net 30, $1,000.00 each) fell due on 2026-10-01.
describeEachDatabase('credit on account and refunds', '2026-10-05T18:00:00Z', (get) => {
  async function book() {
    const { ctx } = get();
    const { teamId, client } = await workspaceWithClient(ctx);
    await invoice(ctx, teamId, client.id, { number: 'INV-1' });
    await invoice(ctx, teamId, client.id, { number: 'INV-2' });
    return { teamId, client, admin: asAdmin(ALICE, teamId), member: asMember(BOB, teamId) };
  }

  async function creditWithExcess(teamId: string) {
    const { ctx } = get();
    await recordPayment(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'INV-1', amount: '400.00' });
    return issueCreditNote(ctx, teamId, asAdmin(ALICE, teamId), {
      invoice: 'INV-1',
      number: 'CN-1',
      amount: '900.00',
      reason: 'Project cancelled',
      keepOnAccount: true,
    });
  }

  describe('keeping credit on the account', () => {
    it('closes the invoice for what was due and keeps the rest on the client’s account, when the admin says so', async () => {
      const { ctx, handle } = get();
      const { teamId, client } = await book();
      const { result } = await creditWithExcess(teamId);
      expect(result.amountMinor).toBe(60_000n);
      expect(result.onAccountMinor).toBe(30_000n);
      expect(result.invoice.status).toMatchObject({ state: 'paid', amountDueMinor: 0n });
      expect(result.invoice.creditedMinor).toBe(60_000n);
      expect(await accountCreditBalances(ctx.db, { teamId, clientId: client.id })).toEqual(new Map([['USD', 30_000n]]));
      const [note] = await handle.raw('select amount_minor::text as amount from credit_notes', []);
      expect(note).toEqual({ amount: '60000' });
      const issued = (await getHistory(ctx.db, { teamId, invoiceId: result.invoice.id })).at(-1);
      expect(issued?.details).toMatchObject({
        number: 'CN-1',
        amountMinor: { $bigint: '60000' },
        keptOnAccountMinor: { $bigint: '30000' },
        accountBalanceAfterMinor: { $bigint: '30000' },
      });
    });

    it('still refuses the excess when the admin did not say to keep it, and writes nothing', async () => {
      const { ctx, handle } = get();
      const { teamId, admin } = await book();
      const error = await refusal(
        issueCreditNote(ctx, teamId, admin, { invoice: 'INV-1', number: 'CN-1', amount: '1,200.00', reason: 'x' }),
      );
      expect(error.code).toBe('CREDIT_EXCEEDS_DUE');
      expect(await handle.raw('select count(*)::int as n from account_credits', [])).toEqual([{ n: 0 }]);
    });
  });

  describe('applying credit on account', () => {
    it('takes it off another open invoice of the client: partly, then what is due, never more than the balance', async () => {
      const { ctx } = get();
      const { teamId, client, admin } = await book();
      await creditWithExcess(teamId);
      const first = await applyAccountCredit(ctx, teamId, admin, {
        invoice: 'INV-2',
        amount: '100.00',
        reason: 'Agreed with Ada',
      });
      expect(first.result.amountMinor).toBe(10_000n);
      expect(first.result.balanceAfterMinor).toBe(20_000n);
      expect(first.result.invoice.status).toMatchObject({ state: 'overdue', amountDueMinor: 90_000n });
      const tooMuch = await refusal(
        applyAccountCredit(ctx, teamId, admin, { invoice: 'INV-2', amount: '250.00', reason: 'x' }),
      );
      expect(tooMuch.code).toBe('CREDIT_EXCEEDS_BALANCE');
      expect(tooMuch.message).toBe("$250.00 is more than the $200.00 of credit on Acme Corp's account.");
      const rest = await applyAccountCredit(ctx, teamId, admin, { invoice: 'INV-2', reason: 'The rest' });
      expect(rest.result.amountMinor).toBe(20_000n);
      expect(rest.result.balanceAfterMinor).toBe(0n);
      expect(await accountCreditBalances(ctx.db, { teamId, clientId: client.id })).toEqual(new Map());
      const none = await refusal(applyAccountCredit(ctx, teamId, admin, { invoice: 'INV-2', reason: 'x' }));
      expect(none.code).toBe('NO_ACCOUNT_CREDIT');
      const history = await getHistory(ctx.db, { teamId, invoiceId: rest.result.invoice.id });
      expect(history.at(-1)).toMatchObject({ kind: 'account_credit_applied', visibility: 'shared' });
      const lines = await getAccountCredits(ctx.db, { teamId, clientId: client.id });
      expect(lines.map((l) => [l.kind, l.invoiceNumber, l.amountMinor])).toEqual([
        ['kept', 'INV-1', 30_000n],
        ['applied', 'INV-2', 10_000n],
        ['applied', 'INV-2', 20_000n],
      ]);
    });

    it('never more than the invoice’s due; closes it as Credited when credit alone covers it', async () => {
      const { ctx } = get();
      const { teamId, client, admin } = await book();
      await invoice(ctx, teamId, client.id, { number: 'INV-3', total: '250.00' });
      await creditWithExcess(teamId);
      const over = await refusal(
        applyAccountCredit(ctx, teamId, admin, { invoice: 'INV-3', amount: '300.01', reason: 'x' }),
      );
      expect(over.code).toBe('CREDIT_EXCEEDS_BALANCE');
      await issueCreditNote(ctx, teamId, admin, {
        invoice: 'INV-2',
        number: 'CN-2',
        amount: '1,000.00',
        reason: 'Goodwill',
      });
      await issueCreditNote(ctx, teamId, admin, {
        invoice: 'INV-3',
        number: 'CN-3',
        amount: '100.00',
        reason: 'Part',
      });
      const tooMuch = await refusal(
        applyAccountCredit(ctx, teamId, admin, { invoice: 'INV-3', amount: '200.00', reason: 'x' }),
      );
      expect(tooMuch.code).toBe('CREDIT_EXCEEDS_DUE');
      const { result } = await applyAccountCredit(ctx, teamId, admin, { invoice: 'INV-3', reason: 'Rest' });
      expect(result.amountMinor).toBe(15_000n);
      expect(result.invoice.status.state).toBe('credited');
      expect(result.invoice.paidOn).toBe('2026-10-05');
    });

    it('only in the invoice’s currency and for the same client', async () => {
      const { ctx } = get();
      const { teamId, client, admin } = await book();
      await invoice(ctx, teamId, client.id, { number: 'INV-E', currency: 'EUR' });
      const { client: other } = await workspaceWithClient(ctx, { clientName: 'Globex' });
      await invoice(ctx, teamId, other.id, { number: 'INV-G' });
      await creditWithExcess(teamId);
      expect((await refusal(applyAccountCredit(ctx, teamId, admin, { invoice: 'INV-E', reason: 'x' }))).message).toBe(
        'Acme Corp has no credit on account in EUR.',
      );
      expect((await refusal(applyAccountCredit(ctx, teamId, admin, { invoice: 'INV-G', reason: 'x' }))).message).toBe(
        'Globex has no credit on account in USD.',
      );
    });

    it('refuses a member before anything, and a reason is required', async () => {
      const { ctx, handle } = get();
      const { teamId, admin, member } = await book();
      await creditWithExcess(teamId);
      const denied = await refusal(applyAccountCredit(ctx, teamId, member, { invoice: 'INV-2', reason: 'x' }));
      expect(denied.code).toBe('FORBIDDEN');
      expect(denied.message).toContain('can apply credit on account');
      const blank = await refusal(applyAccountCredit(ctx, teamId, admin, { invoice: 'INV-2', reason: '  ' }));
      expect(blank.issues.map((i) => i.field)).toEqual(['reason']);
      expect(await handle.raw("select count(*)::int as n from account_credits where kind = 'applied'", [])).toEqual([
        { n: 0 },
      ]);
    });
  });

  describe('refunds', () => {
    it('refunds an overpayment, never more than it: the invoice stays Paid, the event is shared', async () => {
      const { ctx } = get();
      const { teamId, admin } = await book();
      await recordPayment(ctx, teamId, admin, { invoice: 'INV-1', amount: '1,150.00', overpayment: true });
      const over = await refusal(
        refundOverpayment(ctx, teamId, admin, { invoice: 'INV-1', amount: '200.00', reason: 'Paid twice' }),
      );
      expect(over.code).toBe('REFUND_EXCEEDS_REFUNDABLE');
      expect(over.message).toBe('$200.00 is more than the $150.00 overpaid on INV-1; refund at most that.');
      const member = await refusal(
        refundOverpayment(ctx, teamId, asMember(BOB, teamId), { invoice: 'INV-1', reason: 'Paid twice' }),
      );
      expect(member.code).toBe('FORBIDDEN');
      expect(member.message).toContain('can record refunds');
      const { result } = await refundOverpayment(ctx, teamId, admin, {
        invoice: 'INV-1',
        amount: '100.00',
        method: 'bank transfer',
        reference: 'RF-9',
        reason: 'Paid twice',
      });
      expect(result.invoice.paidMinor).toBe(105_000n);
      expect(result.invoice.status).toMatchObject({ state: 'paid', overpaidMinor: 5_000n });
      await refundOverpayment(ctx, teamId, admin, { invoice: 'INV-1', reason: 'The rest' });
      const nothing = await refusal(refundOverpayment(ctx, teamId, admin, { invoice: 'INV-1', reason: 'x' }));
      expect(nothing.code).toBe('NOTHING_TO_REFUND');
      const lines = await getRefunds(ctx.db, { teamId, invoiceIds: [result.invoice.id] });
      expect(lines.map((l) => [l.source, l.amountMinor, l.reference])).toEqual([
        ['overpayment', 10_000n, 'RF-9'],
        ['overpayment', 5_000n, null],
      ]);
      const events = await getHistory(ctx.db, { teamId, invoiceId: result.invoice.id });
      expect(events.at(-1)).toMatchObject({ kind: 'refunded', visibility: 'shared' });
    });

    it('refuses to reverse a payment part of which was refunded', async () => {
      const { ctx } = get();
      const { teamId, admin } = await book();
      const { result: paid } = await recordPayment(ctx, teamId, admin, {
        invoice: 'INV-1',
        amount: '1,000.50',
        overpayment: true,
      });
      await refundOverpayment(ctx, teamId, admin, { invoice: 'INV-1', reason: 'Rounding' });
      const refused = await refusal(
        reversePayment(ctx, teamId, admin, { invoice: 'INV-1', payment: paid.paymentId, reason: 'x' }),
      );
      expect(refused.code).toBe('PAYMENT_REFUNDED');
    });

    it('refunds credit on the client’s account, never more than the balance; members are refused', async () => {
      const { ctx } = get();
      const { teamId, client, admin, member } = await book();
      await creditWithExcess(teamId);
      const denied = await refusal(
        refundAccountCredit(ctx, teamId, member, { client: 'Acme Corp', currency: 'USD', reason: 'x' }),
      );
      expect(denied.code).toBe('FORBIDDEN');
      const over = await refusal(
        refundAccountCredit(ctx, teamId, admin, {
          client: 'acme corp',
          currency: 'USD',
          amount: '300.01',
          reason: 'x',
        }),
      );
      expect(over.code).toBe('REFUND_EXCEEDS_REFUNDABLE');
      const { result } = await refundAccountCredit(ctx, teamId, OPERATOR, {
        client: client.id,
        currency: 'USD',
        amount: '120.00',
        method: 'cheque',
        reason: 'Client asked',
      });
      expect(result).toMatchObject({ amountMinor: 12_000n, balanceAfterMinor: 18_000n, clientName: 'Acme Corp' });
      expect(await accountCreditBalances(ctx.db, { teamId, clientId: client.id })).toEqual(new Map([['USD', 18_000n]]));
      const none = await refusal(
        refundAccountCredit(ctx, teamId, admin, { client: 'Acme Corp', currency: 'EUR', reason: 'x' }),
      );
      expect(none.code).toBe('NO_ACCOUNT_CREDIT');
      const [event] = await get().handle.raw(
        "select kind, visibility, client_id::text as client from events where kind = 'account_credit_refunded'",
        [],
      );
      expect(event).toEqual({ kind: 'account_credit_refunded', visibility: 'shared', client: client.id });
      // The history CSV covers the new events, with their amounts.
      const csv = parse(
        await exportHistoryCsv(ctx.db, {
          teamId,
          from: new Date('2026-10-01T00:00:00Z'),
          to: new Date('2026-10-06T00:00:00Z'),
          timeZone: 'America/New_York',
          now: ctx.clock.now(),
        }),
        { columns: true },
      ) as Record<string, string>[];
      expect(csv.filter((l) => l.kind === 'account_credit_refunded').map((l) => [l.client, l.amount])).toEqual([
        ['Acme Corp', '120.00'],
      ]);
    });
  });

  describe('withdrawing a credit note that kept credit on account', () => {
    it('takes back the credit kept on account with the note; a member is refused', async () => {
      const { ctx } = get();
      const { teamId, client, admin, member } = await book();
      const { result } = await creditWithExcess(teamId);
      const denied = await refusal(
        withdrawCreditNote(ctx, teamId, member, { invoice: 'INV-1', creditNote: result.creditNoteId, reason: 'x' }),
      );
      expect(denied.code).toBe('FORBIDDEN');
      const { result: withdrawn } = await withdrawCreditNote(ctx, teamId, admin, {
        invoice: 'INV-1',
        creditNote: result.creditNoteId,
        reason: 'Issued in error',
      });
      expect(withdrawn.onAccountMinor).toBe(30_000n);
      expect(withdrawn.invoice.status).toMatchObject({ state: 'overdue', amountDueMinor: 60_000n });
      expect(await accountCreditBalances(ctx.db, { teamId, clientId: client.id })).toEqual(new Map());
    });

    it('refuses when that credit was applied since, and changes nothing', async () => {
      const { ctx } = get();
      const { teamId, client, admin } = await book();
      const { result } = await creditWithExcess(teamId);
      await applyAccountCredit(ctx, teamId, admin, { invoice: 'INV-2', amount: '50.00', reason: 'x' });
      const error = await refusal(
        withdrawCreditNote(ctx, teamId, admin, { invoice: 'INV-1', creditNote: result.creditNoteId, reason: 'x' }),
      );
      expect(error.code).toBe('ACCOUNT_CREDIT_USED');
      expect(await accountCreditBalances(ctx.db, { teamId, clientId: client.id })).toEqual(new Map([['USD', 25_000n]]));
    });
  });
});
