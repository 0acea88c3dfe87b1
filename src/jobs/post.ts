// Posting what was decided: claim one → (look first if a previous attempt may have posted) → renew → post →
// mark, each write fenced by the claim's token, so a holder that lost its claim changes nothing and stops.
// An alert is rendered when it is posted, from the live record: what was paid or put on hold since the
// decision is not announced. A failed post is retried with backoff; a give-up is visible, never silent.
import type { WebClient } from '@slack/web-api';
import { invoiceThread, rememberCard } from '../db/cards.js';
import {
  claimDue,
  type DeliveryClaim,
  deliveriesOn,
  findDelivery,
  markDelivered,
  markRetry,
  markSkipped,
  releaseClaim,
  renewClaim,
} from '../db/deliveries.js';
import type { ClaimHolder } from '../db/holder.js';
import type { InvoiceView } from '../db/queries/invoices.js';
import { getClientStats, getLastChase } from '../db/queries/views.js';
import type { DeliveryRow } from '../db/schema.js';
import { isLedgerError } from '../services/errors.js';
import { getInvoice } from '../services/invoices.js';
import { getWorkspace } from '../services/workspaces.js';
import type { SlackClients } from '../slack/clients.js';
import type { SlackDeps } from '../slack/deps.js';
import { describe, type Live } from '../slack/live.js';
import {
  type AlertKind,
  alertLead,
  channelPromptMessage,
  clientAnswerLead,
  followUpLead,
  paidCheckMessage,
  summaryMessage,
} from '../slack/ui/alerts.js';
import { linesMessage } from '../slack/ui/blocks.js';
import { retainerInvoiceLead } from '../slack/ui/retainers.js';
import type { Mrkdwn, SlackMessage } from '../slack/ui/text.js';

export const DELIVERY_EVENT = 'receivables_delivery';
const MAX_ATTEMPTS = 8;
/**
 * A claim lapses this long after its last renewal. The holder renews it every third of that while it works
 * and right before each post, and a post gives up after the jobs' client timeout (10 s): so a live holder
 * never loses a claim to a slow Slack, and a dead one's claims are free within 30 s.
 */
export const DELIVERY_LEASE_MS = 30_000;
/** A claim made or renewed this recently needs no renewal before a post: the lease outlasts the post by far. */
const FRESH_CLAIM_MS = 5_000;
/** At most this many deliveries per pass; the next tick carries on. */
const MAX_PER_PASS = 1_000;
/** Slack allows about one message per second per channel. */
export const CHANNEL_SPACING_MS = 1_100;

export interface PosterEnv extends SlackDeps {
  live: Live;
  /**
   * Posts jobs' messages, with each workspace's own token: no retries of its own (a retried timeout could post
   * twice); we retry. Null for a workspace the app is not installed in: its deliveries are skipped.
   */
  poster: SlackClients;
  sleep(ms: number): Promise<void>;
  /** Who this process is, for its claims (a restart takes over its own predecessor's claims at once). */
  holder: ClaimHolder;
  /** How often a claim is renewed while its delivery is worked on (default a third of the lease). */
  heartbeatMs?: number;
  /** Test hook: throw to simulate a crash at a step. */
  fault?: (step: 'claimed' | 'posted') => void;
}

export interface DeliveryReport {
  delivered: number;
  skipped: number;
  retried: number;
  failed: number;
  /** Claims another holder took over (ours lapsed): the pass stopped there, and posted nothing more. */
  lost: number;
  /** Claims given back unfinished because the process is stopping. */
  released: number;
}

export function emptyReport(): DeliveryReport {
  return { delivered: 0, skipped: 0, retried: 0, failed: 0, lost: 0, released: 0 };
}

/** Thrown out of a step when the pass must let go of its claim: the process is stopping, or the claim was lost. */
class ClaimEnded extends Error {
  constructor(readonly reason: 'stopping' | 'lost') {
    super(reason === 'stopping' ? 'stopping' : 'claim lost to another holder');
  }
}

/** The claim being worked on: renewed on a heartbeat, and ended at once on stop or when it is lost. */
interface HeldClaim extends DeliveryClaim {
  /** Resolves as `work` does, or rejects with ClaimEnded as soon as the claim ends (`work` is abandoned). */
  step<T>(work: Promise<T>): Promise<T>;
  /** Renews now; throws ClaimEnded when the claim is no longer ours or the process is stopping. */
  renew(): Promise<void>;
  /** A post was started: its outcome is unknown until it answers. */
  readonly posting: boolean;
  startPosting(): void;
  end(): void;
}

function holdClaim(env: PosterEnv, claim: DeliveryClaim, stop: StopSignals): HeldClaim {
  const ended = new AbortController();
  let posting = false;
  const end = (reason: ClaimEnded['reason']) => {
    if (!ended.signal.aborted) ended.abort(new ClaimEnded(reason));
  };
  // Stopping: a claim whose post has not started is given back at once; a post under way gets the grace.
  const onDrain = () => {
    if (!posting) end('stopping');
  };
  const onAbort = () => end('stopping');
  if (stop.signal?.aborted) onDrain();
  if (stop.abort?.aborted) onAbort();
  stop.signal?.addEventListener('abort', onDrain, { once: true });
  stop.abort?.addEventListener('abort', onAbort, { once: true });
  let renewedAt = env.ledger.clock.now().getTime();
  const renewNow = async () => {
    const now = env.ledger.clock.now();
    const ours = await renewClaim(env.ledger.db, claim, { now, leaseMs: DELIVERY_LEASE_MS });
    if (!ours) end('lost');
    else renewedAt = now.getTime();
  };
  const heartbeat = setInterval(
    () => {
      renewNow().catch((error) => env.logger.warn(`Renewing the claim on delivery ${claim.key}:`, error));
    },
    env.heartbeatMs ?? DELIVERY_LEASE_MS / 3,
  );
  heartbeat.unref();
  const reason = () => ended.signal.reason as ClaimEnded;
  return {
    ...claim,
    get posting() {
      return posting;
    },
    startPosting() {
      posting = true;
    },
    step(work) {
      if (ended.signal.aborted) return Promise.reject(reason());
      return new Promise((resolve, reject) => {
        const onEnd = () => reject(reason());
        ended.signal.addEventListener('abort', onEnd, { once: true });
        work.then(
          (value) => {
            ended.signal.removeEventListener('abort', onEnd);
            resolve(value);
          },
          (error: unknown) => {
            ended.signal.removeEventListener('abort', onEnd);
            reject(error);
          },
        );
      });
    },
    async renew() {
      if (ended.signal.aborted) throw reason();
      // Claimed or renewed a moment ago: the lease outlasts a post (10 s) by far, and a takeover would need it lapsed.
      if (env.ledger.clock.now().getTime() - renewedAt < FRESH_CLAIM_MS) return;
      await renewNow();
      if (ended.signal.aborted) throw reason();
    },
    end() {
      clearInterval(heartbeat);
      stop.signal?.removeEventListener('abort', onDrain);
      stop.abort?.removeEventListener('abort', onAbort);
    },
  };
}

/** `signal`: take no new claim, give back one whose post has not started. `abort`: abandon a post under way. */
export interface StopSignals {
  signal?: AbortSignal;
  abort?: AbortSignal;
}

/**
 * Posts everything due now, one claim at a time (so a slow Slack never outlives a claim), spacing posts to one
 * channel. On `signal` it takes no new claim and gives back one whose post has not started; on `abort` it gives
 * back the one whose post is under way too, as uncertain. Returns what happened.
 */
export async function deliverDue(
  env: PosterEnv,
  options: { teamId?: string } & StopSignals = {},
): Promise<DeliveryReport> {
  const report = emptyReport();
  const lastPostAt = new Map<string, number>();
  const { db } = env.ledger;
  for (let n = 0; n < MAX_PER_PASS && !options.signal?.aborted; n++) {
    const [delivery] = await claimDue(db, {
      now: env.ledger.clock.now(),
      limit: 1,
      leaseMs: DELIVERY_LEASE_MS,
      holder: env.holder,
      ...(options.teamId ? { teamId: options.teamId } : {}),
    });
    if (!delivery) break;
    env.fault?.('claimed');
    const claim = holdClaim(env, { teamId: delivery.teamId, key: delivery.key, token: delivery.claimToken }, options);
    let outcome: Outcome;
    try {
      const spacing = (lastPostAt.get(delivery.channelId) ?? 0) + CHANNEL_SPACING_MS - Date.now();
      if (spacing > 0) await claim.step(env.sleep(spacing));
      outcome = await deliverOne(env, delivery, claim);
    } catch (error) {
      if (!(error instanceof ClaimEnded)) throw error;
      outcome = error.reason === 'lost' ? 'lost' : 'released';
      if (outcome === 'released') {
        await releaseClaim(db, claim, { now: env.ledger.clock.now(), uncertain: claim.posting });
      }
    } finally {
      claim.end();
    }
    report[outcome] += 1;
    if (outcome === 'delivered') lastPostAt.set(delivery.channelId, Date.now());
    if (outcome === 'lost') {
      env.logger.warn(`Delivery ${delivery.key} in ${delivery.teamId}: its claim was taken over; this pass stops.`);
      break;
    }
    if (outcome === 'released') break;
  }
  return report;
}

type Outcome = keyof DeliveryReport;

/** A fenced write that found the claim no longer ours: the new holder decides. */
function ours(marked: boolean, outcome: Outcome): Outcome {
  return marked ? outcome : 'lost';
}

async function deliverOne(env: PosterEnv, d: DeliveryRow, claim: HeldClaim): Promise<Outcome> {
  const { db } = env.ledger;
  const now = env.ledger.clock.now();
  // Uninstalled (or its tokens revoked) since this was decided: nothing goes to that workspace, not even a look.
  const poster = await env.poster.forTeam(d.teamId);
  if (!poster) return ours(await markSkipped(db, claim, 'the app is not installed in this workspace'), 'skipped');
  let threadTs: string | undefined;
  if (d.parentKey) {
    const parent = await findDelivery(db, d.teamId, d.parentKey);
    if (parent?.status === 'delivered' && parent.postedTs) {
      threadTs = parent.postedTs;
    } else if (parent && (parent.status === 'pending' || parent.status === 'posting')) {
      const marked = await markRetry(db, claim, {
        error: 'waiting for its thread',
        uncertain: d.uncertain,
        nextAttemptAt: new Date(now.getTime() + 5_000),
        refund: true,
      });
      return ours(marked, 'retried');
    }
    // A parent that was skipped or failed: post on its own rather than not at all.
  }

  let content: Rendered | null;
  try {
    content = await render(env, d);
  } catch (error) {
    if (isLedgerError(error, 'INVOICE_NOT_FOUND')) content = null;
    else throw error;
  }
  if (!content) {
    // It no longer applies (say the invoice was paid meanwhile), but a holder that died mid-post may have put its
    // card in Slack already: look first, and remember a card found there so the sweep keeps it live.
    if (d.uncertain) {
      try {
        const channel = await claim.step(resolveChannel(poster, d.channelId));
        const found = await claim.step(findPosted(poster, d, channel, threadTs));
        if (found) {
          if (d.invoiceId) await rememberFoundCard(env, d, { invoiceId: d.invoiceId }, found, threadTs);
          return ours(await markDelivered(db, claim, { channel: found.channel, ts: found.ts, at: now }), 'delivered');
        }
      } catch (error) {
        if (error instanceof ClaimEnded) throw error;
        return retryLater(env, d, claim, error);
      }
    }
    return ours(await markSkipped(db, claim, 'no longer applies'), 'skipped');
  }

  if (content.threadTs) threadTs = content.threadTs;
  const metadata = { event_type: DELIVERY_EVENT, event_payload: { key: d.key } };
  let posted: { channel: string; ts: string };
  try {
    // A private message goes to the person's DM with the app, where it can also be looked for later.
    const channel = await claim.step(resolveChannel(poster, d.channelId));
    // A previous holder may have posted (it crashed, timed out, was stopped or lost its claim mid-post): look.
    if (d.uncertain) {
      const found = await claim.step(findPosted(poster, d, channel, threadTs));
      if (found) {
        if (content.invoiceId) await rememberFoundCard(env, d, content, found, threadTs);
        return ours(await markDelivered(db, claim, { channel: found.channel, ts: found.ts, at: now }), 'delivered');
      }
    }
    // The last moment to find the claim gone: after this the post may reach Slack.
    await claim.renew();
    claim.startPosting();
    if (content.invoiceId) {
      const card = await claim.step(
        env.live.postCard(d.teamId, channel, content.invoiceId, {
          ...(content.lead ? { lead: content.lead } : {}),
          ...(threadTs ? { threadTs } : {}),
          metadata,
        }),
      );
      posted = { channel: card.channelId, ts: card.ts };
    } else {
      const result = await claim.step(
        poster.chat.postMessage({
          channel,
          text: content.message.text,
          blocks: content.message.blocks,
          metadata,
          ...(threadTs ? { thread_ts: threadTs } : {}),
          unfurl_links: false,
        }),
      );
      posted = { channel: result.channel ?? channel, ts: result.ts ?? '' };
    }
  } catch (error) {
    if (error instanceof ClaimEnded) throw error;
    return retryLater(env, d, claim, error);
  }
  env.fault?.('posted');
  const marked = await markDelivered(db, claim, { ...posted, at: env.ledger.clock.now() });
  if (!marked) {
    env.logger.warn(
      `Delivery ${d.key} in ${d.teamId} was posted after its claim was taken over; its new holder looks for it.`,
    );
  }
  return ours(marked, 'delivered');
}

/** A card found after an uncertain attempt is remembered, stale, so the card sweep brings it up to date. */
async function rememberFoundCard(
  env: PosterEnv,
  d: DeliveryRow,
  content: Pick<Rendered, 'invoiceId' | 'lead'>,
  found: { channel: string; ts: string },
  threadTs: string | undefined,
) {
  if (!content.invoiceId) return;
  await rememberCard(env.ledger.db, {
    teamId: d.teamId,
    channelId: found.channel,
    ts: found.ts,
    invoiceId: content.invoiceId,
    lead: content.lead ?? null,
    threadTs: threadTs ?? null,
    renderedVersion: 0,
    renderedOn: '1970-01-01',
  });
}

/** What went wrong decides what is next: a rate limit waits its Retry-After; an unknown outcome is looked up. */
async function retryLater(env: PosterEnv, d: DeliveryRow, claim: DeliveryClaim, error: unknown): Promise<Outcome> {
  const now = env.ledger.clock.now().getTime();
  const e = error as { code?: string; retryAfter?: number; data?: { error?: string } };
  if (e.code === 'slack_webapi_rate_limited_error') {
    const marked = await markRetry(env.ledger.db, claim, {
      error: 'rate limited',
      uncertain: d.uncertain,
      nextAttemptAt: new Date(now + (e.retryAfter ?? 1) * 1000),
      refund: true,
    });
    return ours(marked, 'retried');
  }
  // Slack answered with an error: nothing was posted. Anything else (timeout, network): it may have been.
  const answered = e.code === 'slack_webapi_platform_error';
  const giveUp = d.attempts >= MAX_ATTEMPTS;
  const backoff = Math.min(60 * 60_000, 30_000 * 2 ** Math.max(0, d.attempts - 1));
  const marked = await markRetry(env.ledger.db, claim, {
    error: describe(error),
    uncertain: d.uncertain || !answered,
    nextAttemptAt: new Date(now + backoff),
    giveUp,
  });
  env.logger.warn(
    `Delivery ${d.key} in ${d.teamId} ${giveUp ? 'failed for good' : 'will be retried'}: ${describe(error)}`,
  );
  return ours(marked, giveUp ? 'failed' : 'retried');
}

async function resolveChannel(poster: WebClient, target: string): Promise<string> {
  if (!/^[UW][A-Z0-9]+$/.test(target)) return target;
  const opened = await poster.conversations.open({ users: target });
  return opened.channel?.id ?? target;
}

/**
 * Looks for a message we may already have posted for this delivery (it carries the key in its metadata):
 * among the channel's latest messages, or in the thread it was to go in.
 */
async function findPosted(
  poster: WebClient,
  d: DeliveryRow,
  channel: string,
  threadTs: string | undefined,
): Promise<{ channel: string; ts: string } | undefined> {
  const page = threadTs
    ? await poster.conversations.replies({ channel, ts: threadTs, include_all_metadata: true, limit: 200 })
    : await poster.conversations.history({ channel, include_all_metadata: true, limit: 200 });
  for (const message of page.messages ?? []) {
    const meta = (message as { metadata?: { event_type?: string; event_payload?: { key?: string } } }).metadata;
    if (meta?.event_type === DELIVERY_EVENT && meta.event_payload?.key === d.key && message.ts) {
      return { channel, ts: message.ts };
    }
  }
  return undefined;
}

const ALERT_STILL_APPLIES: Record<AlertKind, (inv: InvoiceView) => boolean> = {
  became_due: (inv) => inv.status.state === 'due' || inv.status.state === 'overdue',
  became_overdue: (inv) => inv.status.state === 'overdue',
  promise_broken: (inv) => inv.status.promiseBroken,
  stale_chase: (inv) => inv.status.stale,
};

interface Rendered {
  message: SlackMessage;
  /** Post the invoice's live card (under `lead`) rather than `message`. */
  invoiceId?: string;
  lead?: Mrkdwn;
  /** Post in this thread. */
  threadTs?: string;
}

/** Whether an alert's invoice still is what the alert says (not paid, not on hold since the decision). */
async function alertStillApplies(
  env: PosterEnv,
  d: DeliveryRow,
  workspace: Awaited<ReturnType<typeof getWorkspace>>,
): Promise<boolean> {
  try {
    const invoice = await getInvoice(env.ledger, d.teamId, d.invoiceId ?? '', workspace);
    return !invoice.status.hold && ALERT_STILL_APPLIES[d.kind as AlertKind](invoice);
  } catch (error) {
    if (isLedgerError(error, 'INVOICE_NOT_FOUND')) return false;
    throw error;
  }
}

async function render(env: PosterEnv, d: DeliveryRow): Promise<Rendered | null> {
  const { ledger } = env;
  switch (d.kind) {
    case 'became_due':
    case 'became_overdue':
    case 'promise_broken':
    case 'stale_chase': {
      const workspace = await getWorkspace(ledger, d.teamId);
      const invoice = await getInvoice(ledger, d.teamId, d.invoiceId ?? '', workspace);
      const kind = d.kind as AlertKind;
      if (invoice.status.hold || !ALERT_STILL_APPLIES[kind](invoice)) return null;
      const stats = await getClientStats(ledger.db, { teamId: d.teamId, clientId: invoice.clientId });
      const lastChase = await getLastChase(ledger.db, { teamId: d.teamId, invoiceId: invoice.id });
      const lead = alertLead(kind, invoice, {
        averageDaysLate: stats.payment.averageDaysLate,
        lastChase,
        timeZone: workspace.timeZone,
      });
      return { message: { text: lead, blocks: [] }, invoiceId: invoice.id, lead };
    }
    case 'paid_check': {
      const invoice = await getInvoice(ledger, d.teamId, d.invoiceId ?? '');
      if (invoice.status.state !== 'due' && invoice.status.state !== 'overdue') return null;
      return { message: paidCheckMessage(invoice) };
    }
    case 'follow_up': {
      // Only while it still makes sense: open and sent, no hold or dispute, and the follow-up not moved since.
      const workspace = await getWorkspace(ledger, d.teamId);
      const invoice = await getInvoice(ledger, d.teamId, d.invoiceId ?? '', workspace);
      const planned = typeof d.payload?.date === 'string' ? d.payload.date : null;
      const state = invoice.status.state;
      const open = (state === 'sent' || state === 'due' || state === 'overdue') && !invoice.voidedAt;
      if (!open || invoice.status.hold || !planned || invoice.nextFollowUp !== planned) return null;
      const lastChase = await getLastChase(ledger.db, { teamId: d.teamId, invoiceId: invoice.id });
      const lead = followUpLead(invoice, { planned, today: d.localDate, lastChase, timeZone: workspace.timeZone });
      return { message: { text: lead, blocks: [] }, invoiceId: invoice.id, lead };
    }
    case 'summary': {
      // Counted as the cards will be posted: one whose invoice was paid or put on hold since the decision (a
      // payment the ledger's sync brought in, say) will be skipped, so it is not announced here either.
      const siblings = await deliveriesOn(ledger.db, d.teamId, d.localDate);
      const counts: Record<AlertKind, number> = { became_due: 0, became_overdue: 0, promise_broken: 0, stale_chase: 0 };
      const workspace = await getWorkspace(ledger, d.teamId);
      const children = siblings.filter((s) => s.parentKey === d.key && s.kind in counts);
      for (const s of children) {
        if (s.status === 'skipped') continue;
        if (s.status !== 'delivered' && !(await alertStillApplies(env, s, workspace))) continue;
        counts[s.kind as AlertKind] += 1;
      }
      // Every alert it was to sum up no longer applies: nothing to say.
      if (children.length > 0 && Object.values(counts).every((n) => n === 0)) return null;
      return { message: summaryMessage(counts, d.localDate) };
    }
    case 'digest':
    case 'digest_reply': {
      // The digest job stored a rendered SlackMessage (its text is Mrkdwn from the digest builders).
      const payload = d.payload as Partial<SlackMessage> | null;
      if (!payload?.text) return null;
      return { message: { text: payload.text, blocks: payload.blocks ?? [] } };
    }
    case 'client_answer': {
      // In the invoice's own thread in the channel when it has one; else its card, under the answer, starts one.
      const invoice = await getInvoice(ledger, d.teamId, d.invoiceId ?? '');
      const lead = clientAnswerLead(invoice, (d.payload ?? {}) as Record<string, unknown>);
      const thread = await invoiceThread(ledger.db, {
        teamId: d.teamId,
        invoiceId: invoice.id,
        channelId: d.channelId,
      });
      if (thread) return { message: linesMessage([lead]), threadTs: thread };
      return { message: linesMessage([lead]), invoiceId: invoice.id, lead };
    }
    case 'retainer_invoice': {
      // The card of the invoice a retainer made, under what it is; not if it was voided since.
      const invoice = await getInvoice(ledger, d.teamId, d.invoiceId ?? '');
      if (invoice.voidedAt) return null;
      const lead = retainerInvoiceLead(invoice, d.payload ?? {});
      return { message: { text: lead, blocks: [] }, invoiceId: invoice.id, lead };
    }
    case 'channel_prompt': {
      const workspace = await getWorkspace(ledger, d.teamId);
      return workspace.financeChannel ? null : { message: channelPromptMessage() };
    }
    default:
      return null;
  }
}
