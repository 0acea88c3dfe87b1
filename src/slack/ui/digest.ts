// The weekly digest in Block Kit: a parent message with the numbers, what changed and who needs to act,
// and thread replies listing the open invoices (Overdue, Due today, Sent, Draft) and the week's payments. A list
// names at most the domain's list cap (what needs attention, then the biggest) and counts the rest, saying where
// to see them all. Every message keeps Slack's limits (DIGEST_LIMITS); a long list continues in more replies.
import type { KnownBlock } from '@slack/types';
import type { AgingBucket } from '../../domain/aging.js';
import type { LocalDate } from '../../domain/dates.js';
import type {
  ChangedInvoice,
  CountedAmounts,
  DigestLine,
  DigestPayment,
  DigestSummary,
  OpenState,
  OwnerWork,
} from '../../domain/digest.js';
import { STATE_LABEL } from '../../domain/status.js';
import { context, section } from './blocks.js';
import { numbersHeadline, numbersLines } from './numbers.js';
import {
  actionVerb,
  days,
  daysAgo,
  esc,
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
  STATE_MARK,
  truncate,
} from './text.js';

/** What Slack accepts in one message: blocks, characters per section, characters of block text in all. */
export const DIGEST_LIMITS = { blocks: 50, sectionChars: 3000, messageChars: 12_000 } as const;

// A reply fills to REPLY_CHARS, below the limit, so a preview can add its note to any of them.
const REPLY_CHARS = 11_000;
const TITLE_CHARS = 300;
const LINE_CHARS = 600;
// Blocks a reply may use for its lines: one is the title, one is kept for a note.
const REPLY_SECTIONS = DIGEST_LIMITS.blocks - 2;

export interface DigestOptions {
  today: LocalDate;
  timeZone: string;
  /** Names the digest, e.g. 'Week of 2026-11-23'. */
  weekLabel: string;
}

export interface DigestMessages {
  /** Posted to the finance channel. */
  parent: SlackMessage;
  /** Posted in the parent's thread, in order. */
  replies: SlackMessage[];
}

function header(text: string): KnownBlock {
  return { type: 'header', text: { type: 'plain_text', text: truncate(text, 150), emoji: true } };
}

/** '$1,000.00 + €300.00', or 'nothing'. */
function amounts(c: CountedAmounts): Mrkdwn {
  return c.amounts.length > 0 ? moneyList(c.amounts) : literal('nothing');
}

/** '$2,100.00 on 3 invoices', or 'nothing'. */
function amountsOn(c: CountedAmounts): Mrkdwn {
  return c.count === 0 ? literal('nothing') : md`${amounts(c)} on ${plural(c.count, 'invoice')}`;
}

const STATE_HEADING: Readonly<Record<OpenState, Mrkdwn>> = {
  overdue: md`${STATE_MARK.overdue} ${esc(STATE_LABEL.overdue)}`,
  due: md`${STATE_MARK.due} ${esc(STATE_LABEL.due)}`,
  sent: md`${STATE_MARK.sent} ${esc(STATE_LABEL.sent)}`,
  draft: md`${STATE_MARK.draft} ${esc(STATE_LABEL.draft)}`,
};

const BUCKET_LABEL: Readonly<Record<AgingBucket, Mrkdwn>> = {
  current: literal('Not yet late'),
  '1-30': literal('1–30 days late'),
  '31-60': literal('31–60 days late'),
  '61-90': literal('61–90 days late'),
  '90+': literal('Over 90 days late'),
};

// ---------------------------------------------------------------------------------------------------------
// The parent message

function totalsText(s: DigestSummary): Mrkdwn {
  const lines = [
    md`*Outstanding:* ${amountsOn(s.outstanding)}`,
    md`*${STATE_HEADING.overdue}:* ${amountsOn(s.overdue)}`,
  ];
  if (s.dueToday.count > 0) lines.push(md`*${STATE_HEADING.due}:* ${amountsOn(s.dueToday)}`);
  if (s.drafts.count > 0) lines.push(md`*${STATE_HEADING.draft}s, not sent yet:* ${amountsOn(s.drafts)}`);
  return joinMd(packLines(lines, { maxTexts: 1, maxChars: 1500 }), '\n');
}

function agingText(s: DigestSummary): Mrkdwn {
  const lines = [
    literal('*Aging* (sent, unpaid)'),
    ...s.aging.map(
      (b) => md`${BUCKET_LABEL[b.bucket]}: ${b.count === 0 ? literal('—') : md`${amounts(b)} (${b.count})`}`,
    ),
  ];
  return joinMd(packLines(lines, { maxTexts: 1, maxChars: 1500 }), '\n');
}

/** '*INV-3* Acme Corp, *INV-9* Beta and 2 more', with an optional note per invoice. */
function names(invoices: readonly ChangedInvoice[], note?: (i: ChangedInvoice) => Mrkdwn): Mrkdwn {
  const shown = invoices
    .slice(0, 3)
    .map((i) => md`*${inline(i.number, 40)}* ${inline(i.clientName, 40)}${note ? md` ${note(i)}` : literal('')}`);
  const more = invoices.length - shown.length;
  return more > 0 ? md`${joinMd(shown, ', ')} and ${more} more` : joinMd(shown, ', ');
}

function changesText(s: DigestSummary, timeZone: string): Mrkdwn {
  const c = s.changes;
  const lines = [md`*Since the last digest* (${esc(localDateTime(s.since, timeZone))})`];
  if (c.none) lines.push(literal('Nothing changed.'));
  if (c.newInvoices.count > 0) {
    lines.push(md`🆕 ${plural(c.newInvoices.count, 'new invoice')} · ${amounts(c.newInvoices)}`);
  }
  if (c.received.count > 0) lines.push(md`💰 ${amounts(c.received)} received · ${plural(c.received.count, 'payment')}`);
  if (c.newlyOverdue.count > 0) {
    lines.push(
      md`${STATE_MARK.overdue} ${c.newlyOverdue.count} newly overdue · ${amounts(c.newlyOverdue)} — ${names(c.newlyOverdue.invoices)}`,
    );
  }
  if (c.promisesMade.count > 0) {
    lines.push(
      md`🤝 ${plural(c.promisesMade.count, 'promise')} made — ${names(c.promisesMade.invoices, (i) => md`(by ${esc(i.date ?? '?')})`)}`,
    );
  }
  if (c.promisesBroken.count > 0) {
    lines.push(
      md`💔 ${plural(c.promisesBroken.count, 'promise')} broken · ${amounts(c.promisesBroken)} — ${names(c.promisesBroken.invoices, (i) => md`(promised ${esc(i.date ?? '?')})`)}`,
    );
  }
  if (c.disputesOpened.count > 0) {
    lines.push(md`⚠️ ${plural(c.disputesOpened.count, 'dispute')} opened — ${names(c.disputesOpened.invoices)}`);
  }
  if (c.disputesClosed.count > 0) {
    lines.push(md`✅ ${plural(c.disputesClosed.count, 'dispute')} closed — ${names(c.disputesClosed.invoices)}`);
  }
  return joinMd(packLines(lines, { maxTexts: 1, maxChars: DIGEST_LIMITS.sectionChars }), '\n');
}

function workText(p: OwnerWork): Mrkdwn {
  const parts = [
    p.overdue > 0 ? md`${p.overdue} overdue` : null,
    p.due > 0 ? md`${p.due} due today` : null,
    p.promisesBroken > 0 ? md`${plural(p.promisesBroken, 'promise')} broken` : null,
    p.stale > 0 ? md`${p.stale} not chased lately` : null,
  ].filter((x): x is Mrkdwn => x !== null);
  return md`${p.ownerUserId === null ? literal('No owner') : mention(p.ownerUserId)} — ${joinMd(parts, ' · ')}`;
}

function peopleText(s: DigestSummary): Mrkdwn {
  const lines =
    s.people.length === 0
      ? [literal('*Who needs to act*'), literal('Nobody: nothing is overdue, due today, broken or waiting on a chase.')]
      : [literal('*Who needs to act*'), ...s.people.map(workText)];
  return joinMd(
    packLines(lines, {
      maxTexts: 1,
      maxChars: DIGEST_LIMITS.sectionChars,
      total: lines.length,
      more: (n) => md`_…and ${plural(n, 'more person', 'more people')}_`,
    }),
    '\n',
  );
}

function threadNote(s: DigestSummary, where: 'thread' | 'below', complete = true): Mrkdwn {
  const payments =
    s.payments.count > 0
      ? md`, then the ${plural(s.payments.count, 'payment')} recorded since the last digest`
      : literal('');
  const place = where === 'thread' ? literal('in the thread') : literal('below');
  if (s.openCount === 0) {
    return s.payments.count > 0
      ? md`No invoice is open. The ${plural(s.payments.count, 'payment')} recorded since the last digest ${s.payments.count === 1 ? literal('is') : literal('are')} ${place}.`
      : literal('No invoice is open.');
  }
  const listed = s.sections.reduce((n, section) => n + section.invoices.length, 0);
  const lead = where === 'thread' ? literal('The thread lists') : literal('Below are');
  if (listed < s.openCount) {
    return md`${lead} ${listed} of the ${plural(s.openCount, 'open invoice')} by state, most urgent first: broken promises, stale chases and disputes, then the biggest amounts; each list counts the rest${payments}.`;
  }
  const all = complete ? literal('all ') : literal('');
  return md`${lead} ${all}${plural(s.openCount, 'open invoice')}, most urgent first${payments}.`;
}

function parentMessage(s: DigestSummary, opts: DigestOptions, preview: boolean, complete = true): SlackMessage {
  const title = preview
    ? md`Receivables digest preview · ${esc(opts.weekLabel)}`
    : md`Receivables digest · ${esc(opts.weekLabel)}`;
  const note = preview
    ? md`Only you can see this preview, as of ${esc(opts.today)}. ${threadNote(s, 'below', complete)}`
    : threadNote(s, 'thread');
  const blocks: KnownBlock[] = [
    header(title),
    ...numbersBlocks(s),
    section(totalsText(s)),
    section(agingText(s)),
    section(changesText(s, opts.timeZone)),
    section(peopleText(s)),
    context(note),
  ];
  const overdue =
    s.overdue.count > 0
      ? md`${amounts(s.overdue)} overdue on ${plural(s.overdue.count, 'invoice')}`
      : literal('nothing overdue');
  const headline = s.numbers ? numbersHeadline(s.numbers) : literal('');
  const text = md`${truncate(title, 150)}: ${s.outstanding.count > 0 ? md`${amounts(s.outstanding)} outstanding` : literal('nothing outstanding')}, ${overdue}${headline ? md`, ${headline}` : literal('')}. ${note}`;
  return { text: truncate(text, 3000), blocks };
}

/** The headline: DSO, collected and expected in, with how they are worked out. */
function numbersBlocks(s: DigestSummary): KnownBlock[] {
  if (!s.numbers) return [];
  const { lines, method } = numbersLines(s.numbers);
  return [section(joinMd([literal('*The numbers*'), ...lines], '\n')), context(method)];
}

// ---------------------------------------------------------------------------------------------------------
// The thread replies

/** '*INV-0042* · Acme Corp · $6,000.00 · 12 days overdue · ⚠️ disputed ('Wrong PO') · <@U1> · chased 3 days ago'. */
export function digestLine(l: DigestLine): Mrkdwn {
  const when =
    l.state === 'overdue'
      ? md`${days(l.daysOverdue)} overdue`
      : l.state === 'due'
        ? literal('due today')
        : md`due ${esc(l.dueDate)}`;
  const parts = [md`*${inline(l.number, 40)}*`, inline(l.clientName, 60), money(l.amountDueMinor, l.currency), when];
  if (l.hold) {
    const what = l.hold.kind === 'dispute' ? literal('⚠️ disputed') : literal('⏸️ on hold');
    parts.push(l.hold.reason.trim() ? md`${what} ('${inline(l.hold.reason, 80)}')` : what);
  }
  if (l.promisedDate)
    parts.push(
      l.promiseBroken ? md`💔 promised ${esc(l.promisedDate)}, broken` : md`🤝 promised ${esc(l.promisedDate)}`,
    );
  if (l.stale) parts.push(literal('💤 not chased lately'));
  parts.push(l.ownerUserId ? mention(l.ownerUserId) : literal('no owner'));
  parts.push(
    l.lastAction
      ? md`${actionVerb(l.lastAction.kind)} ${daysAgo(l.daysSinceLastAction ?? 0)}`
      : literal('nothing done yet'),
  );
  return truncate(joinMd(parts, ' · '), LINE_CHARS);
}

/** '*INV-0042* · Acme Corp · $2,500.00 · received 2026-11-20 · recorded by <@U1>'. */
export function paymentLine(p: DigestPayment): Mrkdwn {
  return truncate(
    joinMd(
      [
        md`*${inline(p.number, 40)}*`,
        inline(p.clientName, 60),
        money(p.amountMinor, p.currency),
        md`received ${esc(p.receivedOn)}`,
        md`recorded by ${mention(p.recordedBy)}`,
      ],
      ' · ',
    ),
    LINE_CHARS,
  );
}

/**
 * Lines packed into messages of sections: each section at most DIGEST_LIMITS.sectionChars, each message at
 * most REPLY_CHARS with TITLE_CHARS kept for its title, and at most REPLY_SECTIONS sections. Order is kept.
 */
function paginate(lines: readonly Mrkdwn[]): { sections: Mrkdwn[]; lines: number }[] {
  const messages: { sections: Mrkdwn[]; lines: number }[] = [];
  let sections: Mrkdwn[] = [];
  let current = literal('');
  let used = TITLE_CHARS;
  let count = 0;
  const close = () => {
    if (current !== '') sections.push(current);
    if (sections.length > 0) messages.push({ sections, lines: count });
    sections = [];
    current = literal('');
    used = TITLE_CHARS;
    count = 0;
  };
  for (const raw of lines) {
    const line = truncate(raw, LINE_CHARS);
    const joined = current === '' ? line : md`${current}\n${line}`;
    const grows = joined.length - current.length;
    if (joined.length <= DIGEST_LIMITS.sectionChars && used + grows <= REPLY_CHARS) {
      current = joined;
      used += grows;
    } else if (used + line.length <= REPLY_CHARS && sections.length + 2 <= REPLY_SECTIONS) {
      sections.push(current);
      current = line;
      used += line.length;
    } else {
      close();
      current = line;
      used += line.length;
    }
    count += 1;
  }
  close();
  return messages;
}

interface Reply {
  message: SlackMessage;
  invoices: number;
  payments: number;
}

/** One list (a state, or the payments) as replies titled 'Overdue', 'Overdue (continued, 2/3)'. */
function listReplies(p: {
  heading: Mrkdwn;
  plainHeading: Mrkdwn;
  summary: Mrkdwn;
  lines: readonly Mrkdwn[];
  /** A last line after the list (what was left out and where to see it), not counted as an item. */
  tail: Mrkdwn | null;
  kind: 'invoices' | 'payments';
}): Reply[] {
  const pages = paginate(p.tail ? [...p.lines, p.tail] : p.lines);
  const lastPage = pages[pages.length - 1];
  if (p.tail && lastPage) lastPage.lines -= 1;
  return pages.map((page, index) => {
    const part =
      pages.length === 1
        ? literal('')
        : index === 0
          ? md` (1/${pages.length})`
          : md` (continued, ${index + 1}/${pages.length})`;
    const title = truncate(
      index === 0 ? md`*${p.heading}*${part} — ${p.summary}` : md`*${p.heading}*${part}`,
      TITLE_CHARS,
    );
    const text = truncate(
      index === 0 ? md`${p.plainHeading}${part}: ${p.summary}` : md`${p.plainHeading}${part}`,
      3000,
    );
    return {
      message: { text, blocks: [section(title), ...page.sections.map(section)] },
      invoices: p.kind === 'invoices' ? page.lines : 0,
      payments: p.kind === 'payments' ? page.lines : 0,
    };
  });
}

/** The word `/invoice list` takes for a state, and the adjective for "more … invoices". */
const STATE_WORD: Readonly<Record<OpenState, Mrkdwn>> = {
  overdue: literal('overdue'),
  due: literal('due'),
  sent: literal('sent'),
  draft: literal('draft'),
};
const STATE_NOUN: Readonly<Record<OpenState, string>> = {
  overdue: 'overdue',
  due: 'due today',
  sent: 'sent',
  draft: 'draft',
};

function replies(s: DigestSummary): Reply[] {
  const out: Reply[] = [];
  for (const state of s.sections) {
    out.push(
      ...listReplies({
        heading: STATE_HEADING[state.state],
        plainHeading: esc(STATE_LABEL[state.state]),
        summary: md`${plural(state.count, 'invoice')} · ${amounts(state)}`,
        lines: state.invoices.map(digestLine),
        tail:
          state.more.count > 0
            ? md`_…and ${plural(state.more.count, `more ${STATE_NOUN[state.state]} invoice`)}, ${amounts(state.more)}: \`/invoice list ${STATE_WORD[state.state]}\` lists them all._`
            : null,
        kind: 'invoices',
      }),
    );
  }
  if (s.payments.count > 0) {
    out.push(
      ...listReplies({
        heading: literal('💰 Payments recorded since the last digest'),
        plainHeading: literal('Payments recorded since the last digest'),
        summary: md`${plural(s.payments.count, 'payment')} · ${amounts(s.payments)}`,
        lines: s.payments.lines.map(paymentLine),
        tail:
          s.payments.more.count > 0
            ? md`_…and ${plural(s.payments.more.count, 'smaller payment')}, ${amounts(s.payments.more)}: each invoice's history shows its payments, and \`/invoice export\` lists them all._`
            : null,
        kind: 'payments',
      }),
    );
  }
  return out;
}

/** The weekly digest: the parent for the finance channel and the replies for its thread. */
export function digestMessages(summary: DigestSummary, opts: DigestOptions): DigestMessages {
  return { parent: parentMessage(summary, opts, false), replies: replies(summary).map((r) => r.message) };
}

/**
 * The same digest for `/invoice digest`, shown only to the person who asked: one list of messages (an
 * ephemeral message has no thread). At most `maxMessages` (default 5, what one response_url allows); when
 * the lists need more, the last message says how many invoices and payments were left out and where to look.
 */
export function digestPreview(summary: DigestSummary, opts: DigestOptions & { maxMessages?: number }): SlackMessage[] {
  const max = Math.max(1, Math.floor(opts.maxMessages ?? 5));
  const all = replies(summary);
  const shown = all.slice(0, max - 1);
  const left = all.slice(max - 1);
  const messages = [parentMessage(summary, opts, true, left.length === 0), ...shown.map((r) => r.message)];
  if (left.length === 0) return messages;
  const invoices = left.reduce((n, r) => n + r.invoices, 0);
  const payments = left.reduce((n, r) => n + r.payments, 0);
  const missing = joinMd(
    [invoices > 0 ? plural(invoices, 'more invoice') : null, payments > 0 ? plural(payments, 'payment') : null].filter(
      (x): x is Mrkdwn => x !== null,
    ),
    ' and ',
  );
  const note = md`…and ${missing} not shown here: the digest thread in the finance channel has them, and \`/invoice list\` shows every open invoice.`;
  const last = messages[messages.length - 1];
  if (last) messages[messages.length - 1] = { text: last.text, blocks: [...last.blocks, context(note)] };
  return messages;
}
