// Once the books are connected, what they own is changed there: an invoice that came from (or was matched to) the
// ledger refuses a new number, client, currency, total, dates, a payment or a void from Slack — even from a
// finance admin — saying where to change it, and nothing is written. What we own stays editable, an invoice
// typed here stays editable, and the sync itself (the ledger's own principal) still changes everything.
import { count, eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { events, ledgerConnections, ledgerLinks, payments } from '../../src/db/schema.js';
import type { LedgerContext } from '../../src/services/context.js';
import { isLedgerError } from '../../src/services/errors.js';
import {
  editInvoice,
  getInvoice,
  logChase,
  placeHold,
  recordPayment,
  releaseHold,
  voidInvoice,
} from '../../src/services/invoices.js';
import { operatorPrincipal } from '../../src/services/policy.js';
import { describeEachDatabase } from '../helpers/db.js';
import { ALICE, asAdmin, asMember, BOB, invoice, OPERATOR, workspaceWithClient } from '../helpers/ledger.js';

const XERO = operatorPrincipal('xero');

/** A workspace connected to Xero (in `status`), with INV-7 from Xero and INV-8 typed here. */
async function connectedWorkspace(ctx: LedgerContext, status: 'ok' | 'broken' | 'disconnected' = 'ok') {
  const { teamId, client } = await workspaceWithClient(ctx);
  const synced = await invoice(ctx, teamId, client.id, { number: 'INV-7', total: '1,200.00' });
  const typed = await invoice(ctx, teamId, client.id, { number: 'INV-8', total: '500.00' });
  await ctx.db.insert(ledgerConnections).values({
    teamId,
    provider: 'xero',
    tenantId: 'tenant-1',
    tenantName: 'Studio Ltd',
    status,
    connectedBy: ALICE.id,
    connectedAt: ctx.clock.now(),
  });
  await ctx.db
    .insert(ledgerLinks)
    .values({ teamId, provider: 'xero', kind: 'invoice', externalId: 'xero-inv-7', localId: synced.id });
  return { teamId, client, synced, typed };
}

async function eventCount(ctx: LedgerContext, invoiceId: string) {
  const [row] = await ctx.db.select({ n: count() }).from(events).where(eq(events.invoiceId, invoiceId));
  return row?.n ?? 0;
}

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isLedgerError(error, 'LEDGER_OWNED')) throw new Error(`expected LEDGER_OWNED, got ${String(error)}`);
  return { message: error.message, fields: error.issues.map((i) => i.field), issues: error.issues };
}

describeEachDatabase('Owned by the ledger once connected', '2026-11-23T15:00:00Z', (get) => {
  it('refuses a finance admin’s new total on an invoice from Xero, saying where to change it, and writes nothing', async () => {
    const { ctx } = get();
    const { teamId, synced } = await connectedWorkspace(ctx);
    const before = await eventCount(ctx, synced.id);
    const refused = await refusal(
      editInvoice(ctx, teamId, asAdmin(ALICE, teamId), {
        invoice: 'INV-7',
        expectedVersion: synced.version,
        changes: { total: '1,300.00' },
      }),
    );
    expect(refused.message).toBe(
      'INV-7 comes from Xero: change its total in Xero; the change reaches here at the next sync.',
    );
    expect(refused.issues).toEqual([
      { field: 'total', message: 'comes from Xero: change it in Xero, and it changes here at the next sync' },
    ]);
    const after = await getInvoice(ctx, teamId, 'INV-7');
    expect(after.totalMinor).toBe(120000n);
    expect(after.version).toBe(synced.version);
    expect(await eventCount(ctx, synced.id)).toBe(before);
  });

  it('names every field the ledger owns that an edit would change: number, currency, dates and terms', async () => {
    const { ctx } = get();
    const { teamId, synced } = await connectedWorkspace(ctx);
    const admin = asAdmin(ALICE, teamId);
    const edit = (changes: Parameters<typeof editInvoice>[3]['changes']) =>
      refusal(editInvoice(ctx, teamId, admin, { invoice: 'INV-7', expectedVersion: synced.version, changes }));

    expect((await edit({ number: 'INV-7A' })).message).toBe(
      'INV-7 comes from Xero: change its number in Xero; the change reaches here at the next sync.',
    );
    expect((await edit({ currency: 'EUR' })).fields).toEqual(['currency']);
    expect((await edit({ issueDate: '2026-09-02' })).fields).toEqual(['issueDate']);
    expect((await edit({ terms: { kind: 'net', days: 45 } })).fields).toEqual(['terms']);
    expect((await edit({ terms: { kind: 'fixed', dueDate: '2026-12-31' } })).fields).toEqual(['terms']);
    expect((await edit({ basisDate: '2026-09-05' })).fields).toEqual(['basisDate']);
    const several = await edit({ number: 'INV-7A', total: '1.00', issueDate: '2026-09-02', description: 'Retainer' });
    expect(several.fields).toEqual(['number', 'total', 'issueDate']);
    expect(several.message).toBe(
      'INV-7 comes from Xero: change its number, total and issue date in Xero; the change reaches here at the next sync.',
    );
    // Even a value the services would otherwise reject is refused as the ledger's: the fix is in Xero either way.
    expect((await edit({ total: '0.00' })).fields).toEqual(['total']);

    const after = await getInvoice(ctx, teamId, 'INV-7');
    expect([after.number, after.currency, after.issueDate, after.dueDate, after.version]).toEqual([
      'INV-7',
      'USD',
      '2026-09-01',
      synced.dueDate,
      synced.version,
    ]);
    expect(after.description).toBeNull();
  });

  it('refuses recording a payment and voiding an invoice from Xero, with nothing written', async () => {
    const { ctx } = get();
    const { teamId, synced } = await connectedWorkspace(ctx);
    const admin = asAdmin(ALICE, teamId);
    const before = await eventCount(ctx, synced.id);

    const paid = await refusal(recordPayment(ctx, teamId, admin, { invoice: 'INV-7', amount: '200.00' }));
    expect(paid.message).toBe(
      'INV-7 comes from Xero: record its payments in Xero; the change reaches here at the next sync.',
    );
    expect(paid.fields).toEqual(['amount']);
    const voided = await refusal(voidInvoice(ctx, teamId, admin, { invoice: 'INV-7', reason: 'Sent twice' }));
    expect(voided.message).toBe(
      'INV-7 comes from Xero: void or delete it in Xero; the change reaches here at the next sync.',
    );
    // The CLI's operator is not the ledger either.
    await refusal(recordPayment(ctx, teamId, OPERATOR, { invoice: 'INV-7' }));

    const after = await getInvoice(ctx, teamId, 'INV-7');
    expect([after.paidMinor, after.voidedAt, after.version]).toEqual([0n, null, synced.version]);
    const [row] = await ctx.db.select({ n: count() }).from(payments).where(eq(payments.invoiceId, synced.id));
    expect(row?.n).toBe(0);
    expect(await eventCount(ctx, synced.id)).toBe(before);
  });

  it('keeps what we own editable: owner, description, chases, holds and disputes', async () => {
    const { ctx } = get();
    const { teamId, synced } = await connectedWorkspace(ctx);
    const admin = asAdmin(ALICE, teamId);
    // As the edit form sends it: every field, the ledger's unchanged.
    const { result: edited } = await editInvoice(ctx, teamId, admin, {
      invoice: 'INV-7',
      expectedVersion: synced.version,
      changes: {
        number: 'INV-7',
        currency: 'USD',
        total: '1,200.00',
        issueDate: '2026-09-01',
        terms: { kind: 'net', days: 30 },
        basisDate: '2026-09-01',
        ownerUserId: BOB.id,
        description: 'Brand refresh, phase 2',
      },
    });
    expect([edited.ownerUserId, edited.description, edited.totalMinor]).toEqual([
      BOB.id,
      'Brand refresh, phase 2',
      120000n,
    ]);
    const member = asMember(BOB, teamId);
    const { result: chased } = await logChase(ctx, teamId, member, {
      invoice: 'INV-7',
      method: 'call',
      note: 'Spoke to Ada',
      promisedDate: '2026-11-27',
    });
    expect(chased.promisedDate).toBe('2026-11-27');
    const { result: held } = await placeHold(ctx, teamId, member, {
      invoice: 'INV-7',
      kind: 'dispute',
      reason: 'Client queries the hours',
    });
    expect(held.status.hold?.kind).toBe('dispute');
    const { result: released } = await releaseHold(ctx, teamId, member, { invoice: 'INV-7' });
    expect(released.status.hold).toBeNull();
  });

  it('leaves an invoice typed here, never linked, fully editable in a connected workspace', async () => {
    const { ctx } = get();
    const { teamId, typed } = await connectedWorkspace(ctx);
    const admin = asAdmin(ALICE, teamId);
    const { result: edited } = await editInvoice(ctx, teamId, admin, {
      invoice: 'INV-8',
      expectedVersion: typed.version,
      changes: { total: '550.00', number: 'INV-8A' },
    });
    expect([edited.number, edited.totalMinor]).toEqual(['INV-8A', 55000n]);
    const { result: paid } = await recordPayment(ctx, teamId, admin, { invoice: 'INV-8A', amount: '50.00' });
    expect(paid.invoice.paidMinor).toBe(5000n);
  });

  it('still refuses while the connection is broken, and no longer once it is disconnected', async () => {
    const { ctx } = get();
    const broken = await connectedWorkspace(ctx, 'broken');
    const admin = asAdmin(ALICE, broken.teamId);
    await refusal(recordPayment(ctx, broken.teamId, admin, { invoice: 'INV-7', amount: '1.00' }));
    await ctx.db.update(ledgerConnections).set({ status: 'disconnected' });
    const { result } = await recordPayment(ctx, broken.teamId, admin, { invoice: 'INV-7', amount: '1.00' });
    expect(result.invoice.paidMinor).toBe(100n);
  });

  it('lets the sync, as Xero, change the number, total and dates, record payments and void', async () => {
    const { ctx } = get();
    const { teamId, synced } = await connectedWorkspace(ctx);
    const { result: edited } = await editInvoice(ctx, teamId, XERO, {
      invoice: 'INV-7',
      expectedVersion: synced.version,
      changes: { number: 'INV-0007', total: 130000n, terms: { kind: 'fixed', dueDate: '2026-10-15' } },
    });
    expect([edited.number, edited.totalMinor, edited.dueDate]).toEqual(['INV-0007', 130000n, '2026-10-15']);
    const { result: paid } = await recordPayment(ctx, teamId, XERO, { invoice: 'INV-0007', amount: 30000n });
    expect(paid.invoice.paidMinor).toBe(30000n);
  });

  it('lets the sync void an invoice from Xero', async () => {
    const { ctx } = get();
    const { teamId } = await connectedWorkspace(ctx);
    const { result } = await voidInvoice(ctx, teamId, XERO, { invoice: 'INV-7', reason: 'Voided in Xero' });
    expect(result.voidedAt).not.toBeNull();
  });

  it('tells a member too that the total is changed in Xero (a payment stays for finance admins)', async () => {
    const { ctx } = get();
    const { teamId, synced } = await connectedWorkspace(ctx);
    const error = await editInvoice(ctx, teamId, asMember(BOB, teamId), {
      invoice: 'INV-7',
      expectedVersion: synced.version,
      changes: { total: '1.00' },
    }).catch((e: unknown) => e);
    expect(isLedgerError(error, 'LEDGER_OWNED')).toBe(true);
    const payment = await recordPayment(ctx, teamId, asMember(BOB, teamId), { invoice: 'INV-7' }).catch(
      (e: unknown) => e,
    );
    expect(isLedgerError(payment, 'FORBIDDEN')).toBe(true);
  });
});
