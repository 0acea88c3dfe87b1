import { expect, it } from 'vitest';
import {
  getAging,
  getClientRecord,
  getDayChangeIds,
  getDayChanges,
  getHistory,
  getOverview,
} from '../../src/db/queries/views.js';
import { todayIn } from '../../src/domain/dates.js';
import type { LedgerContext } from '../../src/services/context.js';
import { dispute, logChase, recordPayment } from '../../src/services/invoices.js';
import { getWorkspace } from '../../src/services/workspaces.js';
import { describeEachDatabase } from '../helpers/db.js';
import { ALICE, asAdmin, invoice, workspaceWithClient } from '../helpers/ledger.js';

async function params(ctx: LedgerContext, teamId: string) {
  const workspace = await getWorkspace(ctx, teamId);
  const now = ctx.clock.now();
  return { workspace, now, today: todayIn(workspace.timeZone, now) };
}

// Noon on 2026-11-23 in New York.
describeEachDatabase('views', '2026-11-23T17:00:00Z', (get) => {
  it('puts invoices exactly 30, 60 and 90 days late in exactly one aging bucket each', async () => {
    const { ctx } = get();
    const { teamId, client } = await workspaceWithClient(ctx);
    const due = {
      '2026-11-23': 'A',
      '2026-10-24': 'B',
      '2026-10-23': 'C',
      '2026-09-24': 'D',
      '2026-09-23': 'E',
      '2026-08-25': 'F',
      '2026-08-24': 'G',
    };
    for (const [dueDate, number] of Object.entries(due)) {
      await invoice(ctx, teamId, client.id, {
        number,
        issueDate: '2026-08-01',
        terms: { kind: 'fixed', dueDate },
        total: '1',
      });
    }
    await invoice(ctx, teamId, client.id, { number: 'DRAFT', status: 'draft', total: '99' });
    await invoice(ctx, teamId, client.id, { number: 'EUR', currency: 'EUR', total: '5', issueDate: '2026-11-01' });
    const aging = await getAging(ctx.db, await params(ctx, teamId));
    expect(aging.map((a) => [a.currency, a.bucket, a.count, a.dueMinor])).toEqual([
      ['EUR', 'current', 1, 500n],
      ['USD', 'current', 1, 100n], // due today
      ['USD', '1-30', 1, 100n], // 30 days
      ['USD', '31-60', 2, 200n], // 31 and 60 days
      ['USD', '61-90', 2, 200n], // 61 and 90 days
      ['USD', '90+', 1, 100n], // 91 days
    ]);
  });

  it('groups the overview by state with totals per currency, most urgent first', async () => {
    const { ctx } = get();
    const { teamId, client } = await workspaceWithClient(ctx);
    await invoice(ctx, teamId, client.id, { number: 'O-OLD', terms: { kind: 'fixed', dueDate: '2026-10-01' } });
    await invoice(ctx, teamId, client.id, {
      number: 'O-NEW',
      terms: { kind: 'fixed', dueDate: '2026-11-20' },
      total: '50',
    });
    await invoice(ctx, teamId, client.id, {
      number: 'DUE',
      issueDate: '2026-11-01',
      terms: { kind: 'fixed', dueDate: '2026-11-23' },
    });
    await invoice(ctx, teamId, client.id, { number: 'SENT', issueDate: '2026-11-20', currency: 'GBP', total: '£300' });
    await invoice(ctx, teamId, client.id, { number: 'DRAFT', status: 'draft', issueDate: '2026-11-20' });
    await invoice(ctx, teamId, client.id, { number: 'PAID', issueDate: '2026-11-01' });
    await recordPayment(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'PAID', receivedOn: '2026-11-10' });
    await invoice(ctx, teamId, client.id, {
      number: 'PART',
      issueDate: '2026-11-01',
      terms: { kind: 'fixed', dueDate: '2026-11-22' },
    });
    await recordPayment(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'PART', amount: '250' });
    const overview = await getOverview(ctx.db, await params(ctx, teamId));
    expect(overview.totals.map((t) => [t.state, t.currency, t.count, t.dueMinor])).toEqual([
      ['overdue', 'USD', 3, 100_000n + 5_000n + 75_000n],
      ['due', 'USD', 1, 100_000n],
      ['sent', 'GBP', 1, 30_000n],
      ['draft', 'USD', 1, 100_000n],
      ['paid', 'USD', 1, 0n],
    ]);
    expect(overview.invoices.overdue.map((i) => i.number)).toEqual(['O-OLD', 'O-NEW', 'PART']);
    expect(overview.invoices.overdue[0]?.status.daysOverdue).toBe(53);
    expect(overview.counts).toEqual({ overdue: 3, due: 1, sent: 1, draft: 1, paid: 1, credited: 0 });
    expect(overview.needsAction).toMatchObject({ overdue: 3, due: 1, promisesBroken: 0 });
  });

  it('keeps a client record: balances per currency, how late they pay, invoices and history', async () => {
    const { ctx } = get();
    const { teamId, client } = await workspaceWithClient(ctx);
    await invoice(ctx, teamId, client.id, { number: 'P1', issueDate: '2026-09-01', terms: 'net 30' });
    await recordPayment(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'P1', receivedOn: '2026-10-11' }); // 10 days late
    await invoice(ctx, teamId, client.id, { number: 'P2', issueDate: '2026-09-01', terms: 'net 30' });
    await recordPayment(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'P2', receivedOn: '2026-10-05' }); // 4 days late
    await invoice(ctx, teamId, client.id, { number: 'LATE', issueDate: '2026-10-01', terms: 'net 30', total: '700' });
    await invoice(ctx, teamId, client.id, { number: 'EUR', issueDate: '2026-11-20', currency: 'EUR', total: '10' });
    const record = await getClientRecord(ctx.db, { ...(await params(ctx, teamId)), clientId: client.id });
    expect(record?.client).toMatchObject({ name: 'Acme Corp', contactEmail: 'ap@acme.test', terms: 'net 30' });
    expect(record?.balances).toEqual([
      { currency: 'EUR', outstandingMinor: 1_000n, overdueMinor: 0n, openCount: 1 },
      { currency: 'USD', outstandingMinor: 70_000n, overdueMinor: 70_000n, openCount: 1 },
    ]);
    expect(record?.payment).toEqual({ paidCount: 2, averageDaysLate: 7, averageDaysToPay: 37 });
    expect(record?.invoices.map((i) => i.number)).toEqual(['LATE', 'EUR', 'P1', 'P2']);
    expect(record?.invoiceCount).toBe(4);
    expect(record?.history.at(-1)?.invoiceNumber).toBe('EUR');
  });

  it('finds the day changes: became due, became overdue, promise broken, went stale', async () => {
    const { ctx } = get();
    const { teamId, client } = await workspaceWithClient(ctx); // stale after 7 days
    ctx.clock.set('2026-11-10T17:00:00Z');
    await invoice(ctx, teamId, client.id, {
      number: 'DUE',
      issueDate: '2026-11-01',
      terms: { kind: 'fixed', dueDate: '2026-11-23' },
    });
    await invoice(ctx, teamId, client.id, {
      number: 'OVER',
      issueDate: '2026-11-01',
      terms: { kind: 'fixed', dueDate: '2026-11-22' },
    });
    await invoice(ctx, teamId, client.id, {
      number: 'PROM',
      issueDate: '2026-10-01',
      terms: { kind: 'fixed', dueDate: '2026-11-01' },
    });
    await invoice(ctx, teamId, client.id, {
      number: 'HELD',
      issueDate: '2026-11-01',
      terms: { kind: 'fixed', dueDate: '2026-11-22' },
    });
    await dispute(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'HELD', reason: 'wrong PO' });
    await invoice(ctx, teamId, client.id, {
      number: 'STALE',
      issueDate: '2026-10-01',
      terms: { kind: 'fixed', dueDate: '2026-11-01' },
    });
    ctx.clock.set('2026-11-16T17:00:00Z'); // chased exactly 7 days before the 23rd
    await logChase(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'STALE', method: 'email' });
    ctx.clock.set('2026-11-17T17:00:00Z');
    await logChase(ctx, teamId, asAdmin(ALICE, teamId), {
      invoice: 'PROM',
      method: 'call',
      promisedDate: '2026-11-22',
    });
    ctx.clock.set('2026-11-23T17:00:00Z');
    const changes = await getDayChanges(ctx.db, await params(ctx, teamId));
    expect(changes.becameDue.map((i) => i.number)).toEqual(['DUE']);
    expect(changes.becameOverdue.map((i) => i.number)).toEqual(['OVER']);
    expect(changes.promisesBroken.map((i) => i.number)).toEqual(['PROM']);
    // STALE aged out today; DUE, created 13 days ago, went stale the day it became due. PROM's broken
    // promise leaves it without a live promise and its last chase is 6 days old: not stale yet.
    expect(changes.wentStale.map((i) => i.number).sort()).toEqual(['DUE', 'STALE']);
    expect(changes.wentStale.every((i) => i.status.stale)).toBe(true);
    // The next day nothing new went stale or broke.
    ctx.clock.set('2026-11-24T17:00:00Z');
    const tomorrow = await getDayChanges(ctx.db, await params(ctx, teamId));
    expect(tomorrow.wentStale.map((i) => i.number)).toEqual(['OVER', 'PROM'].filter((n) => n === 'PROM'));
    expect(tomorrow.promisesBroken).toEqual([]);

    // The jobs' lean reading says the same, for both days in one query.
    const workspace = (await params(ctx, teamId)).workspace;
    const ids = await getDayChangeIds(ctx.db, { workspace, dates: ['2026-11-23', '2026-11-24'] });
    const full = [
      ...[changes, tomorrow].flatMap((c) => [
        ...c.becameDue.map((i) => [c.date, 'due', i.id, i.ownerUserId]),
        ...c.becameOverdue.map((i) => [c.date, 'overdue', i.id, i.ownerUserId]),
        ...c.promisesBroken.map((i) => [c.date, 'broken', i.id, i.ownerUserId]),
        ...c.wentStale.map((i) => [c.date, 'stale', i.id, i.ownerUserId]),
      ]),
    ];
    const key = (r: unknown[]) => r.join('|');
    expect(ids.map((r) => key([r.date, r.change, r.id, r.ownerUserId])).sort()).toEqual(full.map(key).sort());
  });

  it('shows history for an invoice, a client and a period, oldest first, for its own workspace only', async () => {
    const { ctx } = get();
    const a = await workspaceWithClient(ctx, { teamId: 'T0AAA' });
    const b = await workspaceWithClient(ctx, { teamId: 'T0BBB' });
    ctx.clock.set('2026-11-20T12:00:00Z');
    const inv = await invoice(ctx, a.teamId, a.client.id, { number: 'A-1' });
    ctx.clock.set('2026-11-21T12:00:00Z');
    await logChase(ctx, a.teamId, asAdmin(ALICE, a.teamId), {
      invoice: 'A-1',
      method: 'email',
      note: 'Sent a reminder',
    });
    await invoice(ctx, b.teamId, b.client.id, { number: 'B-1' });
    const forInvoice = await getHistory(ctx.db, { teamId: a.teamId, invoiceId: inv.id });
    expect(forInvoice.map((e) => e.kind)).toEqual(['created', 'sent', 'chased']);
    expect(forInvoice[2]).toMatchObject({
      actorType: 'user',
      actorId: 'U0ALICE',
      details: { note: 'Sent a reminder' },
    });
    const forClient = await getHistory(ctx.db, { teamId: a.teamId, clientId: a.client.id });
    expect(forClient.map((e) => e.kind)).toEqual(['client_created', 'created', 'sent', 'chased']);
    const period = await getHistory(ctx.db, {
      teamId: a.teamId,
      from: new Date('2026-11-21T00:00:00Z'),
      to: new Date('2026-11-22T00:00:00Z'),
    });
    expect(period.map((e) => e.kind)).toEqual(['chased']);
    const other = await getOverview(ctx.db, await params(ctx, b.teamId));
    expect(other.counts.sent + other.counts.overdue + other.counts.due).toBe(1);
    expect(
      Object.values(other.invoices)
        .flat()
        .map((i) => i.number),
    ).toEqual(['B-1']);
  });
});
