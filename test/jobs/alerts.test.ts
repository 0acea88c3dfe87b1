// The finance channel hears it the day it happens, exactly once: through crashes, 429s, timeouts and
// two schedulers on one database.
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { deliveriesOn } from '../../src/db/deliveries.js';
import { recordAlerts } from '../../src/jobs/plan.js';
import { DELIVERY_EVENT, deliverDue } from '../../src/jobs/post.js';
import type { LedgerContext } from '../../src/services/context.js';
import { logChase, placeHold, recordPayment } from '../../src/services/invoices.js';
import { getWorkspace, updateWorkspaceSettings } from '../../src/services/workspaces.js';
import { describeEachDatabase } from '../helpers/db.js';
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

async function book(ctx: LedgerContext) {
  const { teamId, client } = await workspaceWithClient(ctx); // America/New_York
  await updateWorkspaceSettings(ctx, teamId, OPERATOR, { financeChannel: FIN, financeAdmins: ['U0ALICE'] });
  return { teamId, client };
}

/** Plans for every workspace and delivers, as one scheduler tick does. */
async function tick(ctx: LedgerContext, teamId: string, env = posterEnv(ctx, fake)) {
  await recordAlerts(ctx, await getWorkspace(ctx, teamId), ctx.clock.now());
  return deliverDue(env);
}

function posted(channel = FIN) {
  return fake.calls('chat.postMessage').filter((c) => c.args.channel === channel);
}

function keysPosted() {
  return fake
    .calls('chat.postMessage')
    .map((c) => (c.args.metadata as { event_payload?: { key?: string } } | undefined)?.event_payload?.key)
    .filter(Boolean)
    .sort();
}

// Monday 2026-11-23, 08:30 in New York.
describeEachDatabase('same-day alerts', '2026-11-23T13:30:00Z', (get) => {
  it('waits for the alert time, then posts each alert once however often it ticks', async () => {
    const { ctx } = get();
    const { teamId, client } = await book(ctx);
    ctx.clock.set('2026-11-10T15:00:00Z');
    await invoice(ctx, teamId, client.id, { number: 'OVER', terms: { kind: 'fixed', dueDate: '2026-11-22' } });
    await invoice(ctx, teamId, client.id, { number: 'LATER', terms: { kind: 'fixed', dueDate: '2026-12-22' } });
    ctx.clock.set('2026-11-23T13:30:00Z');
    expect((await tick(ctx, teamId)).delivered).toBe(0);
    ctx.clock.set('2026-11-23T14:00:00Z'); // 09:00 local
    expect((await tick(ctx, teamId)).delivered).toBe(1);
    ctx.clock.set('2026-11-23T18:00:00Z');
    expect((await tick(ctx, teamId)).delivered).toBe(0);
    const [alert] = posted();
    expect(alert?.args.text).toContain('is now overdue (1 day)');
    expect(alert?.args.metadata).toMatchObject({ event_type: DELIVERY_EVENT });
    expect(JSON.stringify(alert?.args.blocks)).toContain('<@U0ALICE>');
  });

  it('announces on Monday what flipped over the weekend, as of Monday, and nothing on the weekend', async () => {
    const { ctx } = get();
    const { teamId, client } = await book(ctx);
    ctx.clock.set('2026-11-10T15:00:00Z');
    await invoice(ctx, teamId, client.id, { number: 'SAT', terms: { kind: 'fixed', dueDate: '2026-11-21' } });
    ctx.clock.set('2026-11-21T15:00:00Z'); // Saturday
    expect((await tick(ctx, teamId)).delivered).toBe(0);
    ctx.clock.set('2026-11-22T15:00:00Z'); // Sunday
    expect((await tick(ctx, teamId)).delivered).toBe(0);
    ctx.clock.set('2026-11-23T15:00:00Z'); // Monday
    expect((await tick(ctx, teamId)).delivered).toBe(1);
    expect(posted()[0]?.args.text).toContain('is now overdue (2 days)');
  });

  it('never announces an invoice paid or put on hold between the decision and the post', async () => {
    const { ctx } = get();
    const { teamId, client } = await book(ctx);
    ctx.clock.set('2026-11-10T15:00:00Z');
    await invoice(ctx, teamId, client.id, { number: 'PAID', terms: { kind: 'fixed', dueDate: '2026-11-22' } });
    await invoice(ctx, teamId, client.id, { number: 'HELD', terms: { kind: 'fixed', dueDate: '2026-11-22' } });
    ctx.clock.set('2026-11-23T15:00:00Z');
    await recordAlerts(ctx, await getWorkspace(ctx, teamId), ctx.clock.now());
    await recordPayment(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'PAID' });
    await placeHold(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'HELD', kind: 'hold', reason: 'PO missing' });
    const report = await deliverDue(posterEnv(ctx, fake));
    expect(report).toMatchObject({ delivered: 0, skipped: 2 });
    expect(posted()).toHaveLength(0);
  });

  it('asks the owner privately first when an invoice becomes due, and lets the channel hear after the grace', async () => {
    const { ctx } = get();
    const { teamId, client } = await book(ctx);
    ctx.clock.set('2026-11-10T15:00:00Z');
    await invoice(ctx, teamId, client.id, { number: 'DUE', terms: { kind: 'fixed', dueDate: '2026-11-23' } });
    ctx.clock.set('2026-11-23T15:00:00Z');
    await tick(ctx, teamId);
    const dm = fake.calls('chat.postMessage');
    expect(dm).toHaveLength(1);
    expect(dm[0]?.args.channel).toBe('DU0ALICE');
    expect(dm[0]?.args.text).toContain('Did Acme Corp pay DUE');
    ctx.clock.set('2026-11-23T15:31:00Z');
    await tick(ctx, teamId);
    expect(posted()).toHaveLength(1);
    expect(posted()[0]?.args.text).toContain('DUE for Acme Corp is due today');
  });

  it('turns a big day into one summary with the cards in its thread', async () => {
    const { ctx } = get();
    const { teamId, client } = await book(ctx);
    ctx.clock.set('2026-11-10T15:00:00Z');
    for (let n = 1; n <= 7; n++) {
      await invoice(ctx, teamId, client.id, { number: `B-${n}`, terms: { kind: 'fixed', dueDate: '2026-11-22' } });
    }
    ctx.clock.set('2026-11-23T15:00:00Z');
    await tick(ctx, teamId);
    const messages = posted();
    expect(messages).toHaveLength(8);
    const [summary, ...cards] = messages;
    expect(summary?.args.text).toContain('7 invoices became overdue');
    const parentTs = fake.messages(FIN).find((m) => m.text === summary?.args.text)?.ts;
    expect(cards.every((c) => c.args.thread_ts === parentTs)).toBe(true);
  });

  it('posts each alert exactly once when the app crashes after claiming, or after posting before marking', async () => {
    const { ctx } = get();
    const { teamId, client } = await book(ctx);
    ctx.clock.set('2026-11-10T15:00:00Z');
    await invoice(ctx, teamId, client.id, { number: 'C-1', terms: { kind: 'fixed', dueDate: '2026-11-22' } });
    await invoice(ctx, teamId, client.id, { number: 'C-2', terms: { kind: 'fixed', dueDate: '2026-11-22' } });
    ctx.clock.set('2026-11-23T15:00:00Z');
    await recordAlerts(ctx, await getWorkspace(ctx, teamId), ctx.clock.now());
    // Crash right after claiming: nothing posted; the lease lapses; the restart posts.
    const crashAfterClaim = {
      ...posterEnv(ctx, fake),
      fault: () => {
        throw new Error('crash');
      },
    };
    await expect(deliverDue(crashAfterClaim)).rejects.toThrow('crash');
    // Crash after the first post, before it is marked.
    ctx.clock.advance(3 * 60_000);
    const crashAfterPost = {
      ...posterEnv(ctx, fake),
      fault: (step: string) => {
        if (step === 'posted') throw new Error('crash');
      },
    };
    await expect(deliverDue(crashAfterPost)).rejects.toThrow('crash');
    expect(posted()).toHaveLength(1);
    // Restart after the lease: the uncertain one is found in the channel, not posted again.
    ctx.clock.advance(3 * 60_000);
    const report = await deliverDue(posterEnv(ctx, fake));
    expect(report.delivered).toBe(2);
    expect(keysPosted()).toEqual([
      expect.stringMatching(/^became_overdue:.*:2026-11-23$/),
      expect.stringMatching(/^became_overdue:.*:2026-11-23$/),
    ]);
    expect(new Set(keysPosted()).size).toBe(2);
    const rows = await deliveriesOn(ctx.db, teamId, '2026-11-23');
    expect(rows.map((r) => r.status)).toEqual(['delivered', 'delivered']);
    expect(rows.every((r) => r.postedTs)).toBe(true);
  });

  it('waits out a 429 with Retry-After, and never posts twice after a timeout', async () => {
    const { ctx } = get();
    const { teamId, client } = await book(ctx);
    ctx.clock.set('2026-11-10T15:00:00Z');
    await invoice(ctx, teamId, client.id, { number: 'R-1', terms: { kind: 'fixed', dueDate: '2026-11-22' } });
    await invoice(ctx, teamId, client.id, { number: 'T-1', terms: { kind: 'fixed', dueDate: '2026-11-22' } });
    ctx.clock.set('2026-11-23T15:00:00Z');
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 30 });
    fake.failNext('chat.postMessage', { delayMs: 1_500 }); // posted, but the answer comes too late
    const env = posterEnv(ctx, fake, { timeoutMs: 300 });
    const first = await tick(ctx, teamId, env);
    expect(first).toMatchObject({ delivered: 0, retried: 2 });
    ctx.clock.advance(10 * 60_000);
    await new Promise((r) => setTimeout(r, 1_400));
    const second = await deliverDue(env);
    expect(second.delivered).toBe(2);
    expect(new Set(keysPosted()).size).toBe(2);
    // Three calls: the one refused with 429, the one that timed out (but posted), and the 429'd one again.
    // The timed-out one was found by its key in the channel and not posted a second time.
    expect(posted()).toHaveLength(3);
    expect(fake.calls('conversations.history')).toHaveLength(1);
    expect(fake.messages(FIN)).toHaveLength(2);
  });

  it('sends each alert once with two schedulers on one database', async () => {
    const { ctx } = get();
    const { teamId, client } = await book(ctx);
    ctx.clock.set('2026-11-10T15:00:00Z');
    for (let n = 1; n <= 4; n++) {
      await invoice(ctx, teamId, client.id, { number: `S-${n}`, terms: { kind: 'fixed', dueDate: '2026-11-22' } });
    }
    ctx.clock.set('2026-11-23T15:00:00Z');
    const [a, b] = await Promise.all([tick(ctx, teamId), tick(ctx, teamId, posterEnv(ctx, fake))]);
    expect((a?.delivered ?? 0) + (b?.delivered ?? 0)).toBe(4);
    expect(fake.messages(FIN)).toHaveLength(4);
    expect(new Set(keysPosted()).size).toBe(4);
  });

  it('nudges the owner about a stale chase with the last chase: what was done, what they said, when', async () => {
    const { ctx } = get();
    const { teamId, client } = await book(ctx);
    ctx.clock.set('2026-11-01T15:00:00Z');
    await invoice(ctx, teamId, client.id, { number: 'ST-1', terms: { kind: 'fixed', dueDate: '2026-11-02' } });
    ctx.clock.set('2026-11-16T15:00:00Z'); // chased a week before the 23rd
    await logChase(ctx, teamId, asAdmin(ALICE, teamId), {
      invoice: 'ST-1',
      method: 'email',
      note: 'Sent statement',
      response: 'AP is <b>checking</b>',
    });
    ctx.clock.set('2026-11-23T15:00:00Z');
    await tick(ctx, teamId);
    const [nudge] = posted();
    expect(nudge?.args.text).toContain('has had no action for 7 days');
    const lead = JSON.stringify(nudge?.args.blocks?.[0]);
    expect(lead).toContain('Last chase: 2026-11-16 10:00');
    expect(lead).toContain('chased by email');
    expect(lead).toContain('Sent statement');
    expect(lead).toContain('AP is &lt;b&gt;checking&lt;/b&gt;');
  });

  it('prompts a workspace with no finance channel once, instead of failing', async () => {
    const { ctx } = get();
    const { teamId } = await workspaceWithClient(ctx);
    await updateWorkspaceSettings(ctx, teamId, OPERATOR, { financeAdmins: ['U0ALICE'] });
    await tick(ctx, teamId);
    ctx.clock.advance(86_400_000);
    await tick(ctx, teamId);
    const prompts = fake.calls('chat.postMessage');
    expect(prompts).toHaveLength(1);
    expect(prompts[0]?.args.text).toContain('no finance channel yet');
  });
});
