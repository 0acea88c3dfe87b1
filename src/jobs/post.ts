// Posting what was decided: claim → (look first if a previous attempt may have posted) → post → mark.
// An alert is rendered when it is posted, from the live record: what was paid or put on hold since the
// decision is not announced. A failed post is retried with backoff; a give-up is visible, never silent.
import type { WebClient } from '@slack/web-api';
import { invoiceThread } from '../db/queries/cards.js';
import type { InvoiceView } from '../db/queries/invoices.js';
import { getClientStats, getLastChase } from '../db/queries/views.js';
import type { DeliveryRow } from '../db/schema.js';
import { isLedgerError } from '../services/errors.js';
import { getInvoice } from '../services/invoices.js';
import { getWorkspace } from '../services/workspaces.js';
import type { SlackDeps } from '../slack/deps.js';
import { describe, type Live } from '../slack/live.js';
import {
  type AlertKind,
  alertLead,
  channelPromptMessage,
  clientAnswerLead,
  paidCheckMessage,
  summaryMessage,
} from '../slack/ui/alerts.js';
import { linesMessage } from '../slack/ui/blocks.js';
import type { Mrkdwn, SlackMessage } from '../slack/ui/text.js';
import { claimDue, deliveriesOn, findDelivery, markDelivered, markRetry, markSkipped } from './deliveries.js';

export const DELIVERY_EVENT = 'receivables_delivery';
const MAX_ATTEMPTS = 8;
const LEASE_MS = 2 * 60_000;
/** Slack allows about one message per second per channel. */
export const CHANNEL_SPACING_MS = 1_100;

export interface PosterEnv extends SlackDeps {
  live: Live;
  /** Posts jobs' messages: no retries of its own (a retried timeout could post twice); we retry. */
  poster: WebClient;
  sleep(ms: number): Promise<void>;
  /** Test hook: throw to simulate a crash at a step. */
  fault?: (step: 'claimed' | 'posted') => void;
}

export interface DeliveryReport {
  delivered: number;
  skipped: number;
  retried: number;
  failed: number;
}

/** Posts everything due now, in order, spacing posts to one channel. Returns what happened. */
export async function deliverDue(
  env: PosterEnv,
  options: { limit?: number; teamId?: string } = {},
): Promise<DeliveryReport> {
  const report: DeliveryReport = { delivered: 0, skipped: 0, retried: 0, failed: 0 };
  const lastPostAt = new Map<string, number>();
  for (let round = 0; round < 20; round++) {
    const claimed = await claimDue(env.ledger.db, {
      now: env.ledger.clock.now(),
      limit: options.limit ?? 50,
      leaseMs: LEASE_MS,
      ...(options.teamId ? { teamId: options.teamId } : {}),
    });
    if (claimed.length === 0) break;
    env.fault?.('claimed');
    for (const delivery of claimed) {
      const spacing = (lastPostAt.get(delivery.channelId) ?? 0) + CHANNEL_SPACING_MS - Date.now();
      if (spacing > 0) await env.sleep(spacing);
      const outcome = await deliverOne(env, delivery);
      report[outcome] += 1;
      if (outcome === 'delivered') lastPostAt.set(delivery.channelId, Date.now());
    }
  }
  return report;
}

type Outcome = keyof DeliveryReport;

async function deliverOne(env: PosterEnv, d: DeliveryRow): Promise<Outcome> {
  const { db } = env.ledger;
  const now = env.ledger.clock.now();
  let threadTs: string | undefined;
  if (d.parentKey) {
    const parent = await findDelivery(db, d.teamId, d.parentKey);
    if (parent?.status === 'delivered' && parent.postedTs) {
      threadTs = parent.postedTs;
    } else if (parent && (parent.status === 'pending' || parent.status === 'posting')) {
      await markRetry(db, d, {
        error: 'waiting for its thread',
        uncertain: d.uncertain,
        nextAttemptAt: new Date(now.getTime() + 5_000),
        refund: true,
      });
      return 'retried';
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
    await markSkipped(db, d, 'no longer applies');
    return 'skipped';
  }

  if (content.threadTs) threadTs = content.threadTs;
  const metadata = { event_type: DELIVERY_EVENT, event_payload: { key: d.key } };
  // A private message goes to the person's DM with the app, where it can also be looked for later.
  const channel = await resolveChannel(env, d.channelId);
  if (d.uncertain) {
    const found = await findPosted(env, d, channel, threadTs);
    if (found) {
      await markDelivered(db, d, { channel: found.channel, ts: found.ts, at: now });
      return 'delivered';
    }
  }
  let posted: { channel: string; ts: string };
  try {
    if (content.invoiceId) {
      const card = await env.live.postCard(d.teamId, channel, content.invoiceId, {
        ...(content.lead ? { lead: content.lead } : {}),
        ...(threadTs ? { threadTs } : {}),
        metadata,
      });
      posted = { channel: card.channelId, ts: card.ts };
    } else {
      const result = await env.poster.chat.postMessage({
        channel,
        text: content.message.text,
        blocks: content.message.blocks,
        metadata,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        unfurl_links: false,
      });
      posted = { channel: result.channel ?? channel, ts: result.ts ?? '' };
    }
  } catch (error) {
    return retryLater(env, d, error);
  }
  env.fault?.('posted');
  await markDelivered(db, d, { ...posted, at: env.ledger.clock.now() });
  return 'delivered';
}

/** What went wrong decides what is next: a rate limit waits its Retry-After; an unknown outcome is looked up. */
async function retryLater(env: PosterEnv, d: DeliveryRow, error: unknown): Promise<Outcome> {
  const now = env.ledger.clock.now().getTime();
  const e = error as { code?: string; retryAfter?: number; data?: { error?: string } };
  if (e.code === 'slack_webapi_rate_limited_error') {
    await markRetry(env.ledger.db, d, {
      error: 'rate limited',
      uncertain: d.uncertain,
      nextAttemptAt: new Date(now + (e.retryAfter ?? 1) * 1000),
      refund: true,
    });
    return 'retried';
  }
  // Slack answered with an error: nothing was posted. Anything else (timeout, network): it may have been.
  const answered = e.code === 'slack_webapi_platform_error';
  const giveUp = d.attempts >= MAX_ATTEMPTS;
  const backoff = Math.min(60 * 60_000, 30_000 * 2 ** Math.max(0, d.attempts - 1));
  await markRetry(env.ledger.db, d, {
    error: describe(error),
    uncertain: d.uncertain || !answered,
    nextAttemptAt: new Date(now + backoff),
    giveUp,
  });
  env.logger.warn(
    `Delivery ${d.key} in ${d.teamId} ${giveUp ? 'failed for good' : 'will be retried'}: ${describe(error)}`,
  );
  return giveUp ? 'failed' : 'retried';
}

async function resolveChannel(env: PosterEnv, target: string): Promise<string> {
  if (!/^[UW][A-Z0-9]+$/.test(target)) return target;
  const opened = await env.poster.conversations.open({ users: target });
  return opened.channel?.id ?? target;
}

/**
 * Looks for a message we may already have posted for this delivery (it carries the key in its metadata):
 * among the channel's latest messages, or in the thread it was to go in.
 */
async function findPosted(
  env: PosterEnv,
  d: DeliveryRow,
  channel: string,
  threadTs: string | undefined,
): Promise<{ channel: string; ts: string } | undefined> {
  const page = threadTs
    ? await env.poster.conversations.replies({ channel, ts: threadTs, include_all_metadata: true, limit: 200 })
    : await env.poster.conversations.history({ channel, include_all_metadata: true, limit: 200 });
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
    case 'summary': {
      const siblings = await deliveriesOn(ledger.db, d.teamId, d.localDate);
      const counts: Record<AlertKind, number> = { became_due: 0, became_overdue: 0, promise_broken: 0, stale_chase: 0 };
      for (const s of siblings) if (s.parentKey === d.key && s.kind in counts) counts[s.kind as AlertKind] += 1;
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
    case 'channel_prompt': {
      const workspace = await getWorkspace(ledger, d.teamId);
      return workspace.financeChannel ? null : { message: channelPromptMessage() };
    }
    default:
      return null;
  }
}
