// The command line's numbers: `overview` leads with DSO, collected and expected in (how each is worked out said
// below them), and `rates` names the reporting currency and sets dated rates as the operator.
import { expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { recordPayment } from '../../src/services/invoices.js';
import { describeEachDatabase } from '../helpers/db.js';
import { ALICE, asAdmin, invoice, workspaceWithClient } from '../helpers/ledger.js';

// Thursday 3 December 2026, noon in New York.
describeEachDatabase('the numbers on the command line', '2026-12-03T17:00:00Z', (get) => {
  async function cli(...argv: string[]) {
    const lines: string[] = [];
    const code = await runCli(argv, {
      out: (line) => lines.push(line),
      open: async () => ({ ctx: get().ctx, close: async () => {} }),
    });
    return { code, lines, text: lines.join('\n') };
  }

  it('overview shows DSO, collected and expected in, converted once a rate is set', async () => {
    const { ctx } = get();
    const { teamId, client } = await workspaceWithClient(ctx);
    const fixed = (dueDate: string) => ({ kind: 'fixed' as const, dueDate });
    await invoice(ctx, teamId, client.id, {
      number: 'A',
      total: '3,000',
      issueDate: '2026-11-01',
      terms: fixed('2026-12-05'),
    });
    await invoice(ctx, teamId, client.id, {
      number: 'B',
      currency: 'JPY',
      total: '100000',
      issueDate: '2026-11-15',
      terms: fixed('2026-12-15'),
    });
    await recordPayment(ctx, teamId, asAdmin(ALICE, teamId), {
      invoice: 'A',
      amount: '1,000',
      receivedOn: '2026-12-01',
    });

    const before = await cli('overview');
    expect(before.code).toBe(0);
    // USD: $2,000.00 due over $3,000.00 sold in 90 days = 60 days; JPY ¥100,000 over ¥100,000 = 90 days.
    expect(before.lines).toContain('  DSO: 90 days (JPY) · 60 days (USD)');
    expect(before.lines).toContain(
      '  Collected this week: $1,000.00 (1 payment) · last week nothing · 4-week average nothing',
    );
    expect(before.lines).toContain('    week 1 (2026-12-03 – 2026-12-09): $2,000.00');
    expect(before.lines).toContain('    week 2 (2026-12-10 – 2026-12-16): ¥100,000');

    expect((await cli('rates')).lines).toEqual([
      'No reporting currency yet: `npm run cli -- rates currency USD` names one; totals stay per currency.',
    ]);
    expect((await cli('rates', 'currency', 'USD')).lines[0]).toBe('The reporting currency is now USD.');
    expect((await cli('rates', 'JPY', '0.0063', '2026-12-02')).lines).toEqual([
      '1 JPY = 0.0063 USD, the rate of 2026-12-02.',
      'Reporting currency: USD',
      '  1 JPY = 0.0063 USD (rate of 2026-12-02)',
      '  With Xero or QuickBooks connected and the reporting currency its home currency, each sync reads its rates: a newer date replaces the rate kept, and on the same date a rate set here stays.',
    ]);
    const refused = await cli('rates', 'JPY', 'lots');
    expect(refused.code).toBe(2);
    expect(refused.lines[0]).toContain('rate: must be a positive decimal');

    // An invoice sent on 1 November, due 20 November: the client's history says when it became Due and Overdue.
    ctx.clock.set('2026-11-01T15:00:00Z');
    await invoice(ctx, teamId, client.id, {
      number: 'C',
      total: '10',
      issueDate: '2026-11-01',
      terms: fixed('2026-11-20'),
    });
    ctx.clock.set('2026-12-03T17:00:00Z');
    const record = await cli('client', 'Acme Corp');
    expect(record.lines.filter((line) => line.includes('derived'))).toEqual([
      expect.stringMatching(
        /^ {2}2026-11-20 00:00 .* C +Became Due \(derived from the due date 2026-11-20, not recorded\)$/,
      ),
      expect.stringMatching(
        /^ {2}2026-11-21 00:00 .* C +Became Overdue \(derived from the due date 2026-11-20, not recorded\)$/,
      ),
    ]);

    const after = await cli('overview');
    // ¥100,000 × 0.0063 = $630.00: the total expected in, approximate, with the rate's date. DSO across currencies:
    // ($2,000.00 + $630.00) × 90 / ($3,000.00 + $630.00) = 65.2 → 65 days.
    expect(after.lines).toContain(
      '  Expected in, next 4 weeks: ¥100,000 + $2,000.00 (≈ $2,630.00 at the rates of 2026-12-02)',
    );
    expect(after.text).toContain('≈ 65 days across currencies in USD at the rates of 2026-12-02');
  });
});
