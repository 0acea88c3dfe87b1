// `npm run cli -- credit …`: a credit note whose excess is kept on account only when told, applied to another
// invoice, refunded; an overpayment refunded; a credit note withdrawn (and refused for one from Xero); the client
// record showing the credit. What each prints and its exit code, on both databases.
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { ledgerConnections, ledgerLinks } from '../../src/db/schema.js';
import { recordPayment } from '../../src/services/invoices.js';
import { describeEachDatabase } from '../helpers/db.js';
import { ALICE, asAdmin, invoice, workspaceWithClient } from '../helpers/ledger.js';

// 2026-10-05 14:00 in New York: INV-1 and INV-2 ($1,000.00 each, net 30 from 2026-09-01) are overdue.
describeEachDatabase('cli credit', '2026-10-05T18:00:00Z', (get) => {
  async function cli(...argv: string[]) {
    const lines: string[] = [];
    const code = await runCli(argv, {
      out: (line) => lines.push(line),
      open: async () => ({ ctx: get().ctx, close: async () => {} }),
    });
    return { code, text: lines.join('\n') };
  }

  async function book() {
    const { ctx } = get();
    const { teamId, client } = await workspaceWithClient(ctx);
    const one = await invoice(ctx, teamId, client.id, { number: 'INV-1' });
    await invoice(ctx, teamId, client.id, { number: 'INV-2' });
    return { teamId, client, one };
  }

  describe('credit on account', () => {
    it('keeps the excess only with --keep-on-account, applies it, refunds the rest, and the client record shows it', async () => {
      await book();
      const refused = await cli('credit', 'note', 'INV-1', 'CN-1', '1300', '--reason', 'Cancelled');
      expect(refused.code).toBe(2);
      expect(refused.text).toContain('is more than the $1,000.00 still due on INV-1');
      const kept = await cli('credit', 'note', 'INV-1', 'CN-1', '1300', '--reason', 'Cancelled', '--keep-on-account');
      expect(kept).toEqual({
        code: 0,
        text: "Credit note CN-1: $1,000.00 off INV-1.\n$300.00 kept as credit on Acme Corp's account.",
      });
      const applied = await cli('credit', 'apply', 'INV-2', '200', '--reason', 'Agreed');
      expect(applied.text).toBe(
        '$200.00 of credit on account applied to INV-2; $800.00 still due, $100.00 left on account.',
      );
      const tooMuch = await cli(
        'credit',
        'refund',
        '--client',
        'Acme Corp',
        '--currency',
        'usd',
        '150',
        '--reason',
        'x',
      );
      expect(tooMuch.code).toBe(2);
      expect(tooMuch.text).toContain("$150.00 is more than the $100.00 of credit on Acme Corp's account");
      const noReason = await cli('credit', 'refund', '--client', 'Acme Corp', '--currency', 'USD');
      expect(noReason.code).toBe(2);
      expect(noReason.text).toContain('reason:');
      const refunded = await cli(
        'credit',
        'refund',
        '--client',
        'Acme Corp',
        '--currency',
        'USD',
        '--reason',
        'Asked for it',
        '--method',
        'cheque',
      );
      expect(refunded.text).toBe("Refunded $100.00 of Acme Corp's credit on account; $0.00 left.");
      const record = await cli('client', 'Acme Corp');
      expect(record.text).toMatch(/Credit +on account: none left/);
      expect(record.text).toContain('2026-10-05  $300.00 kept from INV-1');
      expect(record.text).toContain('2026-10-05  $200.00 applied to INV-2');
      expect(record.text).toContain('2026-10-05  $100.00 refunded from the account · cheque');
      const history = await cli('history', 'INV-2');
      expect(history.text).toContain(
        'Credit on account applied: $200.00 on 2026-10-05: Agreed; $800.00 still due; $100.00 left on account',
      );
    });
  });

  describe('refunds and withdrawals', () => {
    it('refunds an overpayment, never more than it', async () => {
      const { ctx } = get();
      const { teamId } = await book();
      await recordPayment(ctx, teamId, asAdmin(ALICE, teamId), {
        invoice: 'INV-1',
        amount: '1,050',
        overpayment: true,
      });
      const over = await cli('credit', 'refund', 'INV-1', '60', '--reason', 'Paid twice');
      expect(over.code).toBe(2);
      expect(over.text).toContain('$60.00 is more than the $50.00 overpaid on INV-1');
      const done = await cli('credit', 'refund', 'INV-1', '--reason', 'Paid twice', '--reference', 'RF-1');
      expect(done).toEqual({ code: 0, text: "Refunded $50.00 of INV-1's overpayment." });
    });

    it('withdraws a credit note by its number with a reason; refuses one from Xero with where to do it', async () => {
      const { ctx } = get();
      const { teamId, one } = await book();
      await cli('credit', 'note', 'INV-1', 'CN-1', '400', '--reason', 'Discount');
      const noReason = await cli('credit', 'withdraw', 'INV-1', 'CN-1');
      expect(noReason.code).toBe(2);
      const done = await cli('credit', 'withdraw', 'INV-1', 'cn-1', '--reason', 'Issued in error');
      expect(done).toEqual({ code: 0, text: 'Credit note CN-1 withdrawn: $400.00 due again.' });
      expect((await cli('credit', 'withdraw', 'INV-1', 'CN-1', '--reason', 'x')).code).toBe(1);

      await cli('credit', 'note', 'INV-1', 'CN-2', '100', '--reason', 'Discount');
      await ctx.db.insert(ledgerConnections).values({
        teamId,
        provider: 'xero',
        tenantId: 'tenant-1',
        tenantName: 'Studio Ltd',
        status: 'ok',
        connectedBy: ALICE.id,
        connectedAt: ctx.clock.now(),
      });
      await ctx.db
        .insert(ledgerLinks)
        .values({ teamId, provider: 'xero', kind: 'invoice', externalId: 'xero-1', localId: one.id });
      const owned = await cli('credit', 'withdraw', 'INV-1', 'CN-2', '--reason', 'Wrong');
      expect(owned.code).toBe(2);
      expect(owned.text).toContain(
        'INV-1 comes from Xero: withdraw its credit notes in Xero; the change reaches here at the next sync.',
      );
    });
  });
});
