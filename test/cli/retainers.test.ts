// `npm run cli -- retainers …` on both databases: the list, one retainer with the invoices it made, pause, resume and
// end, and an edit with its options — as the machine's operator, each change an event by the app's `cli`.
import { expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { createRetainer, makeDueRetainerInvoices } from '../../src/services/retainers.js';
import { getWorkspace, updateWorkspaceSettings } from '../../src/services/workspaces.js';
import { describeEachDatabase, type TestLedger } from '../helpers/db.js';
import { ALICE, asAdmin, OPERATOR, workspaceWithClient } from '../helpers/ledger.js';

// 2026-11-20 10:00 in New York.
const START = '2026-11-20T15:00:00Z';

async function cli(ctx: TestLedger['ctx'], ...argv: string[]) {
  const lines: string[] = [];
  const code = await runCli(argv, {
    out: (line) => lines.push(line),
    open: async () => ({ ctx, close: async () => {} }),
  });
  return { code, text: lines.join('\n') };
}

async function setUp(ctx: TestLedger['ctx']) {
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
  });
  ctx.clock.set('2026-12-01T15:00:00Z');
  await makeDueRetainerInvoices(ctx, await getWorkspace(ctx, teamId), ctx.clock.now());
  ctx.clock.set('2026-12-03T15:00:00Z');
  return { teamId, id: result.id, short: result.id.slice(0, 8) };
}

describeEachDatabase('the retainers command', START, (get) => {
  it('lists the retainers and shows one with the invoices it made', async () => {
    const { ctx } = get();
    const { id, short } = await setUp(ctx);
    const list = await cli(ctx, 'retainers');
    expect(list.code).toBe(0);
    expect(list.text).toMatch(
      new RegExp(`${short} +Acme Corp +\\$5,000\\.00 +monthly on the 1st +net 15 +2027-01-01 +1 +U0ALICE`),
    );
    const shown = await cli(ctx, 'retainers', 'show', short);
    expect(shown.code).toBe(0);
    expect(shown.text).toContain(`Id           ${id}`);
    expect(shown.text).toContain('Schedule     monthly on the 1st, from 2026-11-20');
    expect(shown.text).toContain('Next         2027-01-01');
    expect(shown.text).toContain('Invoices made (1)');
    expect(shown.text).toMatch(/ACME-RET-2026-12-01 +2026-12-01 +on its day +\$5,000\.00/);
    expect((await cli(ctx, 'retainers', 'show', '12345678')).code).toBe(1);
  });

  it('pauses, resumes and ends one, each an event by the command line', async () => {
    const { ctx, handle } = get();
    const { short } = await setUp(ctx);
    const paused = await cli(ctx, 'retainers', 'pause', short);
    expect(paused.code).toBe(0);
    expect(paused.text).toContain('Paused: no invoices until it is resumed');
    expect((await cli(ctx, 'retainers')).text).toMatch(/monthly on the 1st +net 15 +paused/);
    expect((await cli(ctx, 'retainers', 'pause', short)).text).toContain('it is not running');
    expect((await cli(ctx, 'retainers', 'resume', short)).text).toContain('next 2027-01-01');
    const ended = await cli(ctx, 'retainers', 'end', short);
    expect(ended.text).toContain('Ended: no more invoices; those it made stay.');
    expect((await cli(ctx, 'retainers')).text).toBe('Studio has no running or paused retainers.');
    expect((await cli(ctx, 'retainers', 'list', '--all')).text).toMatch(/monthly on the 1st +net 15 +ended +1/);
    expect(
      await handle.raw("select kind, actor_type, actor_id from events where kind like 'retainer_%' order by id", []),
    ).toEqual([
      { kind: 'retainer_created', actor_type: 'user', actor_id: 'U0ALICE' },
      { kind: 'retainer_paused', actor_type: 'system', actor_id: 'cli' },
      { kind: 'retainer_resumed', actor_type: 'system', actor_id: 'cli' },
      { kind: 'retainer_ended', actor_type: 'system', actor_id: 'cli' },
    ]);
  });

  it('edits one: the fields given change, the next invoice follows, the edit says before and after', async () => {
    const { ctx, handle } = get();
    const { short } = await setUp(ctx);
    const edited = await cli(
      ctx,
      'retainers',
      'edit',
      short,
      '--amount',
      '5,500',
      '--terms',
      'net 30',
      '--day',
      'last',
      '--owner',
      'none',
      '--count=6',
      '--as',
      'sent',
    );
    expect(edited.code).toBe(0);
    expect(edited.text).toContain(
      'Edited: amount $5,000.00 → $5,500.00; terms net 15 → net 30; owner U0ALICE → none; dayOfMonth 1st → the last working day; maxCount none → 6; createAs draft → sent',
    );
    // December is billed (the 1st): the last working day bills from January.
    expect(edited.text).toContain(
      `${short} Acme Corp · $5,500.00 monthly on the last working day, 6 invoices · net 30 · made as sent · next 2027-01-29 · 1 invoice made`,
    );
    const [event] = await handle.raw(
      "select actor_id, details->'changes'->'amount' as amount from events where kind = 'retainer_edited'",
      [],
    );
    expect(event).toEqual({ actor_id: 'cli', amount: { from: '$5,000.00', to: '$5,500.00' } });

    // Mistakes are said, and change nothing.
    const wrong = await cli(ctx, 'retainers', 'edit', short, '--day', 'soon');
    expect(wrong).toMatchObject({ code: 2 });
    expect(wrong.text).toContain('--day is a day of the month (1 to 31) or last');
    expect((await cli(ctx, 'retainers', 'edit', short)).text).toContain('edit needs at least one of --amount');
    const refused = await cli(ctx, 'retainers', 'edit', short, '--count', '0');
    expect(refused).toMatchObject({ code: 2, text: 'maxCount: must be at least 1' });
    expect((await cli(ctx, 'retainers', 'pause', short, '--amount', '1')).text).toContain('--amount goes with edit.');
    expect(await handle.raw("select count(*)::int as n from events where kind = 'retainer_edited'", [])).toEqual([
      { n: 1 },
    ]);
  });
});
