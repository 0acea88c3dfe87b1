// The App Home tab: a broken connection to the books and a failing ledger webhook first (the books' sync in the
// context line), then what needs action today, then every state with its totals and invoices. Large books are cut
// by lines, never by blocks, so the view stays within 100 blocks and 3,000 characters a section whatever it holds.
import type { Button, HomeView, KnownBlock } from '@slack/types';
import { providerLabel } from '../../books/provider.js';
import type { InvoiceView } from '../../db/queries/invoices.js';
import type { Overview } from '../../db/queries/views.js';
import type { LedgerConnectionRow } from '../../db/schema.js';
import type { OwnerNumbers } from '../../domain/numbers.js';
import { type InvoiceState, isClosed, STATE_ORDER } from '../../domain/status.js';
import type { RetainerView } from '../../services/retainers.js';
import type { SetupGaps } from '../../services/workspaces.js';
import type { FailingWebhookEndpoint } from '../../webhooks/endpoints.js';
import { mrkdwn } from './blocks.js';
import { ledgerSyncLine } from './connect.js';
import { ACTION } from './ids.js';
import { numbersLines } from './numbers.js';
import { invoiceLine } from './phrases.js';
import { homeRetainerBlocks } from './retainers.js';
import { homeSetupBlocks } from './setup.js';
import {
  asOf,
  channelLink,
  esc,
  escapeClip,
  inline,
  joinMd,
  literal,
  localDateTime,
  type Mrkdwn,
  md,
  moneyList,
  packLines,
  plural,
  STATE_AMOUNT_WORD,
  slackDate,
  stateTitle,
} from './text.js';

export interface HomeViewParams {
  overview: Overview;
  /** Today in the workspace's zone. */
  today: string;
  timeZone: string;
  now: Date;
  /** No invoices at all yet: show how to start instead of empty lists. */
  isEmpty: boolean;
  /** The viewer may record payments, void and change settings (a finance admin): and may see why a webhook fails. */
  canHandleMoney: boolean;
  financeChannel: string | null;
  /** Ledger webhook endpoints whose last attempt failed: events are not reaching the books. */
  failingWebhooks?: readonly FailingWebhookEndpoint[];
  /** The books' connections (Xero…) that are not disconnected: their sync, or their break. */
  ledgerConnections?: readonly LedgerConnectionRow[];
  /** What the workspace still has to choose (time zone, finance channel, admins): shown until it is set up. */
  setup?: SetupGaps;
  /** The owner's numbers (DSO, collected, expected in), shown under what needs action. */
  numbers?: OwnerNumbers;
  /** The running and paused retainers, shown under the numbers (their next invoice, amount and client). */
  retainers?: readonly RetainerView[];
}

/** Lines listed under "Needs action today" and under each state; the rest are counted in "and N more". */
export const HOME_NEEDS_ACTION_LINES = 10;
export const HOME_LINES_PER_STATE = 15;
/** Failing webhook endpoints listed in the warning; the rest are counted in "and N more". */
export const HOME_WEBHOOK_LINES = 5;

const COMMAND_FOR: Readonly<Record<InvoiceState, string>> = {
  overdue: '/invoice list overdue',
  due: '/invoice list due',
  sent: '/invoice list sent',
  draft: '/invoice list draft',
  paid: '/invoice list paid',
  credited: '/invoice list credited',
};

function button(text: string, actionId: string, style?: 'primary'): Button {
  return {
    type: 'button',
    text: { type: 'plain_text', text, emoji: true },
    action_id: actionId,
    value: actionId,
    ...(style ? { style } : {}),
  };
}

export function homeView(p: HomeViewParams): HomeView {
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: 'Receivables', emoji: true } },
    {
      type: 'actions',
      elements: [
        button('New invoice', ACTION.homeNewInvoice, 'primary'),
        button('Settings', ACTION.homeSettings),
        button('Refresh', ACTION.homeRefresh),
      ],
    },
    { type: 'context', elements: contextLines(p).map(mrkdwn) },
    ...(p.setup ? homeSetupBlocks({ gaps: p.setup, timeZone: p.timeZone }) : []),
    ...brokenLedgerWarning(p),
    ...webhookWarning(p),
  ];
  if (p.isEmpty) {
    blocks.push(...firstTouch(), ...homeRetainerBlocks(p.retainers ?? []));
    return { type: 'home', blocks };
  }
  blocks.push(
    { type: 'divider' },
    ...needsAction(p.overview),
    ...numbersSection(p.numbers),
    ...homeRetainerBlocks(p.retainers ?? []),
    { type: 'divider' },
  );
  for (const state of STATE_ORDER) {
    // Credited invoices are rare: their section appears only when there are some.
    if (state === 'credited' && p.overview.counts.credited === 0) continue;
    blocks.push(...stateSection(p.overview, state));
  }
  return { type: 'home', blocks };
}

/** DSO, collected and expected in, with how they are worked out (three blocks at most). */
function numbersSection(numbers: OwnerNumbers | undefined): KnownBlock[] {
  if (!numbers) return [];
  const { lines, method } = numbersLines(numbers);
  return [
    { type: 'divider' },
    { type: 'section', text: mrkdwn(joinMd([literal('*The numbers*'), ...lines], '\n')) },
    { type: 'context', elements: [mrkdwn(method)] },
  ];
}

function contextLines(p: HomeViewParams): Mrkdwn[] {
  const channel = channelLink(p.financeChannel);
  const lines = [
    md`${asOf(p.now, p.timeZone)} · ${
      channel ? md`Alerts go to ${channel}` : literal('No finance channel yet: choose one in Settings')
    }`,
  ];
  if (!p.canHandleMoney) {
    lines.push(literal('You can log invoices and chases; payments, voids and settings are for the finance admins.'));
  }
  for (const c of p.ledgerConnections ?? []) {
    if (c.status !== 'ok') continue;
    lines.push(
      md`📒 ${ledgerSyncLine({ label: providerLabel(c.provider), connection: c, timeZone: p.timeZone, now: p.now })}`,
    );
  }
  return lines;
}

/**
 * A broken connection to the books, at the top for everyone (the cards no longer follow the ledger); the
 * finance admins are told how to reconnect. Until someone reconnects.
 */
function brokenLedgerWarning(p: HomeViewParams): KnownBlock[] {
  return (p.ledgerConnections ?? [])
    .filter((c) => c.status === 'broken')
    .map((c) => {
      const label = esc(providerLabel(c.provider));
      const since = c.brokenAt
        ? md` since ${slackDate(c.brokenAt, localDateTime(c.brokenAt, p.timeZone), '{date_short_pretty} at {time}')}`
        : literal('');
      const fix = p.canHandleMoney
        ? md`Reconnect it with \`/invoice connect ${esc(c.provider)}\`.`
        : literal('A finance admin can reconnect it.');
      const text = md`⚠️ *The ${label} connection to ${inline(c.tenantName, 120)} is broken*${since}: ${label} refused to renew it. Until it is reconnected, payments and changes made in ${label} do not reach here, so a card may be out of date. ${fix}`;
      return { type: 'section', text: mrkdwn(text) } satisfies KnownBlock;
    });
}

function firstTouch(): KnownBlock[] {
  return [
    { type: 'section', text: mrkdwn(literal('*Nothing here yet.* Three ways to start:')) },
    {
      type: 'section',
      text: mrkdwn(
        literal('*1. Log your first invoice*\nNumber, client, amount and terms; the due date follows from them.'),
      ),
      accessory: button('New invoice', ACTION.homeNewInvoice, 'primary'),
    },
    {
      type: 'section',
      text: mrkdwn(
        literal(
          '*2. Bring in the invoices you already have*\nExport them from Xero or QuickBooks as CSV and run `npm run cli -- import invoices.csv --dry-run`, then without `--dry-run`.',
        ),
      ),
    },
    {
      type: 'section',
      text: mrkdwn(literal('*3. Choose the finance channel*\nWhere the daily alerts and the weekly digest go.')),
      accessory: button('Settings', ACTION.homeSettings),
    },
  ];
}

/** Overdue and due today, then broken promises and stale chases in the other lists, each invoice once. */
function needsActionInvoices(overview: Overview): InvoiceView[] {
  const seen = new Set<string>();
  const out: InvoiceView[] = [];
  const add = (inv: InvoiceView) => {
    if (!seen.has(inv.id)) {
      seen.add(inv.id);
      out.push(inv);
    }
  };
  overview.invoices.overdue.forEach(add);
  overview.invoices.due.forEach(add);
  for (const state of STATE_ORDER) {
    for (const inv of overview.invoices[state]) {
      if (inv.status.needsAction && (inv.status.promiseBroken || inv.status.stale)) add(inv);
    }
  }
  return out;
}

function needsAction(overview: Overview): KnownBlock[] {
  const n = overview.needsAction;
  const counts = [
    n.overdue > 0 ? md`🔴 ${n.overdue} overdue` : null,
    n.due > 0 ? md`🟡 ${n.due} due today` : null,
    n.promisesBroken > 0 ? md`💔 ${plural(n.promisesBroken, 'broken promise')}` : null,
    n.stale > 0 ? md`💤 ${plural(n.stale, 'stale chase')}` : null,
  ].filter((c): c is Mrkdwn => c !== null);
  if (counts.length === 0) {
    return [
      {
        type: 'section',
        text: mrkdwn(literal('*Needs action today*\n🎉 Nothing: no invoice is due, late or waiting on a chase.')),
      },
    ];
  }
  const invoices = needsActionInvoices(overview);
  // Overdue and due invoices beyond the overview's lists still need action: count them in "and N more".
  const unlisted =
    Math.max(0, overview.counts.overdue - overview.invoices.overdue.length) +
    Math.max(0, overview.counts.due - overview.invoices.due.length);
  const lines = [
    md`*Needs action today*\n${joinMd(counts, ' · ')}`,
    ...invoices.slice(0, HOME_NEEDS_ACTION_LINES).map((inv) => invoiceLine(inv, { marker: true })),
  ];
  const texts = packLines(lines, {
    maxTexts: 2,
    total: invoices.length + unlisted + 1,
    more: (hidden) => md`_…and ${hidden} more: see the lists below or \`/invoice list\`_`,
  });
  return texts.map((text) => ({ type: 'section', text: mrkdwn(text) }));
}

function stateSection(overview: Overview, state: InvoiceState): KnownBlock[] {
  const count = overview.counts[state];
  const totals = overview.totals
    .filter((t) => t.state === state)
    .map((t) => ({ currency: t.currency, minor: isClosed(state) ? t.totalMinor : t.dueMinor }));
  const heading =
    count === 0
      ? md`*${stateTitle(state)}* — none`
      : md`*${stateTitle(state)}* — ${plural(count, 'invoice')} · ${moneyList(totals)} ${STATE_AMOUNT_WORD[state]}`;
  const lines = [heading, ...overview.invoices[state].slice(0, HOME_LINES_PER_STATE).map((inv) => invoiceLine(inv))];
  const texts = packLines(lines, {
    maxTexts: 2,
    total: Math.max(count, overview.invoices[state].length) + 1,
    more: (hidden) => md`_…and ${hidden} more: \`${esc(COMMAND_FOR[state])}\`_`,
  });
  return texts.map((text) => ({ type: 'section', text: mrkdwn(text) }));
}

/** One section warning that ledger events are not reaching the books; nothing when every endpoint is healthy. */
function webhookWarning(p: HomeViewParams): KnownBlock[] {
  const failing = p.failingWebhooks ?? [];
  const [only] = failing;
  if (!only) return [];
  if (!p.canHandleMoney) return [{ type: 'section', text: mrkdwn(memberWebhookWarning(failing, p)) }];
  const remove = (id: string) => md`\`/invoice webhooks remove ${escapeClip(id, 40)}\``;
  if (failing.length === 1) {
    const headline = md`⚠️ *Ledger webhook ${endpointName(only)} is failing:*`;
    const text = md`${headline} ${webhookFacts(only, p)} — fix the endpoint or remove it with ${remove(only.id)}`;
    return [{ type: 'section', text: mrkdwn(text) }];
  }
  const headline = md`⚠️ *${plural(failing.length, 'ledger webhook')} are failing*`;
  const lines = [
    md`${headline} — events are not reaching your books. Fix each endpoint or remove it:`,
    ...failing
      .slice(0, HOME_WEBHOOK_LINES)
      .map((e) => md`• *${endpointName(e)}*: ${webhookFacts(e, p)} · ${remove(e.id)}`),
  ];
  const [text = literal('')] = packLines(lines, {
    maxTexts: 1,
    total: failing.length + 1,
    more: (hidden) => md`_…and ${hidden} more: \`/invoice webhooks\`_`,
  });
  return [{ type: 'section', text: mrkdwn(text) }];
}

/**
 * For a viewer who is not a finance admin: that events are not reaching the books and since when. Where the
 * endpoints are and why they fail (an internal service's words, perhaps) is for the finance admins.
 */
function memberWebhookWarning(failing: readonly FailingWebhookEndpoint[], p: HomeViewParams): Mrkdwn {
  const since = failing
    .map((e) => e.waitingSince ?? e.lastFailureAt)
    .filter((d): d is Date => d !== null)
    .reduce<Date | null>((first, d) => (first === null || d < first ? d : first), null);
  const when = since
    ? md` since ${slackDate(since, localDateTime(since, p.timeZone), '{date_short_pretty} at {time}')}`
    : literal('');
  const what =
    failing.length === 1
      ? literal('A ledger webhook is failing')
      : md`${plural(failing.length, 'ledger webhook')} are failing`;
  return md`⚠️ *${what}*${when}: events are not reaching your books. A finance admin can see why with \`/invoice webhooks\`.`;
}

function endpointName(e: FailingWebhookEndpoint): Mrkdwn {
  return inline(e.displayUrl, 120);
}

/** "12 events waiting since … · failed 3 times in a row, the last … · last error 'HTTP 500' · next try …" */
function webhookFacts(e: FailingWebhookEndpoint, p: HomeViewParams): Mrkdwn {
  const at = (date: Date) => slackDate(date, localDateTime(date, p.timeZone), '{date_short_pretty} at {time}');
  const count = e.pendingCapped ? md`${e.pending}+ events` : plural(e.pending, 'event');
  const last = e.lastFailureAt ? at(e.lastFailureAt) : null;
  const failures =
    e.consecutiveFailures === 1
      ? md`failed once${last ? md`, ${last}` : literal('')}`
      : md`failed ${e.consecutiveFailures} times in a row${last ? md`, the last ${last}` : literal('')}`;
  const facts = [
    e.waitingSince ? md`${count} waiting since ${at(e.waitingSince)}` : md`${count} waiting`,
    failures,
    e.lastError ? md`last error '${inline(e.lastError, 160)}'` : null,
    e.nextAttemptAt > p.now ? md`next try ${at(e.nextAttemptAt)}` : 'next try any moment',
  ].filter((fact): fact is Mrkdwn => fact !== null);
  return joinMd(facts, ' · ');
}
