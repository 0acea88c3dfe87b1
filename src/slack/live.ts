// Keeps every view live: each card posted about an invoice is updated in place when the invoice
// changes (or its state moves with the date), and the App Home is republished for those who use it.
import type { WebClient } from '@slack/web-api';
import {
  type CardRef,
  cardsForInvoice,
  forgetCard,
  markRendered,
  recentHomeViewers,
  rememberCard,
  staleCards,
} from '../db/cards.js';
import type { DatabaseOrTransaction } from '../db/client.js';
import { accountCreditBalance, getAccountCredits, getRefunds } from '../db/queries/account-credit.js';
import type { InvoiceView } from '../db/queries/invoices.js';
import { getNumbersData } from '../db/queries/numbers.js';
import { getOverview } from '../db/queries/views.js';
import type { WorkspaceRow } from '../db/schema.js';
import { todayIn } from '../domain/dates.js';
import { computeNumbers } from '../domain/numbers.js';
import { getInvoice } from '../services/invoices.js';
import { pushesOfInvoice } from '../services/ledger-push.js';
import { listRetainers } from '../services/retainers.js';
import { getWorkspace, setupGaps } from '../services/workspaces.js';
import { failingWebhookEndpoints } from '../webhooks/endpoints.js';
import { clientFor } from './clients.js';
import type { SlackDeps } from './deps.js';
import { principalOf } from './principal.js';
import { section } from './ui/blocks.js';
import { invoiceCard } from './ui/card.js';
import { homeView } from './ui/home.js';
import { pushLines } from './ui/ledger-push.js';
import { creditCardLines } from './ui/modals/credit.js';
import { type Mrkdwn, md, type SlackMessage, truncate, unstyled } from './ui/text.js';

const GONE = new Set(['message_not_found', 'channel_not_found', 'is_archived', 'cant_update_message']);
const HOME_AUDIENCE_DAYS = 30;

/** Rows already read after a change committed: used as they are instead of being read again. */
export interface Known {
  workspace?: WorkspaceRow;
  invoice?: InvoiceView;
}

export interface Live {
  /** Posts an invoice's card (under a lead line, if given) and remembers it, so it stays live. */
  postCard(
    teamId: string,
    channelId: string,
    invoiceId: string,
    options?: {
      threadTs?: string;
      lead?: Mrkdwn;
      metadata?: { event_type: string; event_payload: Record<string, string> };
      known?: Known;
    },
  ): Promise<CardRef>;
  /** Brings every card of one invoice up to date, then the homes of its workspace (reading each row once). */
  invoiceChanged(teamId: string, invoiceId: string, known?: Known): Promise<void>;
  /** One sweep over all cards that no longer show the live state (other processes, a new day). */
  sync(): Promise<number>;
  /** Publishes one person's App Home, with `client` (the request's) or else the workspace's own. */
  publishHome(teamId: string, userId: string, client?: WebClient): Promise<void>;
  /** Republishes the homes of those who use them; `known` serves the first pass (a later one reads again). */
  refreshHomes(teamId: string, known?: Pick<Known, 'workspace'>): Promise<void>;
}

export function createLive(deps: SlackDeps): Live {
  const { ledger } = deps;
  const refreshHomes = homeRefresher(deps);
  const live: Live = {
    postCard: (teamId, channelId, invoiceId, options) => postCard(deps, teamId, channelId, invoiceId, options),
    async invoiceChanged(teamId, invoiceId, known = {}) {
      const { read } = await updateCards(deps, await cardsForInvoice(ledger.db, teamId, invoiceId), known);
      const workspace = read.get(teamId)?.workspace ?? known.workspace;
      await refreshHomes(teamId, workspace ? { workspace } : {});
    },
    async sync() {
      const cards = await staleCards(ledger.db, { now: ledger.clock.now() });
      const { updated } = await updateCards(deps, cards);
      for (const teamId of new Set(cards.map((c) => c.teamId))) await refreshHomes(teamId);
      return updated;
    },
    async publishHome(teamId, userId, client) {
      const using = client ?? (await deps.background.forTeam(teamId));
      if (!using) return;
      await publish(deps, await homeData(deps, teamId), userId, using);
    },
    refreshHomes,
  };
  return live;
}

async function render(
  { ledger }: SlackDeps,
  teamId: string,
  invoiceId: string,
  lead: Mrkdwn | null | undefined,
  known: Known = {},
) {
  const workspace = known.workspace ?? (await getWorkspace(ledger, teamId));
  const now = ledger.clock.now();
  const invoice =
    known.invoice?.id === invoiceId ? known.invoice : await getInvoice(ledger, teamId, invoiceId, workspace);
  const pushes = await pushesOfInvoice(ledger, teamId, invoiceId);
  const card = invoiceCard(invoice, {
    now,
    timeZone: workspace.timeZone,
    ...(pushes.length > 0 ? { ledgerLines: pushLines(pushes, workspace.timeZone) } : {}),
    credit: await cardCredit(ledger.db, invoice),
  });
  return {
    workspace,
    invoice,
    message: lead ? withLead(lead, card) : card,
    today: todayIn(workspace.timeZone, now),
  };
}

/** Updates the cards, reading each workspace once and each invoice once (`known` saves those reads too). */
async function updateCards(
  deps: SlackDeps,
  cards: CardRef[],
  known: Known = {},
): Promise<{ updated: number; read: Map<string, Known> }> {
  const { ledger, background, logger } = deps;
  let updated = 0;
  const read = new Map<string, Known>();
  const byInvoice = new Map<string, CardRef[]>();
  for (const card of cards) {
    const key = `${card.teamId}/${card.invoiceId}/${card.lead ?? ''}`;
    byInvoice.set(key, [...(byInvoice.get(key) ?? []), card]);
  }
  for (const group of byInvoice.values()) {
    const first = group[0];
    if (!first) continue;
    // Not installed there (uninstalled, revoked): its cards stay as they are until it is installed again.
    const client = await background.forTeam(first.teamId);
    if (!client) continue;
    // A stored lead is the Mrkdwn postCard was given (alertLead, clientAnswerLead), kept as it was sent.
    // What this pass read for the team (or was given) serves every group; an invoice serves only its own cards.
    const had = { ...known, ...read.get(first.teamId) };
    const { workspace, invoice, message, today } = await render(
      deps,
      first.teamId,
      first.invoiceId,
      first.lead as Mrkdwn | null,
      had,
    );
    read.set(first.teamId, { workspace, invoice });
    for (const card of group) {
      try {
        await client.chat.update({
          channel: card.channelId,
          ts: card.ts,
          text: message.text,
          blocks: message.blocks,
        });
        await markRendered(ledger.db, { ...card, renderedVersion: invoice.version, renderedOn: today });
        updated += 1;
      } catch (error) {
        const code = (error as { data?: { error?: string } }).data?.error;
        if (code && GONE.has(code)) {
          await forgetCard(ledger.db, card);
        } else {
          logger.warn(`Could not update the card of ${invoice.number} in ${card.channelId}: ${describe(error)}`);
        }
      }
    }
  }
  return { updated, read };
}

/** What every viewer's App Home shows: the workspace's book, its failing webhooks and its ledger connections, read once. */
async function homeData(deps: SlackDeps, teamId: string, known?: WorkspaceRow) {
  const { ledger } = deps;
  const workspace = known ?? (await getWorkspace(ledger, teamId));
  const now = ledger.clock.now();
  const today = todayIn(workspace.timeZone, now);
  const overview = await getOverview(ledger.db, { workspace, today, now, limit: 15 });
  const numbers = computeNumbers(await getNumbersData(ledger.db, { workspace, today }));
  const failingWebhooks = await failingWebhookEndpoints(ledger.db, teamId);
  const ledgerConnections = deps.books ? await deps.books.connections(teamId) : [];
  const setup = await setupGaps(ledger, workspace);
  const retainers = await listRetainers(ledger, teamId, {}, workspace);
  return { workspace, now, today, overview, numbers, failingWebhooks, ledgerConnections, setup, retainers };
}

type HomeData = Awaited<ReturnType<typeof homeData>>;

async function publish(deps: SlackDeps, data: HomeData, userId: string, client: WebClient) {
  const { workspace, overview } = data;
  const view = homeView({
    overview,
    today: data.today,
    timeZone: workspace.timeZone,
    now: data.now,
    isEmpty: Object.values(overview.counts).every((n) => n === 0),
    // The same principal the services are given (the finance group's membership included, within its bound).
    canHandleMoney: (await principalOf(deps, client, workspace, userId)).role === 'finance_admin',
    financeChannel: workspace.financeChannel,
    failingWebhooks: data.failingWebhooks,
    ledgerConnections: data.ledgerConnections,
    setup: data.setup,
    numbers: data.numbers,
    retainers: data.retainers,
  });
  await client.views.publish({ user_id: userId, view });
}

/** Posts an invoice's card (under a lead line, if given) and remembers it, so it stays live. */
async function postCard(
  deps: SlackDeps,
  teamId: string,
  channelId: string,
  invoiceId: string,
  options: Parameters<Live['postCard']>[3] = {},
): Promise<CardRef> {
  const { ledger, background } = deps;
  const client = await clientFor(background, teamId);
  const { invoice, message, today } = await render(deps, teamId, invoiceId, options.lead, options.known);
  const posted = await client.chat.postMessage({
    channel: channelId,
    text: message.text,
    blocks: message.blocks,
    ...(options.threadTs ? { thread_ts: options.threadTs } : {}),
    metadata: options.metadata ?? { event_type: 'invoice_card', event_payload: { invoice_id: invoice.id } },
    unfurl_links: false,
  });
  const card = {
    teamId,
    channelId: posted.channel ?? channelId,
    ts: posted.ts ?? '',
    invoiceId,
    lead: options.lead ?? null,
    threadTs: options.threadTs ?? null,
  };
  await rememberCard(ledger.db, { ...card, renderedVersion: invoice.version, renderedOn: today });
  return card;
}

/** One refresh per workspace at a time; a change during a refresh queues one more, not one per change. */
function homeRefresher(deps: SlackDeps): Live['refreshHomes'] {
  const homeRefreshes = new Map<string, { done: Promise<void>; again: boolean }>();
  return (teamId, known = {}) => {
    const running = homeRefreshes.get(teamId);
    if (running) {
      // A change during a refresh may have come after some homes were drawn: one more pass follows,
      // shared by every change that arrives meanwhile.
      running.again = true;
      return running.done;
    }
    const state: { done: Promise<void>; again: boolean } = { done: Promise.resolve(), again: false };
    let workspace = known.workspace;
    state.done = (async () => {
      try {
        do {
          state.again = false;
          // What was read before the change serves the first pass only: a pass after it follows a change.
          const pass = workspace;
          workspace = undefined;
          await refreshPass(deps, teamId, pass);
        } while (state.again);
      } finally {
        // In the same step as the last look at `again`: a later change starts a refresh of its own.
        homeRefreshes.delete(teamId);
      }
    })();
    homeRefreshes.set(teamId, state);
    return state.done;
  };
}

/** Republishes the App Home of everyone who opened it lately: the book read once, drawn for each. */
async function refreshPass(deps: SlackDeps, teamId: string, pass: WorkspaceRow | undefined): Promise<void> {
  const { ledger, background, logger } = deps;
  const since = new Date(ledger.clock.now().getTime() - HOME_AUDIENCE_DAYS * 86_400_000);
  const viewers = await recentHomeViewers(ledger.db, teamId, since);
  if (viewers.length === 0) return;
  const client = await background.forTeam(teamId);
  if (!client) return;
  // The book is the same for every viewer: read it once a pass, draw it for each.
  let data: HomeData;
  try {
    data = await homeData(deps, teamId, pass);
  } catch (error) {
    logger.warn(`Could not read the App Home of ${teamId}: ${describe(error)}`);
    return;
  }
  for (const userId of viewers) {
    try {
      await publish(deps, data, userId, client);
    } catch (error) {
      logger.warn(`Could not refresh the App Home of ${userId}: ${describe(error)}`);
    }
  }
}

/** The card under its lead line: the lead is a section above it and starts the notification text. */
export function withLead(lead: Mrkdwn, card: SlackMessage): SlackMessage {
  return {
    text: truncate(md`${unstyled(lead)} — ${card.text}`, 3000),
    blocks: [section(lead), ...card.blocks].slice(0, 50),
  };
}

export function describe(error: unknown): string {
  const data = (error as { data?: { error?: string } }).data;
  if (data?.error) return data.error;
  return error instanceof Error ? error.message : String(error);
}

/** The client's credit on account in the invoice's currency, and the card's lines of credit applied and refunds. */
async function cardCredit(db: DatabaseOrTransaction, invoice: InvoiceView) {
  const params = { teamId: invoice.teamId, invoiceIds: [invoice.id] };
  const [accountCreditMinor, credits, refunds] = await Promise.all([
    accountCreditBalance(db, { teamId: invoice.teamId, clientId: invoice.clientId, currency: invoice.currency }),
    getAccountCredits(db, params),
    getRefunds(db, params),
  ]);
  return { accountCreditMinor, lines: creditCardLines(invoice, credits, refunds) };
}
