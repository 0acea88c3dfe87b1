// The worker that posts queued payments (ledger_pushes, written with each payment recorded in Slack on a ledger's
// invoice) to the ledger. Each push is sent by one replica at a time under a fenced claim; every attempt carries
// the push's Idempotency-Key, so a crash between the ledger accepting it and our storing its answer is mended by the
// next attempt, which gets the same payment back. Sent: the ledger's payment id is stored and linked to ours
// (ledger_links, kind 'payment'), so the pull sync knows it and records nothing twice. A refusal that will never
// succeed is marked failed and told once; anything else is retried after 1, 5 and 30 minutes, then hourly.
import { randomUUID } from 'node:crypto';
import { and, asc, eq, isNull, lt, lte, or, sql } from 'drizzle-orm';
import { invoices, type LedgerPushRow, ledgerLinks, ledgerPushes } from '../db/schema.js';
import { toDecimalString } from '../domain/money.js';
import type { LedgerContext } from '../services/context.js';
import { ConnectError, getConnection } from './connections.js';
import { isProviderError, type LedgerProvider } from './provider.js';

/** The waits after the 1st, 2nd, 3rd failed attempt, then every hour. */
export const PUSH_BACKOFF_MS = [60_000, 5 * 60_000, 30 * 60_000, 60 * 60_000] as const;
/** A push is held this long by the replica sending it; a crashed one's claim lapses after it. */
export const PUSH_CLAIM_TTL_MS = 2 * 60_000;
/**
 * How long after an attempt with no answer a retry is still sent. The ledger answers a repeated Idempotency-Key with
 * the payment it made only while it remembers the key (a day is assumed: Xero does not publish its window); past
 * that a retry could pay twice, so the push fails instead and says where to look.
 */
export const UNCERTAIN_RETRY_MS = 20 * 3_600_000;

export function backoffAfter(attempts: number): number {
  return PUSH_BACKOFF_MS[Math.min(Math.max(attempts, 1), PUSH_BACKOFF_MS.length) - 1] as number;
}

export interface PushDeps {
  ctx: LedgerContext;
  provider: LedgerProvider;
  /** A usable access token for the workspace's connection (refreshed when needed). */
  accessToken: (teamId: string) => Promise<string>;
}

export type PushOutcome =
  | { status: 'sent'; push: LedgerPushRow; externalId: string }
  | { status: 'retrying'; push: LedgerPushRow; error: string; nextAttemptAt: Date }
  /** Refused for good; `number` is the invoice's, for the one message that says so. */
  | { status: 'failed'; push: LedgerPushRow; error: string; number: string };

/** Pushes whose next attempt is due and that no one holds, oldest first. */
export async function duePushes(
  ctx: LedgerContext,
  provider: string,
  limit = 50,
): Promise<{ teamId: string; id: string }[]> {
  const now = ctx.clock.now();
  return ctx.db
    .select({ teamId: ledgerPushes.teamId, id: ledgerPushes.id })
    .from(ledgerPushes)
    .where(
      and(
        eq(ledgerPushes.provider, provider),
        eq(ledgerPushes.status, 'pending'),
        lte(ledgerPushes.nextAttemptAt, now),
        or(isNull(ledgerPushes.claimedUntil), lt(ledgerPushes.claimedUntil, now)),
      ),
    )
    .orderBy(asc(ledgerPushes.nextAttemptAt), asc(ledgerPushes.eventId))
    .limit(limit);
}

/** Claims one due push for this attempt (counted); undefined when another replica holds it or it is not due. */
export async function claimPush(
  ctx: LedgerContext,
  teamId: string,
  id: string,
): Promise<{ push: LedgerPushRow; token: string } | undefined> {
  const now = ctx.clock.now();
  const token = randomUUID();
  const [push] = await ctx.db
    .update(ledgerPushes)
    .set({
      claimToken: token,
      claimedUntil: new Date(now.getTime() + PUSH_CLAIM_TTL_MS),
      attempts: sql`${ledgerPushes.attempts} + 1`,
    })
    .where(
      and(
        eq(ledgerPushes.teamId, teamId),
        eq(ledgerPushes.id, id),
        eq(ledgerPushes.status, 'pending'),
        lte(ledgerPushes.nextAttemptAt, now),
        or(isNull(ledgerPushes.claimedUntil), lt(ledgerPushes.claimedUntil, now)),
      ),
    )
    .returning();
  return push ? { push, token } : undefined;
}

/** Claims and sends one push. Undefined when someone else holds it (or it was sent meanwhile). */
export async function sendPush(deps: PushDeps, teamId: string, id: string): Promise<PushOutcome | undefined> {
  const { ctx, provider } = deps;
  const claimed = await claimPush(ctx, teamId, id);
  if (!claimed) return undefined;
  const { push, token } = claimed;

  const connection = await getConnection(ctx, teamId, provider.id);
  if (push.uncertainSince && ctx.clock.now().getTime() - push.uncertainSince.getTime() > UNCERTAIN_RETRY_MS) {
    return fail(
      deps,
      push,
      token,
      `${provider.label} did not answer whether it took this payment, and it has been too long to ask again safely: look in ${provider.label} for a payment with the reference "${push.reference.slice(0, 120)}" on this invoice, and record it there by hand only if it is not there`,
    );
  }
  if (!provider.createPayment) {
    return fail(deps, push, token, `${provider.label} cannot take payments from this app yet`);
  }
  if (connection && connection.status !== 'disconnected' && connection.tenantId !== push.tenantId) {
    return fail(
      deps,
      push,
      token,
      `${provider.label} is now connected to another organisation (${connection.tenantName}), not the one this payment was for`,
    );
  }
  let externalId: string;
  try {
    if (!connection || connection.status === 'disconnected') {
      throw new ConnectError('NOT_CONNECTED', `${provider.label} is disconnected; reconnect it to send this payment`);
    }
    const accessToken = await deps.accessToken(teamId);
    const created = await provider.createPayment(
      { accessToken, tenantId: push.tenantId },
      {
        invoiceExternalId: push.externalInvoiceId,
        accountExternalId: push.accountId,
        amount: toDecimalString(push.amountMinor, push.currency),
        date: push.paidOn,
        reference: push.reference,
        idempotencyKey: push.idempotencyKey,
      },
    );
    externalId = created.externalId;
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 500);
    if (isProviderError(error, 'REJECTED') || isProviderError(error, 'HOST_NOT_ALLOWED')) {
      return fail(deps, push, token, message);
    }
    // 429: the ledger said when; anything else (unreachable, 5xx, a token refused, the connection broken): back off.
    const waitMs =
      isProviderError(error, 'RATE_LIMITED') && error.retryAfterMs !== undefined
        ? Math.max(error.retryAfterMs, 1_000)
        : backoffAfter(push.attempts);
    const nextAttemptAt = new Date(ctx.clock.now().getTime() + waitMs);
    // No answer (a timeout, a dropped connection, a 5xx, an answer we cannot read): the ledger may have it.
    const uncertain = isProviderError(error, 'UNAVAILABLE') || isProviderError(error, 'BAD_RESPONSE');
    const [after] = await ctx.db
      .update(ledgerPushes)
      .set({
        lastError: message,
        nextAttemptAt,
        claimToken: null,
        claimedUntil: null,
        ...(uncertain && !push.uncertainSince ? { uncertainSince: ctx.clock.now() } : {}),
      })
      .where(and(eq(ledgerPushes.teamId, teamId), eq(ledgerPushes.id, id), eq(ledgerPushes.claimToken, token)))
      .returning();
    return after ? { status: 'retrying', push: after, error: message, nextAttemptAt } : undefined;
  }

  const now = ctx.clock.now();
  const sent = await ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .update(ledgerPushes)
      .set({
        status: 'sent',
        externalPaymentId: externalId,
        sentAt: now,
        lastError: null,
        claimToken: null,
        claimedUntil: null,
      })
      .where(and(eq(ledgerPushes.teamId, teamId), eq(ledgerPushes.id, id), eq(ledgerPushes.claimToken, token)))
      .returning();
    if (!row) return undefined;
    // The ledger's payment is ours: the pull sync finds it linked and records nothing. (A sync that saw it first
    // linked it to nothing, as a payment already recorded here; it is ours all the same.)
    await tx
      .insert(ledgerLinks)
      .values({ teamId, provider: provider.id, kind: 'payment', externalId, localId: push.paymentId })
      .onConflictDoUpdate({
        target: [ledgerLinks.teamId, ledgerLinks.provider, ledgerLinks.kind, ledgerLinks.externalId],
        set: { localId: push.paymentId },
      });
    return row;
  });
  return sent ? { status: 'sent', push: sent, externalId } : undefined;
}

async function fail(
  deps: PushDeps,
  push: LedgerPushRow,
  token: string,
  error: string,
): Promise<PushOutcome | undefined> {
  const { ctx } = deps;
  const now = ctx.clock.now();
  // Under the claim, from pending: only one attempt ever marks it failed, so it is told once.
  const [after] = await ctx.db
    .update(ledgerPushes)
    .set({ status: 'failed', lastError: error.slice(0, 500), failedAt: now, claimToken: null, claimedUntil: null })
    .where(
      and(
        eq(ledgerPushes.teamId, push.teamId),
        eq(ledgerPushes.id, push.id),
        eq(ledgerPushes.claimToken, token),
        eq(ledgerPushes.status, 'pending'),
      ),
    )
    .returning();
  if (!after) return undefined;
  const [invoice] = await ctx.db
    .select({ number: invoices.number })
    .from(invoices)
    .where(and(eq(invoices.teamId, push.teamId), eq(invoices.id, push.invoiceId)));
  return { status: 'failed', push: after, error: after.lastError ?? error, number: invoice?.number ?? 'the invoice' };
}
