// /invoice connect: what the books' connection says, and the private authorize link. Pure builders.

import type { SyncOutcome } from '../../books/sync.js';
import type { LedgerConnectionRow } from '../../db/schema.js';
import { localDateOf, localTimeOf } from '../../domain/dates.js';
import { section } from './blocks.js';
import {
  esc,
  escapeClip,
  inline,
  joinMd,
  labelledLink,
  literal,
  type Mrkdwn,
  md,
  mention,
  plural,
  type SlackMessage,
  slackDate,
} from './text.js';

const when = (at: Date) =>
  slackDate(at, `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`, '{date_short_pretty} at {time}');

const message = (text: Mrkdwn): SlackMessage => ({ text, blocks: [section(text)] });

const count = (n: number) => esc(n.toLocaleString('en-US'));

/** "Syncing from Xero: 1,200 of 5,000" (the total as the ledger reports it), or "1,200 so far" when it has not. */
export function syncProgress(label: string, c: Pick<LedgerConnectionRow, 'syncDone' | 'syncTotal'>): Mrkdwn {
  const done = Math.max(0, c.syncDone);
  // The sync keeps the total at least what it has done: a total no larger is one the ledger has not given (yet).
  const of = c.syncTotal > done ? md` of ${count(c.syncTotal)}` : literal(' so far');
  return md`Syncing from ${esc(label)}: ${count(done)}${of}`;
}

/**
 * One line on whether the cards can be trusted to follow the ledger: its sync's progress while one runs, else
 * "In step with Xero · last sync 12:04" in the workspace's zone (with the date when not today).
 */
export function ledgerSyncLine(params: {
  label: string;
  connection: Pick<LedgerConnectionRow, 'syncState' | 'syncDone' | 'syncTotal' | 'lastSyncAt' | 'lastSyncError'>;
  timeZone: string;
  now: Date;
}): Mrkdwn {
  const { connection: c, timeZone } = params;
  const label = esc(params.label);
  if (c.syncState) return syncProgress(params.label, c);
  if (!c.lastSyncAt) return md`Connected to ${label}: the first sync starts in a moment`;
  const day = localDateOf(c.lastSyncAt, timeZone);
  const at = esc(
    day === localDateOf(params.now, timeZone)
      ? localTimeOf(c.lastSyncAt, timeZone)
      : `${day} ${localTimeOf(c.lastSyncAt, timeZone)}`,
  );
  const trouble = c.lastSyncError ? literal(' · ⚠️ `/invoice connect` says what went wrong') : literal('');
  return md`In step with ${label} · last sync ${at}${trouble}`;
}

export interface LedgerStatus {
  label: string;
  connection: LedgerConnectionRow | undefined;
  unavailable: string | undefined;
  now: Date;
}

export function connectionStatusMessage(params: LedgerStatus): SlackMessage {
  return message(statusText(params));
}

/**
 * `/invoice connect` over every ledger this app knows: the one connected (or broken) alone when there is one — a
 * workspace keeps one ledger at a time; else each that can be connected; else why none can.
 */
export function connectionsStatusMessage(ledgers: readonly LedgerStatus[]): SlackMessage {
  const connected = ledgers.filter((l) => !l.unavailable && l.connection && l.connection.status !== 'disconnected');
  const available = ledgers.filter((l) => !l.unavailable);
  const shown = connected.length > 0 ? connected : available.length > 0 ? available : ledgers;
  return message(joinMd(shown.map(statusText), '\n\n'));
}

function statusText(params: LedgerStatus): Mrkdwn {
  const { connection: c, now } = params;
  const label = esc(params.label);
  const command = esc(params.label.toLowerCase());
  if (params.unavailable) {
    return md`📒 ${label} cannot be connected here yet: ${escapeClip(params.unavailable, 600)}`;
  }
  if (!c || c.status === 'disconnected') {
    return md`📒 ${label} is not connected. A finance admin connects it with \`/invoice connect ${command}\`.`;
  }
  if (c.status === 'broken') {
    const since = c.brokenAt ? md` since ${when(c.brokenAt)}` : literal('');
    return md`⚠️ The ${label} connection to *${inline(c.tenantName, 200)}* is broken${since}: ${escapeClip(c.brokenReason ?? 'it needs reconnecting', 600)} Nothing syncs until it is reconnected.`;
  }
  const lines: Mrkdwn[] = [
    md`📒 Connected to ${label}: *${inline(c.tenantName, 200)}*, by ${mention(c.connectedBy)} ${when(c.connectedAt)}.`,
  ];
  if (c.syncState) {
    lines.push(md`${syncProgress(params.label, c)}.`);
  } else if (c.lastSyncAt) {
    const minutes = Math.max(0, Math.ceil((c.nextSyncAt.getTime() - now.getTime()) / 60_000));
    lines.push(md`Last sync ${when(c.lastSyncAt)}; the next within ${minutes} min.`);
  } else {
    lines.push(literal('The first sync has not run yet.'));
  }
  if (c.lastSyncError) lines.push(md`⚠️ ${escapeClip(c.lastSyncError, 1500)}`);
  lines.push(md`\`/invoice connect ${command} sync\` syncs now; \`/invoice connect ${command} disconnect\` ends it.`);
  return joinMd(lines, '\n');
}

/** The authorize link, privately: it is for this person, once, for 10 minutes. */
export function connectLinkMessage(params: { label: string; url: string }): SlackMessage {
  const label = esc(params.label);
  return message(
    md`🔗 ${labelledLink(params.url, md`Connect ${label}`)} — sign in to ${label}, pick the organisation and allow access. The link is only for you, works once, and expires in 10 minutes.`,
  );
}

export function connectedMessage(params: { label: string; tenantName: string }): SlackMessage {
  return message(
    md`✅ Connected to ${esc(params.label)}: *${inline(params.tenantName, 200)}*. The first sync has started (open invoices and those paid in the last 90 days); the App Home and \`/invoice connect\` show its progress.`,
  );
}

export function disconnectedMessage(params: { label: string; wasConnected: boolean; revoked: boolean }): SlackMessage {
  const label = esc(params.label);
  if (!params.wasConnected) return message(md`${label} was not connected.`);
  return message(
    params.revoked
      ? md`Disconnected from ${label}: its access is revoked and the tokens are deleted here. Invoices already synced stay.`
      : md`Disconnected from ${label}: the tokens are deleted here, but ${label} could not be reached to revoke the access; remove the app under Connected Apps in ${label} to be sure.`,
  );
}

export function syncedMessage(params: { label: string; outcome: SyncOutcome | undefined }): SlackMessage {
  const o = params.outcome;
  const label = esc(params.label);
  if (!o) {
    return message(
      md`A ${label} sync is already running, or the connection is not ok: \`/invoice connect\` says which.`,
    );
  }
  const problems =
    o.problems.length > 0 ? md` ⚠️ ${o.problems.length} not taken in: \`/invoice connect\` lists them.` : literal('');
  return message(
    md`Synced from ${label}: ${o.created} new, ${o.updated} updated, ${plural(o.payments, 'payment')}, ${o.voided} voided, ${plural(o.clients, 'new client')}.${problems}`,
  );
}

export function brokenMessage(params: { label: string; provider: string; reason: string }): SlackMessage {
  const label = esc(params.label);
  return message(
    md`⚠️ The books stopped syncing from ${label}: ${escapeClip(params.reason, 1500)} Until a finance admin reconnects with \`/invoice connect ${esc(params.provider)}\`, payments made in ${label} do not reach the cards here.`,
  );
}
