// `import FILE` and `export invoices|history`: invoices in and out as CSV from a terminal.
// Exit codes as elsewhere in the CLI: 0 done, 1 the file had errors (nothing written) or could not be
// read or written, 2 used wrongly.
import { readFile, writeFile } from 'node:fs/promises';
import { addDays, isLocalDate, type LocalDate, startOfLocalDay, todayIn } from '../domain/dates.js';
import { isCurrency } from '../domain/money.js';
import { exportHistoryCsv, exportInvoicesCsv } from '../io/export.js';
import { decodeCsv } from '../io/formats.js';
import type { DateOrder } from '../io/values.js';
import { type ImportReport, importInvoices } from '../services/import.js';
import { operatorPrincipal, type Principal } from '../services/policy.js';
import type { Command, Out } from './commands.js';

/**
 * The CLI runs as the operator of the machine that holds the database: a finance admin of every workspace in it
 * (see services/policy.ts). Its imports are recorded under this name in every event, as the app's own.
 */
export const IMPORT_ACTOR: Principal = operatorPrincipal('import');

const IMPORT_USAGE = 'import FILE [--dry-run] [--currency USD] [--date-order dmy|mdy]';
const EXPORT_USAGE = 'export invoices|history [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--out FILE]';

function usage(out: Out, message: string, line: string): number {
  out(message);
  out(`Usage: npm run cli -- ${line}`);
  return 2;
}

interface Parsed {
  positional: string[];
  flags: Map<string, string | true>;
}

/** `--name value`, `--name=value` and bare `--name` for the names that take no value. */
function parseOptions(
  args: readonly string[],
  spec: { valued: readonly string[]; bare: readonly string[] },
): Parsed | string {
  const parsed: Parsed = { positional: [], flags: new Map() };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (!arg.startsWith('--')) {
      parsed.positional.push(arg);
      continue;
    }
    const [name = '', inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (spec.bare.includes(name)) {
      if (inline !== undefined) return `--${name} takes no value`;
      parsed.flags.set(name, true);
    } else if (spec.valued.includes(name)) {
      const value = inline ?? args[++i];
      if (value === undefined || value === '' || value.startsWith('--')) return `--${name} needs a value`;
      parsed.flags.set(name, value);
    } else {
      return `Unknown option --${name}`;
    }
  }
  return parsed;
}

function text(flags: Parsed['flags'], name: string): string | undefined {
  const value = flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

/**
 * Reads an invoice CSV (Xero's export or import template; QuickBooks Online's invoice list, Open Invoices report
 * or invoice import file; a plain sheet; ours) and prints what it did or would do, line by line.
 */
export const importCommand: Command = async (ctx, workspace, args, out) => {
  const parsed = parseOptions(args, { valued: ['currency', 'date-order'], bare: ['dry-run'] });
  if (typeof parsed === 'string') return usage(out, parsed, IMPORT_USAGE);
  const [file, ...extra] = parsed.positional;
  if (!file || extra.length > 0) return usage(out, 'Give one CSV file to import.', IMPORT_USAGE);
  const currency = text(parsed.flags, 'currency')?.toUpperCase();
  if (currency !== undefined && !isCurrency(currency)) {
    return usage(out, `--currency ${currency} is not an ISO 4217 code like USD or EUR.`, IMPORT_USAGE);
  }
  const order = text(parsed.flags, 'date-order');
  if (order !== undefined && order !== 'dmy' && order !== 'mdy') {
    return usage(out, '--date-order is dmy (31/01/2026) or mdy (01/31/2026).', IMPORT_USAGE);
  }
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    out(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error)}`);
    return 1;
  }
  const decoded = decodeCsv(bytes);
  if (!decoded.ok) {
    out(`${file} was not imported: ${decoded.message}`);
    return 1;
  }
  const csv = decoded.value;
  const report = await importInvoices(ctx, workspace.teamId, IMPORT_ACTOR, csv, {
    dryRun: parsed.flags.has('dry-run'),
    defaultCurrency: currency,
    dateOrder: order as DateOrder | undefined,
  });
  for (const line of reportLines(report, file)) out(line);
  return report.errors.length > 0 ? 1 : 0;
};

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** The import report for people: what was read, what changed (or would), then each problem by line. */
export function reportLines(report: ImportReport, file: string): string[] {
  if (report.format === null) {
    return [`${file} was not imported:`, ...report.errors.map((e) => `  line ${e.line}: ${e.message}`)];
  }
  const lines: string[] = [];
  const read = `${file}: ${report.formatName}, ${plural(report.rows, 'line')}, ${plural(report.invoices, 'invoice')}.`;
  lines.push(read);
  const failed = report.errors.length > 0;
  const would = report.dryRun || failed;
  const counts = [
    `${report.created} ${would ? 'to create' : 'created'}`,
    `${report.updated} ${would ? 'to update' : 'updated'}`,
    `${report.unchanged} unchanged`,
    plural(report.payments, 'payment'),
    `${report.voided} voided`,
    plural(report.clientsCreated, 'new client'),
  ];
  lines.push(`  ${counts.join(', ')}.`);
  for (const note of report.notes) {
    lines.push(`  note, line ${[note.line, note.number].filter(Boolean).join(' ')}: ${note.message}`);
  }
  for (const skip of report.skipped) lines.push(`  skipped line ${skip.line}: ${skip.reason}`);
  if (failed) {
    lines.push('');
    lines.push(`${plural(report.errors.length, 'error')} — nothing was written:`);
    for (const e of report.errors) {
      const where = [`line ${e.line}`, e.number].filter(Boolean).join(' ');
      lines.push(`  ${where}  ${e.field ? `${e.field}: ` : ''}${e.message}`);
    }
  } else {
    lines.push(report.dryRun ? 'Dry run: nothing was written. Run it again without --dry-run to import.' : 'Imported.');
  }
  return lines;
}

/** Writes the invoices (in our import format) or the history of a period as CSV, to stdout or a file. */
export const exportCommand: Command = async (ctx, workspace, args, out) => {
  const parsed = parseOptions(args, { valued: ['from', 'to', 'out'], bare: [] });
  if (typeof parsed === 'string') return usage(out, parsed, EXPORT_USAGE);
  const [what, ...extra] = parsed.positional;
  if ((what !== 'invoices' && what !== 'history') || extra.length > 0) {
    return usage(out, 'Export what: invoices or history?', EXPORT_USAGE);
  }
  const dates: Partial<Record<'from' | 'to', LocalDate>> = {};
  for (const name of ['from', 'to'] as const) {
    const value = text(parsed.flags, name);
    if (value === undefined) continue;
    if (!isLocalDate(value)) return usage(out, `--${name} ${value} is not a date like 2026-09-01.`, EXPORT_USAGE);
    dates[name] = value;
  }
  if (dates.from && dates.to && dates.from > dates.to) {
    return usage(out, `--from ${dates.from} is after --to ${dates.to}.`, EXPORT_USAGE);
  }
  const now = ctx.clock.now();
  const tz = workspace.timeZone;
  const csv =
    what === 'invoices'
      ? await exportInvoicesCsv(ctx.db, { workspace, from: dates.from, to: dates.to, now })
      : await exportHistoryCsv(ctx.db, {
          teamId: workspace.teamId,
          timeZone: tz,
          // Whole days in the workspace's time zone, both ends included; from the start, to the end of today.
          from: dates.from ? startOfLocalDay(dates.from, tz) : new Date(0),
          to: startOfLocalDay(addDays(dates.to ?? todayIn(tz, now), 1), tz),
          now,
        });
  const file = text(parsed.flags, 'out');
  if (file === undefined) {
    out(csv.replace(/\n$/, ''));
    return 0;
  }
  try {
    await writeFile(file, csv, 'utf8');
  } catch (error) {
    out(`Cannot write ${file}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  out(`Wrote the ${what === 'invoices' ? 'invoices' : 'history'} to ${file}.`);
  return 0;
};
