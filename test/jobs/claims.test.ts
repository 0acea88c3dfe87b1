// Replicas, a slow Slack, a stop and a restart: each alert is posted once, a holder that lost its claim changes
// nothing and stops, a stop lets go at once, and a restart takes over what its own predecessor left.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DeliveryKind, decide, deliveriesOn, findDelivery } from '../../src/db/deliveries.js';
import { type ClaimHolder, processHolder } from '../../src/db/holder.js';
import { deliveries } from '../../src/db/schema.js';
import { recordAlerts } from '../../src/jobs/plan.js';
import { type DeliveryReport, deliverDue, type PosterEnv } from '../../src/jobs/post.js';
import { createScheduler } from '../../src/jobs/scheduler.js';
import type { LedgerContext } from '../../src/services/context.js';
import { recordPayment } from '../../src/services/invoices.js';
import { getWorkspace, updateWorkspaceSettings } from '../../src/services/workspaces.js';
import { describeEachDatabase } from '../helpers/db.js';
import { type Call, type FakeSlack, startFakeSlack } from '../helpers/fake-slack.js';
import { manualTimers, posterEnv } from '../helpers/jobs.js';
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
const TODAY = '2026-11-23';

/** `count` invoices that became overdue today, with today's alerts decided (more than five: a summary first). */
async function overdueBook(ctx: LedgerContext & { clock: { set(at: string): void } }, count: number) {
  const { teamId, client } = await workspaceWithClient(ctx); // America/New_York
  await updateWorkspaceSettings(ctx, teamId, OPERATOR, { financeChannel: FIN, financeAdmins: ['U0ALICE'] });
  ctx.clock.set('2026-11-10T15:00:00Z');
  for (let n = 1; n <= count; n++) {
    await invoice(ctx, teamId, client.id, { number: `A-${n}`, terms: { kind: 'fixed', dueDate: '2026-11-22' } });
  }
  ctx.clock.set('2026-11-23T15:00:00Z'); // Monday 10:00 in New York
  await recordAlerts(ctx, await getWorkspace(ctx, teamId), ctx.clock.now());
  return teamId;
}

/** The delivery a post was for (its key travels in the message's metadata). */
function keyOf(call: Call | undefined): string | undefined {
  return (call?.args.metadata as { event_payload?: { key?: string } } | undefined)?.event_payload?.key;
}

/** How many times each delivery was posted to Slack, by its key. */
function postsPerKey(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const call of fake.calls('chat.postMessage')) {
    const key = keyOf(call);
    if (key) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

function deferred() {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Holds the first post's answer until `gate` settles (the post itself lands at once); later posts answer. */
function holdFirstPost(gate: Promise<void>) {
  let held = false;
  fake.delay('chat.postMessage', () => {
    if (held) return 0;
    held = true;
    return gate;
  });
}

const nothingDone = (r: DeliveryReport) => r.delivered + r.skipped + r.retried + r.failed + r.lost + r.released === 0;

describeEachDatabase('claims on deliveries', '2026-11-23T15:00:00Z', (get) => {
  it('posts every alert once with two replicas when Slack takes 8 s a post', async () => {
    const { ctx } = get();
    const teamId = await overdueBook(ctx, 24);
    // Slack answers each post 8 s later on the test's clock.
    fake.delay('chat.postMessage', async () => {
      ctx.clock.advance(8_000);
    });
    const settled = async () =>
      (await deliveriesOn(ctx.db, teamId, TODAY)).every((d) => d.status !== 'pending' && d.status !== 'posting');
    // Each replica ticks until nothing is left; when neither has anything to do, time moves on a second.
    const state = new Map<string, 'working' | 'idle' | 'busy'>();
    const replica = async (name: string, other: string, env: PosterEnv) => {
      const reports: DeliveryReport[] = [];
      for (let pass = 0; pass < 2_000 && !(await settled()); pass++) {
        state.set(name, 'working');
        const report = await deliverDue(env);
        reports.push(report);
        state.set(name, nothingDone(report) ? 'idle' : 'busy');
        if (nothingDone(report) && state.get(other) === 'idle') ctx.clock.advance(1_000);
        else await new Promise((resolve) => setImmediate(resolve));
      }
      return reports;
    };
    const [a, b] = await Promise.all([
      replica('a', 'b', posterEnv(ctx, fake)),
      replica('b', 'a', posterEnv(ctx, fake)),
    ]);
    const delivered = (reports: DeliveryReport[]) => reports.reduce((sum, r) => sum + r.delivered, 0);

    const rows = await deliveriesOn(ctx.db, teamId, TODAY);
    expect(rows).toHaveLength(25); // the summary and 24 cards in its thread
    expect(rows.every((r) => r.status === 'delivered')).toBe(true);
    expect(delivered(a) + delivered(b)).toBe(25);
    const counts = postsPerKey();
    expect(counts.size).toBe(25);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(fake.calls('chat.postMessage')).toHaveLength(25);
    // More than two minutes of Slack time went by: a batch under one claim would have outlived it.
    expect(ctx.clock.now().getTime() - Date.parse('2026-11-23T15:00:00Z')).toBeGreaterThanOrEqual(25 * 8_000);
  });

  it('lets a holder whose claim was taken over mark nothing, and stops it before its next post', async () => {
    const { ctx } = get();
    const teamId = await overdueBook(ctx, 3);
    const gate = deferred();
    holdFirstPost(gate.promise);
    // A's post lands in the channel, but Slack's answer is held; meanwhile A's claim lapses.
    const stuck = deliverDue({ ...posterEnv(ctx, fake), heartbeatMs: 3_600_000 });
    await fake.waitFor('chat.postMessage');
    ctx.clock.advance(3 * 60_000);

    const byB = await deliverDue(posterEnv(ctx, fake));
    expect(byB).toMatchObject({ delivered: 3, lost: 0 });
    // B looked for A's post before repeating it, found it, and posted only the other two.
    expect(fake.calls('conversations.history')).toHaveLength(1);
    expect(fake.calls('chat.postMessage')).toHaveLength(3);

    gate.resolve();
    const byA = await stuck;
    expect(byA).toMatchObject({ delivered: 0, lost: 1 });
    expect(fake.calls('chat.postMessage')).toHaveLength(3);
    expect([...postsPerKey().values()]).toEqual([1, 1, 1]);
    const rows = await deliveriesOn(ctx.db, teamId, TODAY);
    expect(rows.map((r) => r.status)).toEqual(['delivered', 'delivered', 'delivered']);
    const first = fake.calls('chat.postMessage')[0];
    const firstKey = keyOf(first);
    expect(rows.find((r) => r.key === firstKey)?.postedTs).toBe(first?.response?.ts);
  });

  it('stops within the grace while a post hangs, leaving it uncertain and every claim free for another replica', async () => {
    const { ctx } = get();
    const teamId = await overdueBook(ctx, 3);
    const gate = deferred();
    holdFirstPost(gate.promise);
    try {
      // The jobs' client gives up on a post after 10 s, as in production: the stop must not wait for that.
      const scheduler = createScheduler(posterEnv(ctx, fake, { timeoutMs: 10_000 }));
      const ticking = scheduler.tick();
      await fake.waitFor('chat.postMessage');

      const began = performance.now();
      await scheduler.stop({ graceMs: 200 });
      expect(performance.now() - began).toBeLessThan(2_000);
      expect(await ticking).toMatchObject({ delivered: 0, released: 1 });
      const rows = await deliveriesOn(ctx.db, teamId, TODAY);
      expect(rows.every((r) => r.status === 'pending' && r.claimToken === null && r.claimedUntil === null)).toBe(true);
      const hangingKey = keyOf(fake.calls('chat.postMessage')[0]);
      expect(rows.filter((r) => r.uncertain).map((r) => r.key)).toEqual([hangingKey]);
      // A stopped scheduler takes no more work.
      expect(await scheduler.deliverNow(teamId)).toMatchObject({ delivered: 0 });

      // Another replica takes them at once (the clock has not moved), looking for the hanging post first.
      const byB = await deliverDue(posterEnv(ctx, fake));
      expect(byB.delivered).toBe(3);
      expect(fake.calls('conversations.history')).toHaveLength(1);
      expect([...postsPerKey().values()]).toEqual([1, 1, 1]);
    } finally {
      gate.resolve();
    }
  });

  it('remembers a card its stopped holder may have posted even once the alert no longer applies, so it turns Paid', async () => {
    const { ctx } = get();
    const teamId = await overdueBook(ctx, 1);
    const gate = deferred();
    holdFirstPost(gate.promise);
    try {
      const scheduler = createScheduler(posterEnv(ctx, fake, { timeoutMs: 10_000 }));
      const ticking = scheduler.tick();
      await fake.waitFor('chat.postMessage');
      await scheduler.stop({ graceMs: 200 });
      await ticking;
      // The client pays before another replica takes the alert over: the alert itself no longer applies.
      await recordPayment(ctx, teamId, OPERATOR, { invoice: 'A-1' });
      const env = posterEnv(ctx, fake);
      expect(await deliverDue(env)).toMatchObject({ delivered: 1, skipped: 0 });
      expect(fake.calls('chat.postMessage')).toHaveLength(1);
      expect((await deliveriesOn(ctx.db, teamId, TODAY)).map((r) => r.status)).toEqual(['delivered']);
      // The card found in the channel is remembered, so the sweep redraws it as a person now expects: Paid.
      const [posted] = fake.calls('chat.postMessage');
      await env.live.sync();
      const update = fake.calls('chat.update').at(-1);
      expect(update?.args.ts).toBe(posted?.response?.ts);
      expect(String(update?.args.text)).toMatch(/Paid/);
    } finally {
      gate.resolve();
    }
  });

  it('gives back a claim whose post has not started as soon as it is told to stop', async () => {
    const { ctx } = get();
    const teamId = await overdueBook(ctx, 2);
    // The first alert may have been posted before (uncertain): its pass looks in the channel first, and that
    // look is held, so the stop comes while the claim is in hand and nothing is being posted.
    const [first] = await deliveriesOn(ctx.db, teamId, TODAY);
    await ctx.db
      .update(deliveries)
      .set({ uncertain: true })
      .where(and(eq(deliveries.teamId, teamId), eq(deliveries.key, first?.key ?? '')));
    const gate = deferred();
    fake.delay('conversations.history', () => gate.promise);
    try {
      const scheduler = createScheduler(posterEnv(ctx, fake, { timeoutMs: 10_000 }));
      const ticking = scheduler.tick();
      await fake.waitFor('conversations.history');
      const began = performance.now();
      await scheduler.stop({ graceMs: 60_000 }); // no post under way: nothing waits for the grace
      expect(performance.now() - began).toBeLessThan(2_000);
      expect(await ticking).toMatchObject({ delivered: 0, released: 1 });
      expect(fake.calls('chat.postMessage')).toHaveLength(0);
      const after = await deliveriesOn(ctx.db, teamId, TODAY);
      expect(after.map((r) => [r.status, r.attempts])).toEqual([
        ['pending', 0],
        ['pending', 0],
      ]);
    } finally {
      gate.resolve();
    }
  });

  it('takes over its own dead predecessor’s claim at once after a restart, and leaves other replicas’ alone', async () => {
    const { ctx } = get();
    const teamId = await overdueBook(ctx, 2);
    const instance = 'host-a/app-1';
    // The first boot posts an alert and is killed before it marks it.
    const killed = {
      ...posterEnv(ctx, fake, { holder: { instance, boot: 'boot-1' } }),
      fault: (step: string) => {
        if (step === 'posted') throw new Error('killed');
      },
    };
    await expect(deliverDue(killed)).rejects.toThrow('killed');
    expect(fake.calls('chat.postMessage')).toHaveLength(1);

    // Another replica cannot tell that holder is dead: it leaves the claim to lapse, and posts the other alert.
    const other = await deliverDue(posterEnv(ctx, fake, { holder: { instance: 'host-b/app-2', boot: 'boot-7' } }));
    expect(other).toMatchObject({ delivered: 1 });
    expect((await deliveriesOn(ctx.db, teamId, TODAY)).map((r) => r.status).sort()).toEqual(['delivered', 'posting']);

    // The same instance, restarted (a new boot), takes it over with the clock unmoved, and looks before posting.
    const restarted = await deliverDue(posterEnv(ctx, fake, { holder: { instance, boot: 'boot-2' } }));
    expect(restarted).toMatchObject({ delivered: 1 });
    expect(fake.calls('conversations.history')).toHaveLength(1);
    expect(fake.calls('chat.postMessage')).toHaveLength(2);
    expect([...postsPerKey().values()]).toEqual([1, 1]);
    const rows = await deliveriesOn(ctx.db, teamId, TODAY);
    expect(rows.every((r) => r.status === 'delivered' && r.claimInstance === null)).toBe(true);
  });

  it('wakes for a delivery due before the next minute instead of waiting for the minute', async () => {
    const { ctx } = get();
    const { teamId } = await workspaceWithClient(ctx);
    await updateWorkspaceSettings(ctx, teamId, OPERATOR, { financeChannel: FIN, financeAdmins: ['U0ALICE'] });
    ctx.clock.set('2026-11-25T15:00:10Z'); // a Wednesday, 10:00:10 in New York
    await decide(
      ctx.db,
      [
        {
          teamId,
          key: 'note:wake',
          kind: 'digest',
          localDate: '2026-11-25',
          channelId: FIN,
          payload: { text: 'Due in 20 seconds' },
          notBefore: new Date('2026-11-25T15:00:30Z'),
        },
      ],
      ctx.clock.now(),
    );
    const timers = manualTimers(ctx.clock);
    const scheduler = createScheduler(posterEnv(ctx, fake), { timers });
    await scheduler.start();
    expect(await findDelivery(ctx.db, teamId, 'note:wake')).toMatchObject({ status: 'pending' });
    expect(timers.dueTimes()).toEqual([new Date('2026-11-25T15:00:30Z'), new Date('2026-11-25T15:01:00Z')]);
    await timers.advance(20_000);
    await scheduler.stop();
    expect(await findDelivery(ctx.db, teamId, 'note:wake')).toMatchObject({
      status: 'delivered',
      deliveredAt: new Date('2026-11-25T15:00:30Z'),
    });
    expect(fake.calls('chat.postMessage').filter((c) => c.args.text === 'Due in 20 seconds')).toHaveLength(1);
  });

  it('waits for the thread’s parent, then posts the replies into it, one claim at a time', async () => {
    const { ctx } = get();
    const teamId = await overdueBook(ctx, 6);
    const report = await deliverDue(posterEnv(ctx, fake));
    expect(report).toMatchObject({ delivered: 7, lost: 0, released: 0 });
    const rows = await deliveriesOn(ctx.db, teamId, TODAY);
    const summary = rows.find((r) => (r.kind as DeliveryKind) === 'summary');
    expect(rows.filter((r) => r.parentKey === summary?.key)).toHaveLength(6);
    const replies = fake.calls('chat.postMessage').slice(1);
    expect(replies.every((c) => c.args.thread_ts === summary?.postedTs)).toBe(true);
  });
});

describe('the process’s claim holder', () => {
  it('keeps its instance name across restarts only where no other live process can share it', () => {
    const named = (replicaId: string): ClaimHolder => processHolder({ replicaId });
    expect(named('app-1').instance).toBe(named('app-1').instance);
    expect(named('app-1').boot).not.toBe(named('app-1').boot);
    expect(named('app-1').instance).not.toBe(named('app-2').instance);
    const embedded = () => processHolder({ embeddedDataDir: './data' });
    expect(embedded().instance).toBe(embedded().instance);
    expect(embedded().boot).not.toBe(embedded().boot);
    // Several processes may share PostgreSQL from one host: without a REPLICA_ID none is ever taken for another.
    expect(processHolder({}).instance).not.toBe(processHolder({}).instance);
  });
});
