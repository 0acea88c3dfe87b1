// Ledger events out as webhooks, as a receiver sees them: signed, in order, retried until they land, and never
// twice in its deduplicated view — through failures, hangs, a crash between the 2xx and the cursor, and two
// delivery passes at once.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { asc, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { events, webhookEndpoints } from '../../src/db/schema.js';
import { parseNetworks } from '../../src/domain/webhook-address.js';
import { createScheduler } from '../../src/jobs/scheduler.js';
import type { LedgerContext } from '../../src/services/context.js';
import { logChase, recordPayment } from '../../src/services/invoices.js';
import { addWebhookEndpoint, removeWebhookEndpoint } from '../../src/services/webhooks.js';
import { updateWorkspaceSettings } from '../../src/services/workspaces.js';
import { appendEvent } from '../../src/services/write.js';
import { deliverWebhooks, type WebhookEnv } from '../../src/webhooks/deliver.js';
import { listWebhookEndpoints } from '../../src/webhooks/endpoints.js';
import {
  EVENT_ID_HEADER,
  SIGNATURE_HEADER,
  signWebhook,
  TIMESTAMP_HEADER,
  verifyWebhookSignature,
  type WebhookPayload,
} from '../../src/webhooks/payload.js';
import { describeEachDatabase } from '../helpers/db.js';
import { startFakeSlack } from '../helpers/fake-slack.js';
import { manualTimers, posterEnv } from '../helpers/jobs.js';
import { ALICE, asAdmin, invoice, OPERATOR, workspaceWithClient } from '../helpers/ledger.js';

interface Receiver {
  url: string;
  secret: string;
  /** Every request that arrived, with whether its signature held and when (on the test's clock). */
  requests: { eventId: string; verified: boolean; payload: WebhookPayload; at: Date }[];
  /** Resolves once `count` requests have arrived. */
  arrived(count: number): Promise<void>;
  /** The receiver's own view: each event once, by the id we send, in the order first received. */
  view: Map<string, WebhookPayload>;
  failNext(count: number, status?: number): void;
  hangNext(count: number): void;
  /** Answer each request after this many ms (to make passes overlap). */
  delayMs: number;
  /** The most requests it was ever answering at once. */
  maxInFlight: number;
  close(): Promise<void>;
}

/** A receiver on 127.0.0.1 as a connector would write one: verify, then deduplicate on the event id. */
async function startReceiver(now: () => Date): Promise<Receiver> {
  let failing: { count: number; status: number } = { count: 0, status: 500 };
  let hanging = 0;
  let waiters: { count: number; resolve: () => void }[] = [];
  const receiver: Receiver = {
    url: '',
    secret: '',
    requests: [],
    view: new Map(),
    delayMs: 0,
    maxInFlight: 0,
    failNext(count, status = 500) {
      failing = { count, status };
    },
    hangNext(count) {
      hanging = count;
    },
    arrived(count) {
      if (receiver.requests.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    close: () => close(server),
  };
  let inFlight = 0;
  const server = createServer(async (req, res) => {
    inFlight += 1;
    receiver.maxInFlight = Math.max(receiver.maxInFlight, inFlight);
    res.on('close', () => {
      inFlight -= 1;
    });
    const body = await readBody(req);
    const header = (name: string) => req.headers[name.toLowerCase()] as string | undefined;
    const verified = verifyWebhookSignature(receiver.secret, header(TIMESTAMP_HEADER), body, header(SIGNATURE_HEADER), {
      now: now(),
    });
    const payload = JSON.parse(body) as WebhookPayload;
    receiver.requests.push({ eventId: header(EVENT_ID_HEADER) ?? '', verified, payload, at: now() });
    for (const waiter of waiters.filter((w) => receiver.requests.length >= w.count)) waiter.resolve();
    waiters = waiters.filter((w) => receiver.requests.length < w.count);
    if (hanging > 0) {
      hanging -= 1;
      return; // never answers
    }
    if (receiver.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, receiver.delayMs));
    if (!verified) {
      res.writeHead(401).end('bad signature');
      return;
    }
    if (failing.count > 0) {
      failing.count -= 1;
      res.writeHead(failing.status).end('try later');
      return;
    }
    if (!receiver.view.has(payload.id)) receiver.view.set(payload.id, payload);
    res.writeHead(204).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return receiver;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

const quiet = { warn: () => {} };

/**
 * These receivers listen on 127.0.0.1, which webhooks may not reach by default: the tests opt in as a self-hoster
 * does with WEBHOOK_ALLOW_NETWORKS (test/security/webhook-urls.test.ts holds the default refusing).
 */
const LOOPBACK = parseNetworks('127.0.0.0/8').networks;

/** The ledger as the app runs it with WEBHOOK_ALLOW_NETWORKS=127.0.0.0/8. */
function allowingLoopback(ctx: LedgerContext): LedgerContext {
  return { ...ctx, webhookNetworks: LOOPBACK };
}

describe('verifyWebhookSignature', () => {
  const secret = 'a'.repeat(64);
  const body = '{"id":"1"}';
  const now = new Date('2026-11-23T15:00:00Z');
  const ts = Math.floor(now.getTime() / 1000);

  it('accepts the signature of the exact body at a recent timestamp', () => {
    expect(verifyWebhookSignature(secret, String(ts), body, signWebhook(secret, ts, body), { now })).toBe(true);
  });

  it('accepts any one of several signatures (a secret being rotated)', () => {
    const header = `v1=${'0'.repeat(64)}, ${signWebhook(secret, ts, body)}`;
    expect(verifyWebhookSignature(secret, String(ts), body, header, { now })).toBe(true);
  });

  it('rejects a wrong secret, a changed body, a missing header and a replay outside the tolerance', () => {
    const signature = signWebhook(secret, ts, body);
    expect(verifyWebhookSignature('b'.repeat(64), String(ts), body, signature, { now })).toBe(false);
    expect(verifyWebhookSignature(secret, String(ts), '{"id":"2"}', signature, { now })).toBe(false);
    expect(verifyWebhookSignature(secret, String(ts + 1), body, signature, { now })).toBe(false);
    expect(verifyWebhookSignature(secret, undefined, body, signature, { now })).toBe(false);
    expect(verifyWebhookSignature(secret, String(ts), body, undefined, { now })).toBe(false);
    const later = new Date(now.getTime() + 301_000);
    expect(verifyWebhookSignature(secret, String(ts), body, signature, { now: later })).toBe(false);
    expect(verifyWebhookSignature(secret, String(ts), body, signature, { now: later, toleranceSeconds: 600 })).toBe(
      true,
    );
  });
});

// Monday 2026-11-23, 10:00 in New York.
describeEachDatabase('ledger webhooks', '2026-11-23T15:00:00Z', (get) => {
  const receivers: Receiver[] = [];
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });

  async function receiverFor(ctx: LedgerContext, teamId: string, options: { replay?: boolean } = {}) {
    const receiver = await startReceiver(() => ctx.clock.now());
    receivers.push(receiver);
    const added = await addWebhookEndpoint(allowingLoopback(ctx), teamId, OPERATOR, { url: receiver.url, ...options });
    receiver.secret = added.secret;
    return { receiver, endpointId: added.id };
  }

  function env(ctx: LedgerContext, extra: Partial<WebhookEnv> = {}): WebhookEnv {
    // Other test workers' transactions on the same server count too (see horizonWaitMs): wait for them.
    return { db: ctx.db, clock: ctx.clock, logger: quiet, horizonWaitMs: 20_000, webhookNetworks: LOOPBACK, ...extra };
  }

  async function endpointRow(ctx: LedgerContext, id: string) {
    const [row] = await ctx.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id));
    return row;
  }

  async function eventIds(ctx: LedgerContext) {
    const rows = await ctx.db.select({ id: events.id }).from(events).orderBy(asc(events.id));
    return rows.map((r) => r.id.toString());
  }

  it('signs each event so the receiver verifies it, and sends the documented payload', async () => {
    const { ctx } = get();
    const { teamId, client } = await workspaceWithClient(ctx);
    const { receiver, endpointId } = await receiverFor(ctx, teamId);
    const inv = await invoice(ctx, teamId, client.id, { number: 'INV-001', total: '1,234.50' });
    await recordPayment(ctx, teamId, asAdmin(ALICE, teamId), {
      invoice: 'INV-001',
      reference: 'BACS 42',
      receivedOn: '2026-11-20',
    });

    expect(await deliverWebhooks(env(ctx))).toEqual({ delivered: 3, failed: 0 });
    expect(receiver.requests.every((r) => r.verified)).toBe(true);
    expect(receiver.requests.map((r) => r.payload.type)).toEqual(['invoice.created', 'invoice.sent', 'invoice.paid']);
    expect(receiver.requests.map((r) => r.eventId)).toEqual(receiver.requests.map((r) => r.payload.id));
    const paid = receiver.requests[2]?.payload;
    expect(paid).toEqual({
      id: expect.stringMatching(/^\d+$/),
      type: 'invoice.paid',
      occurred_at: '2026-11-23T15:00:00.000Z',
      team_id: teamId,
      actor: { type: 'user', id: 'U0ALICE' },
      invoice: { id: inv.id, number: 'INV-001' },
      client: { id: client.id, name: 'Acme Corp' },
      data: {
        paymentId: expect.any(String),
        amountMinor: '123450',
        currency: 'USD',
        receivedOn: '2026-11-20',
        reference: 'BACS 42',
        method: null,
        amountDueAfterMinor: '0',
        overpaidMinor: '0',
      },
    });
    expect(receiver.requests[0]?.payload.data).toMatchObject({ number: 'INV-001', totalMinor: '123450' });
    const row = await endpointRow(ctx, endpointId);
    expect(row?.lastEventId.toString()).toBe(paid?.id);
    expect(row?.lastSuccessAt).toEqual(new Date('2026-11-23T15:00:00Z'));
    // Nothing new: the next pass sends nothing.
    expect(await deliverWebhooks(env(ctx))).toEqual({ delivered: 0, failed: 0 });
  });

  it('is refused by a receiver holding another secret, and keeps the event for when it is fixed', async () => {
    const { ctx } = get();
    const { teamId, client } = await workspaceWithClient(ctx);
    const { receiver, endpointId } = await receiverFor(ctx, teamId);
    const secret = receiver.secret;
    receiver.secret = 'f'.repeat(64);
    await invoice(ctx, teamId, client.id, { number: 'INV-001', status: 'draft' });
    expect(await deliverWebhooks(env(ctx))).toEqual({ delivered: 0, failed: 1 });
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]?.verified).toBe(false);
    // Only the status is kept: what the receiver wrote in its answer is never stored or shown.
    expect((await endpointRow(ctx, endpointId))?.lastError).toMatch(/^event \d+: HTTP 401$/);
    receiver.secret = secret;
    ctx.clock.advance(30_000);
    expect(await deliverWebhooks(env(ctx))).toEqual({ delivered: 1, failed: 0 });
    expect([...receiver.view.values()].map((p) => p.type)).toEqual(['invoice.created']);
  });

  it('delivers every event in id order across several invoices, so each invoice reads in order', async () => {
    const { ctx } = get();
    const { teamId, client } = await workspaceWithClient(ctx);
    const { receiver } = await receiverFor(ctx, teamId);
    for (const number of ['A', 'B', 'C']) await invoice(ctx, teamId, client.id, { number });
    for (const number of ['C', 'A', 'B']) {
      await logChase(ctx, teamId, asAdmin(ALICE, teamId), {
        invoice: number,
        method: 'email',
        note: `chased ${number}`,
      });
    }
    await recordPayment(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'B', amount: '100' });
    await recordPayment(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'A' });

    // Small batches: order must hold across passes' batches too.
    expect(await deliverWebhooks(env(ctx), { limit: 4 })).toEqual({ delivered: 11, failed: 0 });
    const all = await eventIds(ctx);
    expect(receiver.requests.map((r) => r.payload.id)).toEqual(all.slice(1)); // after the client added before it
    const typesOf = (number: string) =>
      receiver.requests.filter((r) => r.payload.invoice?.number === number).map((r) => r.payload.type);
    expect(typesOf('A')).toEqual(['invoice.created', 'invoice.sent', 'invoice.chased', 'invoice.paid']);
    expect(typesOf('B')).toEqual(['invoice.created', 'invoice.sent', 'invoice.chased', 'invoice.payment_recorded']);
    expect(typesOf('C')).toEqual(['invoice.created', 'invoice.sent', 'invoice.chased']);
  });

  it('retries after a 500 once the backoff has passed, then moves the cursor on', async () => {
    const { ctx } = get();
    const { teamId, client } = await workspaceWithClient(ctx);
    const { receiver, endpointId } = await receiverFor(ctx, teamId);
    const before = (await endpointRow(ctx, endpointId))?.lastEventId;
    await invoice(ctx, teamId, client.id, { number: 'INV-001' });
    receiver.failNext(1, 500);

    expect(await deliverWebhooks(env(ctx))).toEqual({ delivered: 0, failed: 1 });
    let row = await endpointRow(ctx, endpointId);
    expect(row?.lastEventId).toBe(before);
    expect(row?.consecutiveFailures).toBe(1);
    expect(row?.nextAttemptAt).toEqual(new Date('2026-11-23T15:00:30Z'));
    // The sent event waited behind the failed created event: nothing jumped the queue.
    expect(receiver.requests.map((r) => r.payload.type)).toEqual(['invoice.created']);

    ctx.clock.advance(20_000);
    expect(await deliverWebhooks(env(ctx))).toEqual({ delivered: 0, failed: 0 });
    ctx.clock.advance(10_000);
    expect(await deliverWebhooks(env(ctx))).toEqual({ delivered: 2, failed: 0 });
    row = await endpointRow(ctx, endpointId);
    expect(row?.lastEventId.toString()).toBe((await eventIds(ctx)).at(-1));
    expect(row).toMatchObject({ consecutiveFailures: 0, lastError: null });
    expect(row?.lastFailureAt).toEqual(new Date('2026-11-23T15:00:00Z'));
    expect(receiver.requests.map((r) => r.payload.type)).toEqual([
      'invoice.created',
      'invoice.created',
      'invoice.sent',
    ]);
    expect([...receiver.view.values()].map((p) => p.type)).toEqual(['invoice.created', 'invoice.sent']);
  });

  it('sends again after a crash between the 2xx and the cursor, and the receiver keeps each event once', async () => {
    const { ctx } = get();
    const { teamId, client } = await workspaceWithClient(ctx);
    const { receiver, endpointId } = await receiverFor(ctx, teamId);
    await invoice(ctx, teamId, client.id, { number: 'INV-001' });
    const crashing = env(ctx, {
      fault: () => {
        throw new Error('crash');
      },
    });
    await expect(deliverWebhooks(crashing)).rejects.toThrow('crash');
    expect(receiver.requests).toHaveLength(1);

    // The restarted process: the crashed pass's claim holds until its lease lapses.
    expect(await deliverWebhooks(env(ctx))).toEqual({ delivered: 0, failed: 0 });
    ctx.clock.advance(2 * 60_000 + 1_000);
    expect(await deliverWebhooks(env(ctx))).toEqual({ delivered: 2, failed: 0 });

    const ids = await eventIds(ctx);
    expect(receiver.requests.map((r) => r.payload.id)).toEqual([ids[1], ids[1], ids[2]]);
    expect([...receiver.view.keys()]).toEqual([ids[1], ids[2]]);
    expect((await endpointRow(ctx, endpointId))?.lastEventId.toString()).toBe(ids[2]);
  });

  it('counts a receiver that never answers as a failure, visible with its error, backing off each time', async () => {
    const { ctx } = get();
    const { teamId, client } = await workspaceWithClient(ctx);
    const { receiver, endpointId } = await receiverFor(ctx, teamId);
    await invoice(ctx, teamId, client.id, { number: 'INV-001' });
    receiver.hangNext(2);
    const impatient = env(ctx, { timeoutMs: 200 });

    expect(await deliverWebhooks(impatient)).toEqual({ delivered: 0, failed: 1 });
    ctx.clock.advance(30_000);
    expect(await deliverWebhooks(impatient)).toEqual({ delivered: 0, failed: 1 });
    const [state] = await listWebhookEndpoints(ctx.db, teamId);
    expect(state).toMatchObject({
      id: endpointId,
      url: receiver.url,
      active: true,
      pending: 2,
      consecutiveFailures: 2,
      lastError: expect.stringMatching(/^event \d+: no answer within 0.2 s$/),
      lastFailureAt: new Date('2026-11-23T15:00:30Z'),
      lastSuccessAt: null,
      // 30 s after the first failure, a minute after the second.
      nextAttemptAt: new Date('2026-11-23T15:01:30Z'),
    });

    ctx.clock.set('2026-11-23T15:01:30Z');
    expect(await deliverWebhooks(impatient)).toEqual({ delivered: 2, failed: 0 });
    expect((await listWebhookEndpoints(ctx.db, teamId))[0]).toMatchObject({ pending: 0, consecutiveFailures: 0 });
    expect(receiver.view.size).toBe(2);
  });

  it('sends an endpoint added later only what happens after it, unless asked to replay', async () => {
    const { ctx } = get();
    const { teamId, client } = await workspaceWithClient(ctx);
    const first = await receiverFor(ctx, teamId);
    await invoice(ctx, teamId, client.id, { number: 'OLD' });
    await deliverWebhooks(env(ctx));
    const later = await receiverFor(ctx, teamId);
    const replaying = await receiverFor(ctx, teamId, { replay: true });
    await logChase(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'OLD', method: 'call' });

    expect(await deliverWebhooks(env(ctx))).toEqual({ delivered: 1 + 1 + 4, failed: 0 });
    expect(first.receiver.requests.map((r) => r.payload.type)).toEqual([
      'invoice.created',
      'invoice.sent',
      'invoice.chased',
    ]);
    expect(later.receiver.requests.map((r) => r.payload.type)).toEqual(['invoice.chased']);
    expect(replaying.receiver.requests.map((r) => r.payload.type)).toEqual([
      'client.created',
      'invoice.created',
      'invoice.sent',
      'invoice.chased',
    ]);
  });

  it('stops sending to a removed endpoint, and keeps other workspaces out of it', async () => {
    const { ctx } = get();
    const { teamId, client } = await workspaceWithClient(ctx);
    const other = await workspaceWithClient(ctx, { teamId: 'T0OTHER' });
    const { receiver, endpointId } = await receiverFor(ctx, teamId);
    await invoice(ctx, other.teamId, other.client.id, { number: 'THEIRS' });
    expect(await deliverWebhooks(env(ctx))).toEqual({ delivered: 0, failed: 0 });
    expect(await removeWebhookEndpoint(ctx.db, other.teamId, OPERATOR, endpointId)).toBe(false);
    expect(await removeWebhookEndpoint(ctx.db, teamId, OPERATOR, endpointId)).toBe(true);
    await invoice(ctx, teamId, client.id, { number: 'OURS' });
    expect(await deliverWebhooks(env(ctx))).toEqual({ delivered: 0, failed: 0 });
    expect(receiver.requests).toHaveLength(0);
    expect(await listWebhookEndpoints(ctx.db, teamId)).toEqual([]);
  });

  it('never skips an event whose transaction commits after a later one, waiting for it instead', async ({ skip }) => {
    const { ctx, handle } = get();
    if (handle.kind !== 'postgres') skip(); // needs two connections at once
    const { teamId, client } = await workspaceWithClient(ctx);
    const { receiver } = await receiverFor(ctx, teamId);
    const slowInvoice = await invoice(ctx, teamId, client.id, { number: 'SLOW', status: 'draft' });
    await invoice(ctx, teamId, client.id, { number: 'FAST' });
    await deliverWebhooks(env(ctx));
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let inserted = () => {};
    const hasInserted = new Promise<void>((resolve) => {
      inserted = resolve;
    });
    // An event takes its id now and commits later, after a later event has committed.
    const slow = ctx.db.transaction(async (tx) => {
      await appendEvent(tx, {
        teamId,
        invoiceId: slowInvoice.id,
        clientId: client.id,
        kind: 'chased',
        actor: ALICE,
        at: ctx.clock.now(),
        details: { method: 'call' },
      });
      inserted();
      await held;
    });
    try {
      await hasInserted;
      await logChase(ctx, teamId, asAdmin(ALICE, teamId), { invoice: 'FAST', method: 'email' });
      expect(await deliverWebhooks(env(ctx, { horizonWaitMs: 300 }))).toEqual({ delivered: 0, failed: 0 });
    } finally {
      release();
      await slow;
    }
    expect(await deliverWebhooks(env(ctx))).toEqual({ delivered: 2, failed: 0 });
    const chased = receiver.requests.filter((r) => r.payload.type === 'invoice.chased');
    expect(chased.map((r) => r.payload.invoice?.number)).toEqual(['SLOW', 'FAST']);
    expect(chased.map((r) => r.payload.id)).toEqual((await eventIds(ctx)).slice(-2));
  });

  it('delivers each event once when two passes run at once (replicas share endpoints, never one twice)', async () => {
    const { ctx } = get();
    const { teamId, client } = await workspaceWithClient(ctx);
    const a = await receiverFor(ctx, teamId);
    const b = await receiverFor(ctx, teamId);
    a.receiver.delayMs = 5;
    b.receiver.delayMs = 5;
    for (let n = 1; n <= 6; n++) await invoice(ctx, teamId, client.id, { number: `P-${n}` });

    const reports = await Promise.all([deliverWebhooks(env(ctx)), deliverWebhooks(env(ctx))]);
    expect(reports.reduce((sum, r) => sum + r.delivered, 0)).toBe(24);
    const ids = (await eventIds(ctx)).slice(1);
    for (const { receiver } of [a, b]) {
      expect(receiver.requests.map((r) => r.payload.id)).toEqual(ids);
      expect(receiver.maxInFlight).toBe(1);
    }
  });

  it('gives the endpoint back at once when stopped mid-request, and another replica carries on without waiting', async () => {
    const { ctx } = get();
    const { teamId, client } = await workspaceWithClient(ctx);
    const { receiver, endpointId } = await receiverFor(ctx, teamId);
    await invoice(ctx, teamId, client.id, { number: 'INV-001' });
    const before = await endpointRow(ctx, endpointId);
    receiver.hangNext(1);
    const draining = new AbortController();
    const abandoning = new AbortController();
    // The request gives up after 10 s, as in production: the stop must not wait for that.
    const pass = deliverWebhooks(env(ctx, { timeoutMs: 10_000 }), {
      signal: draining.signal,
      abort: abandoning.signal,
    });
    await receiver.arrived(1);
    const began = performance.now();
    draining.abort();
    abandoning.abort();
    expect(await pass).toEqual({ delivered: 0, failed: 0 });
    expect(performance.now() - began).toBeLessThan(2_000);
    // Not a failure of the endpoint; the cursor did not move; nobody holds it.
    expect(await endpointRow(ctx, endpointId)).toMatchObject({
      lastEventId: before?.lastEventId,
      consecutiveFailures: 0,
      claimToken: null,
      claimedUntil: null,
      claimInstance: null,
    });
    // Another replica delivers at once (the clock has not moved): the abandoned event again, then the next.
    expect(await deliverWebhooks(env(ctx))).toEqual({ delivered: 2, failed: 0 });
    const ids = (await eventIds(ctx)).slice(1);
    expect(receiver.requests.map((r) => r.payload.id)).toEqual([ids[0], ids[0], ids[1]]);
    expect([...receiver.view.keys()]).toEqual(ids);
  });

  it('is taken over at once by its own restarted process after a crash, and by no other before the lease ends', async () => {
    const { ctx } = get();
    const { teamId, client } = await workspaceWithClient(ctx);
    const { receiver } = await receiverFor(ctx, teamId);
    await invoice(ctx, teamId, client.id, { number: 'INV-001' });
    const instance = 'host-a/app-1';
    const crashing = env(ctx, {
      holder: { instance, boot: 'boot-1' },
      fault: () => {
        throw new Error('killed');
      },
    });
    await expect(deliverWebhooks(crashing)).rejects.toThrow('killed');
    expect(await deliverWebhooks(env(ctx, { holder: { instance: 'host-b/app-2', boot: 'boot-7' } }))).toEqual({
      delivered: 0,
      failed: 0,
    });
    // The same instance, restarted, with the clock unmoved.
    expect(await deliverWebhooks(env(ctx, { holder: { instance, boot: 'boot-2' } }))).toEqual({
      delivered: 2,
      failed: 0,
    });
    expect(receiver.view.size).toBe(2);
  });

  it('retries a failing endpoint 30 s and then 1 min after its failures, not at the next minute tick', async () => {
    const { ctx } = get();
    const { teamId, client } = await workspaceWithClient(ctx);
    await updateWorkspaceSettings(ctx, teamId, OPERATOR, { financeChannel: 'C0FIN', financeAdmins: ['U0ALICE'] });
    const { receiver } = await receiverFor(ctx, teamId);
    await invoice(ctx, teamId, client.id, { number: 'INV-001' });
    receiver.failNext(2, 500);
    const fake = await startFakeSlack();
    try {
      const timers = manualTimers(ctx.clock);
      const scheduler = createScheduler(posterEnv(ctx, fake), {
        timers,
        webhooks: { horizonWaitMs: 20_000, webhookNetworks: LOOPBACK },
      });
      await scheduler.start(); // 15:00:00: the first attempt fails
      await timers.advance(30_000); // 15:00:30: the first retry fails
      await timers.advance(90_000); // 15:01:30: the second retry gets through
      await scheduler.stop();
      expect(receiver.requests.map((r) => [r.payload.type, r.at.toISOString()])).toEqual([
        ['invoice.created', '2026-11-23T15:00:00.000Z'],
        ['invoice.created', '2026-11-23T15:00:30.000Z'],
        ['invoice.created', '2026-11-23T15:01:30.000Z'],
        ['invoice.sent', '2026-11-23T15:01:30.000Z'],
      ]);
      expect(receiver.view.size).toBe(2);
    } finally {
      await fake.close();
    }
  });
});

describeEachDatabase('the webhooks command', '2026-11-23T15:00:00Z', (get) => {
  /** The CLI as run with WEBHOOK_ALLOW_NETWORKS=127.0.0.0/8, or (`installed`) with nothing allowed. */
  async function cli(...argv: string[]) {
    return run(allowingLoopback(get().ctx), argv);
  }
  async function installed(...argv: string[]) {
    return run(get().ctx, argv);
  }
  async function run(ctx: LedgerContext, argv: string[]) {
    const lines: string[] = [];
    const code = await runCli(argv, {
      out: (line) => lines.push(line),
      open: async () => ({ ctx, close: async () => {} }),
    });
    return { code, lines, text: lines.join('\n') };
  }

  async function endpointCount(ctx: LedgerContext) {
    return (await ctx.db.select().from(webhookEndpoints)).length;
  }

  it('refuses an address inside the network unless the installation allows it, naming the field', async () => {
    const { ctx } = get();
    await workspaceWithClient(ctx);
    expect(await installed('webhooks', 'add', 'http://0x7f000001:5432/')).toEqual({
      code: 2,
      lines: [
        'url: it points inside the network: 127.0.0.1 is a loopback address; webhooks go to public addresses only ' +
          '(whoever runs the app can allow a private network with WEBHOOK_ALLOW_NETWORKS)',
        'Usage: npm run cli -- webhooks [add URL [--replay] | remove ID]',
      ],
      text: expect.any(String),
    });
    expect(await endpointCount(ctx)).toBe(0);
    expect((await cli('webhooks', 'add', 'http://0x7f000001:5432/')).lines[0]).toMatch(
      /^Added webhook \S+ → http:\/\/127\.0\.0\.1:5432\/$/,
    );
    expect(await endpointCount(ctx)).toBe(1);
  });

  it('adds an endpoint showing its secret once, lists how it stands, and removes it', async () => {
    const { ctx } = get();
    const { teamId, client } = await workspaceWithClient(ctx);
    expect((await cli('webhooks')).text).toContain('Studio has no webhooks.');

    const added = await cli('webhooks', 'add', 'http://127.0.0.1:9/nowhere');
    expect(added.code).toBe(0);
    const id = added.lines[0]?.match(/^Added webhook (\S+) → http:\/\/127\.0\.0\.1:9\/nowhere$/)?.[1] ?? '';
    expect(added.lines[1]).toMatch(/^Signing secret \(shown only now; keep it with the receiver\): [0-9a-f]{64}$/);
    const [row] = await ctx.db.select().from(webhookEndpoints);
    expect(added.lines[1]).toContain(row?.secret);

    await invoice(ctx, teamId, client.id, { number: 'INV-001' });
    await deliverWebhooks({ db: ctx.db, clock: ctx.clock, logger: quiet, timeoutMs: 500, webhookNetworks: LOOPBACK });
    const listed = await cli('webhooks');
    expect(listed.code).toBe(0);
    expect(listed.text).not.toContain(row?.secret);
    expect(listed.lines[0]).toMatch(/^ID\s+URL\s+STATE\s+PENDING\s+LAST DELIVERED\s+NEXT TRY\s+LAST ERROR$/);
    expect(listed.lines[1]).toMatch(
      new RegExp(
        `^${id}\\s+http://127.0.0.1:9/nowhere\\s+FAILING \\(1 try\\)\\s+2\\s+never\\s+2026-11-23 10:00\\s+event \\d+: connection refused$`,
      ),
    );

    expect((await cli('webhooks', 'add', 'ftp://example.com')).code).toBe(2);
    expect(await endpointCount(ctx)).toBe(1);
    expect((await cli('webhooks', 'remove', '00000000-0000-0000-0000-000000000000')).code).toBe(1);
    expect(await cli('webhooks', 'remove', id)).toMatchObject({
      code: 0,
      lines: [`Removed webhook ${id}; nothing more is sent to it.`],
    });
    expect(await listWebhookEndpoints(ctx.db, teamId)).toEqual([]);
  });
});
