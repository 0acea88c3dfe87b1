// The workspace's webhook endpoints: add (the secret is returned once), list with their delivery state, remove.
import { randomBytes } from 'node:crypto';
import { and, asc, eq, sql } from 'drizzle-orm';
import { type DatabaseOrTransaction, queryRows } from '../db/client.js';
import { events, webhookEndpoints } from '../db/schema.js';
import type { LedgerContext } from '../services/context.js';
import { LedgerError } from '../services/errors.js';
import { loadWorkspace } from '../services/write.js';

export interface AddWebhookEndpointParams {
  url: string;
  /** Send every event the workspace ever had, not only those after now. */
  replay?: boolean;
}

export interface AddedWebhookEndpoint {
  id: string;
  url: string;
  /** Shown once: only the receiver keeps it. */
  secret: string;
}

export async function addWebhookEndpoint(
  ctx: LedgerContext,
  teamId: string,
  params: AddWebhookEndpointParams,
): Promise<AddedWebhookEndpoint> {
  const url = parseUrl(params.url);
  return ctx.db.transaction(async (tx) => {
    await loadWorkspace(tx, teamId);
    const [latest] = await tx
      .select({ id: sql<string | null>`max(${events.id})::text` })
      .from(events)
      .where(eq(events.teamId, teamId));
    const secret = randomBytes(32).toString('hex');
    const [row] = await tx
      .insert(webhookEndpoints)
      .values({
        teamId,
        url,
        secret,
        lastEventId: params.replay ? 0n : BigInt(latest?.id ?? '0'),
        nextAttemptAt: ctx.clock.now(),
        createdAt: ctx.clock.now(),
      })
      .returning({ id: webhookEndpoints.id });
    if (!row) throw new Error('webhook endpoint insert returned no row');
    return { id: row.id, url, secret };
  });
}

function parseUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw LedgerError.invalid('url', `"${input}" is not a URL; write it in full, like https://example.com/hooks`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw LedgerError.invalid('url', `webhooks go over https (or http); "${url.protocol}" is not supported`);
  }
  return url.toString();
}

export interface WebhookEndpointState {
  id: string;
  url: string;
  active: boolean;
  lastEventId: bigint;
  /** Events after the cursor, not yet delivered. */
  pending: number;
  nextAttemptAt: Date;
  lastSuccessAt: Date | null;
  lastFailureAt: Date | null;
  lastError: string | null;
  consecutiveFailures: number;
  createdAt: Date;
}

/** Every endpoint of the workspace with how far it has got and, when it is failing, why. */
export async function listWebhookEndpoints(db: DatabaseOrTransaction, teamId: string): Promise<WebhookEndpointState[]> {
  const rows = await db
    .select()
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.teamId, teamId))
    .orderBy(asc(webhookEndpoints.createdAt), asc(webhookEndpoints.id));
  const pending = await queryRows<{ id: string; pending: string }>(
    db,
    sql`select w.id::text as id, (select count(*) from events e where e.team_id = w.team_id and e.id > w.last_event_id)::text as pending
        from webhook_endpoints w where w.team_id = ${teamId}`,
  );
  const counts = new Map(pending.map((p) => [p.id, Number(p.pending)]));
  return rows.map((r) => ({
    id: r.id,
    url: r.url,
    active: r.active,
    lastEventId: r.lastEventId,
    pending: counts.get(r.id) ?? 0,
    nextAttemptAt: r.nextAttemptAt,
    lastSuccessAt: r.lastSuccessAt,
    lastFailureAt: r.lastFailureAt,
    lastError: r.lastError,
    consecutiveFailures: r.consecutiveFailures,
    createdAt: r.createdAt,
  }));
}

/** Removes an endpoint (nothing more is sent to it). False when the workspace has no such endpoint. */
export async function removeWebhookEndpoint(db: DatabaseOrTransaction, teamId: string, id: string): Promise<boolean> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return false;
  const removed = await db
    .delete(webhookEndpoints)
    .where(and(eq(webhookEndpoints.teamId, teamId), eq(webhookEndpoints.id, id)))
    .returning({ id: webhookEndpoints.id });
  return removed.length > 0;
}
