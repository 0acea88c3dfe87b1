// Ledger events out as webhooks. Each endpoint's cursor is its outbox: a pass claims endpoints that have
// events after their cursor (SKIP LOCKED plus a short lease renewed before every request, fenced by a claim
// token, so replicas share endpoints and never deliver to one twice at once), POSTs those events one by one in
// id order, and moves the cursor only after a 2xx. A restart takes over its own dead predecessor's claims at
// once; a stopping process gives its claims back.
// A failure stops that endpoint (everything after waits, so order per invoice holds) and backs it off.
// A crash between a 2xx and the cursor moving sends the event again: receivers deduplicate on its id.
import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { type Database, queryRows } from '../db/client.js';
import { type ClaimHolder, transientHolder } from '../db/holder.js';
import { type WebhookEndpointRow, webhookEndpoints } from '../db/schema.js';
import type { Network } from '../domain/webhook-address.js';
import type { Clock } from '../services/context.js';
import { webhookDisplayUrl } from './endpoints.js';
import { webhookHeaders, webhookPayload } from './payload.js';
import { resolveHost, sendPinned, sendWebhook, type WebhookSender } from './send.js';

export interface WebhookEnv {
  db: Database;
  clock: Clock;
  logger: { warn(...args: unknown[]): void };
  /** Who this process is, for its claims (default: one no restart recognises, so claims only lapse). */
  holder?: ClaimHolder;
  /**
   * Networks other than the public internet that deliveries may reach (WEBHOOK_ALLOW_NETWORKS, for an install
   * whose books live on a private network). Unset: public addresses only.
   */
  webhookNetworks?: readonly Network[];
  /** Every address a host name has (default: the system resolver). Tests inject one: no real DNS. */
  resolve?: (hostname: string) => Promise<string[]>;
  /** Sends one request to the address that was checked (default: node:http(s) connecting to that address only). */
  send?: WebhookSender;
  /** Per request, the host's resolution included (default 10 s); a timeout is a failure, retried. */
  timeoutMs?: number;
  /** Test hook: throw to simulate a crash at a step. */
  fault?: (step: 'posted') => void;
  /**
   * How long a pass waits for transactions that were running when it looked to end (default 1 s) before it
   * leaves the events to the next pass. PostgreSQL's snapshot spans the whole server, so a long transaction in
   * another database of the same server (a backup, another app) postpones deliveries too; nothing is skipped.
   */
  horizonWaitMs?: number;
  /**
   * Called after a pass, once for each workspace where an endpoint started failing or recovered in it (not on
   * every retry), so whoever shows the endpoints' state (the App Home) can refresh. Its errors are logged.
   */
  onFailingChanged?: (teamId: string) => Promise<unknown>;
}

export interface WebhookReport {
  delivered: number;
  /** Endpoints that failed in this pass (each is backed off and retried later). */
  failed: number;
}

const TIMEOUT_MS = 10_000;
/**
 * A pass renews its claim on an endpoint for this long before each request (which gives up after 10 s); a
 * crashed pass's claim lapses after it, unless its own restart takes it over sooner.
 */
export const WEBHOOK_LEASE_MS = 30_000;
const MAX_BACKOFF_MS = 60 * 60_000;

/** 30 s, 1 min, 2 min … capped at an hour, and never given up: events are not dropped. */
export function webhookBackoffMs(consecutiveFailures: number): number {
  return Math.min(MAX_BACKOFF_MS, 30_000 * 2 ** Math.max(0, consecutiveFailures - 1));
}

/** Delivers every event that is due, to every endpoint that is due. */
export async function deliverWebhooks(
  env: WebhookEnv,
  options: {
    limit?: number;
    teamId?: string;
    /** Stopping: claim no more endpoints, send no more events, give the claim back. */
    signal?: AbortSignal;
    /** Stopping after the grace: stop waiting for the request under way too (it is sent again later). */
    abort?: AbortSignal;
  } = {},
): Promise<WebhookReport> {
  const report: WebhookReport = { delivered: 0, failed: 0 };
  const horizon = await safeHorizon(env.db, env.horizonWaitMs ?? 1_000, options.signal);
  if (horizon === undefined || horizon === 0n) return report;
  const holder = env.holder ?? transientHolder();
  const flipped = new Set<string>();
  // One endpoint at a time, so passes running at once spread the endpoints between them.
  for (let round = 0; round < 1_000 && !options.signal?.aborted; round++) {
    const token = randomUUID();
    const [endpoint] = await claimEndpoints(env, { token, holder, horizon, teamId: options.teamId });
    if (!endpoint) break;
    await deliverToEndpoint(
      env,
      endpoint,
      { token, horizon, limit: options.limit ?? 50, flipped, signal: options.signal, abort: options.abort },
      report,
    );
  }
  for (const teamId of flipped) {
    await env
      .onFailingChanged?.(teamId)
      .catch((error) => env.logger.warn(`After a webhook of ${teamId} started failing or recovered:`, error));
  }
  return report;
}

/**
 * The highest event id that can be sent without ever skipping one. Ids come from a sequence when the
 * event is inserted, not when it commits: id 11 can be visible while id 10's transaction is still open.
 * So take the largest visible id and the snapshot's next transaction id, then wait until every
 * transaction that was running then has ended. (Every service locks or writes its row before its event,
 * so a transaction already has its id when it takes an event id.) Undefined when one stays open: the
 * next pass tries again.
 */
async function safeHorizon(db: Database, waitMs: number, signal?: AbortSignal): Promise<bigint | undefined> {
  const [seen] = await queryRows<{ max_id: string | null; xmax: string }>(
    db,
    sql`select max(id)::text as max_id, pg_snapshot_xmax(pg_current_snapshot())::text as xmax from events`,
  );
  if (!seen?.max_id) return 0n;
  // Writes are short: wait a little (a long import's transaction is waited for by later passes).
  const until = Date.now() + waitMs;
  for (let attempt = 0; ; attempt++) {
    const [now] = await queryRows<{ done: boolean }>(
      db,
      sql`select pg_snapshot_xmin(pg_current_snapshot()) >= ${seen.xmax}::xid8 as done`,
    );
    if (now?.done) return BigInt(seen.max_id);
    if (Date.now() >= until || signal?.aborted) return undefined;
    await new Promise((resolve) => setTimeout(resolve, Math.min(25 * (attempt + 1), 250)));
  }
}

async function claimEndpoints(
  env: WebhookEnv,
  params: { token: string; holder: ClaimHolder; horizon: bigint; teamId: string | undefined },
): Promise<WebhookEndpointRow[]> {
  const now = env.clock.now();
  const { instance, boot } = params.holder;
  const leaseEnd = new Date(now.getTime() + WEBHOOK_LEASE_MS).toISOString();
  const team = params.teamId ? sql`and w.team_id = ${params.teamId}` : sql``;
  const claimed = await queryRows<{ team_id: string; id: string }>(
    env.db,
    sql`update webhook_endpoints u
        set claimed_until = ${leaseEnd}::timestamptz, claim_token = ${params.token}::uuid,
            claim_instance = ${instance}, claim_boot = ${boot}
        from (
          select w.team_id, w.id from webhook_endpoints w
          where w.active and w.next_attempt_at <= ${now.toISOString()}::timestamptz
            and (w.claimed_until is null or w.claimed_until < ${now.toISOString()}::timestamptz
                 -- our own dead predecessor's claim (same instance, earlier boot): no need to wait for it to lapse
                 or (w.claim_instance = ${instance} and w.claim_boot <> ${boot})) ${team}
            and exists (select 1 from events e
                        where e.team_id = w.team_id and e.id > w.last_event_id and e.id <= ${params.horizon.toString()}::bigint)
          order by w.next_attempt_at, w.created_at, w.id
          limit 1
          for update skip locked
        ) c
        where u.team_id = c.team_id and u.id = c.id
        returning u.team_id, u.id`,
  );
  if (claimed.length === 0) return [];
  const rows = await env.db
    .select()
    .from(webhookEndpoints)
    .where(
      sql`(${webhookEndpoints.teamId}, ${webhookEndpoints.id}) in (${sql.join(
        claimed.map((c) => sql`(${c.team_id}, ${c.id}::uuid)`),
        sql`, `,
      )})`,
    );
  return rows.filter((r) => r.claimToken === params.token);
}

interface EventRow {
  id: string;
  team_id: string;
  kind: string;
  actor_type: string;
  actor_id: string;
  at: string;
  invoice_id: string | null;
  invoice_number: string | null;
  client_id: string | null;
  client_name: string | null;
  details: Record<string, unknown> | string;
}

async function deliverToEndpoint(
  env: WebhookEnv,
  endpoint: WebhookEndpointRow,
  params: {
    token: string;
    horizon: bigint;
    limit: number;
    flipped: Set<string>;
    signal: AbortSignal | undefined;
    abort: AbortSignal | undefined;
  },
  report: WebhookReport,
): Promise<void> {
  // Only the claim's holder writes the failure count, so the row read at the claim is current.
  let failing = endpoint.consecutiveFailures > 0;
  const mine = and(
    eq(webhookEndpoints.teamId, endpoint.teamId),
    eq(webhookEndpoints.id, endpoint.id),
    eq(webhookEndpoints.claimToken, params.token),
  );
  const batch = await queryRows<EventRow>(
    env.db,
    sql`select e.id::text as id, e.team_id, e.kind, e.actor_type, e.actor_id, to_json(e.at) #>> '{}' as at, e.invoice_id, i.number as invoice_number,
               e.client_id, c.name as client_name, e.details
        from events e
        left join invoices i on i.team_id = e.team_id and i.id = e.invoice_id
        left join clients c on c.team_id = e.team_id and c.id = e.client_id
        where e.team_id = ${endpoint.teamId} and e.id > ${endpoint.lastEventId.toString()}::bigint
          and e.id <= ${params.horizon.toString()}::bigint
        order by e.id
        limit ${params.limit}`,
  );
  const release = () => env.db.update(webhookEndpoints).set(unclaimed).where(mine);
  for (const event of batch) {
    // Stopping: give the endpoint back (due at once for another replica or the next start).
    if (params.signal?.aborted) return void (await release());
    // Renewed before every request, so a slow receiver never outlives the claim; gone means another pass has it.
    const renewed = await env.db
      .update(webhookEndpoints)
      .set({ claimedUntil: new Date(env.clock.now().getTime() + WEBHOOK_LEASE_MS) })
      .where(mine)
      .returning({ id: webhookEndpoints.id });
    if (renewed.length === 0) return;
    const payload = webhookPayload({
      id: BigInt(event.id),
      teamId: event.team_id,
      kind: event.kind,
      actorType: event.actor_type,
      actorId: event.actor_id,
      at: new Date(event.at),
      invoiceId: event.invoice_id,
      invoiceNumber: event.invoice_number,
      clientId: event.client_id,
      clientName: event.client_name,
      details: typeof event.details === 'string' ? JSON.parse(event.details) : event.details,
    });
    const body = JSON.stringify(payload);
    const answer = await untilAborted(post(env, endpoint, payload.id, body), params.abort);
    // Abandoned while stopping: the receiver may have it; it is sent again (at least once) by the next holder.
    if (answer === ABANDONED) return void (await release());
    const error = answer;
    const now = env.clock.now();
    if (error) {
      const failures = endpoint.consecutiveFailures + 1;
      const failed = await env.db
        .update(webhookEndpoints)
        .set({
          lastError: `event ${payload.id}: ${error}`,
          lastFailureAt: now,
          consecutiveFailures: sql`${webhookEndpoints.consecutiveFailures} + 1`,
          nextAttemptAt: new Date(now.getTime() + webhookBackoffMs(failures)),
          ...unclaimed,
        })
        .where(mine)
        .returning({ consecutiveFailures: webhookEndpoints.consecutiveFailures });
      if (failed[0]?.consecutiveFailures === 1) params.flipped.add(endpoint.teamId);
      env.logger.warn(
        `Webhook ${endpoint.id} (${webhookDisplayUrl(endpoint.url)}) failed on event ${payload.id}: ${error}; will retry`,
      );
      report.failed += 1;
      return;
    }
    env.fault?.('posted');
    const moved = await env.db
      .update(webhookEndpoints)
      .set({
        lastEventId: sql`greatest(${webhookEndpoints.lastEventId}, ${event.id}::bigint)`,
        lastSuccessAt: now,
        lastError: null,
        consecutiveFailures: 0,
        claimedUntil: new Date(now.getTime() + WEBHOOK_LEASE_MS),
      })
      .where(mine)
      .returning({ id: webhookEndpoints.id });
    report.delivered += 1;
    if (failing && moved.length > 0) {
      failing = false;
      params.flipped.add(endpoint.teamId);
    }
    // Removed, or our claim lapsed and another pass took the endpoint over: it carries on from the cursor.
    if (moved.length === 0) return;
  }
  await env.db
    .update(webhookEndpoints)
    .set({ ...unclaimed, nextAttemptAt: env.clock.now() })
    .where(mine);
}

const unclaimed = { claimedUntil: null, claimToken: null, claimInstance: null, claimBoot: null } as const;

const ABANDONED = Symbol('abandoned');

/** `work`'s result, or ABANDONED as soon as `signal` aborts (the work goes on unobserved). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T | typeof ABANDONED> {
  if (!signal) return work;
  if (signal.aborted) return Promise.resolve(ABANDONED);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(ABANDONED);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** POSTs one event; undefined on a 2xx, else a short classification of what went wrong (never the answer's body). */
function post(env: WebhookEnv, endpoint: WebhookEndpointRow, eventId: string, body: string) {
  return sendWebhook(
    {
      allow: env.webhookNetworks ?? [],
      resolve: env.resolve ?? resolveHost,
      send: env.send ?? sendPinned,
      timeoutMs: env.timeoutMs ?? TIMEOUT_MS,
    },
    { url: endpoint.url, headers: webhookHeaders(endpoint.secret, eventId, body, env.clock.now()), body },
  );
}
