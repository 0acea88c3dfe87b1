// `retainers`: the workspace's recurring invoices in a terminal — list them, show one with the invoices it made, and
// pause, resume, end or edit one, as the machine's operator (a finance admin's rights; services/policy.ts).
import { findInvoiceRows } from '../db/queries/invoices.js';
import { getRetainerRuns } from '../db/queries/retainers.js';
import { formatMoney } from '../domain/money.js';
import { describeEnd, describeSchedule } from '../domain/retainers.js';
import { describeTerms } from '../domain/terms.js';
import type { LedgerContext } from '../services/context.js';
import { isLedgerError } from '../services/errors.js';
import { operatorPrincipal } from '../services/policy.js';
import {
  type EditRetainerInput,
  editRetainer,
  endRetainer,
  getRetainer,
  listRetainers,
  pauseRetainer,
  type RetainerChange,
  type RetainerView,
  resumeRetainer,
} from '../services/retainers.js';
import type { Command, Out } from './commands.js';
import { EMPTY, plural } from './format.js';
import { parseOptions, text } from './options.js';
import { type Column, plainStyle, table } from './table.js';

export const RETAINERS_USAGE = 'retainers [list [--all] | show ID | pause ID | resume ID | end ID | edit ID --field …]';

/** The edit's options, each a field of the retainer; `none` clears one that may be empty. */
export const RETAINER_EDIT_OPTIONS = [
  '--amount',
  '--currency',
  '--terms',
  '--description',
  '--owner',
  '--cadence',
  '--day',
  '--end',
  '--count',
  '--as',
] as const;

/** The machine's operator, who may manage every workspace's retainers. */
const CLI_OPERATOR = operatorPrincipal('cli');

const CHANGE = {
  pause: { run: pauseRetainer, said: 'Paused: no invoices until it is resumed; the days while paused are skipped.' },
  resume: { run: resumeRetainer, said: 'Resumed: invoices again from today.' },
  end: { run: endRetainer, said: 'Ended: no more invoices; those it made stay.' },
} as const;

export const retainersCommand: Command = async (ctx, workspace, args, out, options = {}) => {
  const style = options.style ?? plainStyle;
  const parsed = parseOptions(args, { valued: RETAINER_EDIT_OPTIONS.map((o) => o.slice(2)), bare: ['all'] });
  if (typeof parsed === 'string') return usage(out, parsed);
  const [action = 'list', ref, ...rest] = parsed.positional;
  if (rest.length > 0) return usage(out, `Too many arguments: ${rest.join(' ')}`);
  const editing = RETAINER_EDIT_OPTIONS.some((o) => parsed.flags.has(o.slice(2)));
  if (editing && action !== 'edit') return usage(out, `--${[...parsed.flags.keys()][0]} goes with edit.`);
  if (parsed.flags.has('all') && action !== 'list') return usage(out, '--all goes with list.');

  if (action === 'list') {
    if (ref) return usage(out, `list takes no id (got "${ref}").`);
    const all = await listRetainers(ctx, workspace.teamId, { includeEnded: parsed.flags.has('all') }, workspace);
    if (all.length === 0) {
      out(`${workspace.name} has no ${parsed.flags.has('all') ? '' : 'running or paused '}retainers.`);
      return 0;
    }
    const columns: Column[] = [
      { header: 'ID' },
      { header: 'CLIENT' },
      { header: 'AMOUNT', align: 'right' },
      { header: 'SCHEDULE' },
      { header: 'TERMS' },
      { header: 'NEXT' },
      { header: 'MADE', align: 'right' },
      { header: 'OWNER' },
    ];
    const rows = all.map((r) => [
      r.id.slice(0, 8),
      r.clientName,
      formatMoney(r.amountMinor, r.currency),
      schedule(r),
      describeTerms(r.terms),
      standing(r),
      String(r.made),
      r.ownerUserId ?? 'finance channel',
    ]);
    for (const line of table(columns, rows, { style })) out(line);
    out(style.dim(`${plural(all.length, 'retainer')}; \`retainers show ID\` shows one with the invoices it made.`));
    return 0;
  }
  if (!ref) return usage(out, `${action} needs the retainer's id (or its first 8 characters): see \`retainers\`.`);

  try {
    if (action === 'show') return await show(ctx, workspace.teamId, ref, out);
    if (action === 'pause' || action === 'resume' || action === 'end') {
      const changed = await CHANGE[action].run(ctx, workspace.teamId, CLI_OPERATOR, { retainer: ref });
      out(`${CHANGE[action].said}`);
      out(summary(changed));
      return 0;
    }
    if (action === 'edit') {
      if (!editing) return usage(out, `edit needs at least one of ${RETAINER_EDIT_OPTIONS.join(', ')}.`);
      const input = editInput(ref, parsed.flags);
      if (typeof input === 'string') return usage(out, input);
      const { result } = await editRetainer(ctx, workspace.teamId, CLI_OPERATOR, input);
      if (result.changes.length === 0) out('Nothing changed.');
      else out(`Edited: ${changeWords(result.changes)}`);
      for (const made of result.made) out(`Made first, as due before the change: ${made.number}`);
      out(summary(result.retainer));
      return 0;
    }
  } catch (error) {
    if (isLedgerError(error, 'RETAINER_NOT_FOUND')) {
      out(error.message.replace('/invoice recurring', '`npm run cli -- retainers`'));
      return 1;
    }
    if (isLedgerError(error)) {
      out(error.issues.length > 0 ? error.issues.map((i) => `${i.field}: ${i.message}`).join('\n') : error.message);
      return 2;
    }
    throw error;
  }
  return usage(out, `Unknown retainers action "${action}".`);
};

/** The options of `edit` as the service's input: `none` clears the owner, end date, count or description. */
function editInput(ref: string, flags: Map<string, string | true>): EditRetainerInput | string {
  const input: EditRetainerInput = { retainer: ref };
  const clear = (value: string) => value.trim().toLowerCase() === 'none';
  const amount = text(flags, 'amount');
  if (amount !== undefined) input.amount = amount;
  const currency = text(flags, 'currency');
  if (currency !== undefined) input.currency = currency;
  const terms = text(flags, 'terms');
  if (terms !== undefined) input.terms = terms;
  const description = text(flags, 'description');
  if (description !== undefined) input.description = clear(description) ? null : description;
  const owner = text(flags, 'owner');
  if (owner !== undefined) input.ownerUserId = clear(owner) ? null : owner;
  const cadence = text(flags, 'cadence');
  if (cadence !== undefined) {
    if (cadence !== 'monthly' && cadence !== 'quarterly') return '--cadence is monthly or quarterly.';
    input.cadence = cadence;
  }
  const day = text(flags, 'day');
  if (day !== undefined) {
    if (/^last([- ]working[- ]day)?$/i.test(day)) input.dayOfMonth = null;
    else if (/^\d{1,2}$/.test(day)) input.dayOfMonth = Number(day);
    else return '--day is a day of the month (1 to 31) or last (the last working day).';
  }
  const end = text(flags, 'end');
  if (end !== undefined) input.endDate = clear(end) ? null : end;
  const count = text(flags, 'count');
  if (count !== undefined) input.maxCount = clear(count) ? null : /^\d+$/.test(count) ? Number(count) : Number.NaN;
  const as = text(flags, 'as');
  if (as !== undefined) {
    if (as !== 'draft' && as !== 'sent') return '--as is draft or sent.';
    input.createAs = as;
  }
  return input;
}

function changeWords(changes: readonly RetainerChange[]): string {
  return changes.map((c) => `${c.field} ${c.from ?? 'none'} → ${c.to ?? 'none'}`).join('; ');
}

function schedule(r: RetainerView): string {
  const end = describeEnd(r.schedule);
  return `${describeSchedule(r.schedule)}${end ? `, ${end}` : ''}`;
}

function standing(r: RetainerView): string {
  if (r.status === 'ended') return 'ended';
  if (r.status === 'paused') return 'paused';
  return r.next ?? 'finished';
}

/** "a1b2c3d4 Acme Corp · $5,000.00 monthly on the 1st · net 30 · made as drafts · next 2027-01-01 · 3 made" */
function summary(r: RetainerView): string {
  const next = r.status === 'active' ? (r.next ? `next ${r.next}` : 'finished') : r.status;
  return `${r.id.slice(0, 8)} ${r.clientName} · ${formatMoney(r.amountMinor, r.currency)} ${schedule(r)} · ${describeTerms(r.terms)} · made as ${r.createAs === 'sent' ? 'sent' : 'drafts'} · ${next} · ${plural(r.made, 'invoice')} made`;
}

async function show(ctx: LedgerContext, teamId: string, ref: string, out: Out): Promise<number> {
  const r = await getRetainer(ctx, teamId, ref);
  const facts: [string, string][] = [
    ['Id', r.id],
    ['Client', r.clientName],
    ['Amount', formatMoney(r.amountMinor, r.currency)],
    ['Terms', describeTerms(r.terms)],
    ['Schedule', `${schedule(r)}, from ${r.schedule.startDate}`],
    ['Made as', r.createAs === 'sent' ? 'sent' : 'drafts'],
    ['Numbers', `${r.numberPrefix}-YYYY-MM-DD`],
    ['Owner', r.ownerUserId ?? 'none (the finance channel hears)'],
    ['Description', r.description ?? EMPTY],
    ['Status', r.status],
    ['Next', r.status === 'active' ? (r.next ?? 'none (its end or count is reached)') : EMPTY],
  ];
  const width = Math.max(...facts.map(([label]) => label.length));
  for (const [label, value] of facts) out(`${label.padEnd(width)}  ${value}`);
  out('');
  const runs = await getRetainerRuns(ctx.db, { teamId, retainerId: r.id });
  out(`Invoices made (${runs.length})`);
  const numbers = new Map(
    (await findInvoiceRows(ctx.db, { teamId, ids: runs.map((run) => run.invoiceId) })).map((row) => [
      row.invoice.id,
      row.invoice,
    ]),
  );
  const rows = runs.map((run) => {
    const invoice = numbers.get(run.invoiceId);
    return [
      invoice?.number ?? EMPTY,
      run.occurrenceDate,
      run.createdOn === run.occurrenceDate ? 'on its day' : `caught up on ${run.createdOn}`,
      invoice ? formatMoney(invoice.totalMinor, invoice.currency) : EMPTY,
    ];
  });
  if (rows.length === 0) out('  none yet');
  else {
    const columns: Column[] = [
      { header: 'NUMBER' },
      { header: 'DATED' },
      { header: 'MADE' },
      { header: 'AMOUNT', align: 'right' },
    ];
    for (const line of table(columns, rows, { indent: '  ' })) out(line);
  }
  return 0;
}

function usage(out: Out, message: string): number {
  out(message);
  out(`Usage: npm run cli -- ${RETAINERS_USAGE}`);
  return 2;
}
