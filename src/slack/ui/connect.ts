// /invoice connect: what the books' connection says, and the private authorize link. Pure builders.

import type { SyncOutcome } from '../../books/sync.js';
import type { LedgerConnectionRow } from '../../db/schema.js';
import { section } from './blocks.js';
import { escapeClip, inline, type SlackMessage } from './text.js';

const when = (at: Date) =>
  `<!date^${Math.floor(at.getTime() / 1000)}^{date_short_pretty} at {time}|${at.toISOString().slice(0, 16).replace('T', ' ')} UTC>`;

const count = (n: number) => n.toLocaleString('en-US');

export function connectionStatusMessage(params: {
  label: string;
  connection: LedgerConnectionRow | undefined;
  unavailable: string | undefined;
  now: Date;
}): SlackMessage {
  const { label, connection: c, now } = params;
  let text: string;
  if (params.unavailable) {
    text = `📒 ${label} cannot be connected here yet: ${escapeClip(params.unavailable, 600)}`;
  } else if (!c || c.status === 'disconnected') {
    text = `📒 ${label} is not connected. A finance admin connects it with \`/invoice connect ${label.toLowerCase()}\`.`;
  } else if (c.status === 'broken') {
    text =
      `⚠️ The ${label} connection to *${inline(c.tenantName, 200)}* is broken${c.brokenAt ? ` since ${when(c.brokenAt)}` : ''}: ` +
      `${escapeClip(c.brokenReason ?? 'it needs reconnecting', 600)} Nothing syncs until it is reconnected.`;
  } else {
    const lines = [
      `📒 Connected to ${label}: *${inline(c.tenantName, 200)}*, by <@${c.connectedBy}> ${when(c.connectedAt)}.`,
    ];
    if (c.syncState) lines.push(`Syncing from ${label}: ${count(c.syncDone)} of ${count(c.syncTotal)}.`);
    else if (c.lastSyncAt)
      lines.push(
        `Last sync ${when(c.lastSyncAt)}; the next within ${Math.max(0, Math.ceil((c.nextSyncAt.getTime() - now.getTime()) / 60_000))} min.`,
      );
    else lines.push('The first sync has not run yet.');
    if (c.lastSyncError) lines.push(`⚠️ ${escapeClip(c.lastSyncError, 1500)}`);
    lines.push(
      `\`/invoice connect ${label.toLowerCase()} sync\` syncs now; \`/invoice connect ${label.toLowerCase()} disconnect\` ends it.`,
    );
    text = lines.join('\n');
  }
  return { text, blocks: [section(text)] };
}

/** The authorize link, privately: it is for this person, once, for 10 minutes. */
export function connectLinkMessage(params: { label: string; url: string }): SlackMessage {
  const href = params.url.replaceAll('&', '&amp;').replaceAll('<', '%3C').replaceAll('>', '%3E');
  const text =
    `🔗 <${href}|Connect ${params.label}> — sign in to ${params.label}, pick the organisation and allow access. ` +
    'The link is only for you, works once, and expires in 10 minutes.';
  return { text, blocks: [section(text)] };
}

export function connectedMessage(params: { label: string; tenantName: string; otherTenants: string[] }): SlackMessage {
  const others =
    params.otherTenants.length > 0
      ? ` You also allowed ${params.otherTenants.map((t) => `*${inline(t, 100)}*`).join(', ')}; this app syncs one organisation, the first.`
      : '';
  const text = `✅ Connected to ${params.label}: *${inline(params.tenantName, 200)}*. The first sync has started (open invoices and those paid in the last 90 days); \`/invoice connect\` shows its progress.${others}`;
  return { text, blocks: [section(text)] };
}

export function disconnectedMessage(params: { label: string; wasConnected: boolean; revoked: boolean }): SlackMessage {
  const text = !params.wasConnected
    ? `${params.label} was not connected.`
    : params.revoked
      ? `Disconnected from ${params.label}: its access is revoked and the tokens are deleted here. Invoices already synced stay.`
      : `Disconnected from ${params.label}: the tokens are deleted here, but ${params.label} could not be reached to revoke the access; remove the app under Connected Apps in ${params.label} to be sure.`;
  return { text, blocks: [section(text)] };
}

export function syncedMessage(params: { label: string; outcome: SyncOutcome | undefined }): SlackMessage {
  const o = params.outcome;
  const text = !o
    ? `A ${params.label} sync is already running, or the connection is not ok: \`/invoice connect\` says which.`
    : `Synced from ${params.label}: ${o.created} new, ${o.updated} updated, ${o.payments} payment${o.payments === 1 ? '' : 's'}, ${o.voided} voided, ${o.clients} new client${o.clients === 1 ? '' : 's'}.` +
      (o.problems.length > 0 ? ` ⚠️ ${o.problems.length} not taken in: \`/invoice connect\` lists them.` : '');
  return { text, blocks: [section(text)] };
}

export function brokenMessage(params: { label: string; reason: string }): SlackMessage {
  const text =
    `⚠️ The books stopped syncing from ${params.label}: ${escapeClip(params.reason, 1500)} ` +
    `Until then payments made in ${params.label} do not reach the cards here.`;
  return { text, blocks: [section(text)] };
}
