// The delivery ledger: what must be posted, decided once in the database, claimed by one worker at a
// time (SKIP LOCKED, so replicas share the work) under a short lease the holder renews while it works, and
// marked delivered with the message's channel and ts. Every write of the holder is fenced by its claim token.
import { randomUUID } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { type DatabaseOrTransaction, queryRows } from './client.js';
import { type DeliveryRow, deliveries } from './schema.js';

/** Who holds a claim (holder.ts makes them): a stable instance name and this boot's nonce. */
export interface ClaimHolder {
  /** Stable across restarts of the same instance; never shared by two live processes. */
  instance: string;
  /** New at every start. */
  boot: string;
}

export type DeliveryKind =
  | 'became_due'
  | 'became_overdue'
  | 'promise_broken'
  | 'stale_chase'
  | 'paid_check'
  /** The follow-up someone planned in the chase form: to the invoice's owner (else the channel) that morning. */
  | 'follow_up'
  | 'summary'
  | 'digest'
  | 'digest_reply'
  | 'channel_prompt'
  /** The client answered on its status page: told in the invoice's thread in the finance channel. */
  | 'client_answer'
  /** A retainer made an invoice: its card, to the retainer's owner (a DM) or the finance channel. */
  | 'retainer_invoice';

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

/** A claim on one delivery: its token fences every write the holder makes. */
export interface DeliveryClaim {
  teamId: string;
  key: string;
  token: string;
}

/**
 * Claims up to `limit` deliveries that are due, or whose last claim lapsed, or whose claim is held by an
 * earlier boot of this same instance (our own dead predecessor: no need to wait for it to lapse). A claim that
 * was taken over, not released, becomes uncertain: the previous holder may have posted, so look first.
 */
export async function claimDue(
  db: DatabaseOrTransaction,
  params: { now: Date; limit: number; leaseMs: number; holder: ClaimHolder; teamId?: string },
): Promise<(DeliveryRow & { claimToken: string })[]> {
  const now = params.now.toISOString();
  const leaseEnd = new Date(params.now.getTime() + params.leaseMs).toISOString();
  const token = randomUUID();
  const { instance, boot } = params.holder;
  const team = params.teamId ? sql`and team_id = ${params.teamId}` : sql``;
  const claimed = await db
    .update(deliveries)
    .set({
      status: 'posting',
      attempts: sql`${deliveries.attempts} + 1`,
      claimedUntil: new Date(leaseEnd),
      claimToken: token,
      claimInstance: instance,
      claimBoot: boot,
      uncertain: sql`${deliveries.uncertain} or ${deliveries.status} = 'posting'`,
    })
    .where(
      sql`(${deliveries.teamId}, ${deliveries.key}) in (
        select team_id, key from deliveries
        where ((status = 'pending' and next_attempt_at <= ${now}::timestamptz)
           or (status = 'posting' and (claimed_until < ${now}::timestamptz
                                       or (claim_instance = ${instance} and claim_boot <> ${boot})))) ${team}
        -- a thread's parent before its replies, so the replies can go straight into it
        order by parent_key is not null, next_attempt_at, created_at, key
        limit ${params.limit}
        for update skip locked)`,
    )
    .returning();
  const order = (r: DeliveryRow) =>
    `${r.parentKey === null ? 0 : 1}|${r.nextAttemptAt.toISOString()}|${r.createdAt.toISOString()}|${r.key}`;
  return claimed
    .map((r) => ({ ...r, claimToken: token }))
    .sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
}

/** Only the current holder's writes land: a holder whose claim was taken over changes nothing. */
function held(claim: DeliveryClaim) {
  return and(
    eq(deliveries.teamId, claim.teamId),
    eq(deliveries.key, claim.key),
    eq(deliveries.claimToken, claim.token),
    eq(deliveries.status, 'posting'),
  );
}

const unclaimed = { claimedUntil: null, claimToken: null, claimInstance: null, claimBoot: null } as const;

/** Extends the claim (a heartbeat). False when it is no longer ours: stop, post nothing more. */
export async function renewClaim(
  db: DatabaseOrTransaction,
  claim: DeliveryClaim,
  params: { now: Date; leaseMs: number },
): Promise<boolean> {
  const renewed = await db
    .update(deliveries)
    .set({ claimedUntil: new Date(params.now.getTime() + params.leaseMs) })
    .where(held(claim))
    .returning({ key: deliveries.key });
  return renewed.length > 0;
}

/** False when the claim was no longer ours (another holder took it over and decides now). */
export async function markDelivered(
  db: DatabaseOrTransaction,
  claim: DeliveryClaim,
  posted: { channel: string; ts: string; at: Date },
): Promise<boolean> {
  const marked = await db
    .update(deliveries)
    .set({
      status: 'delivered',
      postedChannel: posted.channel,
      postedTs: posted.ts,
      deliveredAt: posted.at,
      ...unclaimed,
      uncertain: false,
      lastError: null,
    })
    .where(held(claim))
    .returning({ key: deliveries.key });
  return marked.length > 0;
}

export async function markSkipped(db: DatabaseOrTransaction, claim: DeliveryClaim, reason: string): Promise<boolean> {
  const marked = await db
    .update(deliveries)
    .set({ status: 'skipped', lastError: reason, ...unclaimed })
    .where(held(claim))
    .returning({ key: deliveries.key });
  return marked.length > 0;
}

/** Puts a delivery back for a later attempt, or gives up on it (visible as failed, with the reason). */
export async function markRetry(
  db: DatabaseOrTransaction,
  claim: DeliveryClaim,
  params: { error: string; uncertain: boolean; nextAttemptAt: Date; giveUp?: boolean; refund?: boolean },
): Promise<boolean> {
  const marked = await db
    .update(deliveries)
    .set({
      status: params.giveUp ? 'failed' : 'pending',
      lastError: params.error,
      uncertain: params.uncertain,
      nextAttemptAt: params.nextAttemptAt,
      ...unclaimed,
      // Waiting (for a parent, for a rate limit) is not a failed attempt.
      ...(params.refund ? { attempts: sql`greatest(${deliveries.attempts} - 1, 0)` } : {}),
    })
    .where(held(claim))
    .returning({ key: deliveries.key });
  return marked.length > 0;
}

/**
 * Gives a claim back unfinished (the process is stopping): due at once for another replica or the next start,
 * without waiting for it to lapse. When a post was under way its outcome is unknown: uncertain, so the next
 * holder looks before posting again. The attempt is not counted.
 */
export async function releaseClaim(
  db: DatabaseOrTransaction,
  claim: DeliveryClaim,
  params: { now: Date; uncertain: boolean },
): Promise<boolean> {
  const released = await db
    .update(deliveries)
    .set({
      status: 'pending',
      nextAttemptAt: params.now,
      ...unclaimed,
      ...(params.uncertain ? { uncertain: true } : {}),
      attempts: sql`greatest(${deliveries.attempts} - 1, 0)`,
    })
    .where(held(claim))
    .returning({ key: deliveries.key });
  return released.length > 0;
}

/**
 * The soonest instant after `now` when a delivery falls due (a retry, a "not before"), or when a claim lapses
 * unless renewed (a dead replica's), so the jobs wake for it; undefined when nothing waits. Across workspaces.
 */
export async function nextDeliveryDue(db: DatabaseOrTransaction, now: Date): Promise<Date | undefined> {
  const [row] = await queryRows<{ at: string | null }>(
    db,
    sql`select to_json(min(case when status = 'pending' then next_attempt_at else claimed_until end)) #>> '{}' as at
        from deliveries
        where status in ('pending', 'posting')
          and case when status = 'pending' then next_attempt_at else claimed_until end > ${now.toISOString()}::timestamptz`,
  );
  return row?.at ? new Date(row.at) : undefined;
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
