// Deciding what the finance channel must hear today: one decision per invoice and kind under a key
// with the local date. Planning is idempotent; run it on every tick and at start to catch up.

import { type Decision, type DeliveryKind, decide } from '../db/deliveries.js';
import { getFollowUpsDue } from '../db/queries/follow-ups.js';
import { type DayChangeKind, getDayChangeIds } from '../db/queries/views.js';
import type { WorkspaceRow } from '../db/schema.js';
import { addDays, instantAt, localTimeOf, todayIn } from '../domain/dates.js';
import { alertDatesFor, digestInstant, latestDigestDate } from '../domain/schedule.js';
import type { LedgerContext } from '../services/context.js';
import { holidayCalendar } from '../services/holidays.js';

/** More alerts than this in one day become one summary message with the cards in its thread. */
export const SUMMARY_THRESHOLD = 5;
/** The owner's "did they pay?" comes first; the channel hears of a newly Due invoice this much later. */
export const HEADS_UP_GRACE_MS = 30 * 60_000;
/** A missed digest is dropped if the next one is due sooner than this. */
export const SKIP_MISSED_DIGEST_WITHIN_MS = 12 * 3_600_000;

const SEVERITY: DeliveryKind[] = ['became_overdue', 'became_due', 'promise_broken', 'stale_chase'];
const CHANGE_KIND: Readonly<Record<DayChangeKind, DeliveryKind>> = {
  overdue: 'became_overdue',
  due: 'became_due',
  broken: 'promise_broken',
  stale: 'stale_chase',
};

/** The alerts due for a workspace at `now`: nothing before its alert time or on a day off (a weekend, a holiday). */
export async function planAlerts(ledger: LedgerContext, workspace: WorkspaceRow, now: Date): Promise<Decision[]> {
  if (!workspace.financeChannel) return [];
  const today = todayIn(workspace.timeZone, now);
  if (localTimeOf(now, workspace.timeZone) < workspace.alertTime) return [];
  const holidays = await holidayCalendar(workspace.holidayCountry, workspace.holidayRegion);
  const dates = alertDatesFor(today, workspace.workingDays, holidays);
  if (dates.length === 0) return [];

  // Each invoice once, with its most severe change over the dates this working day covers. Only ids and
  // owners are read here: every minute's tick plans again, and alerts render from the live record when posted.
  const chosen = new Map<string, { kind: DeliveryKind; ownerUserId: string | null }>();
  for (const change of await getDayChangeIds(ledger.db, { workspace, dates })) {
    const kind = CHANGE_KIND[change.change];
    const previous = chosen.get(change.id);
    if (!previous || SEVERITY.indexOf(kind) < SEVERITY.indexOf(previous.kind)) {
      chosen.set(change.id, { kind, ownerUserId: change.ownerUserId });
    }
  }
  if (chosen.size === 0) return [];

  const summaryKey = `summary:${today}`;
  const grouped = chosen.size > SUMMARY_THRESHOLD;
  const decisions: Decision[] = [];
  if (grouped) {
    decisions.push({
      teamId: workspace.teamId,
      key: summaryKey,
      kind: 'summary',
      localDate: today,
      channelId: workspace.financeChannel,
    });
  }
  for (const [invoiceId, { kind, ownerUserId }] of chosen) {
    const headsUp = kind === 'became_due' && ownerUserId !== null;
    if (headsUp) {
      decisions.push({
        teamId: workspace.teamId,
        key: `paid_check:${invoiceId}:${today}`,
        kind: 'paid_check',
        invoiceId,
        localDate: today,
        channelId: ownerUserId,
      });
    }
    decisions.push({
      teamId: workspace.teamId,
      key: `${kind}:${invoiceId}:${today}`,
      kind,
      invoiceId,
      localDate: today,
      channelId: workspace.financeChannel,
      parentKey: grouped ? summaryKey : null,
      ...(headsUp ? { notBefore: new Date(now.getTime() + HEADS_UP_GRACE_MS) } : {}),
    });
  }
  return decisions;
}

/**
 * The week's digest, once: due at the workspace's digest day and time, caught up at the next tick if
 * the app was down then (one digest, never one per missed week). Content is rendered by `render`.
 */
export function planDigest(workspace: WorkspaceRow, now: Date): { date: string; key: string } | undefined {
  if (!workspace.financeChannel) return undefined;
  const today = todayIn(workspace.timeZone, now);
  const date = latestDigestDate(today, localTimeOf(now, workspace.timeZone), {
    weekday: workspace.digestWeekday,
    time: workspace.digestTime,
  });
  // A workspace set up after that digest was due starts with the next one.
  if (digestInstant(date, workspace.digestTime, workspace.timeZone) < workspace.createdAt) return undefined;
  // A missed digest is not caught up when the next one is due within hours: that one will say it all.
  const next = digestInstant(addDays(date, 7), workspace.digestTime, workspace.timeZone);
  if (next.getTime() - now.getTime() < SKIP_MISSED_DIGEST_WITHIN_MS) return undefined;
  return { date, key: `digest:${date}` };
}

/**
 * The follow-ups planned for the dates this working day covers (a weekend's or a holiday's on the next working
 * day), at the alert time: one
 * nudge per invoice and planned date, to its owner in a DM, or to the finance channel when nobody owns it.
 */
export async function planFollowUps(ledger: LedgerContext, workspace: WorkspaceRow, now: Date): Promise<Decision[]> {
  const today = todayIn(workspace.timeZone, now);
  if (localTimeOf(now, workspace.timeZone) < workspace.alertTime) return [];
  const holidays = await holidayCalendar(workspace.holidayCountry, workspace.holidayRegion);
  const dates = alertDatesFor(today, workspace.workingDays, holidays);
  if (dates.length === 0) return [];
  const decisions: Decision[] = [];
  for (const due of await getFollowUpsDue(ledger.db, { teamId: workspace.teamId, dates })) {
    const to = due.ownerUserId ?? workspace.financeChannel;
    if (!to) continue;
    decisions.push({
      teamId: workspace.teamId,
      key: `follow_up:${due.invoiceId}:${due.date}`,
      kind: 'follow_up',
      invoiceId: due.invoiceId,
      localDate: today,
      channelId: to,
      payload: { date: due.date },
    });
  }
  return decisions;
}

/** A workspace with no finance channel gets one prompt to choose it, to its first admin. */
export function planChannelPrompt(workspace: WorkspaceRow, now: Date): Decision | undefined {
  const admin = workspace.financeAdmins[0];
  if (workspace.financeChannel || !admin) return undefined;
  return {
    teamId: workspace.teamId,
    key: 'channel_prompt',
    kind: 'channel_prompt',
    localDate: todayIn(workspace.timeZone, now),
    channelId: admin,
  };
}

/**
 * When the workspace must next be planned after a run at `now`, if nothing changes meanwhile: its next alert time
 * (alerts, follow-ups and the channel prompt are planned then) or its next digest, whichever comes first. A change
 * to its settings or invoices asks for a plan sooner (src/db/plans.ts).
 */
export function nextPlanAt(
  workspace: Pick<WorkspaceRow, 'timeZone' | 'alertTime' | 'digestWeekday' | 'digestTime'>,
  now: Date,
): Date {
  const tz = workspace.timeZone;
  const today = todayIn(tz, now);
  const time = localTimeOf(now, tz);
  // The same test as planAlerts: before the alert time today, today's; else tomorrow's.
  const alert = instantAt(time < workspace.alertTime ? today : addDays(today, 1), workspace.alertTime, tz);
  const latest = latestDigestDate(today, time, { weekday: workspace.digestWeekday, time: workspace.digestTime });
  const digest = digestInstant(addDays(latest, 7), workspace.digestTime, tz);
  return alert < digest ? alert : digest;
}

export async function recordAlerts(ledger: LedgerContext, workspace: WorkspaceRow, now: Date): Promise<number> {
  const decisions = [...(await planAlerts(ledger, workspace, now)), ...(await planFollowUps(ledger, workspace, now))];
  const prompt = planChannelPrompt(workspace, now);
  return decide(ledger.db, prompt ? [...decisions, prompt] : decisions, now);
}
