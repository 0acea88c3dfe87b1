// `import FILE` and `export invoices|history`: invoices in and out as CSV from a terminal.
// Exit codes as elsewhere in the CLI: 0 done, 1 the file had errors (nothing written) or could not be
// read or written, 2 used wrongly.
import { readFile, writeFile } from 'node:fs/promises';
import { decodeCsv } from '../domain/csv-formats.js';
import type { DateOrder } from '../domain/csv-values.js';
import { addDays, isLocalDate, type LocalDate, startOfLocalDay, todayIn } from '../domain/dates.js';
import { isCurrency } from '../domain/money.js';
import { exportHistoryCsv, exportInvoicesCsv } from '../io/export.js';
import type { LedgerContext } from '../services/context.js';
import { isLedgerError } from '../services/errors.js';
import { type ImportProgress, type ImportReport, importInvoices } from '../services/import.js';
import { operatorPrincipal, type Principal } from '../services/policy.js';
import { initWorkspace, listWorkspaces } from '../services/workspaces.js';
import type { Command, Out } from './commands.js';
import { parseOptions, type StandaloneCommand, text } from './options.js';

/**
 * The CLI runs as the operator of the machine that holds the database: a finance admin of every workspace in it
 * (see services/policy.ts). Its imports are recorded under this name in every event, as the app's own.
 */
export const IMPORT_ACTOR: Principal = operatorPrincipal('import');

const IMPORT_USAGE =
  'import FILE [--dry-run] [--currency USD] [--date-order dmy|mdy] [--team T0123ABCD --name NAME --zone Europe/Paris]';
const SET_UP_HINT = '--team T0123ABCD --name "Your team" --zone Europe/Paris';
const EXPORT_USAGE = 'export invoices|history [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--out FILE]';

function usage(out: Out, message: string, line: string): number {
  out(message);
  out(`Usage: npm run cli -- ${line}`);
  return 2;
}

/** An import's file and options, read and checked. */
interface ImportRequest {
  file: string;
  csv: string;
  dryRun: boolean;
  currency: string | undefined;
  order: DateOrder | undefined;
  /** A workspace to set up first, in the same transaction, when the database has none for this team. */
  setUp: { team: string | undefined; name: string | undefined; zone: string | undefined };
}

/** Reads the options and the file; an exit code, having said why, when they are wrong. */
async function readRequest(args: readonly string[], out: Out): Promise<ImportRequest | number> {
  const parsed = parseOptions(args, { valued: ['currency', 'date-order', 'team', 'name', 'zone'], bare: ['dry-run'] });
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
  return {
    file,
    csv: decoded.value,
    dryRun: parsed.flags.has('dry-run'),
    currency,
    order: order as DateOrder | undefined,
    setUp: {
      team: text(parsed.flags, 'team')?.toUpperCase(),
      name: text(parsed.flags, 'name'),
      zone: text(parsed.flags, 'zone'),
    },
  };
}

function importInto(ctx: LedgerContext, teamId: string, request: ImportRequest): Promise<ImportReport> {
  return importInvoices(ctx, teamId, IMPORT_ACTOR, request.csv, {
    dryRun: request.dryRun,
    defaultCurrency: request.currency,
    dateOrder: request.order,
    onProgress: progressPrinter(request.file),
  });
}

/**
 * Reads an invoice CSV (Xero's export or import template; QuickBooks Online's invoice list, Open Invoices report
 * or invoice import file; a plain sheet; ours) and prints what it did or would do, line by line.
 */
export const importCommand: Command = async (ctx, workspace, args, out) => {
  const request = await readRequest(args, out);
  if (typeof request === 'number') return request;
  const report = await importInto(ctx, workspace.teamId, request);
  for (const line of reportLines(report, request.file)) out(line);
  return report.errors.length > 0 ? 1 : 0;
};

/** Rolls back a workspace set up for an import that wrote nothing. */
class NothingWritten extends Error {}

/**
 * `import` as the CLI runs it: into the workspace named or the only one, as importCommand; and on a database with
 * no workspace for the team yet, into a new one — set up from --team, --name and --zone in the same transaction
 * as the import (all of it or none: a file with errors leaves no workspace behind), or, for a dry run without
 * them, checked against a new empty workspace that is never saved.
 */
export const importEntry: StandaloneCommand = async (ctx, args, out, options) => {
  const request = await readRequest(args, out);
  if (typeof request === 'number') return request;
  const team = request.setUp.team ?? options.workspace?.toUpperCase();
  const all = await listWorkspaces(ctx);
  const existing = team ? all.find((w) => w.teamId.toUpperCase() === team) : all.length === 1 ? all[0] : undefined;
  if (existing) {
    const report = await importInto(ctx, existing.teamId, request);
    for (const line of reportLines(report, request.file)) out(line);
    return report.errors.length > 0 ? 1 : 0;
  }
  if (!team && all.length > 1) {
    out(`This database holds ${all.length} workspaces; pick one with --workspace:`);
    for (const w of all) out(`  ${w.teamId}  ${w.name} (${w.timeZone})`);
    return 2;
  }
  const { name, zone } = request.setUp;
  const setUp = team && name && zone ? { teamId: team, name, timeZone: zone } : undefined;
  if (!setUp && !request.dryRun) {
    out(
      team
        ? `There is no workspace ${team} in this database yet. Set it up as you import: add --name "Your team" --zone Europe/Paris.`
        : 'This database has no workspace yet. Set it up as you import, all in one go:',
    );
    if (!team) out(`  npm run cli -- import ${request.file} ${SET_UP_HINT}`);
    out('(or first `npm run cli -- workspace init …`; `--dry-run` checks the file without either).');
    return 1;
  }
  // A dry run without the workspace's details checks the file against a new, empty workspace in UTC.
  const provisional = setUp ?? { teamId: team ?? 'T0NEW', name: name ?? 'New workspace', timeZone: zone ?? 'UTC' };
  let report: ImportReport | undefined;
  try {
    await ctx.db.transaction(async (tx) => {
      const inTx = { ...ctx, db: tx };
      await initWorkspace(inTx, operatorPrincipal('cli'), provisional);
      report = await importInto(inTx, provisional.teamId, request);
      if (!report.written) throw new NothingWritten();
    });
  } catch (error) {
    if (isLedgerError(error) && !report) {
      out(`The workspace could not be set up: ${error.message}`);
      return 2;
    }
    if (!(error instanceof NothingWritten)) throw error;
  }
  if (!report) return 1;
  if (!setUp) out(`No workspace yet: checked as an import into a new, empty one (time zone ${provisional.timeZone}).`);
  for (const line of reportLines(report, request.file)) out(line);
  if (report.written) {
    out(
      `Set up workspace ${provisional.teamId} (${provisional.name}) in ${provisional.timeZone}: see \`npm run cli -- workspace show\`.`,
    );
  } else if (!setUp) {
    out(`To import, say which workspace to set up: npm run cli -- import ${request.file} ${SET_UP_HINT}`);
  } else if (report.errors.length > 0) {
    out(`The workspace ${provisional.teamId} was not set up either.`);
  }
  return report.errors.length > 0 ? 1 : 0;
};

/** A long file's progress, on stderr (the report stays alone on stdout): at most once a second, and each phase's end. */
const PROGRESS_FROM = 1_000;
const PROGRESS_EVERY_MS = 1_000;
const PHASE_WORDS: Record<ImportProgress['phase'], string> = {
  checking: 'checked',
  writing: 'rows written',
  updating: 'changed invoices updated',
};

function progressPrinter(file: string, write = (line: string) => process.stderr.write(`${line}\n`)) {
  let last = 0;
  return (p: ImportProgress) => {
    if (p.total < PROGRESS_FROM) return;
    const now = performance.now();
    if (p.done !== p.total && now - last < PROGRESS_EVERY_MS) return;
    last = now;
    write(`${file}: ${p.done.toLocaleString('en-US')} of ${p.total.toLocaleString('en-US')} ${PHASE_WORDS[p.phase]}`);
  };
}

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
