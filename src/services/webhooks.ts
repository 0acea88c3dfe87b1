// Adding a webhook endpoint (its secret is returned once) and removing one: finance admins only.
import { randomBytes } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { DatabaseOrTransaction } from '../db/client.js';
import { events, webhookEndpoints } from '../db/schema.js';
import { checkWebhookUrl } from '../domain/webhook-address.js';
import type { LedgerContext, WriteOptions } from './context.js';
import { LedgerError } from './errors.js';
import { authorize, type Principal } from './policy.js';
import { idempotencyKey } from './schemas.js';
import { loadWorkspace, parseInput, write } from './write.js';

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

/**
 * Finance admins only. A repeated request (same idempotency key: a replayed slash command) adds nothing and is
 * refused with what the first one did; the secret is never stored with the key, so it is never shown twice.
 */
export async function addWebhookEndpoint(
  ctx: LedgerContext,
  teamId: string,
  principal: Principal,
  params: AddWebhookEndpointParams,
  options: WriteOptions = {},
): Promise<AddedWebhookEndpoint> {
  authorize(principal, 'manageWebhooks', teamId);
  const url = checkedUrl(ctx, params.url);
  const key = parseInput(idempotencyKey, options.idempotencyKey);
  let secret = '';
  const written = await write(ctx, { teamId, operation: 'addWebhookEndpoint', idempotencyKey: key }, async (tx) => {
    await loadWorkspace(tx, teamId);
    const [latest] = await tx
      .select({ id: sql<string | null>`max(${events.id})::text` })
      .from(events)
      .where(eq(events.teamId, teamId));
    secret = randomBytes(32).toString('hex');
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
    return { id: row.id, url };
  });
  if (written.replayed) {
    throw new LedgerError(
      'CONFLICT',
      `That request was already handled: ${written.result.url} was added as webhook ${written.result.id}, and its signing secret shown then, once.`,
    );
  }
  return { ...written.result, secret };
}

/** The address as stored, or a refusal naming the field: not a URL, not http(s), too long, or inside the network. */
function checkedUrl(ctx: LedgerContext, input: string): string {
  const verdict = checkWebhookUrl(input, ctx.webhookNetworks ?? []);
  if (!verdict.ok) throw LedgerError.invalid('url', verdict.reason);
  return verdict.url.toString();
}

/** Removes an endpoint (nothing more is sent to it). False when the workspace has no such endpoint. */
export async function removeWebhookEndpoint(
  db: DatabaseOrTransaction,
  teamId: string,
  principal: Principal,
  id: string,
): Promise<boolean> {
  authorize(principal, 'manageWebhooks', teamId);
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return false;
  const removed = await db
    .delete(webhookEndpoints)
    .where(and(eq(webhookEndpoints.teamId, teamId), eq(webhookEndpoints.id, id)))
    .returning({ id: webhookEndpoints.id });
  return removed.length > 0;
}
