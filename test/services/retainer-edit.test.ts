// Editing a retainer through the services, on both databases: finance admins only; the change applies to the
// occurrences not made yet and never to the invoices made; one retainer_edited event says what changed, before and
// after; a schedule edit never bills a period twice and never drops an occurrence that was due before it.
import { expect, it } from 'vitest';
import { describeEvent } from '../../src/cli/format.js';
import { getHistory } from '../../src/db/queries/views.js';
import { updateClient } from '../../src/services/clients.js';
import { isLedgerError } from '../../src/services/errors.js';
import { getInvoice } from '../../src/services/invoices.js';
import {
  type CreateRetainerInput,
  createRetainer,
  editRetainer,
  endRetainer,
  getRetainer,
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
  return { teamId, client, retainer: result, admin: asAdmin(ALICE, teamId) };
}

async function tick(ctx: TestLedger['ctx'], teamId: string, at: string) {
  ctx.clock.set(at);
  return (await makeDueRetainerInvoices(ctx, await getWorkspace(ctx, teamId), ctx.clock.now())).map((m) => m.number);
}

async function madeInvoices(get: () => TestLedger) {
  return get().handle.raw(
    `select i.number, i.currency, i.total_minor::text as total, i.due_date::text as due_date, i.description,
            i.owner_user_id as owner, i.sent_at is not null as sent
       from retainer_runs r join invoices i on i.team_id = r.team_id and i.id = r.invoice_id
      order by r.occurrence_date`,
    [],
  );
}

describeEachDatabase('editing a retainer', START, (get) => {
  it('changes what the next invoices carry, leaves the made ones alone, and says what changed before and after', async () => {
    const { ctx, handle } = get();
    const { teamId, retainer, admin } = await setUp(ctx);
    expect(await tick(ctx, teamId, '2026-12-01T15:00:00Z')).toEqual(['ACME-RET-2026-12-01']);

    ctx.clock.set('2026-12-03T15:00:00Z');
    const { result } = await editRetainer(ctx, teamId, admin, {
      retainer: retainer.id.slice(0, 8),
      currency: 'EUR',
      amount: '4,600.00',
      terms: 'net 30',
      description: 'Design and support',
      ownerUserId: 'U0BOB',
      createAs: 'sent',
    });
    expect(result.changes).toEqual([
      { field: 'amount', from: '$5,000.00', to: '€4,600.00' },
      { field: 'currency', from: 'USD', to: 'EUR' },
      { field: 'terms', from: 'net 15', to: 'net 30' },
      { field: 'description', from: 'Design retainer', to: 'Design and support' },
      { field: 'owner', from: 'U0ALICE', to: 'U0BOB' },
      { field: 'createAs', from: 'draft', to: 'sent' },
    ]);
    expect(result.retainer).toMatchObject({ currency: 'EUR', amountMinor: 460_000n, next: '2027-01-01', made: 1 });

    expect(await tick(ctx, teamId, '2027-01-01T15:00:00Z')).toEqual(['ACME-RET-2027-01-01']);
    expect(await madeInvoices(get)).toEqual([
      // Made before the edit: as it was.
      {
        number: 'ACME-RET-2026-12-01',
        currency: 'USD',
        total: '500000',
        due_date: '2026-12-16',
        description: 'Design retainer',
        owner: 'U0ALICE',
        sent: false,
      },
      {
        number: 'ACME-RET-2027-01-01',
        currency: 'EUR',
        total: '460000',
        due_date: '2027-01-31',
        description: 'Design and support',
        owner: 'U0BOB',
        sent: true,
      },
    ]);

    const events = await handle.raw(
      "select actor_id, details from events where kind = 'retainer_edited' order by id",
      [],
    );
    expect(events).toEqual([
      {
        actor_id: 'U0ALICE',
        details: expect.objectContaining({
          retainerId: retainer.id,
          changes: expect.objectContaining({
            amount: { from: '$5,000.00', to: '€4,600.00' },
            owner: { from: 'U0ALICE', to: 'U0BOB' },
          }),
        }),
      },
    ]);
    const [edited] = await getHistory(ctx.db, { teamId, kinds: ['retainer_edited'] });
    expect(edited && describeEvent(edited)).toContain('"$5,000.00" → "€4,600.00"');
  });

  it('refuses a member, a retainer that ended, a count below what it made, and a new currency without its amount', async () => {
    const { ctx, handle } = get();
    const { teamId, retainer, admin } = await setUp(ctx);
    await tick(ctx, teamId, '2026-12-01T15:00:00Z');
    await tick(ctx, teamId, '2027-01-01T15:00:00Z');
    const refused = async (promise: Promise<unknown>) => {
      const error = await promise.catch((e: unknown) => e);
      if (!isLedgerError(error)) throw new Error(`expected a refusal, got ${String(error)}`);
      return [error.code, ...error.issues.map((i) => i.field)];
    };
    expect(
      await refused(editRetainer(ctx, teamId, asMember(BOB, teamId), { retainer: retainer.id, amount: '1' })),
    ).toEqual(['FORBIDDEN']);
    expect(await refused(editRetainer(ctx, teamId, admin, { retainer: retainer.id, maxCount: 1 }))).toEqual([
      'VALIDATION',
      'maxCount',
    ]);
    expect(await refused(editRetainer(ctx, teamId, admin, { retainer: retainer.id, currency: 'JPY' }))).toEqual([
      'VALIDATION',
      'amount',
    ]);
    expect(await refused(editRetainer(ctx, teamId, admin, { retainer: retainer.id, terms: '2027-03-01' }))).toEqual([
      'VALIDATION',
      'terms',
    ]);
    expect(await refused(editRetainer(ctx, teamId, admin, { retainer: retainer.id, endDate: '2026-11-01' }))).toEqual([
      'VALIDATION',
      'endDate',
    ]);
    await endRetainer(ctx, teamId, admin, { retainer: retainer.id });
    expect(await refused(editRetainer(ctx, teamId, admin, { retainer: retainer.id, amount: '1' }))).toEqual([
      'RETAINER_STATE',
      'retainer',
    ]);
    expect(await handle.raw("select count(*)::int as n from events where kind = 'retainer_edited'", [])).toEqual([
      { n: 0 },
    ]);
    expect((await getRetainer(ctx, teamId, retainer.id)).amountMinor).toBe(500_000n);
  });

  it('writes nothing when nothing changes, and once for a repeated request', async () => {
    const { ctx, handle } = get();
    const { teamId, retainer, admin } = await setUp(ctx);
    const same = await editRetainer(ctx, teamId, admin, { retainer: retainer.id, amount: '5000', terms: 'net 15' });
    expect(same.result.changes).toEqual([]);
    const once = { retainer: retainer.id, amount: '5,500' };
    await editRetainer(ctx, teamId, admin, once, { idempotencyKey: 'edit-1' });
    const again = await editRetainer(ctx, teamId, admin, once, { idempotencyKey: 'edit-1' });
    expect(again.replayed).toBe(true);
    expect(await handle.raw("select count(*)::int as n from events where kind = 'retainer_edited'", [])).toEqual([
      { n: 1 },
    ]);
  });

  it('moves the day without billing the month twice: the 1st made, the 15th next comes next month', async () => {
    const { ctx, handle } = get();
    const { teamId, retainer, admin } = await setUp(ctx);
    expect(await tick(ctx, teamId, '2026-12-01T15:00:00Z')).toEqual(['ACME-RET-2026-12-01']);
    ctx.clock.set('2026-12-03T15:00:00Z');
    const { result } = await editRetainer(ctx, teamId, admin, { retainer: retainer.id, dayOfMonth: 15 });
    expect(result.changes).toEqual([{ field: 'dayOfMonth', from: '1st', to: '15th' }]);
    expect(result.retainer.next).toBe('2027-01-15');
    expect(await tick(ctx, teamId, '2026-12-15T15:00:00Z')).toEqual([]);
    expect(await tick(ctx, teamId, '2027-01-15T15:00:00Z')).toEqual(['ACME-RET-2027-01-15']);
    const [event] = await handle.raw("select details from events where kind = 'retainer_edited'", []);
    expect(event).toMatchObject({ details: { schedule: 'monthly on the 15th', resumeFrom: '2027-01-01' } });
  });

  it('never back-dates: a day moved to one already gone this month bills from next month', async () => {
    const { ctx } = get();
    const { teamId, retainer, admin } = await setUp(ctx, { dayOfMonth: 28 });
    expect(await tick(ctx, teamId, '2026-11-28T15:00:00Z')).toEqual(['ACME-RET-2026-11-28']);
    ctx.clock.set('2026-12-20T15:00:00Z');
    const { result } = await editRetainer(ctx, teamId, admin, { retainer: retainer.id, dayOfMonth: 15 });
    expect(result.retainer.next).toBe('2027-01-15');
    expect(await tick(ctx, teamId, '2026-12-20T16:00:00Z')).toEqual([]);
    // Moved later instead, the day still to come this month is this month's invoice.
    await editRetainer(ctx, teamId, admin, { retainer: retainer.id, dayOfMonth: 31 });
    expect((await getRetainer(ctx, teamId, retainer.id)).next).toBe('2026-12-31');
    expect(await tick(ctx, teamId, '2026-12-31T15:00:00Z')).toEqual(['ACME-RET-2026-12-31']);
  });

  it('makes what was due before the edit first (down since before its day), with the edited amount, then the new schedule', async () => {
    const { ctx } = get();
    const { teamId, retainer, admin } = await setUp(ctx);
    // 1 December came and went while nothing ticked (the app was down; the CLI edits).
    ctx.clock.set('2026-12-02T15:00:00Z');
    const { result } = await editRetainer(ctx, teamId, admin, {
      retainer: retainer.id,
      dayOfMonth: null,
      amount: '6,000',
    });
    expect(result.made.map((m) => [m.number, m.caughtUp])).toEqual([['ACME-RET-2026-12-01', true]]);
    expect(result.retainer).toMatchObject({ made: 1, next: '2027-01-29' }); // the last working day of January
    expect(await tick(ctx, teamId, '2026-12-02T16:00:00Z')).toEqual([]);
    expect(await tick(ctx, teamId, '2026-12-31T15:00:00Z')).toEqual([]);
    const made = await getInvoice(ctx, teamId, 'ACME-RET-2026-12-01');
    expect(made).toMatchObject({ issueDate: '2026-12-01', totalMinor: 600_000n });
    expect(await tick(ctx, teamId, '2027-01-29T15:00:00Z')).toEqual(['ACME-RET-2027-01-29']);
  });

  it('lets a quarter run its course when it becomes monthly: the next month after the quarter the last invoice covers', async () => {
    const { ctx } = get();
    const { teamId, retainer, admin } = await setUp(ctx, { cadence: 'quarterly', dayOfMonth: 30 });
    expect(await tick(ctx, teamId, '2026-11-30T15:00:00Z')).toEqual(['ACME-RET-2026-11-30']);
    ctx.clock.set('2026-12-05T15:00:00Z');
    const { result } = await editRetainer(ctx, teamId, admin, { retainer: retainer.id, cadence: 'monthly' });
    // November's quarterly invoice covers November to January.
    expect(result.retainer.next).toBe('2027-02-28');
    expect(await tick(ctx, teamId, '2027-01-30T15:00:00Z')).toEqual([]);
    expect(await tick(ctx, teamId, '2027-03-01T15:00:00Z')).toEqual(['ACME-RET-2027-02-28']);
  });

  it('edits a paused retainer: resumed, it bills on the new day from the day it resumes', async () => {
    const { ctx } = get();
    const { teamId, retainer, admin } = await setUp(ctx);
    await pauseRetainer(ctx, teamId, admin, { retainer: retainer.id });
    ctx.clock.set('2026-12-03T15:00:00Z');
    const { result } = await editRetainer(ctx, teamId, admin, { retainer: retainer.id, dayOfMonth: 10 });
    expect(result.made).toEqual([]); // 1 December fell while paused: skipped, as pausing does
    expect(result.retainer.status).toBe('paused');
    await resumeRetainer(ctx, teamId, admin, { retainer: retainer.id });
    expect((await getRetainer(ctx, teamId, retainer.id)).next).toBe('2026-12-10');
    expect(await tick(ctx, teamId, '2026-12-10T15:00:00Z')).toEqual(['ACME-RET-2026-12-10']);
  });

  it('stops at an end date or count set by an edit', async () => {
    const { ctx } = get();
    const { teamId, retainer, admin } = await setUp(ctx);
    await tick(ctx, teamId, '2026-12-01T15:00:00Z');
    const { result } = await editRetainer(ctx, teamId, admin, { retainer: retainer.id, maxCount: 2 });
    expect(result.changes).toEqual([{ field: 'maxCount', from: null, to: '2' }]);
    expect(await tick(ctx, teamId, '2027-06-01T15:00:00Z')).toEqual(['ACME-RET-2027-01-01']);
    await editRetainer(ctx, teamId, admin, { retainer: retainer.id, maxCount: null, endDate: '2027-07-31' });
    expect(await tick(ctx, teamId, '2027-12-01T15:00:00Z')).toEqual(['ACME-RET-2027-06-01', 'ACME-RET-2027-07-01']);
    expect((await getRetainer(ctx, teamId, retainer.id)).next).toBeNull();
  });

  it('refuses a new schedule while an occurrence waits on an archived client, and makes it once the client is restored', async () => {
    const { ctx } = get();
    const { teamId, client, retainer, admin } = await setUp(ctx);
    await updateClient(ctx, teamId, admin, { clientId: client.id, changes: { archived: true } });
    expect(await tick(ctx, teamId, '2026-12-01T15:00:00Z')).toEqual([]);
    ctx.clock.set('2026-12-02T15:00:00Z');
    const refused = await editRetainer(ctx, teamId, admin, { retainer: retainer.id, dayOfMonth: 15 }).catch(
      (e: unknown) => e,
    );
    expect(isLedgerError(refused, 'CLIENT_ARCHIVED')).toBe(true);
    // What it bills may still change meanwhile; restored, the waiting occurrence is made with it.
    await editRetainer(ctx, teamId, admin, { retainer: retainer.id, amount: '5,100' });
    await updateClient(ctx, teamId, admin, { clientId: client.id, changes: { archived: false } });
    expect(await tick(ctx, teamId, '2026-12-02T16:00:00Z')).toEqual(['ACME-RET-2026-12-01']);
    expect((await getInvoice(ctx, teamId, 'ACME-RET-2026-12-01')).totalMinor).toBe(510_000n);
  });
});
