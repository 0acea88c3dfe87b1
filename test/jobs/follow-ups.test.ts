// The chase form's "follow up again on" date becomes a nudge to the invoice's owner that morning (a day off's on
// the next working day), with the last chase attached — once, and not at all if the invoice was paid, held,
// disputed or its follow-up moved meanwhile.
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { recordAlerts } from '../../src/jobs/plan.js';
import { deliverDue } from '../../src/jobs/post.js';
import type { LedgerContext } from '../../src/services/context.js';
import { editInvoice, getInvoice, logChase, placeHold, recordPayment } from '../../src/services/invoices.js';
import { getWorkspace, updateWorkspaceSettings } from '../../src/services/workspaces.js';
import { describeEachDatabase, type TestLedger } from '../helpers/db.js';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack.js';
import { posterEnv } from '../helpers/jobs.js';
import { ALICE, asAdmin, invoice, OPERATOR, workspaceWithClient } from '../helpers/ledger.js';

let fake: FakeSlack;
beforeAll(async () => {
  fake = await startFakeSlack();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());

const FIN = 'C0FIN';
const DM = 'DU0ALICE';

async function book(ctx: TestLedger['ctx']) {
  const { teamId, client } = await workspaceWithClient(ctx); // America/New_York, alerts at 09:00
  await updateWorkspaceSettings(ctx, teamId, OPERATOR, { financeChannel: FIN, financeAdmins: ['U0ALICE'] });
  // Sent on 2026-11-02, due 2026-12-31: nothing else (due, overdue, stale) happens in these weeks.
  ctx.clock.set('2026-11-02T15:00:00Z');
  await invoice(ctx, teamId, client.id, { number: 'FU-1', terms: { kind: 'fixed', dueDate: '2026-12-31' } });
  return { teamId, client };
}

async function tick(ctx: LedgerContext, teamId: string) {
  await recordAlerts(ctx, await getWorkspace(ctx, teamId), ctx.clock.now());
  return deliverDue(posterEnv(ctx, fake));
}

function nudges() {
  return fake.calls('chat.postMessage').filter((c) => String(c.args.text).includes('Time to follow up'));
}

async function chase(ctx: LedgerContext, teamId: string, nextFollowUp: string) {
  return logChase(ctx, teamId, asAdmin(ALICE, teamId), {
    invoice: 'FU-1',
    method: 'call',
    note: 'Spoke to <b>AP</b>',
    response: 'Will check with the MD',
    nextFollowUp,
  });
}

describeEachDatabase('follow-ups', '2026-11-16T15:00:00Z', (get) => {
  it('nudges the owner privately on the morning planned, with the last chase, once however often it ticks', async () => {
    const { ctx } = get();
    const { teamId } = await book(ctx);
    ctx.clock.set('2026-11-16T15:00:00Z');
    await chase(ctx, teamId, '2026-11-19');
    ctx.clock.set('2026-11-18T15:00:00Z'); // the day before: nothing
    await tick(ctx, teamId);
    expect(nudges()).toHaveLength(0);
    ctx.clock.set('2026-11-19T13:30:00Z'); // 08:30 local, before the alert time
    await tick(ctx, teamId);
    expect(nudges()).toHaveLength(0);
    ctx.clock.set('2026-11-19T14:00:00Z');
    await tick(ctx, teamId);
    await tick(ctx, teamId);
    const [nudge] = nudges();
    expect(nudges()).toHaveLength(1);
    expect(nudge?.args.channel).toBe(DM);
    expect(String(nudge?.args.text).split('\n')).toEqual([
      ':calendar: Time to follow up on FU-1 for Acme Corp · <@U0ALICE>',
      "Last chase: 2026-11-16 10:00 · <@U0ALICE> · chased by call — 'Spoke to &lt;b&gt;AP&lt;/b&gt;' · they said 'Will check with the MD' · follow up 2026-11-19 — FU-1 · Acme Corp: $1,000.00 due of $1,000.00 · 🔵 Sent · due in 42 days",
    ]);
    // The live card, with its buttons, is under the lead.
    expect(JSON.stringify(nudge?.args.blocks)).toContain('FU-1');
    expect(fake.calls('chat.postMessage').filter((c) => c.args.channel === FIN)).toHaveLength(0);
  });

  it('nudges on Monday for a follow-up planned on the weekend, saying which day it was', async () => {
    const { ctx } = get();
    const { teamId } = await book(ctx);
    ctx.clock.set('2026-11-16T15:00:00Z');
    await chase(ctx, teamId, '2026-11-21'); // a Saturday
    ctx.clock.set('2026-11-21T15:00:00Z');
    await tick(ctx, teamId);
    expect(nudges()).toHaveLength(0);
    ctx.clock.set('2026-11-23T14:00:00Z'); // Monday 09:00
    await tick(ctx, teamId);
    expect(nudges()).toHaveLength(1);
    expect(nudges()[0]?.args.text).toContain('Time to follow up on FU-1 for Acme Corp (planned for 2026-11-21)');
  });

  it('says nothing when the invoice was paid, held or disputed, or the follow-up moved, before the morning', async () => {
    const { ctx } = get();
    const { teamId, client } = await book(ctx);
    const admin = asAdmin(ALICE, teamId);
    ctx.clock.set('2026-11-02T15:00:00Z');
    for (const number of ['FU-PAID', 'FU-HELD', 'FU-MOVED']) {
      await invoice(ctx, teamId, client.id, { number, terms: { kind: 'fixed', dueDate: '2026-12-31' } });
    }
    ctx.clock.set('2026-11-16T15:00:00Z');
    for (const number of ['FU-PAID', 'FU-HELD', 'FU-MOVED']) {
      await logChase(ctx, teamId, admin, { invoice: number, method: 'email', nextFollowUp: '2026-11-19' });
    }
    ctx.clock.set('2026-11-18T15:00:00Z');
    await recordPayment(ctx, teamId, admin, { invoice: 'FU-PAID', receivedOn: '2026-11-18' });
    await placeHold(ctx, teamId, admin, { invoice: 'FU-HELD', kind: 'dispute', reason: 'Wrong PO' });
    await logChase(ctx, teamId, admin, { invoice: 'FU-MOVED', method: 'email', nextFollowUp: '2026-11-26' });
    ctx.clock.set('2026-11-19T14:00:00Z');
    await tick(ctx, teamId);
    expect(nudges()).toEqual([]);
    ctx.clock.set('2026-11-26T14:00:00Z');
    await tick(ctx, teamId);
    expect(nudges().map((n) => String(n.args.text).match(/follow up on ([A-Z-]+) /)?.[1])).toEqual(['FU-MOVED']);
  });

  it('tells the finance channel when nobody owns the invoice', async () => {
    const { ctx } = get();
    const { teamId } = await book(ctx);
    const inv = await getInvoice(ctx, teamId, 'FU-1');
    await editInvoice(ctx, teamId, asAdmin(ALICE, teamId), {
      invoice: 'FU-1',
      expectedVersion: inv.version,
      changes: { ownerUserId: null },
    });
    ctx.clock.set('2026-11-16T15:00:00Z');
    await chase(ctx, teamId, '2026-11-19');
    ctx.clock.set('2026-11-19T14:00:00Z');
    await tick(ctx, teamId);
    expect(nudges().map((n) => n.args.channel)).toEqual([FIN]);
    expect(nudges()[0]?.args.text).toContain('· nobody owns it yet');
  });
});
