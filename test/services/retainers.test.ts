// Retainers through the services, on both databases: set up (finance admins only, validated, an event), each
// occurrence's invoice made once (twice ticked, two replicas racing, caught up after downtime), paused, resumed, ended.
import { expect, it } from 'vitest';
import { describeEvent } from '../../src/cli/format.js';
import { runCli } from '../../src/cli/run.js';
import { getHistory } from '../../src/db/queries/views.js';
import { isLedgerError } from '../../src/services/errors.js';
import { getInvoice } from '../../src/services/invoices.js';
import {
  type CreateRetainerInput,
  createRetainer,
  endRetainer,
  getRetainer,
  listRetainers,
  makeDueRetainerInvoices,
  pauseRetainer,
  resumeRetainer,
} from '../../src/services/retainers.js';
import { getWorkspace, updateWorkspaceSettings } from '../../src/services/workspaces.js';
import { describeEachDatabase, type TestLedger } from '../helpers/db.js';
import { ALICE, asAdmin, asMember, BOB, OPERATOR, workspaceWithClient } from '../helpers/ledger.js';

// 2026-11-20 10:00 in New York.
const START = '2026-11-20T15:00:00Z';

async function setUp(ctx: TestLedger['ctx'], input: Partial<CreateRetainerInput> = {}) {
  const { teamId, client } = await workspaceWithClient(ctx); // America/New_York
  await updateWorkspaceSettings(ctx, teamId, OPERATOR, { financeChannel: 'C0FIN', financeAdmins: ['U0ALICE'] });
  const { result } = await createRetainer(ctx, teamId, asAdmin(ALICE, teamId), {
    clientId: client.id,
    currency: 'USD',
    amount: '5,000.00',
    terms: 'net 15',
    description: 'Design retainer',
    cadence: 'monthly',
    dayOfMonth: 1,
    startDate: '2026-11-20',
    ...input,
  });
  return { teamId, client, retainer: result };
}

async function run(ctx: TestLedger['ctx'], teamId: string) {
  return makeDueRetainerInvoices(ctx, await getWorkspace(ctx, teamId), ctx.clock.now());
}

async function madeInvoices(get: () => TestLedger) {
  return get().handle.raw(
    `select i.number, i.issue_date::text as issue_date, i.due_date::text as due_date, i.total_minor::text as total,
            i.sent_at is not null as sent, r.occurrence_date::text as occurrence, r.created_on::text as created_on
       from retainer_runs r join invoices i on i.team_id = r.team_id and i.id = r.invoice_id
      order by r.occurrence_date`,
    [],
  );
}

describeEachDatabase('retainers', START, (get) => {
  it('sets one up for a finance admin, as a retainer_created event, and says when the next invoice comes', async () => {
    const { ctx, handle } = get();
    const { retainer } = await setUp(ctx);
    expect(retainer).toMatchObject({
      clientName: 'Acme Corp',
      amountMinor: 500_000n,
      terms: { kind: 'net', days: 15 },
      status: 'active',
      createAs: 'draft',
      numberPrefix: 'ACME-RET',
      ownerUserId: 'U0ALICE',
      made: 0,
      next: '2026-12-01',
    });
    const events = await handle.raw("select kind, actor_id, details from events where kind like 'retainer_%'", []);
    expect(events).toEqual([
      expect.objectContaining({
        kind: 'retainer_created',
        actor_id: 'U0ALICE',
        details: expect.objectContaining({
          retainerId: retainer.id,
          schedule: 'monthly on the 1st',
          createAs: 'draft',
        }),
      }),
    ]);
  });

  it('refuses a member, and nothing is written', async () => {
    const { ctx, handle } = get();
    const { teamId, client, retainer } = await setUp(ctx);
    const refused = await createRetainer(ctx, teamId, asMember(BOB, teamId), {
      clientId: client.id,
      currency: 'USD',
      amount: '100',
      cadence: 'monthly',
      dayOfMonth: 1,
      startDate: '2026-12-01',
    }).catch((e: unknown) => e);
    expect(isLedgerError(refused, 'FORBIDDEN')).toBe(true);
    expect(await handle.raw('select count(*)::int as n from retainers', [])).toEqual([{ n: 1 }]);
    const paused = await pauseRetainer(ctx, teamId, asMember(BOB, teamId), { retainer: retainer.id }).catch(
      (e: unknown) => e,
    );
    expect(isLedgerError(paused, 'FORBIDDEN')).toBe(true);
    expect((await getRetainer(ctx, teamId, retainer.id)).status).toBe('active');
  });

  it('names each bad field: a start in the past, an end before the start, a fixed due date, the amount, the day', async () => {
    const { ctx } = get();
    const { teamId, client } = await workspaceWithClient(ctx);
    const base: CreateRetainerInput = {
      clientId: client.id,
      currency: 'USD',
      amount: '100',
      cadence: 'monthly',
      dayOfMonth: 1,
      startDate: '2026-12-01',
    };
    const fieldsOf = async (input: Partial<CreateRetainerInput>) => {
      const error = await createRetainer(ctx, teamId, asAdmin(ALICE, teamId), { ...base, ...input }).catch(
        (e: unknown) => e,
      );
      if (!isLedgerError(error)) throw new Error(`expected a refusal, got ${String(error)}`);
      return error.issues.map((i) => i.field);
    };
    expect(await fieldsOf({ startDate: '2026-11-19' })).toEqual(['startDate']);
    expect(await fieldsOf({ endDate: '2026-11-30' })).toEqual(['endDate']);
    expect(await fieldsOf({ terms: '2026-12-31' })).toEqual(['terms']);
    expect(await fieldsOf({ amount: '12.345' })).toEqual(['amount']);
    expect(await fieldsOf({ dayOfMonth: 32 })).toEqual(['dayOfMonth']);
    expect(await fieldsOf({ maxCount: Number.NaN })).toEqual(['maxCount']);
  });

  it('makes the invoice once on its day, however often it ticks, with a created event that names the retainer', async () => {
    const { ctx, handle } = get();
    const { teamId, retainer } = await setUp(ctx);
    ctx.clock.set('2026-12-01T04:59:00Z'); // 23:59 on 30 November in New York: not yet
    expect(await run(ctx, teamId)).toEqual([]);
    ctx.clock.set('2026-12-01T05:00:30Z'); // 00:00 on 1 December
    const [made] = await run(ctx, teamId);
    expect(made).toMatchObject({ number: 'ACME-RET-2026-12-01', occurrenceDate: '2026-12-01', caughtUp: false });
    expect(await run(ctx, teamId)).toEqual([]);
    ctx.clock.set('2026-12-01T20:00:00Z');
    expect(await run(ctx, teamId)).toEqual([]);
    expect(await madeInvoices(get)).toEqual([
      {
        number: 'ACME-RET-2026-12-01',
        issue_date: '2026-12-01',
        due_date: '2026-12-16',
        total: '500000',
        sent: false,
        occurrence: '2026-12-01',
        created_on: '2026-12-01',
      },
    ]);
    const invoice = await getInvoice(ctx, teamId, 'ACME-RET-2026-12-01');
    expect(invoice).toMatchObject({ description: 'Design retainer', ownerUserId: 'U0ALICE' });
    expect(invoice.status.state).toBe('draft');
    const [created] = await handle.raw(
      "select actor_type, actor_id, details from events where kind = 'created' and invoice_id = $1",
      [invoice.id],
    );
    expect(created).toMatchObject({
      actor_type: 'system',
      actor_id: 'retainer',
      details: { retainerId: retainer.id, occurrenceDate: '2026-12-01', schedule: 'monthly on the 1st' },
    });
    // The owner's notice is decided with it, for the workspace's alert time (09:00 in New York).
    expect(
      await handle.raw(
        "select key, channel_id, local_date::text as day, extract(epoch from next_attempt_at)::int as at from deliveries where kind = 'retainer_invoice'",
        [],
      ),
    ).toEqual([
      {
        key: `retainer_invoice:${retainer.id}:2026-12-01`,
        channel_id: 'U0ALICE',
        day: '2026-12-01',
        at: Date.parse('2026-12-01T14:00:00Z') / 1000,
      },
    ]);
  });

  it('tells the finance channel when the retainer has no owner, and makes the invoice without one', async () => {
    const { ctx, handle } = get();
    const { teamId } = await setUp(ctx, { ownerUserId: null, createAs: 'sent' });
    ctx.clock.set('2026-12-01T15:00:00Z'); // 10:00, after the alert time: told at once
    await run(ctx, teamId);
    const invoice = await getInvoice(ctx, teamId, 'ACME-RET-2026-12-01');
    expect(invoice).toMatchObject({ ownerUserId: null });
    expect(invoice.status.state).toBe('sent');
    expect(
      await handle.raw(
        "select channel_id, extract(epoch from next_attempt_at)::int as at from deliveries where kind = 'retainer_invoice'",
        [],
      ),
    ).toEqual([{ channel_id: 'C0FIN', at: Date.parse('2026-12-01T15:00:00Z') / 1000 }]);
  });

  it('makes one invoice when two replicas race for the same occurrence', async () => {
    const { ctx } = get();
    const { teamId } = await setUp(ctx);
    ctx.clock.set('2026-12-01T15:00:00Z');
    const workspace = await getWorkspace(ctx, teamId);
    const [a, b] = await Promise.all([
      makeDueRetainerInvoices(ctx, workspace, ctx.clock.now()),
      makeDueRetainerInvoices(ctx, workspace, ctx.clock.now()),
    ]);
    expect([...(a ?? []), ...(b ?? [])]).toHaveLength(1);
    expect(await madeInvoices(get)).toHaveLength(1);
  });

  it('catches up after downtime: each missed occurrence once, dated its own day, said as caught up', async () => {
    const { ctx, handle } = get();
    const { teamId } = await setUp(ctx, { dayOfMonth: 31, createAs: 'sent' });
    ctx.clock.set('2027-03-02T15:00:00Z'); // down since before 30 November
    const made = await run(ctx, teamId);
    expect(made.map((m) => [m.occurrenceDate, m.caughtUp])).toEqual([
      ['2026-11-30', true],
      ['2026-12-31', true],
      ['2027-01-31', true],
      ['2027-02-28', true],
    ]);
    expect(await run(ctx, teamId)).toEqual([]);
    const rows = await madeInvoices(get);
    expect(rows.map((r) => [r.issue_date, r.sent, r.created_on])).toEqual([
      ['2026-11-30', true, '2027-03-02'],
      ['2026-12-31', true, '2027-03-02'],
      ['2027-01-31', true, '2027-03-02'],
      ['2027-02-28', true, '2027-03-02'],
    ]);
    const details = await handle.raw(
      "select details->>'caughtUp' as caught_up, details->>'madeOn' as made_on from events where kind = 'created' and details ? 'retainerId'",
      [],
    );
    expect(details).toEqual(Array(4).fill({ caught_up: 'true', made_on: '2027-03-02' }));
    // The history says where it came from.
    const invoice = await getInvoice(ctx, teamId, 'ACME-RET-2026-11-30');
    const [created] = await getHistory(ctx.db, { teamId, invoiceId: invoice.id, kinds: ['created'] });
    expect(created && describeEvent(created)).toBe(
      'Created for $5,000.00, dated 2026-11-30, due 2026-12-15 (net 15), made by its retainer (monthly on the 31st, or the last day of a shorter month), caught up on 2027-03-02',
    );
  });

  it('skips what falls while paused, makes again from the day it resumes, and makes nothing once ended', async () => {
    const { ctx } = get();
    const { teamId, retainer } = await setUp(ctx);
    const admin = asAdmin(ALICE, teamId);
    const paused = await pauseRetainer(ctx, teamId, admin, { retainer: retainer.id.slice(0, 8) });
    expect(paused.status).toBe('paused');
    ctx.clock.set('2026-12-05T15:00:00Z');
    expect(await run(ctx, teamId)).toEqual([]);
    const resumed = await resumeRetainer(ctx, teamId, admin, { retainer: retainer.id });
    expect(resumed).toMatchObject({ status: 'active', next: '2027-01-01' });
    expect(await run(ctx, teamId)).toEqual([]); // 1 December fell while paused
    ctx.clock.set('2027-01-01T15:00:00Z');
    expect((await run(ctx, teamId)).map((m) => m.occurrenceDate)).toEqual(['2027-01-01']);
    const ended = await endRetainer(ctx, teamId, admin, { retainer: retainer.id });
    expect(ended).toMatchObject({ status: 'ended', next: null, made: 1 });
    ctx.clock.set('2027-02-01T15:00:00Z');
    expect(await run(ctx, teamId)).toEqual([]);
    const again = await resumeRetainer(ctx, teamId, admin, { retainer: retainer.id }).catch((e: unknown) => e);
    expect(isLedgerError(again, 'RETAINER_STATE')).toBe(true);
    expect(await listRetainers(ctx, teamId)).toEqual([]);
    expect((await listRetainers(ctx, teamId, { includeEnded: true })).map((r) => r.status)).toEqual(['ended']);
  });

  it('stops at its count and at its end date', async () => {
    const { ctx } = get();
    const { teamId } = await setUp(ctx, { maxCount: 2 });
    const { client } = await (async () => ({ client: (await listRetainers(ctx, teamId))[0] }))();
    await createRetainer(ctx, teamId, asAdmin(ALICE, teamId), {
      clientId: client?.clientId ?? '',
      currency: 'EUR',
      amount: '900',
      cadence: 'quarterly',
      dayOfMonth: null,
      startDate: '2026-11-20',
      endDate: '2027-05-31',
      numberPrefix: 'Q',
    });
    ctx.clock.set('2027-12-01T15:00:00Z');
    const made = await run(ctx, teamId);
    expect(made.map((m) => m.number).sort()).toEqual([
      'ACME-RET-2026-12-01',
      'ACME-RET-2027-01-01',
      'Q-2026-11-30',
      'Q-2027-02-26',
      'Q-2027-05-31',
    ]);
    expect((await listRetainers(ctx, teamId)).map((r) => r.next)).toEqual([null, null]);
  });

  it('shows the client’s retainers on its record in the command line', async () => {
    const { ctx } = get();
    const { teamId, retainer } = await setUp(ctx, { maxCount: 12 });
    await pauseRetainer(ctx, teamId, asAdmin(ALICE, teamId), { retainer: retainer.id });
    const lines: string[] = [];
    const code = await runCli(['client', 'Acme'], {
      out: (line) => lines.push(line),
      open: async () => ({ ctx, close: async () => {} }),
    });
    expect(code).toBe(0);
    expect(lines.join('\n')).toMatch(
      /Retainers +\$5,000\.00 monthly on the 1st, 12 invoices · paused · 0 invoices made/,
    );
  });

  it('takes the next free number when one was typed by hand', async () => {
    const { ctx } = get();
    const { teamId, client } = await setUp(ctx);
    const { createInvoice } = await import('../../src/services/invoices.js');
    await createInvoice(ctx, teamId, asAdmin(ALICE, teamId), {
      number: 'acme-ret-2026-12-01',
      clientId: client.id,
      currency: 'USD',
      total: '1',
      issueDate: '2026-11-20',
    });
    ctx.clock.set('2026-12-01T15:00:00Z');
    expect((await run(ctx, teamId)).map((m) => m.number)).toEqual(['ACME-RET-2026-12-01-2']);
  });
});
