// The weekly digest goes out once per week at the workspace's time, caught up after downtime without a flood.
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createScheduler } from '../../src/jobs/scheduler.js';
import type { LedgerContext } from '../../src/services/context.js';
import { updateWorkspaceSettings } from '../../src/services/workspaces.js';
import { describeEachDatabase } from '../helpers/db.js';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack.js';
import { posterEnv } from '../helpers/jobs.js';
import { invoice, OPERATOR, workspaceWithClient } from '../helpers/ledger.js';

let fake: FakeSlack;
beforeAll(async () => {
  fake = await startFakeSlack();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());

const FIN = 'C0FIN';

async function book(ctx: LedgerContext) {
  const { teamId, client } = await workspaceWithClient(ctx); // America/New_York, created 2026-11-01
  await updateWorkspaceSettings(ctx, teamId, OPERATOR, { financeChannel: FIN, financeAdmins: ['U0ALICE'] });
  for (let n = 1; n <= 3; n++) {
    await invoice(ctx, teamId, client.id, { number: `W-${n}`, terms: { kind: 'fixed', dueDate: `2026-11-1${n}` } });
  }
  return { teamId, client };
}

function digestsPosted() {
  return fake.calls('chat.postMessage').filter((c) => String(c.args.text).startsWith('Receivables digest'));
}

describeEachDatabase('the weekly digest', '2026-11-01T15:00:00Z', (get) => {
  it('posts one digest at Monday 09:00 local, with its lists in the thread, however often it ticks', async () => {
    const { ctx } = get();
    await book(ctx);
    const scheduler = createScheduler(posterEnv(ctx, fake));
    ctx.clock.set('2026-11-23T13:59:00Z'); // 08:59 Monday in New York
    await scheduler.tick();
    expect(digestsPosted()).toHaveLength(0);
    ctx.clock.set('2026-11-23T14:00:00Z');
    await scheduler.tick();
    ctx.clock.set('2026-11-23T14:01:00Z');
    await scheduler.tick();
    const [parent] = digestsPosted();
    expect(digestsPosted()).toHaveLength(1);
    expect(parent?.args.channel).toBe(FIN);
    const parentTs = fake.messages(FIN).find((m) => m.text === parent?.args.text)?.ts;
    const thread = fake.calls('chat.postMessage').filter((c) => c.args.thread_ts === parentTs);
    expect(thread.length).toBeGreaterThan(0);
    expect(JSON.stringify(thread.map((c) => c.args.blocks))).toContain('W-1');
  });

  it('after three days down, catches up with today’s alerts and one digest — no flood', async () => {
    const { ctx } = get();
    const { teamId, client } = await book(ctx);
    // Due on Friday, Saturday and Monday while the app was down from Friday morning to Monday noon.
    await invoice(ctx, teamId, client.id, { number: 'FRI', terms: { kind: 'fixed', dueDate: '2026-11-20' } });
    await invoice(ctx, teamId, client.id, { number: 'MON', terms: { kind: 'fixed', dueDate: '2026-11-23' } });
    ctx.clock.set('2026-11-23T17:00:00Z'); // Monday noon: the app starts
    const scheduler = createScheduler(posterEnv(ctx, fake));
    await scheduler.tick();
    await scheduler.tick();
    expect(digestsPosted()).toHaveLength(1);
    const alerts = fake
      .calls('chat.postMessage')
      .map((c) => (c.args.metadata as { event_payload?: { key?: string } })?.event_payload?.key ?? '')
      .filter((k) => /^(became_|promise_|stale_|paid_check)/.test(k));
    // Friday's flip to Overdue happened on Saturday: announced today, as of today. W-1..3 went
    // overdue last week: not announced again (they are in the digest).
    expect(alerts.filter((k) => k.startsWith('became_overdue')).length).toBe(1);
    expect(alerts.some((k) => k.startsWith('paid_check'))).toBe(true);
    expect(alerts.every((k) => k.endsWith(':2026-11-23'))).toBe(true);
  });
});
