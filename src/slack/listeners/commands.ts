// /invoice and its subcommands. Acknowledge at once; modals open with the trigger straight away;
// answers go back through response_url.
import type { AllMiddlewareArgs, App, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { findInvoiceRow } from '../../db/queries/invoices.js';
import { withDerivedLines } from '../../db/queries/numbers.js';
import { clientNames, invoiceNumbersLike, suggestInvoiceNumber } from '../../db/queries/search.js';
import { getClientRecord, getLastChase, getOverview, type Overview } from '../../db/queries/views.js';
import type { WorkspaceRow } from '../../db/schema.js';
import { isValidTimeZone, type LocalDate, todayIn } from '../../domain/dates.js';
import { type InvoiceState, STATE_LABEL } from '../../domain/status.js';
import { closest } from '../../domain/suggest.js';
import { RENAMED_ZONES } from '../../domain/zones.js';
import { findClient } from '../../services/clients.js';
import { isLedgerError } from '../../services/errors.js';
import { holidayPlaceLabel } from '../../services/holidays.js';
import { getInvoice } from '../../services/invoices.js';
import { authorize } from '../../services/policy.js';
import { listRetainers } from '../../services/retainers.js';
import { liveClientLink } from '../../services/sharing.js';
import { claimFirstAdmin, firstAdminOpen, timeZoneChosen } from '../../services/workspaces.js';
import { type InvoiceCommand, parseInvoiceCommand } from '../command.js';
import type { SlackDeps } from '../deps.js';
import { digestSummary, queueDigest } from '../digest.js';

import type { Live } from '../live.js';
import { context } from '../ui/blocks.js';
import { invoiceCard } from '../ui/card.js';
import { digestPreview } from '../ui/digest.js';
import { exportAck } from '../ui/io.js';
import {
  clientMessage,
  deniedMessage,
  errorMessage,
  helpMessage,
  listMessage,
  notFoundMessage,
} from '../ui/messages.js';
import { chaseModal, newInvoiceModal, paymentModal, settingsModal } from '../ui/modals/index.js';
import { clientRetainerLines } from '../ui/retainers.js';
import { channelLink, literal, type Mrkdwn, md } from '../ui/text.js';
import { afterAck } from '../work-queue.js';
import { connectCommand } from './connect.js';
import { clientCreditSection } from './credit.js';
import { openImport, sendExport } from './io.js';
import { ratesCommand } from './rates.js';
import { recurringCommand } from './retainers.js';
import { shareCommand } from './share.js';
import { explain, mayHandle, newKey, principalOf, workspaceOf } from './shared.js';
import { webhooksCommand } from './webhooks.js';

type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

/** The subcommands that open a form (or may) with the command's trigger_id, which Slack honours for 3 s. */
const OPENS_A_FORM: ReadonlySet<string> = new Set(['new', 'paid', 'chase', 'settings', 'import', 'connect']);

export function registerCommands(app: App, deps: SlackDeps, live: Live): void {
  app.command('/invoice', async (args: CommandArgs) => {
    const { ack, respond } = args;
    // An export takes a moment: the ack itself says so, and the file follows in the person's DM.
    const { kind } = parseInvoiceCommand(args.command.text);
    await ack(kind === 'export' ? exportAck() : undefined);
    try {
      // A form opens at once (its trigger expires in 3 s); the rest waits its turn after the ack.
      if (OPENS_A_FORM.has(kind)) await handle(args, deps, live);
      else await afterAck(deps, () => handle(args, deps, live));
    } catch (error) {
      await respond({ response_type: 'ephemeral', ...errorMessage(explain(deps, error, 'answering /invoice')) });
    }
  });
}

/** What every subcommand is given: the request, its workspace and day, and how to answer the person. */
interface Invocation<K extends InvoiceCommand['kind']> {
  deps: SlackDeps;
  live: Live;
  client: WebClient;
  command: CommandArgs['command'];
  workspace: WorkspaceRow;
  teamId: string;
  now: Date;
  today: LocalDate;
  reply: Reply;
  /**
   * A command that records something records once per Slack request: a replay of the same signed request
   * (Slack accepts one for 5 minutes) carries the same trigger_id, unique to each invocation.
   */
  requestKey: string;
  parsed: Extract<InvoiceCommand, { kind: K }>;
}

type Reply = (message: { text: Mrkdwn; blocks?: unknown[] }) => Promise<unknown>;
type Subcommand<K extends InvoiceCommand['kind']> = (invocation: Invocation<K>) => Promise<void>;

async function handle({ command, respond, client }: CommandArgs, deps: SlackDeps, live: Live): Promise<void> {
  const workspace = await workspaceOf(deps, command.team_id, command.team_domain);
  const parsed = parseInvoiceCommand(command.text);
  const now = deps.ledger.clock.now();
  const reply: Reply = (message) => respond({ response_type: 'ephemeral', ...(message as { text: string }) });
  const run = SUBCOMMANDS[parsed.kind] as Subcommand<typeof parsed.kind>;
  await run({
    deps,
    live,
    client,
    command,
    workspace,
    teamId: workspace.teamId,
    now,
    today: todayIn(workspace.timeZone, now),
    reply,
    requestKey: `command:${command.trigger_id}`,
    parsed,
  });
}

const help: Subcommand<'help'> = async ({ deps, workspace, now, today, reply }) => {
  const overview = await getOverview(deps.ledger.db, { workspace, today, now, limit: 1 });
  await reply(helpMessage({ isEmpty: isEmpty(overview) }));
};

const newInvoice: Subcommand<'new'> = async ({ deps, client, command, teamId, today }) => {
  const suggestedNumber = await suggestInvoiceNumber(deps.ledger.db, teamId);
  await client.views.open({
    trigger_id: command.trigger_id,
    view: newInvoiceModal({
      metadata: { key: newKey(), channelId: command.channel_id },
      suggestedNumber,
      today,
      ownerUserId: command.user_id,
      defaultCurrency: 'USD',
    }),
  });
};

const list: Subcommand<'list'> = async ({ deps, workspace, teamId, now, today, reply, parsed }) => {
  let clientId: string | undefined;
  if (parsed.client) {
    const found = await findClient(deps.ledger, teamId, parsed.client);
    if (!found) return clientNotFound(deps, teamId, parsed.client, reply);
    clientId = found.id;
  }
  const overview = await getOverview(deps.ledger.db, {
    workspace,
    today,
    now,
    limit: 25,
    ...(clientId ? { clientId } : {}),
  });
  const filtered = parsed.state ? onlyState(overview, parsed.state) : overview;
  const filterLabel = [parsed.state ? STATE_LABEL[parsed.state] : null, parsed.client ?? null]
    .filter(Boolean)
    .join(' · ');
  await reply(
    listMessage({ overview: filtered, now, timeZone: workspace.timeZone, ...(filterLabel ? { filterLabel } : {}) }),
  );
};

const show: Subcommand<'show'> = async ({ deps, live, command, workspace, teamId, now, reply, parsed }) => {
  const found = await findInvoiceRow(deps.ledger.db, { teamId, idOrNumber: parsed.ref });
  if (!found) return invoiceNotFound(deps, teamId, parsed.ref, reply);
  try {
    await live.postCard(teamId, command.channel_id, found.invoice.id);
  } catch {
    // Not in that channel (or a DM the app cannot post in): show it privately instead, not live.
    const invoice = await getInvoice(deps.ledger, teamId, found.invoice.id);
    const card = invoiceCard(invoice, { now, timeZone: workspace.timeZone });
    await reply({
      text: card.text,
      blocks: [
        ...card.blocks,
        context(literal('Only you can see this. Invite me to this channel to post live cards here.')),
      ],
    });
  }
};

const clientRecord: Subcommand<'client'> = async ({
  deps,
  client,
  command,
  workspace,
  teamId,
  now,
  today,
  reply,
  parsed,
}) => {
  const found = await findClient(deps.ledger, teamId, parsed.name);
  if (!found) return clientNotFound(deps, teamId, parsed.name, reply);
  const record = await getClientRecord(deps.ledger.db, { workspace, today, now, clientId: found.id });
  if (record) {
    // When its invoices became Due and Overdue: derived lines among the events (src/domain/derived-history.ts).
    record.history = await withDerivedLines(deps.ledger.db, {
      teamId,
      clientId: found.id,
      timeZone: workspace.timeZone,
      now,
      history: record.history,
    });
  }
  const statusLink = (await liveClientLink(deps.ledger, teamId, found.id)) ?? null;
  const retainers = clientRetainerLines(await listRetainers(deps.ledger, teamId, { clientId: found.id }, workspace));
  const credit = await clientCreditSection(deps, client, workspace, command.user_id, found.id);
  if (record) await reply(clientMessage({ record, now, timeZone: workspace.timeZone, statusLink, retainers, credit }));
};

const share: Subcommand<'share'> = async ({ deps, client, command, workspace, teamId, reply, requestKey, parsed }) => {
  return shareCommand({
    deps,
    client,
    workspace,
    userId: command.user_id,
    requestKey,
    clientRef: parsed.client,
    action: parsed.action,
    reply,
    notFound: () => clientNotFound(deps, teamId, parsed.client, reply),
  });
};

const paid: Subcommand<'paid'> = async ({ deps, client, command, workspace, teamId, today, reply, parsed }) => {
  if (!(await mayHandle(deps, client, workspace, command.user_id)))
    return void (await reply(deniedMessage('record payments')));
  const found = await findInvoiceRow(deps.ledger.db, { teamId, idOrNumber: parsed.ref });
  if (!found) return invoiceNotFound(deps, teamId, parsed.ref, reply);
  const invoice = await getInvoice(deps.ledger, teamId, found.invoice.id);
  await client.views.open({
    trigger_id: command.trigger_id,
    view: paymentModal({
      invoice,
      today,
      metadata: { key: newKey(), invoiceId: invoice.id, version: invoice.version, channelId: command.channel_id },
      ...(parsed.amount ? { initialAmount: parsed.amount } : {}),
      ...(parsed.date ? { initialDate: parsed.date } : {}),
    }),
  });
};

const chase: Subcommand<'chase'> = async ({ deps, client, command, workspace, teamId, reply, parsed }) => {
  const found = await findInvoiceRow(deps.ledger.db, { teamId, idOrNumber: parsed.ref });
  if (!found) return invoiceNotFound(deps, teamId, parsed.ref, reply);
  await openChase(deps, client, workspace, found.invoice.id, command.trigger_id, command.channel_id, parsed.note);
};

const settings: Subcommand<'settings'> = async ({ deps, client, command, workspace, reply }) => {
  await openSettings(deps, client, workspace, command.user_id, command.trigger_id, reply);
};

const digest: Subcommand<'digest'> = async ({
  deps,
  client,
  command,
  workspace,
  teamId,
  now,
  today,
  reply,
  requestKey,
  parsed,
}) => {
  if (!parsed.post) {
    const summary = await digestSummary(deps.ledger, workspace, now);
    const messages = digestPreview(summary, { today, timeZone: workspace.timeZone, weekLabel: `As of ${today}` });
    for (const message of messages) await reply(message);
    return;
  }
  const principal = await principalOf(deps, client, workspace, command.user_id);
  try {
    authorize(principal, 'postDigest', teamId);
  } catch {
    return void (await reply(deniedMessage('post the digest')));
  }
  if (!workspace.financeChannel) {
    await reply(errorMessage('Choose the finance channel in /invoice settings first: the digest is posted there.'));
    return;
  }
  const queued = await queueDigest(deps.ledger, workspace, now, `digest:now:${requestKey}`, `As of ${today}`);
  await deps.jobs?.tick();
  await reply({
    text:
      queued > 0
        ? md`The digest is on its way to ${channelLink(workspace.financeChannel) ?? literal('the finance channel')}.`
        : md`That request was already handled: the digest went to ${channelLink(workspace.financeChannel) ?? literal('the finance channel')} then.`,
  });
};

const importFile: Subcommand<'import'> = async ({ deps, client, command, workspace, reply }) => {
  await openImport(deps, client, workspace, command.user_id, command.trigger_id, reply);
};

const exportFile: Subcommand<'export'> = async ({ deps, command, workspace, reply, parsed }) => {
  await sendExport(deps, { workspace, userId: command.user_id, request: parsed }, reply);
};

const webhooks: Subcommand<'webhooks'> = async ({
  deps,
  live,
  client,
  command,
  workspace,
  reply,
  requestKey,
  parsed,
}) => {
  return webhooksCommand({
    deps,
    live,
    client,
    workspace,
    userId: command.user_id,
    requestKey,
    request: parsed,
    reply,
  });
};

const connect: Subcommand<'connect'> = async ({ deps, client, command, workspace, reply, parsed }) => {
  return connectCommand({
    deps,
    client,
    workspace,
    userId: command.user_id,
    triggerId: command.trigger_id,
    request: parsed,
    reply,
  });
};

const recurring: Subcommand<'recurring'> = async ({ deps, live, client, command, workspace, reply, parsed }) => {
  return recurringCommand({
    deps,
    live,
    client,
    workspace,
    userId: command.user_id,
    triggerId: command.trigger_id,
    channelId: command.channel_id,
    request: parsed,
    reply,
  });
};

const rates: Subcommand<'rates'> = async ({ deps, client, command, workspace, reply, parsed }) => {
  return ratesCommand({ deps, client, workspace, userId: command.user_id, request: parsed, reply });
};

const missing: Subcommand<'missing'> = async ({ reply, parsed }) => {
  await reply(errorMessage(`\`/invoice ${parsed.command}\` needs ${parsed.what}, for example \`${parsed.example}\`.`));
};

const invalid: Subcommand<'invalid'> = async ({ reply, parsed }) => {
  await reply(errorMessage(`${parsed.message} For example \`${parsed.example}\`.`));
};

const unknownWord: Subcommand<'unknown'> = async ({ reply, parsed }) => {
  await reply(notFoundMessage('command', parsed.word, parsed.suggestion));
};

const SUBCOMMANDS: { [K in InvoiceCommand['kind']]: Subcommand<K> } = {
  help,
  new: newInvoice,
  list,
  show,
  client: clientRecord,
  share,
  paid,
  chase,
  settings,
  digest,
  import: importFile,
  export: exportFile,
  webhooks,
  connect,
  recurring,
  rates,
  missing,
  invalid,
  unknown: unknownWord,
};

export async function openChase(
  deps: SlackDeps,
  client: WebClient,
  workspace: WorkspaceRow,
  invoiceId: string,
  triggerId: string,
  channelId: string | undefined,
  note?: string,
): Promise<void> {
  const now = deps.ledger.clock.now();
  const invoice = await getInvoice(deps.ledger, workspace.teamId, invoiceId);
  const lastChase = await getLastChase(deps.ledger.db, { teamId: workspace.teamId, invoiceId });
  await client.views.open({
    trigger_id: triggerId,
    view: chaseModal({
      invoice,
      today: todayIn(workspace.timeZone, now),
      metadata: { key: newKey(), invoiceId, version: invoice.version, ...(channelId ? { channelId } : {}) },
      ...(note ? { initialNote: note } : {}),
      ...(lastChase ? { lastChase } : {}),
      timeZone: workspace.timeZone,
    }),
  });
}

/**
 * Settings, for finance admins. The first person to open them in a workspace that has never had a finance admin
 * claims the first seat, once (an `admin_claimed` event); after that only an admin can add anyone.
 */
export async function openSettings(
  deps: SlackDeps,
  client: WebClient,
  workspace: WorkspaceRow,
  userId: string,
  triggerId: string,
  tell: (message: { text: Mrkdwn; blocks?: unknown[] }) => Promise<unknown>,
): Promise<void> {
  let current = workspace;
  if (await firstAdminOpen(deps.ledger, current)) {
    try {
      current = await claimFirstAdmin(deps.ledger, workspace.teamId, await principalOf(deps, client, current, userId));
    } catch (error) {
      // Someone claimed it a moment before: this person is refused like any other member.
      if (!isLedgerError(error, 'FORBIDDEN')) throw error;
      await tell(deniedMessage('change the settings'));
      return;
    }
  } else if (!(await mayHandle(deps, client, current, userId))) {
    await tell(deniedMessage('change the settings'));
    return;
  }
  // A workspace still on the UTC it was created with, that nobody has chosen: never a silent UTC.
  const proposedZone =
    current.timeZone === 'UTC' && !(await timeZoneChosen(deps.ledger.db, current.teamId))
      ? await profileZone(client, userId)
      : undefined;
  await client.views.open({
    trigger_id: triggerId,
    view: settingsModal({
      workspace: current,
      metadata: { key: newKey() },
      now: deps.ledger.clock.now(),
      proposedZone,
      holidayLabel: current.holidayCountry
        ? await holidayPlaceLabel(current.holidayCountry, current.holidayRegion)
        : undefined,
    }),
  });
}

function isEmpty(overview: Overview): boolean {
  return Object.values(overview.counts).every((n) => n === 0);
}

function onlyState(overview: Overview, state: InvoiceState): Overview {
  const empty = { overdue: [], due: [], sent: [], draft: [], paid: [], credited: [] };
  const zero = { overdue: 0, due: 0, sent: 0, draft: 0, paid: 0, credited: 0 };
  return {
    ...overview,
    totals: overview.totals.filter((t) => t.state === state),
    invoices: { ...empty, [state]: overview.invoices[state] },
    counts: { ...zero, [state]: overview.counts[state] },
  };
}

async function invoiceNotFound(
  deps: SlackDeps,
  teamId: string,
  ref: string,
  reply: (m: { text: Mrkdwn; blocks?: unknown[] }) => Promise<unknown>,
): Promise<void> {
  const suggestion = closest(ref, await invoiceNumbersLike(deps.ledger.db, { teamId, text: ref }));
  await reply(notFoundMessage('invoice', ref, suggestion));
}

async function clientNotFound(
  deps: SlackDeps,
  teamId: string,
  name: string,
  reply: (m: { text: Mrkdwn; blocks?: unknown[] }) => Promise<unknown>,
): Promise<void> {
  const names = await clientNames(deps.ledger.db, teamId);
  const prefix = names.find((n) => n.toLowerCase().startsWith(name.toLowerCase()));
  await reply(notFoundMessage('client', name, prefix ?? closest(name, names)));
}

/** The person's time zone from their Slack profile, when Slack says and we can use it; never fails the caller. */
export async function profileZone(client: WebClient, userId: string): Promise<string | undefined> {
  try {
    const found = await client.users.info({ user: userId });
    const tz = found.user?.tz;
    return typeof tz === 'string' && isValidTimeZone(tz) ? (RENAMED_ZONES[tz] ?? tz) : undefined;
  } catch {
    return undefined;
  }
}
