// The workspace's webhook endpoints as read: listed with their delivery state, the failing ones, the next retry.
// Adding and removing one is a service (src/services/webhooks.ts).
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { type DatabaseOrTransaction, queryRows } from '../db/client.js';
import { webhookEndpoints } from '../db/schema.js';

export interface WebhookEndpointState {
  id: string;
  url: string;
  active: boolean;
  lastEventId: bigint;
  /** Events after the cursor, not yet delivered (at most `pendingCap` when one was given). */
  pending: number;
  /** `pending` reached the cap: there are at least that many. */
  pendingCapped: boolean;
  /** When the oldest event not yet delivered happened (the one a failing endpoint is stuck on); null when none. */
  waitingSince: Date | null;
  nextAttemptAt: Date;
  lastSuccessAt: Date | null;
  lastFailureAt: Date | null;
  lastError: string | null;
  consecutiveFailures: number;
  createdAt: Date;
}

export interface ListWebhookEndpointsParams {
  /** Only the endpoints whose last attempt failed (active, with consecutive failures). */
  failingOnly?: boolean;
  /** Count pending events only up to this many, so a long backlog costs no more than that; unset counts them all. */
  pendingCap?: number;
}

/** Every endpoint of the workspace with how far it has got and, when it is failing, why. */
export async function listWebhookEndpoints(
  db: DatabaseOrTransaction,
  teamId: string,
  params: ListWebhookEndpointsParams = {},
): Promise<WebhookEndpointState[]> {
  const rows = await db
    .select()
    .from(webhookEndpoints)
    .where(
      and(
        eq(webhookEndpoints.teamId, teamId),
        // The same test the CLI's FAILING uses: the last attempt failed.
        params.failingOnly
          ? and(eq(webhookEndpoints.active, true), gt(webhookEndpoints.consecutiveFailures, 0))
          : undefined,
      ),
    )
    .orderBy(asc(webhookEndpoints.createdAt), asc(webhookEndpoints.id));
  if (rows.length === 0) return [];
  const cap = params.pendingCap === undefined ? sql`` : sql`limit ${Math.max(0, Math.floor(params.pendingCap))}`;
  const backlog = await queryRows<{ id: string; pending: string; waiting_since: string | null }>(
    db,
    sql`select w.id::text as id,
               (select count(*) from (select 1 from events e
                                      where e.team_id = w.team_id and e.id > w.last_event_id ${cap}) p)::text as pending,
               (select to_json(e.at) #>> '{}' from events e
                where e.team_id = w.team_id and e.id > w.last_event_id order by e.id limit 1) as waiting_since
        from webhook_endpoints w
        where w.team_id = ${teamId} and w.id in (${sql.join(
          rows.map((r) => sql`${r.id}::uuid`),
          sql`, `,
        )})`,
  );
  const byId = new Map(backlog.map((b) => [b.id, b]));
  return rows.map((r) => {
    const b = byId.get(r.id);
    const pending = Number(b?.pending ?? 0);
    return {
      id: r.id,
      url: r.url,
      active: r.active,
      lastEventId: r.lastEventId,
      pending,
      pendingCapped: params.pendingCap !== undefined && pending >= params.pendingCap,
      waitingSince: b?.waiting_since ? new Date(b.waiting_since) : null,
      nextAttemptAt: r.nextAttemptAt,
      lastSuccessAt: r.lastSuccessAt,
      lastFailureAt: r.lastFailureAt,
      lastError: r.lastError === null ? null : webhookErrorText(r.lastError),
      consecutiveFailures: r.consecutiveFailures,
      createdAt: r.createdAt,
    };
  });
}

/**
 * A stored error as it may be shown: one line of at most 200 characters, and nothing after an HTTP status. Errors
 * stored now hold only our own words; one stored before that may hold what the receiver answered (its body).
 */
export function webhookErrorText(stored: string): string {
  const line = stored.replace(/\s+/g, ' ').trim();
  const status = /^((?:event \d+: )?HTTP \d{3})\b/.exec(line);
  const text = status?.[1] && !line.startsWith(`${status[1]} (a redirect`) ? status[1] : line;
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

/**
 * When the soonest failing endpoint is due for its retry, or the soonest claim on an endpoint lapses unless renewed
 * (a dead replica's), after `now`: the jobs wake for it rather than at the next minute. Undefined when neither
 * waits. Across workspaces: the scheduler serves them all.
 */
export async function nextWebhookRetryAt(db: DatabaseOrTransaction, now: Date): Promise<Date | undefined> {
  const [row] = await queryRows<{ at: string | null }>(
    db,
    sql`select to_json(least(
               (select min(next_attempt_at) from webhook_endpoints
                where active and consecutive_failures > 0 and next_attempt_at > ${now.toISOString()}::timestamptz),
               (select min(claimed_until) from webhook_endpoints
                where active and claim_token is not null and claimed_until > ${now.toISOString()}::timestamptz)
             )) #>> '{}' as at`,
  );
  return row?.at ? new Date(row.at) : undefined;
}

/** Pending events are counted up to this many for the App Home ("1,000+"). */
export const FAILING_PENDING_CAP = 1_000;

/** A failing endpoint as the App Home shows it: where (never the secret, query or credentials) and how it stands. */
export interface FailingWebhookEndpoint {
  id: string;
  /** Host and path only: a token in the query string or user info is not shown to the whole workspace. */
  displayUrl: string;
  consecutiveFailures: number;
  /**
   * The last failure. The first failure of the current run is not stored (each failure overwrites the last),
   * so "since" is told by `waitingSince`: every failure of a run is on that same oldest waiting event.
   */
  lastFailureAt: Date | null;
  waitingSince: Date | null;
  lastError: string | null;
  nextAttemptAt: Date;
  /** Events waiting for it, counted up to FAILING_PENDING_CAP. */
  pending: number;
  pendingCapped: boolean;
}

/** The workspace's endpoints whose last attempt failed, oldest first; empty when every endpoint is healthy. */
export async function failingWebhookEndpoints(
  db: DatabaseOrTransaction,
  teamId: string,
): Promise<FailingWebhookEndpoint[]> {
  const failing = await listWebhookEndpoints(db, teamId, { failingOnly: true, pendingCap: FAILING_PENDING_CAP });
  return failing.map((e) => ({
    id: e.id,
    displayUrl: webhookDisplayUrl(e.url),
    consecutiveFailures: e.consecutiveFailures,
    lastFailureAt: e.lastFailureAt,
    waitingSince: e.waitingSince,
    lastError: e.lastError?.trim() || null,
    nextAttemptAt: e.nextAttemptAt,
    pending: e.pending,
    pendingCapped: e.pendingCapped,
  }));
}

/** 'erp.example.com/hooks' from 'https://user:pw@erp.example.com/hooks?token=…#x'. */
export function webhookDisplayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    // Stored URLs were parsed when added; should one not parse, show nothing that could be a credential.
    return 'an endpoint with an unreadable URL';
  }
}
