// Messages answering /invoice: help, lists, a client's record, and the not-found, error and denied replies.
// A message holds at most 50 blocks and about 12,000 characters of block text: lists are cut by lines.
import type { KnownBlock } from '@slack/types';
import type { ClientRecord, Overview } from '../../db/queries/views.js';
import type { ClientLinkRow } from '../../db/schema.js';
import { isClosed, STATE_LABEL, STATE_ORDER } from '../../domain/status.js';
import { context, section } from './blocks.js';
import { eventLine, invoiceLine } from './phrases.js';
import {
  asOf,
  days,
  esc,
  escapeClip,
  inline,
  joinMd,
  literal,
  localDateTime,
  type Mrkdwn,
  md,
  mention,
  money,
  moneyList,
  packLines,
  plural,
  type SlackMessage,
  STATE_AMOUNT_WORD,
  stateTitle,
  truncate,
} from './text.js';

// ---------------------------------------------------------------------------------------------------------
// Help

const COMMANDS: readonly Mrkdwn[] = [
  literal('`/invoice new` — log an invoice (opens a form)'),
  literal('`/invoice list [state] [client]` — what is open, e.g. `/invoice list overdue` or `/invoice list Acme`'),
  literal('`/invoice show INV-001` — one invoice, with buttons to act on it'),
  literal('`/invoice client Acme` — what a client owes and how late they usually pay'),
  literal(
    '`/invoice paid INV-001 [amount] [date]` — record a payment, e.g. `/invoice paid INV-001 2,500 2026-11-14` (a number with spaces in quotes: `"INV 7"`)',
  ),
  literal(
    '`/invoice chase INV-001 [what happened]` — log a chase, e.g. `/invoice chase INV-001 called, paying Friday`',
  ),
  literal('`/invoice import` — invoices from a CSV (Xero, QuickBooks or ours), checked before anything is saved'),
  literal('`/invoice export [invoices|history] [from DATE] [to DATE]` — a CSV in your DM with the app'),
  literal(
    '`/invoice share Acme` — a private status page for the client, where they see their invoices and answer (`new` replaces the link, `revoke` ends it)',
  ),
  literal(
    '`/invoice webhooks` — the ledger’s webhook endpoints and how their deliveries stand (`add https://…` adds one, `remove ID` removes one)',
  ),
  literal(
    '`/invoice digest` — the weekly digest now, just for you (`/invoice digest post` posts it to the finance channel)',
  ),
  literal(
    '`/invoice connect` — how the books’ connection stands (`/invoice connect xero` or `/invoice connect quickbooks` connects one; add `sync` to sync now, `payments` to post payments recorded here to the books, `disconnect` to end it); an invoice from the books takes its number, total, dates, payments and voids from there',
  ),
  literal(
    '`/invoice recurring` — the retainers (invoices made on a schedule): `new` sets one up, `edit ID` opens its form, `pause`, `resume` or `end ID` changes one',
  ),
  literal(
    '`/invoice rates` — the reporting currency and exchange rates, each with its date (`currency USD` names it, `EUR 1.08 [date]` sets a rate; finance admins)',
  ),
  literal('`/invoice settings` — the finance channel, alert times and who may record payments'),
];

export function helpMessage(p: { isEmpty: boolean }): SlackMessage {
  const blocks: KnownBlock[] = [];
  if (p.isEmpty) {
    blocks.push(
      section(
        literal(
          '*Nothing here yet.* Start with `/invoice new` to log your first invoice, then `/invoice settings` to choose the finance channel where the daily alerts go.',
        ),
      ),
    );
  }
  blocks.push(
    section(
      md`*What you can do with /invoice*\n${joinMd(
        COMMANDS.map((c) => md`• ${c}`),
        '\n',
      )}`,
    ),
    context(
      literal('The app’s Home tab shows what needs action today. States: Draft, Sent, Due today, Overdue, Paid.'),
    ),
  );
  const text = p.isEmpty
    ? literal('Nothing here yet: start with /invoice new, then /invoice settings. /invoice help lists every command.')
    : literal('Commands: /invoice new, list, show, client, paid, chase, settings.');
  return { text, blocks };
}

// ---------------------------------------------------------------------------------------------------------
// List

/** Lines per state in a list message; with PER_STATE_CHARS this keeps a message near 11,500 characters. */
export const LIST_LINES_PER_STATE = 25;
const PER_STATE_CHARS = 2200;

export function listMessage(p: {
  overview: Overview;
  filterLabel?: string;
  now: Date;
  timeZone: string;
}): SlackMessage {
  const { overview } = p;
  const filter = p.filterLabel ? md` — ${inline(p.filterLabel, 100)}` : literal('');
  const present = STATE_ORDER.filter((s) => overview.counts[s] > 0 || overview.invoices[s].length > 0);
  if (present.length === 0) {
    const text = md`No invoices${filter} match.`;
    return {
      text,
      blocks: [
        section(md`${text} \`/invoice list\` shows everything; \`/invoice new\` logs one.`),
        context(asOf(p.now, p.timeZone)),
      ],
    };
  }
  const summaries = present.map((s) => {
    const totals = totalsFor(overview, s);
    const count = overview.counts[s];
    const word = esc(s === 'draft' ? (count === 1 ? 'draft' : 'drafts') : STATE_LABEL[s].toLowerCase());
    return md`${count} ${word}${totals ? md` (${totals})` : literal('')}`;
  });
  const blocks: KnownBlock[] = [section(truncate(md`*Invoices${filter}*\n${joinMd(summaries, ' · ')}`, 600))];
  for (const state of present) {
    const count = Math.max(overview.counts[state], overview.invoices[state].length);
    const totals = totalsFor(overview, state);
    const heading = md`*${stateTitle(state)}* — ${plural(count, 'invoice')}${totals ? md` · ${totals} ${STATE_AMOUNT_WORD[state]}` : literal('')}`;
    const lines = [heading, ...overview.invoices[state].slice(0, LIST_LINES_PER_STATE).map((inv) => invoiceLine(inv))];
    for (const text of packLines(lines, { maxTexts: 1, maxChars: PER_STATE_CHARS, total: count + 1 })) {
      blocks.push(section(text));
    }
  }
  blocks.push(context(asOf(p.now, p.timeZone)));
  return { text: truncate(md`Invoices${filter}: ${joinMd(summaries, ', ')}`, 3000), blocks };
}

function totalsFor(overview: Overview, state: (typeof STATE_ORDER)[number]): Mrkdwn {
  const totals = overview.totals
    .filter((t) => t.state === state)
    .map((t) => ({ currency: t.currency, minor: isClosed(state) ? t.totalMinor : t.dueMinor }));
  return totals.length > 0 ? moneyList(totals) : literal('');
}

// ---------------------------------------------------------------------------------------------------------
// Client

export const CLIENT_INVOICE_LINES = 15;
export const CLIENT_HISTORY_LINES = 10;

/** 'usually pays 12 days late', 'usually pays on time', 'no paid invoices yet'. */
export function payingHabit(payment: ClientRecord['payment']): Mrkdwn {
  const late = payment.averageDaysLate;
  if (payment.paidCount === 0 || late === null) return literal('no paid invoices yet');
  const over = md` (over ${plural(payment.paidCount, 'paid invoice')})`;
  if (late > 0) return md`usually pays ${days(late)} late${over}`;
  if (late < 0) return md`usually pays on time, ${days(-late)} early on average${over}`;
  return md`usually pays on time${over}`;
}

export function clientMessage(p: {
  record: ClientRecord;
  now: Date;
  timeZone: string;
  /** The client's live status link (its record, never the link itself), when the caller looked it up. */
  statusLink?: Pick<ClientLinkRow, 'createdBy' | 'createdAt' | 'lastSeenAt'> | null;
  /** The client's retainers, as lines (ui/retainers.ts clientRetainerLines); none: nothing shown. */
  retainers?: readonly Mrkdwn[];
  /** Credit on account and refunds (ui/modals/credit.ts clientCreditBlocks); none: nothing shown. */
  credit?: readonly KnownBlock[];
}): SlackMessage {
  const { client, balances, payment } = p.record;
  const name = inline(client.name, 150);
  const contacts = [client.contactName, client.contactEmail]
    .filter((c): c is string => !!c?.trim())
    .map((c) => inline(c, 150));
  const contact = contacts.length > 0 ? joinMd(contacts, ' · ') : literal('none on file');
  const blocks: KnownBlock[] = [
    section(
      md`*${name}*${client.archived ? literal(' (archived)') : literal('')}\nTerms: ${inline(client.terms, 60)} · Billing contact: ${contact}`,
    ),
  ];

  const owes = balances.filter((b) => b.outstandingMinor > 0n);
  const owesText =
    owes.length === 0
      ? literal('Owes nothing right now.')
      : joinMd(
          owes.map((b) => {
            const overdue =
              b.overdueMinor > 0n ? md`, ${money(b.overdueMinor, b.currency)} of it overdue` : literal('');
            return md`Owes *${money(b.outstandingMinor, b.currency)}* on ${plural(b.openCount, 'invoice')}${overdue}`;
          }),
          '\n',
        );
  blocks.push(section(md`${truncate(owesText, 2000)}\nPays: ${payingHabit(payment)}`));
  if (client.notes?.trim()) blocks.push(section(md`*Notes*\n${escapeClip(client.notes.trim(), 1000)}`));
  if (p.statusLink !== undefined) {
    const link = p.statusLink;
    blocks.push(
      section(
        link
          ? md`*Status page*: shared by ${mention(link.createdBy)} on ${esc(localDateTime(link.createdAt, p.timeZone))}, ${
              link.lastSeenAt
                ? md`last opened ${esc(localDateTime(link.lastSeenAt, p.timeZone))}`
                : literal('not opened yet')
            }`
          : md`*Status page*: none yet — \`/invoice share ${name}\` makes one.`,
      ),
    );
  }

  if (p.retainers && p.retainers.length > 0) {
    for (const text of packLines(p.retainers, { maxTexts: 1 })) blocks.push(section(text));
  }
  if (p.credit) blocks.push(...p.credit);

  const invoices = p.record.invoices.slice(0, CLIENT_INVOICE_LINES).map((inv) => invoiceLine(inv, { marker: true }));
  const invoiceTotal = Math.max(p.record.invoiceCount, p.record.invoices.length);
  if (invoiceTotal === 0) {
    blocks.push(section(literal('*Invoices*\nNone yet.')));
  } else {
    const lines = [md`*Invoices* — ${invoiceTotal}`, ...invoices];
    for (const text of packLines(lines, { maxTexts: 1, total: invoiceTotal + 1 })) blocks.push(section(text));
  }

  const history = p.record.history.slice(-CLIENT_HISTORY_LINES);
  if (history.length > 0) {
    const lines = [literal('*Recent history*'), ...history.map((e) => eventLine(e, p.timeZone, { withInvoice: true }))];
    for (const text of packLines(lines, { maxTexts: 1 })) blocks.push(section(text));
  }
  blocks.push(context(asOf(p.now, p.timeZone)));

  const owed =
    owes.length > 0
      ? md`owes ${moneyList(owes.map((b) => ({ currency: b.currency, minor: b.outstandingMinor })))}`
      : literal('owes nothing');
  return { text: md`${name} ${owed}; ${payingHabit(payment)}.`, blocks };
}

// ---------------------------------------------------------------------------------------------------------
// Replies

const NOT_FOUND_TIP: Readonly<Record<'invoice' | 'client' | 'command', Mrkdwn>> = {
  invoice: literal('`/invoice list` shows the open invoices.'),
  client: literal('`/invoice list` shows the clients with open invoices; `/invoice new` can add a client.'),
  command: literal('`/invoice help` lists what you can do.'),
};

/** "There is no invoice INV-0O12. Did you mean INV-0012?" */
export function notFoundMessage(
  kind: 'invoice' | 'client' | 'command',
  text: string,
  suggestion?: string,
): SlackMessage {
  const code = (s: string) => (kind === 'command' ? md`\`${inline(s.replaceAll('`', "'"), 100)}\`` : inline(s, 100));
  const missing = text.trim() === '' ? md`There is no such ${esc(kind)}.` : md`There is no ${esc(kind)} ${code(text)}.`;
  const message = suggestion ? md`${missing} Did you mean ${code(suggestion)}?` : missing;
  return { text: message, blocks: [section(message), context(NOT_FOUND_TIP[kind])] };
}

/** Something went wrong, in words a person can act on (the text is escaped: it may quote what they typed). */
export function errorMessage(text: string): SlackMessage {
  const message = md`⚠️ ${escapeClip(text, 2900)}`;
  return { text: message, blocks: [section(message)] };
}

/** "Only the people named in /invoice settings can record payments…" */
export function deniedMessage(action: string): SlackMessage {
  const message = md`🔒 Only the people named in \`/invoice settings\` can ${inline(action, 200)}. Ask one of them to do it, or to add you as a finance admin.`;
  return { text: message, blocks: [section(message)] };
}
