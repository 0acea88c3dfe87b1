// The CLI's commands. Each reads through the views and writes lines to `out`, returning an exit code:
// 0 done, 1 not found, 2 used wrongly. None of them changes data.
import { findInvoiceRows, type InvoiceView } from '../db/queries/invoices.js';
import { withDerivedLines } from '../db/queries/numbers.js';
import {
  type AgingRow,
  getAging,
  getClientRecord,
  getDayChanges,
  getHistory,
  getOverview,
  type HistoryEvent,
  RECENTLY_PAID_DAYS,
} from '../db/queries/views.js';
import type { WorkspaceRow } from '../db/schema.js';
import { AGING_BUCKETS } from '../domain/aging.js';
import { addDays, isLocalDate, type LocalDate, startOfLocalDay, todayIn } from '../domain/dates.js';
import { formatMoney } from '../domain/money.js';
import { describeEnd, describeSchedule } from '../domain/retainers.js';
import { type InvoiceState, STATE_LABEL, STATE_ORDER } from '../domain/status.js';
import type { LedgerContext } from '../services/context.js';
import { getInvoice } from '../services/invoices.js';
import { listRetainers } from '../services/retainers.js';
import { clientCreditText } from './credit.js';
import {
  actorName,
  amountOwed,
  clockTime,
  dateTime,
  describeEvent,
  EMPTY,
  lastAction,
  longDay,
  markers,
  plural,
  staleWhy,
  stateColor,
  stateLabel,
  termsBasis,
  timing,
} from './format.js';
import { lookUpClient, lookUpInvoice } from './lookup.js';
import { numbersText, ownerNumbers } from './numbers.js';
import { type Column, plainStyle, type Style, table, truncate } from './table.js';

export type Out = (line: string) => void;

export interface CommandOptions {
  style?: Style;
}

export type Command = (
  ctx: LedgerContext,
  workspace: WorkspaceRow,
  args: readonly string[],
  out: Out,
  options?: CommandOptions,
) => Promise<number>;

const INDENT = '  ';

function clockOf(ctx: LedgerContext, workspace: WorkspaceRow) {
  const now = ctx.clock.now();
  return { now, today: todayIn(workspace.timeZone, now) };
}

function usage(out: Out, message: string, usageLine: string): number {
  out(message);
  out(`Usage: npm run cli -- ${usageLine}`);
  return 2;
}

// ─── overview ────────────────────────────────────────────────────────────────────────────────────────────

const LIST_LIMIT = 25;

/** The five states with their counts and money per currency, then the invoices in each, most urgent first. */
export const overview: Command = async (ctx, workspace, args, out, options = {}) => {
  if (args.length > 0) return usage(out, `overview takes no arguments (got "${args.join(' ')}").`, 'overview');
  const style = options.style ?? plainStyle;
  const { now, today } = clockOf(ctx, workspace);
  const tz = workspace.timeZone;
  const book = await getOverview(ctx.db, { workspace, today, now, limit: LIST_LIMIT });

  out(`${style.bold(workspace.name)} — receivables on ${longDay(today)}, ${clockTime(now, tz)} (${tz})`);
  out('');
  const { overdue, due, promisesBroken, stale } = book.needsAction;
  const needs = [
    overdue > 0 && style.red(`${overdue} overdue`),
    due > 0 && style.yellow(`${due} due today`),
    promisesBroken > 0 && style.red(`${plural(promisesBroken, 'promise')} broken`),
    stale > 0 && style.red(`${stale} stale`),
  ].filter((part): part is string => Boolean(part));
  out(needs.length > 0 ? `Needs action: ${needs.join(', ')}` : style.green('Nothing needs action today.'));
  out('');
  for (const line of numbersText(await ownerNumbers(ctx, workspace, today), style)) out(line);
  out('');

  const currencies = byUse(book.totals);
  // Credited invoices are rare: their row and section appear only when there are some.
  const states = STATE_ORDER.filter((state) => state !== 'credited' || book.counts.credited > 0);
  const summary = states.map((state) => {
    const closed = state === 'paid' || state === 'credited';
    const label = closed ? `${STATE_LABEL[state]} (last ${RECENTLY_PAID_DAYS} days)` : STATE_LABEL[state];
    const cells = currencies.map((currency) => {
      const total = book.totals.find((t) => t.state === state && t.currency === currency);
      if (!total) return EMPTY;
      return formatMoney(closed ? total.totalMinor : total.dueMinor, currency);
    });
    return [stateColor(state, style)(label), String(book.counts[state]), ...cells];
  });
  const summaryColumns: Column[] = [
    { header: 'STATE' },
    { header: 'COUNT', align: 'right' },
    ...currencies.map((c) => ({ header: c, align: 'right' as const })),
  ];
  for (const line of table(summaryColumns, summary, { style })) out(line);
  out(style.dim('Amounts are what is still owed; for Paid, what came in; for Credited, what was credited.'));

  for (const state of states) {
    const listed = book.invoices[state];
    const count = book.counts[state];
    out('');
    out(`${stateColor(state, style)(style.bold(sectionTitle(state)))} ${style.dim(`(${count})`)}`);
    if (count === 0) {
      out(`${INDENT}${style.dim('none')}`);
      continue;
    }
    for (const line of invoiceTable(state, listed, workspace, style)) out(line);
    if (listed.length < count) {
      out(`${INDENT}${style.dim(`… and ${count - listed.length} more; \`client NAME\` lists one client's invoices.`)}`);
    }
  }
  return 0;
};

/** Currencies with the most invoices first, so the usual one leads. */
function byUse(rows: readonly { currency: string; count: number }[]): string[] {
  const perCurrency = new Map<string, number>();
  for (const r of rows) perCurrency.set(r.currency, (perCurrency.get(r.currency) ?? 0) + r.count);
  return [...perCurrency].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([c]) => c);
}

function sectionTitle(state: InvoiceState): string {
  if (state === 'paid') return `PAID IN THE LAST ${RECENTLY_PAID_DAYS} DAYS`;
  if (state === 'credited') return `CREDITED IN THE LAST ${RECENTLY_PAID_DAYS} DAYS`;
  return STATE_LABEL[state].toUpperCase();
}

/** The invoices of one state, with the columns that matter for it. */
function invoiceTable(state: InvoiceState, views: readonly InvoiceView[], workspace: WorkspaceRow, style: Style) {
  const tz = workspace.timeZone;
  const c = (header: string, align?: 'right'): Column => ({ header, ...(align ? { align } : {}) });
  const shapes: Record<InvoiceState, { columns: Column[]; row: (v: InvoiceView) => string[] }> = {
    overdue: {
      columns: [
        c('NUMBER'),
        c('CLIENT'),
        c('AMOUNT DUE', 'right'),
        c('DUE'),
        c('TERMS'),
        c('LATE', 'right'),
        c('LAST ACTION'),
        c('NOTES'),
      ],
      row: (v) => [
        v.number,
        v.clientName,
        amountOwed(v),
        v.dueDate,
        termsBasis(v),
        style.red(timing(v)),
        lastAction(v, tz),
        markers(v, style),
      ],
    },
    due: {
      columns: [c('NUMBER'), c('CLIENT'), c('AMOUNT DUE', 'right'), c('DUE'), c('TERMS'), c('LAST ACTION'), c('NOTES')],
      row: (v) => [
        v.number,
        v.clientName,
        amountOwed(v),
        v.dueDate,
        termsBasis(v),
        lastAction(v, tz),
        markers(v, style),
      ],
    },
    sent: {
      columns: [
        c('NUMBER'),
        c('CLIENT'),
        c('AMOUNT DUE', 'right'),
        c('DUE'),
        c('TERMS'),
        c('DUE IN', 'right'),
        c('LAST ACTION'),
        c('NOTES'),
      ],
      row: (v) => [
        v.number,
        v.clientName,
        amountOwed(v),
        v.dueDate,
        termsBasis(v),
        timing(v),
        lastAction(v, tz),
        markers(v, style),
      ],
    },
    draft: {
      columns: [c('NUMBER'), c('CLIENT'), c('AMOUNT', 'right'), c('DATED'), c('TERMS'), c('DESCRIPTION')],
      row: (v) => [
        v.number,
        v.clientName,
        amountOwed(v),
        v.issueDate,
        termsBasis(v),
        truncate(v.description ?? '', 50),
      ],
    },
    paid: {
      columns: [c('NUMBER'), c('CLIENT'), c('AMOUNT', 'right'), c('PAID ON'), c('DUE'), c('TIMING')],
      row: (v) => [v.number, v.clientName, amountOwed(v), v.paidOn ?? EMPTY, v.dueDate, timing(v)],
    },
    credited: {
      columns: [c('NUMBER'), c('CLIENT'), c('AMOUNT', 'right'), c('CREDITED ON'), c('DUE')],
      row: (v) => [v.number, v.clientName, amountOwed(v), v.paidOn ?? EMPTY, v.dueDate],
    },
  };
  const shape = shapes[state];
  return table(shape.columns, views.map(shape.row), { indent: INDENT, style, hideEmptyColumns: true });
}

// ─── client ──────────────────────────────────────────────────────────────────────────────────────────────

/** One client's record: contact, terms, what they owe, how late they pay, their invoices and recent history. */
export const client: Command = async (ctx, workspace, args, out, options = {}) => {
  const style = options.style ?? plainStyle;
  const typed = args.join(' ').trim();
  if (typed === '') return usage(out, 'Which client? Give its name (or the start of it).', 'client NAME');
  const found = await lookUpClient(ctx, workspace, typed);
  if (!found.found) {
    out(found.message);
    return 1;
  }
  const { now, today } = clockOf(ctx, workspace);
  const tz = workspace.timeZone;
  const record = await getClientRecord(ctx.db, {
    workspace,
    today,
    now,
    clientId: found.found.id,
    limit: 50,
    historyLimit: 12,
  });
  if (!record) {
    out(`The client ${found.found.name} is no longer in ${workspace.name}.`);
    return 1;
  }
  const { client: who, balances, payment } = record;

  out(`${style.bold(who.name)}${who.archived ? style.dim(' (archived)') : ''} — ${workspace.name}, ${longDay(today)}`);
  out('');
  const contact = [who.contactName, who.contactEmail && `<${who.contactEmail}>`].filter(Boolean).join(' ');
  const facts: [string, string][] = [
    ['Contact', contact || EMPTY],
    ['Terms', who.terms],
  ];
  if (who.notes) facts.push(['Notes', who.notes]);
  if (balances.length === 0) facts.push(['Owes', 'nothing on sent invoices']);
  for (const [i, b] of balances.entries()) {
    const overdue =
      b.overdueMinor > 0n ? style.red(`${formatMoney(b.overdueMinor, b.currency)} overdue`) : 'none of it overdue';
    const line = `${formatMoney(b.outstandingMinor, b.currency)} on ${plural(b.openCount, 'invoice')}, ${overdue}`;
    facts.push([i === 0 ? 'Owes' : '', line]);
  }
  facts.push(['Pays', paysSummary(payment)]);
  for (const [i, r] of (await listRetainers(ctx, workspace.teamId, { clientId: who.id }, workspace)).entries()) {
    const end = describeEnd(r.schedule);
    const where = r.status === 'paused' ? 'paused' : r.next ? `next ${r.next}` : 'finished';
    const line = `${formatMoney(r.amountMinor, r.currency)} ${describeSchedule(r.schedule)}${end ? `, ${end}` : ''} · ${where} · ${plural(r.made, 'invoice')} made`;
    facts.push([i === 0 ? 'Retainers' : '', line]);
  }
  const [creditHead, ...creditMoves] = await clientCreditText(ctx.db, workspace.teamId, who.id);
  if (creditMoves.length > 0 && creditHead) {
    facts.push(['Credit', creditHead.replace('Credit on account: ', 'on account: ')]);
    for (const move of creditMoves) facts.push(['', move.trim()]);
  }
  const width = Math.max(...facts.map(([label]) => label.length));
  for (const [label, value] of facts) out(`${INDENT}${style.dim(label.padEnd(width))}  ${value}`);

  out('');
  const shown = record.invoices.length;
  const more = record.invoiceCount > shown ? ` — the ${shown} most relevant shown` : '';
  out(`${style.bold('Invoices')} ${style.dim(`(${record.invoiceCount}${more})`)}`);
  if (shown === 0) out(`${INDENT}${style.dim('none yet')}`);
  else {
    const rows = record.invoices.map((v) => [
      v.number,
      stateLabel(v.status.lifecycle, style),
      amountOwed(v),
      v.dueDate,
      termsBasis(v),
      v.status.lifecycle === 'draft' || v.status.lifecycle === 'void' ? EMPTY : timing(v),
      lastAction(v, tz),
      v.status.lifecycle === 'void' ? style.dim(`void: ${truncate(v.voidReason ?? '', 48)}`) : markers(v, style),
    ]);
    const columns: Column[] = [
      { header: 'NUMBER' },
      { header: 'STATE' },
      { header: 'AMOUNT', align: 'right' },
      { header: 'DUE' },
      { header: 'TERMS' },
      { header: 'TIMING', align: 'right' },
      { header: 'LAST ACTION' },
      { header: 'NOTES' },
    ];
    for (const line of table(columns, rows, { indent: INDENT, style, hideEmptyColumns: true })) out(line);
  }

  out('');
  // When its invoices became Due and Overdue: derived lines among the events (src/domain/derived-history.ts).
  record.history = await withDerivedLines(ctx.db, {
    teamId: workspace.teamId,
    clientId: record.client.id,
    timeZone: tz,
    now,
    history: record.history,
  });
  out(`${style.bold('Recent history')} ${style.dim(`(times in ${tz})`)}`);
  if (record.history.length === 0) out(`${INDENT}${style.dim('nothing yet')}`);
  else {
    const currencies = await currenciesOf(ctx, workspace, record.history);
    const rows = record.history.map((e) => [
      dateTime(e.at, tz),
      actorName(e),
      e.invoiceNumber ?? EMPTY,
      describeEvent(e, e.invoiceId ? currencies.get(e.invoiceId) : undefined),
    ]);
    const columns: Column[] = [{ header: 'WHEN' }, { header: 'WHO' }, { header: 'INVOICE' }, { header: 'WHAT' }];
    for (const line of table(columns, rows, { indent: INDENT, style })) out(line);
  }
  return 0;
};

function paysSummary(payment: { paidCount: number; averageDaysLate: number | null; averageDaysToPay: number | null }) {
  if (payment.paidCount === 0 || payment.averageDaysLate === null) return 'no invoice paid in full yet';
  const late = payment.averageDaysLate;
  const lateness =
    late > 0 ? `${plural(late, 'day')} late` : late < 0 ? `${plural(-late, 'day')} early` : 'on the due date';
  const toPay =
    payment.averageDaysToPay === null
      ? ''
      : `, paying ${plural(payment.averageDaysToPay, 'day')} after the invoice date`;
  return `${lateness} on average${toPay} (over ${plural(payment.paidCount, 'invoice')} paid in full)`;
}

/** The currency of each invoice the events are about, for amounts in details that do not carry one. */
async function currenciesOf(ctx: LedgerContext, workspace: WorkspaceRow, events: readonly HistoryEvent[]) {
  const ids = [...new Set(events.map((e) => e.invoiceId).filter((id): id is string => id !== null))];
  const rows = await findInvoiceRows(ctx.db, { teamId: workspace.teamId, ids });
  return new Map(rows.map((r) => [r.invoice.id, r.invoice.currency]));
}

// ─── aging ───────────────────────────────────────────────────────────────────────────────────────────────

const BUCKET_HEADER: Record<AgingRow['bucket'], string> = {
  current: 'NOT YET DUE',
  '1-30': '1–30 DAYS',
  '31-60': '31–60 DAYS',
  '61-90': '61–90 DAYS',
  '90+': 'OVER 90 DAYS',
};

/** What is owed per currency by how late it is (sent and unpaid; drafts are not owed yet). */
export const aging: Command = async (ctx, workspace, args, out, options = {}) => {
  if (args.length > 0) return usage(out, `aging takes no arguments (got "${args.join(' ')}").`, 'aging');
  const style = options.style ?? plainStyle;
  const { now, today } = clockOf(ctx, workspace);
  const rows = await getAging(ctx.db, { workspace, today, now });
  out(`${style.bold(workspace.name)} — aging on ${longDay(today)}`);
  out(style.dim('What is owed on sent invoices, by days past the due date; (n) is the number of invoices.'));
  out('');
  if (rows.length === 0) {
    out(`${INDENT}Nothing is owed.`);
    return 0;
  }
  const currencies = byUse(rows);
  const body = currencies.map((currency) => {
    const mine = rows.filter((r) => r.currency === currency);
    const cells = AGING_BUCKETS.map((bucket) => {
      const row = mine.find((r) => r.bucket === bucket);
      if (!row) return EMPTY;
      const text = `${formatMoney(row.dueMinor, currency)} (${row.count})`;
      return bucket === 'current' || bucket === '1-30' ? text : style.red(text);
    });
    const total = mine.reduce((sum, r) => sum + r.dueMinor, 0n);
    const count = mine.reduce((sum, r) => sum + r.count, 0);
    return [currency, ...cells, style.bold(`${formatMoney(total, currency)} (${count})`)];
  });
  const columns: Column[] = [
    { header: 'CURRENCY' },
    ...AGING_BUCKETS.map((bucket) => ({ header: BUCKET_HEADER[bucket], align: 'right' as const })),
    { header: 'TOTAL', align: 'right' },
  ];
  for (const line of table(columns, body, { indent: INDENT, style })) out(line);
  return 0;
};

// ─── history ─────────────────────────────────────────────────────────────────────────────────────────────

/** Everything that happened to one invoice, oldest first, in the workspace's time. */
export const history: Command = async (ctx, workspace, args, out, options = {}) => {
  const style = options.style ?? plainStyle;
  const [typed, ...rest] = args;
  if (!typed || rest.length > 0) {
    return usage(out, 'Give one invoice number, like INV-001.', 'history INVOICE-NUMBER');
  }
  const found = await lookUpInvoice(ctx, workspace, typed);
  if (!found.found) {
    out(found.message);
    return 1;
  }
  const tz = workspace.timeZone;
  const view = await getInvoice(ctx, workspace.teamId, found.found.id);
  const events: HistoryEvent[] = [];
  for (let page: HistoryEvent[] = []; ; ) {
    const afterId = events.at(-1)?.id;
    page = await getHistory(ctx.db, {
      teamId: workspace.teamId,
      invoiceId: view.id,
      limit: 500,
      ...(afterId === undefined ? {} : { afterId }),
    });
    events.push(...page);
    if (page.length < 500) break;
  }

  const state = view.status.lifecycle;
  const where = state === 'void' || state === 'draft' ? '' : ` (${timing(view)})`;
  out(
    `${style.bold(view.number)} · ${view.clientName} · ${amountOwed(view)} · ${stateLabel(state, style)}${where} · ` +
      `due ${view.dueDate}, ${termsBasis(view)}`,
  );
  if (view.description) out(style.dim(view.description));
  const notes = state === 'void' ? `void: ${view.voidReason ?? ''}` : markers(view, style, 80);
  if (notes) out(notes);
  out('');
  const rows = events.map((e) => [dateTime(e.at, tz), actorName(e), describeEvent(e, view.currency)]);
  for (const line of table([{ header: 'WHEN' }, { header: 'WHO' }, { header: 'WHAT' }], rows, { style })) out(line);
  out(style.dim(`${plural(events.length, 'event')}, oldest first; times in ${tz}.`));
  return 0;
};

// ─── day-changes ─────────────────────────────────────────────────────────────────────────────────────────

/** What changed on a day (today unless given): invoices that became due or overdue, broken promises, stale chases. */
export const dayChanges: Command = async (ctx, workspace, args, out, options = {}) => {
  const style = options.style ?? plainStyle;
  const [typed, ...rest] = args;
  const clock = clockOf(ctx, workspace);
  if (rest.length > 0 || (typed !== undefined && !isLocalDate(typed))) {
    return usage(
      out,
      `Give the day as YYYY-MM-DD, like ${clock.today}, or nothing for today.`,
      'day-changes [YYYY-MM-DD]',
    );
  }
  const date: LocalDate = typed ?? clock.today;
  // The status of each invoice as of that day: now when it is today, else midday then.
  const now =
    date === clock.today ? clock.now : new Date(startOfLocalDay(date, workspace.timeZone).getTime() + 12 * 3_600_000);
  const changes = await getDayChanges(ctx.db, { workspace, today: date, now });
  out(`${style.bold(workspace.name)} — what changed on ${longDay(date)}`);
  if (date !== clock.today) {
    out(style.dim('As the book stands now: invoices paid, voided or put on hold since are not listed.'));
  }
  const sections: [string, InvoiceView[], (v: InvoiceView) => string][] = [
    [date === clock.today ? 'Became due today' : 'Became due', changes.becameDue, () => ''],
    ['Became overdue', changes.becameOverdue, () => `due ${addDays(date, -1)}`],
    ['Promises broken', changes.promisesBroken, (v) => `promised ${v.promisedDate ?? EMPTY}`],
    ['Went stale', changes.wentStale, staleWhy],
  ];
  for (const [title, views, why] of sections) {
    out('');
    out(`${style.bold(title)} ${style.dim(`(${views.length})`)}`);
    if (views.length === 0) {
      out(`${INDENT}${style.dim('none')}`);
      continue;
    }
    const rows = views.map((v) => [v.number, v.clientName, amountOwed(v), v.dueDate, termsBasis(v), why(v)]);
    const columns: Column[] = [
      { header: 'NUMBER' },
      { header: 'CLIENT' },
      { header: 'AMOUNT DUE', align: 'right' },
      { header: 'DUE' },
      { header: 'TERMS' },
      { header: 'WHY' },
    ];
    for (const line of table(columns, rows, { indent: INDENT, style, hideEmptyColumns: true })) out(line);
  }
  return 0;
};
