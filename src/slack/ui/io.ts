// Import and export in Slack: the import modal and its stages (checking, the dry run's report, importing,
// the result), and the words around an export. Pure: every builder takes what it shows.
//
// A report can hold thousands of bad lines; a modal holds 100 blocks of at most 3,000 characters each, so
// the lines are packed into a few sections and the rest is counted ("…and 212 more").
import type { ViewOutput } from '@slack/bolt';
import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import type { DateOrder } from '../../domain/csv-values.js';
import type { LocalDate } from '../../domain/dates.js';
import { isCurrency } from '../../domain/money.js';
import type { ImportProgress, ImportReport } from '../../services/import.js';
import type { ExportKind } from '../command.js';
import { context, mrkdwn, plain, section } from './blocks.js';
import { FIELD, VIEW } from './ids.js';
import {
  esc,
  escapeClip,
  inline,
  joinMd,
  literal,
  type Mrkdwn,
  md,
  packLines,
  plural,
  type SlackMessage,
  truncate,
} from './text.js';

type ViewStateValues = ViewOutput['state']['values'];

const MAX_TITLE = 24;
const MAX_METADATA = 3000;
/** Sections of bad lines in a report (each up to 3,000 characters): room for a few hundred lines. */
export const REPORT_ERROR_SECTIONS = 8;
/** Sections of lines left out on purpose (credit notes…). */
export const REPORT_SKIPPED_SECTIONS = 2;
/** Sections of what was worked out rather than read (statuses, payment dates, how the file was read). */
export const REPORT_NOTE_SECTIONS = 3;

function option(text: string, value: string): PlainTextOption {
  return { text: plain(text, 75), value };
}

function modal(p: { callbackId: string; blocks: KnownBlock[]; submit?: string; close?: string; metadata?: string }) {
  const view: ModalView = {
    type: 'modal',
    callback_id: p.callbackId,
    title: plain('Import invoices', MAX_TITLE),
    ...(p.submit ? { submit: plain(p.submit, MAX_TITLE) } : {}),
    close: plain(p.close ?? 'Close', MAX_TITLE),
    ...(p.metadata ? { private_metadata: p.metadata } : {}),
    blocks: p.blocks,
  };
  return view;
}

/** A file name as it is shown: escaped, on one line, not too long. */
function fileLabel(name: string): Mrkdwn {
  return md`*${inline(name, 120)}*`;
}

// ---------------------------------------------------------------------------------------------------------
// Metadata carried by the report view to the real import

/** What the report view carries to its submit: the file to import again, how to read it, and the request key. */
export interface ImportMetadata {
  /** Idempotency key, fixed when the report is shown: a repeated submit imports once. */
  key: string;
  fileId: string;
  fileName: string;
  currency?: string;
  dateOrder?: DateOrder;
}

export function encodeImportMetadata(m: ImportMetadata): string {
  const json = JSON.stringify({ ...m, fileName: truncate(m.fileName, 300) });
  if (json.length > MAX_METADATA)
    throw new RangeError(`Import metadata is ${json.length} characters; Slack allows 3000`);
  return json;
}

/** Reads private_metadata back; undefined when it is not ImportMetadata (a forged or stale view). */
export function parseImportMetadata(raw: string | null | undefined): ImportMetadata | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw ?? '');
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  const m = value as Record<string, unknown>;
  if (typeof m.key !== 'string' || m.key === '' || typeof m.fileId !== 'string' || m.fileId === '') return undefined;
  const out: ImportMetadata = {
    key: m.key,
    fileId: m.fileId,
    fileName: typeof m.fileName === 'string' ? m.fileName : '',
  };
  if (typeof m.currency === 'string' && isCurrency(m.currency)) out.currency = m.currency;
  if (m.dateOrder === 'dmy' || m.dateOrder === 'mdy') out.dateOrder = m.dateOrder;
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// The form

const DATE_ORDERS: readonly PlainTextOption[] = [
  option('Work it out from the file', 'auto'),
  option('Day first: 31/01/2026', 'dmy'),
  option('Month first: 01/31/2026', 'mdy'),
];

/** /invoice import: a CSV file, and the two things the CLI's --currency and --date-order say. */
export function importModal(): ModalView {
  return modal({
    callbackId: VIEW.importFile,
    submit: 'Check file',
    close: 'Cancel',
    blocks: [
      section(
        literal(
          'A *Xero* sales invoice export or import template, a *QuickBooks Online* invoice list, Open Invoices report or invoice import file, a sheet of your own (invoice number, client, total, date…), or a CSV exported from here. I check every line first and show you what would change; nothing is saved until you confirm.',
        ),
      ),
      {
        type: 'input',
        block_id: FIELD.importFile,
        label: plain('CSV file'),
        element: { type: 'file_input', action_id: FIELD.importFile, filetypes: ['csv'], max_files: 1 },
      },
      {
        type: 'input',
        block_id: FIELD.importCurrency,
        optional: true,
        label: plain('Currency'),
        element: {
          type: 'plain_text_input',
          action_id: FIELD.importCurrency,
          max_length: 3,
          placeholder: plain('USD'),
        },
        hint: plain(
          "For a file without a Currency column (a QuickBooks list without multicurrency), or with blank ones (Xero's import template leaves it blank for your base currency).",
        ),
      },
      {
        type: 'input',
        block_id: FIELD.importDateOrder,
        label: plain('Dates like 03/04/2026'),
        element: {
          type: 'radio_buttons',
          action_id: FIELD.importDateOrder,
          options: [...DATE_ORDERS],
          initial_option: DATE_ORDERS[0],
        },
        hint: plain('Worked out from dates no one can misread, such as 14/09/2026, when the file has any.'),
      },
    ],
  });
}

export interface ImportForm {
  file: { id: string; name: string };
  currency?: string;
  dateOrder?: DateOrder;
}

/** The submitted form, or the mistakes to show on its blocks. */
export function readImportForm(values: ViewStateValues): { form: ImportForm } | { errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const files = values[FIELD.importFile]?.[FIELD.importFile]?.files ?? [];
  const file = files[0];
  if (!file) errors[FIELD.importFile] = 'Choose a CSV file to import.';
  else if (files.length > 1) errors[FIELD.importFile] = 'Choose one file at a time.';
  else if (file.filetype !== 'csv' && !(file.name ?? '').toLowerCase().endsWith('.csv')) {
    errors[FIELD.importFile] = 'That is not a CSV file. Xero and QuickBooks both export invoices as CSV.';
  }
  const currency = values[FIELD.importCurrency]?.[FIELD.importCurrency]?.value?.trim().toUpperCase() || undefined;
  if (currency !== undefined && !isCurrency(currency)) {
    errors[FIELD.importCurrency] = `${truncate(currency, 10)} is not a currency code such as USD, EUR or GBP.`;
  }
  const order = values[FIELD.importDateOrder]?.[FIELD.importDateOrder]?.selected_option?.value;
  if (Object.keys(errors).length > 0 || !file) return { errors };
  return {
    form: {
      file: { id: file.id, name: file.name || file.title || 'file.csv' },
      ...(currency ? { currency } : {}),
      ...(order === 'dmy' || order === 'mdy' ? { dateOrder: order } : {}),
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Stages

function statusView(text: Mrkdwn, more?: Mrkdwn): ModalView {
  return modal({ callbackId: VIEW.importStatus, blocks: [section(text), ...(more ? [context(more)] : [])] });
}

export function importCheckingView(fileName: string, progress?: ImportProgress): ModalView {
  return statusView(
    md`⏳ Checking ${fileLabel(fileName)}…${progressLine(progress)}`,
    literal('Every line is tried against the book without saving anything. This takes a few seconds.'),
  );
}

export function importWorkingView(fileName: string, progress?: ImportProgress): ModalView {
  return statusView(
    md`⏳ Importing ${fileLabel(fileName)}…${progressLine(progress)}`,
    literal('All of it or none of it: this takes a few seconds.'),
  );
}

const PROGRESS_WORDS: Record<ImportProgress['phase'], Mrkdwn> = {
  checking: literal('invoices checked'),
  writing: literal('rows written'),
  updating: literal('changed invoices updated'),
};

/** "12,500 of 20,000 invoices checked", on its own line, for a long file. */
function progressLine(progress: ImportProgress | undefined): Mrkdwn {
  if (!progress || progress.total === 0) return literal('');
  return md`\n${progress.done} of ${progress.total} ${PROGRESS_WORDS[progress.phase]}`;
}

export function importFailedView(fileName: string, message: string): ModalView {
  return statusView(md`⚠️ Nothing was imported from ${fileLabel(fileName)}. ${escapeClip(message, 2500)}`);
}

export function importDeniedView(message: string): ModalView {
  return statusView(md`🔒 ${escapeClip(message, 2500)}`);
}

// ---------------------------------------------------------------------------------------------------------
// Reports

/** What importing the file changes (or would): the invoices to create or update. */
export function importCount(report: ImportReport): number {
  return report.created + report.updated;
}

function countFields(report: ImportReport, done: boolean): KnownBlock {
  const field = (label: Mrkdwn, n: number) => mrkdwn(md`*${label}*\n${n}`);
  return {
    type: 'section',
    fields: [
      field(done ? literal('Created') : literal('To create'), report.created),
      field(done ? literal('Updated') : literal('To update'), report.updated),
      field(literal('Unchanged'), report.unchanged),
      field(done ? literal('Payments recorded') : literal('Payments to record'), report.payments),
      field(done ? literal('Voided') : literal('To void'), report.voided),
      field(done ? literal('New clients') : literal('New clients to add'), report.clientsCreated),
    ],
  };
}

function problemLines(report: ImportReport): KnownBlock[] {
  const lines = report.errors.map((e) => {
    const where = [md`*Line ${e.line}*`, e.number ? inline(e.number, 60) : null, e.field ? inline(e.field, 60) : null];
    return md`• ${joinMd(
      where.filter((w): w is Mrkdwn => w !== null),
      ' · ',
    )}: ${inline(e.message, 600)}`;
  });
  return packLines(lines, {
    maxTexts: REPORT_ERROR_SECTIONS,
    more: (n) => md`_…and ${plural(n, 'more error')} not shown here._`,
  }).map(section);
}

function skippedLines(report: ImportReport): KnownBlock[] {
  if (report.skipped.length === 0) return [];
  const lines = report.skipped.map((s) => md`• *Line ${s.line}*: ${inline(s.reason, 400)}`);
  return [
    context(literal('Left out on purpose:')),
    ...packLines(lines, { maxTexts: REPORT_SKIPPED_SECTIONS, more: (n) => md`_…and ${n} more._` }).map(section),
  ];
}

function noteLines(report: ImportReport): KnownBlock[] {
  if (report.notes.length === 0) return [];
  const lines = report.notes.map((n) => {
    const where = n.number ? md`*Line ${n.line}* · ${inline(n.number, 60)}` : md`*Line ${n.line}*`;
    return md`• ${where}: ${inline(n.message, 400)}`;
  });
  return [
    context(literal('Worked out from the file, not read from it:')),
    ...packLines(lines, { maxTexts: REPORT_NOTE_SECTIONS, more: (n) => md`_…and ${n} more._` }).map(section),
  ];
}

function headline(report: ImportReport, fileName: string): Mrkdwn {
  if (report.format === null) return md`${fileLabel(fileName)} is not a file I can read.`;
  return md`${fileLabel(fileName)} · ${inline(report.formatName ?? '', 60)} · ${plural(report.rows, 'line')}, ${plural(report.invoices, 'invoice')}`;
}

/** The dry run: what importing would do, every bad line, and (when there are none) the button that imports. */
export function importReportView(p: { report: ImportReport; metadata: ImportMetadata }): ModalView {
  const { report, metadata } = p;
  const blocks: KnownBlock[] = [section(headline(report, metadata.fileName))];
  if (report.errors.length > 0) {
    if (report.format !== null) blocks.push(countFields(report, false));
    blocks.push(
      section(
        md`❌ *${plural(report.errors.length, 'error')}*: nothing can be imported until ${report.errors.length === 1 ? literal('it is') : literal('they are')} fixed in the file. Nothing has been saved.`,
      ),
      ...problemLines(report),
      ...skippedLines(report),
      context(literal('Fix the file, then `/invoice import` it again.')),
    );
    return modal({ callbackId: VIEW.importStatus, blocks });
  }
  blocks.push(countFields(report, false), ...noteLines(report), ...skippedLines(report));
  const count = importCount(report);
  if (count === 0) {
    blocks.push(section(literal('✅ The book already says everything this file says: there is nothing to import.')));
    return modal({ callbackId: VIEW.importStatus, blocks });
  }
  blocks.push(
    context(
      literal(
        'Nothing has been saved yet. Invoices are matched by number, so importing the same file again changes nothing.',
      ),
    ),
  );
  return modal({
    callbackId: VIEW.importReport,
    blocks,
    submit: `Import ${count.toLocaleString('en-US')} ${count === 1 ? 'invoice' : 'invoices'}`,
    close: 'Cancel',
    metadata: encodeImportMetadata(metadata),
  });
}

/** After the real import: what it did, or (when the book changed since the check) why it did nothing. */
export function importResultView(p: { report: ImportReport; fileName: string }): ModalView {
  const { report, fileName } = p;
  if (!report.written) {
    return modal({
      callbackId: VIEW.importStatus,
      blocks: [
        section(md`❌ Nothing was imported from ${fileLabel(fileName)}: the book changed since it was checked.`),
        ...problemLines(report),
        context(literal('Run `/invoice import` again to check the file against the book as it is now.')),
      ],
    });
  }
  return modal({
    callbackId: VIEW.importStatus,
    close: 'Done',
    blocks: [
      section(md`✅ Imported ${fileLabel(fileName)} (${inline(report.formatName ?? '', 60)}).`),
      countFields(report, true),
      context(literal("Every change is in each invoice's history.")),
    ],
  });
}

/** The person's own note, in their DM with the app, after a real import. */
export function importDoneMessage(p: { report: ImportReport; fileName: string }): SlackMessage {
  const { report } = p;
  const counts = [
    md`${report.created} created`,
    md`${report.updated} updated`,
    md`${report.unchanged} unchanged`,
    plural(report.payments, 'payment'),
    md`${report.voided} voided`,
    plural(report.clientsCreated, 'new client'),
  ];
  const text = md`📥 Imported ${plural(importCount(report), 'invoice')} from ${fileLabel(p.fileName)}: ${joinMd(counts, ', ')}.`;
  return { text, blocks: [section(text)] };
}

// ---------------------------------------------------------------------------------------------------------
// Export

/** The export, with its period resolved (see listeners/io.ts). */
export interface ExportRequest {
  what: ExportKind;
  from?: LocalDate | undefined;
  to?: LocalDate | undefined;
}

/** The ack: shown at once, while the file is made. */
export function exportAck(): { response_type: 'ephemeral'; text: string } {
  return { response_type: 'ephemeral', text: 'Preparing your export…' };
}

/** `invoices-2026-11-23.csv`, `invoices-2026-01-01-to-2026-06-30.csv`, `history-2026-11-01-to-2026-11-30.csv`. */
export function exportFileName(p: ExportRequest & { today: LocalDate }): string {
  if (p.what === 'invoices' && !p.from && !p.to) return `invoices-${p.today}.csv`;
  return `${p.what}-${p.from ?? 'start'}-to-${p.to ?? p.today}.csv`;
}

function periodText(p: ExportRequest): Mrkdwn {
  if (p.from && p.to) return md`from ${esc(p.from)} to ${esc(p.to)}`;
  if (p.from) return md`from ${esc(p.from)}`;
  if (p.to) return md`up to ${esc(p.to)}`;
  return literal('');
}

/** The comment the file arrives with. */
export function exportComment(p: ExportRequest & { today: LocalDate; timeZone: string }): Mrkdwn {
  if (p.what === 'history') {
    return md`Every change ${periodText(p)} (${esc(p.timeZone)}), oldest first: who did what to which invoice, and when. Amounts are plain decimals; \`details\` holds each event as JSON.`;
  }
  const which =
    p.from || p.to ? md`The invoices dated ${periodText(p)}` : md`Every invoice in the book as of ${esc(p.today)}`;
  return md`${which}, in this app's own CSV format: it imports back unchanged (\`amount_due\` and \`state\` are for reading and ignored on import).`;
}

export function exportSentMessage(fileName: string): SlackMessage {
  const text = md`📎 ${fileLabel(fileName)} is in your direct messages with me.`;
  return { text, blocks: [section(text)] };
}
