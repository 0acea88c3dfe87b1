// The client's status page reads corrections as the client should see them: a reversed payment is no longer listed
// as received (its reversal is told, without the team's reason), credit notes are listed with number, amount and
// date, and an invoice credited in full is among the recently closed as Credited — on each database.
import { expect, it } from 'vitest';
import { getClientPage } from '../../src/db/queries/client-page.js';
import { applyAccountCredit, refundAccountCredit, refundOverpayment } from '../../src/services/account-credit.js';
import { issueCreditNote, reversePayment } from '../../src/services/corrections.js';
import { recordPayment } from '../../src/services/invoices.js';
import { getWorkspace } from '../../src/services/workspaces.js';
import { renderClientPage } from '../../src/web/page.js';
import { describeEachDatabase } from '../helpers/db.js';
import { invoice, OPERATOR, workspaceWithClient } from '../helpers/ledger.js';

// 2026-10-05 14:00 in New York.
describeEachDatabase('the status page and corrections', '2026-10-05T18:00:00Z', (get) => {
  it('lists only payments received, every credit note, and a fully credited invoice as Credited', async () => {
    const { ctx } = get();
    const { teamId, client } = await workspaceWithClient(ctx);
    await invoice(ctx, teamId, client.id, { number: 'INV-1' });
    await invoice(ctx, teamId, client.id, { number: 'INV-2', total: '300.00' });
    const wrong = await recordPayment(ctx, teamId, OPERATOR, { invoice: 'INV-1', amount: '700.00', reference: 'OOPS' });
    await reversePayment(ctx, teamId, OPERATOR, {
      invoice: 'INV-1',
      payment: wrong.result.paymentId,
      reason: 'TEAM-ONLY REASON',
    });
    await recordPayment(ctx, teamId, OPERATOR, { invoice: 'INV-1', amount: '600.00', reference: 'BACS 9' });
    await issueCreditNote(ctx, teamId, OPERATOR, { invoice: 'INV-1', number: 'CN-1', amount: '100.00', reason: 'x' });
    await issueCreditNote(ctx, teamId, OPERATOR, { invoice: 'INV-2', number: 'CN-2', reason: 'TEAM-ONLY CREDIT' });

    const workspace = await getWorkspace(ctx, teamId);
    const data = await getClientPage(ctx.db, { workspace, client, now: ctx.clock.now() });
    const [open] = data.open;
    const [closed] = data.paid;
    expect(data.open.map((v) => [v.number, v.status.amountDueMinor])).toEqual([['INV-1', 30_000n]]);
    expect(data.paid.map((v) => [v.number, v.status.state])).toEqual([['INV-2', 'credited']]);
    expect(data.payments.get(open?.id ?? '')?.map((p) => p.reference)).toEqual(['BACS 9']);
    expect(data.credits.get(open?.id ?? '')).toEqual([
      { number: 'CN-1', amountMinor: 10_000n, issuedOn: '2026-10-05' },
    ]);
    expect(data.credits.get(closed?.id ?? '')?.map((c) => c.number)).toEqual(['CN-2']);
    expect(data.events.get(open?.id ?? '')?.map((e) => e.kind)).toEqual([
      'sent',
      'part_paid',
      'payment_reversed',
      'part_paid',
      'credit_note_issued',
    ]);

    const page = renderClientPage(data, {
      workspaceName: 'Studio',
      clientName: client.name,
      timeZone: workspace.timeZone,
      now: ctx.clock.now(),
      formToken: 't',
      nonce: () => 'n',
    });
    expect(page).not.toContain('OOPS');
    expect(page).not.toContain('TEAM-ONLY');
    expect(page).toContain('A payment recorded on 2026-10-05 was taken back: it had been recorded by mistake');
    expect(page).toContain('Credit note CN-2 · $300.00 · 2026-10-05');
    expect(page).toContain('credited in full');
  });

  it('shows the credit kept on the client’s account, its use and refunds, without the team’s reasons', async () => {
    const { ctx } = get();
    const { teamId, client } = await workspaceWithClient(ctx);
    await invoice(ctx, teamId, client.id, { number: 'INV-1' });
    await invoice(ctx, teamId, client.id, { number: 'INV-2' });
    await invoice(ctx, teamId, client.id, { number: 'INV-3' });
    await issueCreditNote(ctx, teamId, OPERATOR, {
      invoice: 'INV-1',
      number: 'CN-1',
      amount: '1,500.00',
      reason: 'TEAM-ONLY NOTE',
      keepOnAccount: true,
    });
    await applyAccountCredit(ctx, teamId, OPERATOR, { invoice: 'INV-2', amount: '200.00', reason: 'TEAM-ONLY APPLY' });
    await refundAccountCredit(ctx, teamId, OPERATOR, {
      client: client.id,
      currency: 'USD',
      amount: '100.00',
      reason: 'TEAM-ONLY REFUND',
    });
    await recordPayment(ctx, teamId, OPERATOR, { invoice: 'INV-3', amount: '1,040.00', overpayment: true });
    await refundOverpayment(ctx, teamId, OPERATOR, { invoice: 'INV-3', reason: 'TEAM-ONLY OVERPAID' });

    const workspace = await getWorkspace(ctx, teamId);
    const data = await getClientPage(ctx.db, { workspace, client, now: ctx.clock.now() });
    expect(data.accountCredit?.balances).toEqual(new Map([['USD', 20_000n]]));
    expect(data.open.map((v) => [v.number, v.status.amountDueMinor])).toEqual([['INV-2', 80_000n]]);
    const page = renderClientPage(data, {
      workspaceName: 'Studio',
      clientName: client.name,
      timeZone: workspace.timeZone,
      now: ctx.clock.now(),
      formToken: 't',
      nonce: () => 'n',
    });
    expect(page).not.toContain('TEAM-ONLY');
    expect(page).toContain(
      '<section aria-label="Credit on your account"><h2>Credit on your account</h2><p>$200.00: taken off a later invoice, or refunded to you</p><ul><li>$100.00 refunded to you on 2026-10-05</li></ul></section>',
    );
    expect(page).toContain('Credit note CN-1 issued: nothing left to pay; $500.00 kept as credit on your account');
    expect(page).toContain('$200.00 of the credit on your account taken off this invoice');
    expect(page).toContain('$40.00 refunded to you on 2026-10-05');
  });
});
