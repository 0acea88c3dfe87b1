import { parse } from 'csv-parse/sync';
import { expect, it } from 'vitest';
import { getPayments } from '../../src/db/queries/corrections.js';
import { exportHistoryCsv, exportInvoicesCsv, INVOICE_COLUMNS } from '../../src/io/export.js';
import type { LedgerContext } from '../../src/services/context.js';
import { issueCreditNote, reversePayment } from '../../src/services/corrections.js';
import { importInvoices } from '../../src/services/import.js';
import { dispute, getInvoice, logChase, placeHold, recordPayment } from '../../src/services/invoices.js';
import { operatorPrincipal } from '../../src/services/policy.js';
import { setRate, setReportingCurrency } from '../../src/services/rates.js';
import { answerAsClient, openClientLink, shareClient } from '../../src/services/sharing.js';
import { ensureWorkspace, getWorkspace, updateWorkspaceSettings } from '../../src/services/workspaces.js';
import { describeEachDatabase, type TestLedger } from '../helpers/db.js';
import { ALICE, asAdmin, invoice, workspaceWithClient } from '../helpers/ledger.js';

const fixed = (dueDate: string) => ({ kind: 'fixed' as const, dueDate });

/** Thursday 3 December 2026, noon in New York. */
const NOW = '2026-12-03T17:00:00Z';

/** A book written through the services as it happened, the clock moved to each day (New York). */
async function book(ctx: TestLedger['ctx']) {
  const at = (iso: string) => ctx.clock.set(iso);
  at('2026-10-01T15:00:00Z');
  const { teamId, client } = await workspaceWithClient(ctx);
  const admin = asAdmin(ALICE, teamId);
  await invoice(ctx, teamId, client.id, {
    number: 'PARTS',
    total: '1,000',
    issueDate: '2026-10-01',
    terms: fixed('2026-11-01'),
  });
  at('2026-11-01T15:00:00Z');
  await invoice(ctx, teamId, client.id, {
    number: 'HELD',
    total: '400',
    issueDate: '2026-11-01',
    terms: fixed('2026-12-01'),
  });
  at('2026-11-06T15:00:00Z');
  await recordPayment(ctx, teamId, admin, { invoice: 'PARTS', amount: '250', receivedOn: '2026-10-20' });
  const { result: wrong } = await recordPayment(ctx, teamId, admin, {
    invoice: 'PARTS',
    amount: '100',
    receivedOn: '2026-10-25',
  });
  await recordPayment(ctx, teamId, admin, { invoice: 'PARTS', amount: '300', receivedOn: '2026-11-05' });
  await reversePayment(ctx, teamId, admin, { invoice: 'PARTS', payment: wrong.paymentId, reason: 'Keyed twice' });
  at('2026-11-10T15:00:00Z');
  await issueCreditNote(ctx, teamId, admin, {
    invoice: 'PARTS',
    number: 'CN-7',
    amount: '50',
    issuedOn: '2026-11-10',
    reason: 'Late delivery',
  });
  at('2026-11-20T15:00:00Z');
  const later = await invoice(ctx, teamId, client.id, {
    number: 'LATER',
    total: '800',
    issueDate: '2026-11-20',
    terms: fixed('2026-12-20'),
  });
  at('2026-12-01T15:00:00Z');
  await placeHold(ctx, teamId, admin, { invoice: 'HELD', kind: 'hold', reason: 'Waiting on their PO' });
  at(NOW);
  await logChase(ctx, teamId, admin, { invoice: 'HELD', method: 'call', promisedDate: '2026-12-10' });
  const shared = await shareClient(ctx, teamId, admin, { client: 'Acme Corp' });
  const opened = await openClientLink(ctx, shared.token);
  if (!opened) throw new Error('the link did not open');
  await answerAsClient(ctx, opened, { kind: 'approved', invoiceId: later.id, name: 'Jo Payables' });
  await answerAsClient(ctx, opened, {
    kind: 'scheduled',
    invoiceId: later.id,
    date: '2026-12-18',
    reference: 'BACS 42',
  });
  await dispute(ctx, teamId, admin, { invoice: 'LATER', reason: 'Wrong rate' });
  return { teamId };
}

async function invoiceRows(ctx: LedgerContext, teamId: string) {
  const workspace = await getWorkspace(ctx, teamId);
  const csv = await exportInvoicesCsv(ctx.db, { workspace, now: ctx.clock.now() });
  return parse(csv, { columns: true }) as Record<string, string>[];
}

describeEachDatabase('the exports carry everything', NOW, (get) => {
  it('gives every payment not reversed with its day, part payments too, and each credit note', async () => {
    const { ctx } = get();
    const { teamId } = await book(ctx);
    const rows = await invoiceRows(ctx, teamId);
    const parts = rows.find((r) => r.number === 'PARTS');
    expect(parts?.payments_received).toBe('2026-10-20 250.00; 2026-11-05 300.00');
    expect(parts?.amount_paid).toBe('550.00');
    expect(parts?.credit_notes).toBe('CN-7 50.00 on 2026-11-10');
    expect(Object.keys(rows[0] ?? {})).toEqual([...INVOICE_COLUMNS]);
  });

  it('gives the hold with its reason and day, and the promise', async () => {
    const { ctx } = get();
    const { teamId } = await book(ctx);
    const held = (await invoiceRows(ctx, teamId)).find((r) => r.number === 'HELD');
    expect([held?.hold, held?.hold_reason, held?.hold_since, held?.promised_date]).toEqual([
      'hold',
      'Waiting on their PO',
      '2026-12-01',
      '2026-12-10',
    ]);
  });

  it("gives the dispute and the client's approvals and scheduled dates from the status page", async () => {
    const { ctx } = get();
    const { teamId } = await book(ctx);
    const later = (await invoiceRows(ctx, teamId)).find((r) => r.number === 'LATER');
    expect([later?.hold, later?.hold_reason, later?.promised_date]).toEqual(['dispute', 'Wrong rate', '2026-12-18']);
    expect(later?.client_approved).toBe('Jo Payables on 2026-12-03');
    expect(later?.client_scheduled).toBe('2026-12-18 (ref BACS 42) given 2026-12-03');
  });

  it('imports back with each payment on its own day, and refuses a list that does not add up', async () => {
    const { ctx } = get();
    const { teamId } = await book(ctx);
    const workspace = await getWorkspace(ctx, teamId);
    const csv = await exportInvoicesCsv(ctx.db, { workspace, now: ctx.clock.now() });
    await ensureWorkspace(ctx, { teamId: 'T0COPY', name: 'Copy', timeZone: 'America/New_York' });
    const copied = await importInvoices(ctx, 'T0COPY', operatorPrincipal('import'), csv);
    expect(copied).toMatchObject({ written: true, errors: [] });
    const parts = await getInvoice(ctx, 'T0COPY', 'PARTS');
    const payments = await getPayments(ctx.db, { teamId: 'T0COPY', invoiceIds: [parts.id] });
    expect(payments.map((p) => [p.receivedOn, p.amountMinor])).toEqual([
      ['2026-10-20', 25_000n],
      ['2026-11-05', 30_000n],
    ]);
    const broken = csv.replace('2026-10-20 250.00; 2026-11-05 300.00', '2026-10-20 250.00; 2026-11-05 200.00');
    await ensureWorkspace(ctx, { teamId: 'T0BROKEN', name: 'Broken', timeZone: 'America/New_York' });
    const refused = await importInvoices(ctx, 'T0BROKEN', operatorPrincipal('import'), broken);
    expect(refused.written).toBe(false);
    expect(refused.errors).toEqual([
      expect.objectContaining({ field: 'payments_received', message: expect.stringContaining('add up to 450.00') }),
    ]);
  });

  it('the history covers corrections, imports, settings and rates, and says when invoices became Due and Overdue', async () => {
    const { ctx } = get();
    const { teamId } = await book(ctx);
    const admin = asAdmin(ALICE, teamId);
    await updateWorkspaceSettings(ctx, teamId, admin, { staleDays: 10 });
    await setReportingCurrency(ctx, teamId, admin, { currency: 'USD' });
    await setRate(ctx, teamId, admin, { currency: 'EUR', rate: '1.08' });
    const csv = await exportHistoryCsv(ctx.db, {
      teamId,
      timeZone: 'America/New_York',
      from: new Date('2026-10-01T00:00:00Z'),
      to: new Date('2026-12-04T05:00:00Z'),
      now: ctx.clock.now(),
    });
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    const of = (kind: string) =>
      rows.filter((r) => r.kind === kind).map((r) => [r.invoice_number, r.amount, r.currency]);
    expect(of('payment_reversed')).toEqual([['PARTS', '100.00', 'USD']]);
    expect(of('credit_note_issued')).toEqual([['PARTS', '50.00', 'USD']]);
    expect(of('client_scheduled')).toEqual([['LATER', '', '']]);
    expect(of('settings_changed')).toEqual([['', '', '']]);
    expect(rows.filter((r) => r.kind === 'rate_set').map((r) => JSON.parse(r.details ?? '{}'))).toEqual([
      { currency: 'EUR', into: 'USD', rate: '1.08', rateDate: '2026-12-03', previous: null },
    ]);
    expect(of('reporting_currency_set')).toHaveLength(1);
    // PARTS was due 1 November (Due that day, Overdue the next, New York time); HELD was due 1 December.
    // LATER is due on 20 December: nothing yet.
    const derived = rows.filter((r) => r.actor_type === 'derived');
    expect(derived.map((r) => [r.invoice_number, r.kind, r.at_local, r.event_id])).toEqual([
      ['PARTS', 'became_due (derived)', '2026-11-01 00:00:00', ''],
      ['PARTS', 'became_overdue (derived)', '2026-11-02 00:00:00', ''],
      ['HELD', 'became_due (derived)', '2026-12-01 00:00:00', ''],
      ['HELD', 'became_overdue (derived)', '2026-12-02 00:00:00', ''],
    ]);
    expect(JSON.parse(derived[0]?.details ?? '{}')).toMatchObject({ derived: true, dueDate: '2026-11-01' });
    // In time order with the events: PARTS became overdue after HELD was created (1 November, 10:00 in New York)
    // and before the payments were recorded (6 November).
    const order = rows.map((r) => `${r.invoice_number} ${r.kind}`);
    const overdue = order.indexOf('PARTS became_overdue (derived)');
    expect(order.indexOf('HELD created')).toBeLessThan(overdue);
    expect(order.indexOf('PARTS part_paid')).toBeGreaterThan(overdue);
  });

  it('an imported invoice has its imported event in the history export', async () => {
    const { ctx } = get();
    await ensureWorkspace(ctx, { teamId: 'T0IMP', name: 'Imp', timeZone: 'UTC' });
    const file = [
      'number,client,currency,total,issue_date,due_date,status,amount_paid,paid_on',
      'IMP-1,Acme,USD,100.00,2026-11-01,2026-11-30,sent,40.00,2026-11-15',
    ].join('\n');
    await importInvoices(ctx, 'T0IMP', operatorPrincipal('import'), file);
    const rows = parse(
      await exportHistoryCsv(ctx.db, {
        teamId: 'T0IMP',
        timeZone: 'UTC',
        from: new Date('2026-11-01T00:00:00Z'),
        to: new Date('2026-12-04T00:00:00Z'),
        now: ctx.clock.now(),
      }),
      { columns: true },
    ) as Record<string, string>[];
    const imported = rows.find((r) => r.kind === 'imported');
    expect(imported?.invoice_number).toBe('IMP-1');
    expect(JSON.parse(imported?.details ?? '{}')).toMatchObject({ paidOn: '2026-11-15' });
    expect(rows.filter((r) => r.actor_type === 'derived').map((r) => [r.kind, r.at_local])).toEqual([
      ['became_due (derived)', '2026-11-30 00:00:00'],
      ['became_overdue (derived)', '2026-12-01 00:00:00'],
    ]);
  });
});
