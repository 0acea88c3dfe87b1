// The one way a service writes: inside a transaction, at most once per idempotency key,
// with its event. Nothing slow (Slack, HTTP) is ever awaited in here.
import { and, eq } from 'drizzle-orm';
import type { z } from 'zod';
import { insertMany } from '../db/bulk.js';
import type { DatabaseOrTransaction, Transaction } from '../db/client.js';
import { events, idempotencyKeys, invoices, workspaces } from '../db/schema.js';
import type { Actor, LedgerContext } from './context.js';
import { LedgerError } from './errors.js';

export interface Written<T> {
  result: T;
  /** True when this request repeated an earlier one (same idempotency key) and recorded nothing. */
  replayed: boolean;
}

export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw LedgerError.fromZod(parsed.error);
  return parsed.data;
}

export async function write<T>(
  ctx: LedgerContext,
  params: { teamId: string; operation: string; idempotencyKey?: string | undefined },
  fn: (tx: Transaction) => Promise<T>,
): Promise<Written<T>> {
  const { teamId, operation, idempotencyKey: key } = params;
  return ctx.db.transaction(async (tx) => {
    if (key) {
      // A concurrent request with the same key waits here until the first commits, then replays it.
      const claimed = await tx
        .insert(idempotencyKeys)
        .values({ teamId, key, operation, result: {} })
        .onConflictDoNothing()
        .returning({ key: idempotencyKeys.key });
      if (claimed.length === 0) {
        const [previous] = await tx
          .select()
          .from(idempotencyKeys)
          .where(and(eq(idempotencyKeys.teamId, teamId), eq(idempotencyKeys.key, key)));
        if (!previous || previous.operation !== operation) {
          throw new LedgerError(
            'IDEMPOTENCY_KEY_REUSED',
            `This request key was already used for ${previous?.operation ?? 'another request'}; send a new key.`,
          );
        }
        return { result: fromJson(previous.result) as T, replayed: true };
      }
    }
    const result = await fn(tx);
    if (key) {
      await tx
        .update(idempotencyKeys)
        .set({ result: toJson(result) })
        .where(and(eq(idempotencyKeys.teamId, teamId), eq(idempotencyKeys.key, key)));
    }
    return { result, replayed: false };
  });
}

/** bigint survives the round trip through jsonb as {"$bigint": "…"}. */
function toJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? { $bigint: v.toString() } : v)));
}

function fromJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (_k, v) =>
    v && typeof v === 'object' && typeof v.$bigint === 'string' && Object.keys(v).length === 1 ? BigInt(v.$bigint) : v,
  );
}

export interface EventInput {
  teamId: string;
  invoiceId?: string | null;
  clientId?: string | null;
  kind: string;
  actor: Actor;
  at: Date;
  details?: Record<string, unknown>;
  visibility?: 'internal' | 'shared';
}

/** Appends one event; when it is about an invoice and is an action, it becomes the invoice's last action. */
export async function appendEvent(tx: Transaction, input: EventInput, options: { isAction?: boolean } = {}) {
  const [row] = await tx
    .insert(events)
    .values({
      teamId: input.teamId,
      invoiceId: input.invoiceId ?? null,
      clientId: input.clientId ?? null,
      kind: input.kind,
      actorType: input.actor.type,
      actorId: input.actor.id,
      at: input.at,
      details: toJson(input.details ?? {}) as Record<string, unknown>,
      visibility: input.visibility ?? 'internal',
    })
    .returning({ id: events.id });
  if (input.invoiceId && options.isAction !== false) {
    await tx
      .update(invoices)
      .set({ lastActionKind: input.kind, lastActionAt: input.at, lastActionBy: input.actor.id })
      .where(and(eq(invoices.teamId, input.teamId), eq(invoices.id, input.invoiceId)));
  }
  if (!row) throw new Error('event insert returned no row');
  return row.id;
}

/**
 * Appends many events in as few statements as it takes, in the order given (their ids follow it). A bulk writer's
 * (the import's): it sets each invoice's last action itself, in the rows it inserts.
 */
export async function appendEvents(tx: DatabaseOrTransaction, inputs: readonly EventInput[]): Promise<void> {
  await insertMany(
    tx,
    events,
    inputs.map((input) => ({
      teamId: input.teamId,
      invoiceId: input.invoiceId ?? null,
      clientId: input.clientId ?? null,
      kind: input.kind,
      actorType: input.actor.type,
      actorId: input.actor.id,
      at: input.at,
      details: toJson(input.details ?? {}) as Record<string, unknown>,
      visibility: input.visibility ?? 'internal',
    })),
  );
}

export async function loadWorkspace(tx: Transaction | LedgerContext['db'], teamId: string) {
  const [workspace] = await tx.select().from(workspaces).where(eq(workspaces.teamId, teamId));
  if (!workspace) {
    throw new LedgerError('WORKSPACE_NOT_FOUND', `No workspace ${teamId} is set up; open the app once in Slack first.`);
  }
  return workspace;
}
