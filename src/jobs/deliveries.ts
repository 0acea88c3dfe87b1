// The delivery ledger: what must be posted, decided once in the database, claimed by one worker at a
// time (SKIP LOCKED, so replicas share the work), and marked delivered with the message's channel and ts.
import { and, eq, inArray, sql } from 'drizzle-orm';
import { type DatabaseOrTransaction, queryRows } from '../db/client.js';
import { type DeliveryRow, deliveries } from '../db/schema.js';

export type DeliveryKind =
  | 'became_due'
  | 'became_overdue'
  | 'promise_broken'
  | 'stale_chase'
  | 'paid_check'
  | 'summary'
  | 'digest'
  | 'digest_reply'
  | 'channel_prompt'
  /** The client answered on its status page: told in the invoice's thread in the finance channel. */
  | 'client_answer';

export interface Decision {
  teamId: string;
  key: string;
  kind: DeliveryKind;
  invoiceId?: string | null;
  localDate: string;
  channelId: string;
  parentKey?: string | null;
  payload?: Record<string, unknown> | null;
  /** Not before this instant (e.g. the owner's "did they pay?" window). */
  notBefore?: Date;
}

/** Records decisions; one already taken under the same key is left as it is. Returns how many are new. */
export async function decide(db: DatabaseOrTransaction, decisions: readonly Decision[], now: Date): Promise<number> {
  if (decisions.length === 0) return 0;
  const inserted = await db
    .insert(deliveries)
    .values(
      decisions.map((d) => ({
        teamId: d.teamId,
        key: d.key,
        kind: d.kind,
        invoiceId: d.invoiceId ?? null,
        localDate: d.localDate,
        channelId: d.channelId,
        parentKey: d.parentKey ?? null,
        payload: d.payload ?? null,
        nextAttemptAt: d.notBefore ?? now,
        createdAt: now,
      })),
    )
    .onConflictDoNothing()
    .returning({ key: deliveries.key });
  return inserted.length;
}

/**
 * Claims up to `limit` deliveries that are due, or whose last claim lapsed (the worker died mid-post:
 * those become uncertain, so the next attempt looks before posting again).
 */
export async function claimDue(
  db: DatabaseOrTransaction,
  params: { now: Date; limit: number; leaseMs: number; teamId?: string },
): Promise<DeliveryRow[]> {
  const now = params.now.toISOString();
  const leaseEnd = new Date(params.now.getTime() + params.leaseMs).toISOString();
  const team = params.teamId ? sql`and team_id = ${params.teamId}` : sql``;
  const claimed = await queryRows<{ team_id: string; key: string }>(
    db,
    sql`update deliveries d
        set status = 'posting', attempts = d.attempts + 1, claimed_until = ${leaseEnd}::timestamptz,
            uncertain = d.uncertain or d.status = 'posting'
        from (
          select team_id, key from deliveries
          where ((status = 'pending' and next_attempt_at <= ${now}::timestamptz)
             or (status = 'posting' and claimed_until < ${now}::timestamptz)) ${team}
          -- a thread's parent before its replies, so the replies can go straight into it
          order by parent_key is not null, next_attempt_at, created_at, key
          limit ${params.limit}
          for update skip locked
        ) c
        where d.team_id = c.team_id and d.key = c.key
        returning d.team_id, d.key`,
  );
  if (claimed.length === 0) return [];
  const rows = await db
    .select()
    .from(deliveries)
    .where(
      sql`(${deliveries.teamId}, ${deliveries.key}) in (${sql.join(
        claimed.map((c) => sql`(${c.team_id}, ${c.key})`),
        sql`, `,
      )})`,
    );
  const order = new Map(claimed.map((c, i) => [`${c.team_id}/${c.key}`, i]));
  return rows.sort((a, b) => (order.get(`${a.teamId}/${a.key}`) ?? 0) - (order.get(`${b.teamId}/${b.key}`) ?? 0));
}

function where(row: Pick<DeliveryRow, 'teamId' | 'key'>) {
  return and(eq(deliveries.teamId, row.teamId), eq(deliveries.key, row.key));
}

export async function markDelivered(
  db: DatabaseOrTransaction,
  row: Pick<DeliveryRow, 'teamId' | 'key'>,
  posted: { channel: string; ts: string; at: Date },
): Promise<void> {
  await db
    .update(deliveries)
    .set({
      status: 'delivered',
      postedChannel: posted.channel,
      postedTs: posted.ts,
      deliveredAt: posted.at,
      claimedUntil: null,
      uncertain: false,
      lastError: null,
    })
    .where(where(row));
}

export async function markSkipped(db: DatabaseOrTransaction, row: Pick<DeliveryRow, 'teamId' | 'key'>, reason: string) {
  await db.update(deliveries).set({ status: 'skipped', lastError: reason, claimedUntil: null }).where(where(row));
}

/** Puts a delivery back for a later attempt, or gives up on it (visible as failed, with the reason). */
export async function markRetry(
  db: DatabaseOrTransaction,
  row: Pick<DeliveryRow, 'teamId' | 'key'>,
  params: { error: string; uncertain: boolean; nextAttemptAt: Date; giveUp?: boolean; refund?: boolean },
): Promise<void> {
  await db
    .update(deliveries)
    .set({
      status: params.giveUp ? 'failed' : 'pending',
      lastError: params.error,
      uncertain: params.uncertain,
      nextAttemptAt: params.nextAttemptAt,
      claimedUntil: null,
      // Waiting (for a parent, for a rate limit) is not a failed attempt.
      ...(params.refund ? { attempts: sql`greatest(${deliveries.attempts} - 1, 0)` } : {}),
    })
    .where(where(row));
}

export async function findDelivery(
  db: DatabaseOrTransaction,
  teamId: string,
  key: string,
): Promise<DeliveryRow | undefined> {
  const [row] = await db
    .select()
    .from(deliveries)
    .where(and(eq(deliveries.teamId, teamId), eq(deliveries.key, key)));
  return row;
}

export async function deliveriesOn(
  db: DatabaseOrTransaction,
  teamId: string,
  localDate: string,
): Promise<DeliveryRow[]> {
  return db
    .select()
    .from(deliveries)
    .where(and(eq(deliveries.teamId, teamId), eq(deliveries.localDate, localDate)))
    .orderBy(deliveries.createdAt, deliveries.key);
}

/** The most recent digest that went out, for "what changed since the last digest". */
export async function lastDigestAt(db: DatabaseOrTransaction, teamId: string): Promise<Date | undefined> {
  const [row] = await db
    .select({ at: deliveries.createdAt })
    .from(deliveries)
    .where(and(eq(deliveries.teamId, teamId), eq(deliveries.kind, 'digest')))
    .orderBy(sql`${deliveries.createdAt} desc`)
    .limit(1);
  return row?.at;
}

/** Lets a waiting delivery go now (the owner said "not yet": the channel may hear of it at once). */
export async function releaseNow(db: DatabaseOrTransaction, teamId: string, keys: string[], now: Date) {
  if (keys.length === 0) return;
  await db
    .update(deliveries)
    .set({ nextAttemptAt: now })
    .where(and(eq(deliveries.teamId, teamId), inArray(deliveries.key, keys), eq(deliveries.status, 'pending')));
}
