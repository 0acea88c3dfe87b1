// Acks under load: the work after an ack runs a few at a time, so a burst of requests is acknowledged at once and
// its replies follow as the work gets its turn. No sleeps: the work is held on a promise the test releases.
import { describe, expect, it } from 'vitest';
import { createInvoice } from '../../src/services/invoices.js';
import { createWorkQueue, DEFAULT_WORK_CONCURRENCY } from '../../src/slack/work-queue.js';
import { useTestBot } from '../helpers/bot.js';
import { OPERATOR } from '../helpers/ledger.js';

const TEAM = 'T0TEAM';

/** A promise the test settles when it chooses. */
function held() {
  let release = () => {};
  const promise = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { promise, release };
}

describe('the work queue', () => {
  it('runs at most its concurrency at once, the rest in the order they came', async () => {
    const queue = createWorkQueue(2);
    const gates = [held(), held(), held(), held(), held()];
    const started: number[] = [];
    const done = gates.map((gate, i) =>
      queue.run(async () => {
        started.push(i);
        await gate.promise;
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect({ running: queue.running, waiting: queue.waiting }).toEqual({ running: 2, waiting: 3 });
    gates[1]?.release();
    expect(await done[1]).toBe(1);
    expect(started).toEqual([0, 1, 2]);
    for (const gate of gates) gate.release();
    expect(await Promise.all(done)).toEqual([0, 1, 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect({ running: queue.running, waiting: queue.waiting }).toEqual({ running: 0, waiting: 0 });
  });

  it('hands a failed task its error and goes on with the next', async () => {
    const queue = createWorkQueue(1);
    const failing = queue.run(async () => {
      throw new Error('the database went away');
    });
    const next = queue.run(async () => 'next');
    await expect(failing).rejects.toThrow('the database went away');
    expect(await next).toBe('next');
    expect(queue.running).toBe(0);
  });
});

describe('acks under load', () => {
  const t = useTestBot({ workspace: { teamId: TEAM, name: 'Acme', timeZone: 'America/New_York' } });

  it('acknowledges 50 /invoice list at once while their work waits, then replies to every one', async () => {
    await createInvoice(t.ledger, TEAM, OPERATOR, {
      number: 'INV-7',
      clientName: 'Globex',
      currency: 'USD',
      total: '900.00',
      issueDate: '2026-11-02',
      terms: 'net 30',
      status: 'sent',
    });
    const work = t.bot.deps.work;
    if (!work) throw new Error('the Slack app has a work queue');
    // Every slot taken by work the test holds: whatever comes next has to wait for its turn.
    const gate = held();
    const holding = Array.from({ length: DEFAULT_WORK_CONCURRENCY }, () => work.run(() => gate.promise));

    const person = t.as('U0ALICE', TEAM);
    const acks = await Promise.all(Array.from({ length: 50 }, () => person.slashCommand({ text: 'list' })));
    expect(acks.map((a) => a.status)).toEqual(Array(50).fill(200));
    expect(work.waiting).toBe(50);
    expect(t.fake.calls('response_url')).toEqual([]);

    gate.release();
    await Promise.all(holding);
    const replies = await t.fake.waitForCount('response_url', 50, undefined, 30_000);
    for (const reply of replies) expect(JSON.stringify(reply.args.blocks)).toContain('INV-7');
    await t.bot.idle();
    expect({ running: work.running, waiting: work.waiting }).toEqual({ running: 0, waiting: 0 });
  });

  it('opens a form at once even when the work queue is full: its trigger would not wait', async () => {
    const work = t.bot.deps.work;
    if (!work) throw new Error('the Slack app has a work queue');
    const gate = held();
    const holding = Array.from({ length: DEFAULT_WORK_CONCURRENCY }, () => work.run(() => gate.promise));
    const ack = await t.as('U0ALICE', TEAM).slashCommand({ text: 'new' });
    expect(ack.status).toBe(200);
    const opened = await t.fake.waitFor('views.open');
    expect(JSON.stringify(opened.args.view)).toContain('New invoice');
    gate.release();
    await Promise.all(holding);
  });
});
