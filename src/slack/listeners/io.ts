// /invoice import and /invoice export. The slow part of each comes after the ack: an export is made and sent
// as a file to the person's DM with the app; an import file is read from Slack and checked (a dry run), and
// only the report's own submit imports it, once per report however often that submit arrives.
import type { AllMiddlewareArgs, App, SlackViewAction, SlackViewMiddlewareArgs } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { WorkspaceRow } from '../../db/schema.js';
import { decodeCsv } from '../../domain/csv-formats.js';
import type { DateOrder } from '../../domain/csv-values.js';
import { addDays, endOfMonth, type LocalDate, startOfLocalDay, todayIn } from '../../domain/dates.js';
import { exportHistoryCsv, exportInvoicesCsv } from '../../io/export.js';
import { type ImportProgress, importInvoices } from '../../services/import.js';
import type { Principal } from '../../services/policy.js';
import { write } from '../../services/write.js';
import { clientFor } from '../clients.js';
import type { ExportKind } from '../command.js';
import type { SlackDeps } from '../deps.js';
import type { Live } from '../live.js';
import { FIELD, VIEW } from '../ui/ids.js';
import {
  type ExportRequest,
  exportComment,
  exportFileName,
  exportSentMessage,
  importCheckingView,
  importDeniedView,
  importDoneMessage,
  importFailedView,
  importModal,
  importReportView,
  importResultView,
  importWorkingView,
  parseImportMetadata,
  readImportForm,
} from '../ui/io.js';
import { deniedMessage, errorMessage } from '../ui/messages.js';
import type { SlackMessage } from '../ui/text.js';
import { afterAck } from '../work-queue.js';
import { explain, isForeignUser, mayHandle, newKey, principalOf, workspaceOf } from './shared.js';

type ViewArgs = SlackViewMiddlewareArgs<SlackViewAction> & AllMiddlewareArgs;
type Reply = (message: SlackMessage) => Promise<unknown>;

/** file_input's own limit. */
const MAX_FILE_BYTES = 10 * 1024 * 1024;
const DOWNLOAD_TIMEOUT_MS = 20_000;
/** The idempotency operation of a Slack import. */
const IMPORT_OPERATION = 'import';

const DENIED =
  'Only the people named in /invoice settings can import invoices. Ask one of them, or a finance admin, to add you.';

/** A file Slack would not give us, or that is not one we can read, in words a person can act on. */
export class FileUnreadableError extends Error {
  readonly code = 'FILE_UNREADABLE';
}

export function registerImportExport(app: App, deps: SlackDeps, live: Live): void {
  app.view<SlackViewAction>(VIEW.importFile, (args) => checkFile(args, deps));
  app.view<SlackViewAction>(VIEW.importReport, (args) => importChecked(args, deps, live));
}

// ---------------------------------------------------------------------------------------------------------
// Export

/**
 * The period an export covers. `invoices`: the whole book unless a period of invoice dates is given.
 * `history`: the current month in the workspace's time zone, or from `from` to today, or up to `to`.
 */
export function exportPeriod(request: { what: ExportKind; from?: LocalDate; to?: LocalDate }, today: LocalDate) {
  const { what, from, to } = request;
  if (what === 'invoices') return { what, from, to } satisfies ExportRequest;
  if (!from && !to) return { what, from: `${today.slice(0, 8)}01`, to: endOfMonth(today) } satisfies ExportRequest;
  return { what, from, to: to ?? today } satisfies ExportRequest;
}

/** Makes the CSV the CLI makes and sends it to the person, as a file in their DM with the app. */
export async function sendExport(
  deps: SlackDeps,
  p: { workspace: WorkspaceRow; userId: string; request: { what: ExportKind; from?: LocalDate; to?: LocalDate } },
  reply: Reply,
): Promise<void> {
  try {
    const now = deps.ledger.clock.now();
    const tz = p.workspace.timeZone;
    const today = todayIn(tz, now);
    const request = exportPeriod(p.request, today);
    const csv =
      request.what === 'invoices'
        ? await exportInvoicesCsv(deps.ledger.db, { workspace: p.workspace, from: request.from, to: request.to, now })
        : await exportHistoryCsv(deps.ledger.db, {
            teamId: p.workspace.teamId,
            timeZone: tz,
            // Whole days in the workspace's time zone, both ends included (as the CLI reads --from and --to).
            from: request.from ? startOfLocalDay(request.from, tz) : new Date(0),
            to: startOfLocalDay(addDays(request.to ?? today, 1), tz),
            now,
          });
    const fileName = exportFileName({ ...request, today });
    const background = await clientFor(deps.background, p.workspace.teamId);
    await background.files.uploadV2({
      channel_id: await dmChannel(background, p.userId),
      file: Buffer.from(csv, 'utf8'),
      filename: fileName,
      title: fileName,
      initial_comment: exportComment({ ...request, today, timeZone: tz }),
    });
    await reply(exportSentMessage(fileName));
  } catch (error) {
    await reply(errorMessage(reason(deps, error, 'making your export')));
  }
}

async function dmChannel(client: WebClient, userId: string): Promise<string> {
  const opened = await client.conversations.open({ users: userId });
  const id = opened.channel?.id;
  if (!id) throw new Error(`conversations.open gave no channel for ${userId}`);
  return id;
}

// ---------------------------------------------------------------------------------------------------------
// Import

/** /invoice import: the file form, for the people who may handle money. */
export async function openImport(
  deps: SlackDeps,
  client: WebClient,
  workspace: WorkspaceRow,
  userId: string,
  triggerId: string,
  reply: Reply,
): Promise<void> {
  if (!(await mayHandle(deps, client, workspace, userId))) {
    await reply(deniedMessage('import invoices'));
    return;
  }
  await client.views.open({ trigger_id: triggerId, view: importModal() });
}

/** The form's submit: "Checking…" at once, then the dry run's report in the same modal. */
async function checkFile(args: ViewArgs, deps: SlackDeps): Promise<void> {
  const { body, view, ack, client } = args;
  const refuse = (message: string) => ack({ response_action: 'errors', errors: { [FIELD.importFile]: message } });
  if (isForeignUser(body)) return refuse('Only members of this workspace can import invoices.');
  let workspace: WorkspaceRow;
  let principal: Principal;
  try {
    workspace = await workspaceOf(deps, teamOf(body), body.team?.domain);
    principal = await principalOf(deps, client, workspace, body.user.id);
    // Early, so the person is not asked to wait for a check they may not run; importInvoices refuses too.
    if (principal.role !== 'finance_admin') return refuse(DENIED);
  } catch (error) {
    return refuse(explain(deps, error, 'opening the import').slice(0, 2000));
  }
  const read = readImportForm(view.state.values);
  if ('errors' in read) return ack({ response_action: 'errors', errors: read.errors });
  const { file, currency, dateOrder } = read.form;
  await ack({ response_action: 'update', view: importCheckingView(file.name) });
  await afterAck(deps, () => checkAfterAck(args, deps, { workspace, principal, file, currency, dateOrder }));
}

async function checkAfterAck(
  args: ViewArgs,
  deps: SlackDeps,
  p: {
    workspace: WorkspaceRow;
    principal: Principal;
    file: { id: string; name: string };
    currency: string | undefined;
    dateOrder: DateOrder | undefined;
  },
): Promise<void> {
  const { view, client } = args;
  const { workspace, principal, file, currency, dateOrder } = p;
  let next: ModalView;
  try {
    const csv = await downloadCsv(client, botTokenOf(args), file.id);
    const progress = progressUpdates(deps, client, view.id, (p) => importCheckingView(file.name, p));
    const report = await importInvoices(deps.ledger, workspace.teamId, principal, csv, {
      dryRun: true,
      defaultCurrency: currency,
      dateOrder,
      onProgress: progress.show,
    }).finally(progress.settle);
    const metadata = {
      key: newKey(),
      fileId: file.id,
      fileName: file.name,
      ...(currency ? { currency } : {}),
      ...(dateOrder ? { dateOrder } : {}),
    };
    next = importReportView({ report, metadata });
  } catch (error) {
    next = importFailedView(file.name, reason(deps, error, 'checking the file'));
  }
  await updateModal(deps, client, view.id, next);
}

/** The report's submit: the real import, all of it or none, at most once per report (its key). */
async function importChecked(args: ViewArgs, deps: SlackDeps, live: Live): Promise<void> {
  const { body, view, ack, client } = args;
  const metadata = parseImportMetadata(view.private_metadata);
  if (!metadata) {
    return ack({
      response_action: 'update',
      view: importFailedView('this file', 'This form is out of date: run /invoice import again.'),
    });
  }
  if (isForeignUser(body)) {
    return ack({ response_action: 'update', view: importDeniedView('Only members of this workspace can import.') });
  }
  let workspace: WorkspaceRow;
  let principal: Principal;
  try {
    workspace = await workspaceOf(deps, teamOf(body), body.team?.domain);
    principal = await principalOf(deps, client, workspace, body.user.id);
    if (principal.role !== 'finance_admin') {
      return ack({ response_action: 'update', view: importDeniedView(DENIED) });
    }
  } catch (error) {
    const message = explain(deps, error, 'starting the import');
    return ack({ response_action: 'update', view: importFailedView(metadata.fileName, message) });
  }
  await ack({ response_action: 'update', view: importWorkingView(metadata.fileName) });
  await afterAck(deps, () => importAfterAck(args, deps, live, { workspace, principal, metadata }));
}

async function importAfterAck(
  args: ViewArgs,
  deps: SlackDeps,
  live: Live,
  p: { workspace: WorkspaceRow; principal: Principal; metadata: NonNullable<ReturnType<typeof parseImportMetadata>> },
): Promise<void> {
  const { body, view, client } = args;
  const { workspace, principal, metadata } = p;
  const teamId = workspace.teamId;
  let next: ModalView;
  let done: (() => Promise<void>) | undefined;
  try {
    const csv = await downloadCsv(client, botTokenOf(args), metadata.fileId);
    const progress = progressUpdates(deps, client, view.id, (p) => importWorkingView(metadata.fileName, p));
    const { result: report, replayed } = await write(
      deps.ledger,
      { teamId, operation: IMPORT_OPERATION, idempotencyKey: metadata.key },
      // The import's own transaction becomes a savepoint in this one, which also claims the key.
      (tx) =>
        importInvoices({ db: tx, clock: deps.ledger.clock }, teamId, principal, csv, {
          defaultCurrency: metadata.currency,
          dateOrder: metadata.dateOrder,
          onProgress: progress.show,
        }),
    ).finally(progress.settle);
    next = importResultView({ report, fileName: metadata.fileName });
    if (report.written && !replayed) {
      done = async () => {
        const background = await clientFor(deps.background, teamId);
        const channel = await dmChannel(background, body.user.id);
        await background.chat.postMessage({
          channel,
          ...importDoneMessage({ report, fileName: metadata.fileName }),
        });
        await live.refreshHomes(teamId);
      };
    }
  } catch (error) {
    next = importFailedView(metadata.fileName, reason(deps, error, 'importing the file'));
  }
  await updateModal(deps, client, view.id, next);
  try {
    await done?.();
  } catch (error) {
    deps.logger.error('After an import, telling the person failed:', error);
  }
}

/** files.info, then the bytes from url_private_download with the bot token, as text. */
async function downloadCsv(client: WebClient, token: string, fileId: string): Promise<string> {
  const { file } = await client.files.info({ file: fileId });
  const url = file?.url_private_download ?? file?.url_private;
  if (!file || !url) throw new FileUnreadableError('Slack did not say where the file is: upload it again.');
  if ((file.size ?? 0) > MAX_FILE_BYTES) {
    throw new FileUnreadableError('The file is larger than 10 MB: split it and import the parts one after another.');
  }
  // The bot token goes to Slack and nowhere else, whatever a URL says.
  if (!isSlackUrl(url, client.slackApiUrl)) throw new FileUnreadableError('Slack gave a file address I do not trust.');
  const response = await fetch(url, {
    headers: { Authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS),
  });
  // Without a token it accepts, Slack answers with its sign-in page rather than an error.
  if (!response.ok || (response.headers.get('content-type') ?? '').includes('text/html')) {
    throw new FileUnreadableError(
      `Slack would not give me the file (HTTP ${response.status}). The app may be missing the files:read ` +
        'permission: reinstall it from its manifest.',
    );
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length > MAX_FILE_BYTES) {
    throw new FileUnreadableError('The file is larger than 10 MB: split it and import the parts one after another.');
  }
  // UTF-8, or UTF-16 with its byte-order mark as Excel's "Unicode text" saves it.
  const text = decodeCsv(bytes);
  if (!text.ok) throw new FileUnreadableError(text.message);
  return text.value;
}

function isSlackUrl(url: string, apiUrl: string): boolean {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  if (target.origin === new URL(apiUrl).origin) return true;
  return target.protocol === 'https:' && (target.hostname === 'slack.com' || target.hostname.endsWith('.slack.com'));
}

/** How often a long import's modal says how far it has got: well inside views.update's rate limit. */
const PROGRESS_UPDATE_MS = 3_000;

/**
 * A long import's progress in its modal, at most every PROGRESS_UPDATE_MS. The import is never made to wait on
 * Slack (it runs in a transaction): updates go out on their own, one at a time; `settle` waits for the last one,
 * so the final report is never overwritten by a late progress update.
 */
function progressUpdates(
  deps: SlackDeps,
  client: WebClient,
  viewId: string,
  render: (progress: ImportProgress) => ModalView,
): { show: (progress: ImportProgress) => void; settle: () => Promise<void> } {
  let last = performance.now();
  let sending: Promise<void> = Promise.resolve();
  let busy = false;
  return {
    show(progress) {
      const now = performance.now();
      if (busy || now - last < PROGRESS_UPDATE_MS) return;
      last = now;
      busy = true;
      sending = updateModal(deps, client, viewId, render(progress)).finally(() => {
        busy = false;
      });
    },
    settle: () => sending,
  };
}

async function updateModal(deps: SlackDeps, client: WebClient, viewId: string, view: ModalView): Promise<void> {
  try {
    await client.views.update({ view_id: viewId, view });
  } catch (error) {
    deps.logger.error('Updating the import modal failed:', error);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Small helpers

function teamOf(body: ViewArgs['body']): string {
  return body.team?.id ?? body.user.team_id ?? '';
}

function botTokenOf(args: ViewArgs): string {
  return args.context.botToken ?? args.client.token ?? '';
}

/** Words for a failure: ours, Slack's refusals a person (or an admin) can act on, else explain(). */
function reason(deps: SlackDeps, error: unknown, doing: string): string {
  if (error instanceof FileUnreadableError) return error.message;
  const slack = (error as { code?: string; data?: { error?: string; needed?: string } }).data;
  if ((error as { code?: string }).code === 'slack_webapi_platform_error' && slack?.error) {
    deps.logger.warn(`Slack refused while ${doing}: ${slack.error}`);
    if (slack.error === 'missing_scope') {
      return (
        `The app is missing a Slack permission it needs${slack.needed ? ` (${slack.needed})` : ''}. ` +
        'Ask a Slack admin to reinstall it from its manifest.'
      );
    }
    if (slack.error === 'file_not_found' || slack.error === 'file_deleted') {
      return 'Slack no longer has that file: upload it again.';
    }
  }
  return explain(deps, error, doing);
}
