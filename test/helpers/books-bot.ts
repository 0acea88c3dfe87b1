// The app with its books: the real Bolt app in HTTP mode (signed requests, the fake Slack) and the ledger sync
// pointed at the fake Xero (and, when asked, the fake QuickBooks Online), wired as main.ts wires them, on one PGlite
// database (or the worker's PostgreSQL one, when asked). For the books' end-to-end tests.
import { randomBytes } from 'node:crypto';
import { LogLevel } from '@slack/bolt';
import { type Books, createBooks } from '../../src/books/index.js';
import { type AppServer, createApp } from '../../src/http.js';
import { fixedClock } from '../../src/services/context.js';
import { ensureWorkspace, updateWorkspaceSettings } from '../../src/services/workspaces.js';
import { tellBroken } from '../../src/slack/listeners/connect.js';
import { tellPushFailed } from '../../src/slack/listeners/ledger-push.js';
import { type DatabaseKind, emptyDatabase, testDatabase } from './db.js';
import { type FakeQuickBooks, startFakeQuickBooks } from './fake-quickbooks.js';
import { type FakeSlack, startFakeSlack } from './fake-slack.js';
import { FAKE_XERO_CLIENT, type FakeXero, startFakeXero } from './fake-xero.js';
import { OPERATOR } from './ledger.js';
import { type SlackClient, slackClient } from './signed.js';

export const BOOKS_TEAM = 'T0TEAM';
export const BOOKS_ADMIN = 'U0ADMIN';
const SECRET = 'test-signing-secret';

export interface BooksBot {
  fake: FakeSlack;
  xero: FakeXero;
  /** The fake QuickBooks Online, when started with `quickbooks`. */
  qbo: FakeQuickBooks | undefined;
  bot: AppServer;
  books: Books;
  baseUrl: string;
  clock: ReturnType<typeof fixedClock>;
  ledger: { db: Awaited<ReturnType<typeof testDatabase>>['db']; clock: ReturnType<typeof fixedClock> };
  /** Signed requests from `userId` of the workspace. */
  as(userId: string): SlackClient;
  close(): Promise<void>;
}

/**
 * Starts the app and the fakes at `now`, with a workspace (New York, finance channel C0FIN) whose finance admin is
 * BOOKS_ADMIN. `afterSync` runs after each sync that changed invoices, once the cards and homes are redrawn.
 */
export async function startBooksBot(
  options: {
    now: string;
    webhookKey?: string;
    afterSync?: () => void;
    /** Also QuickBooks Online, on its own fake, with this webhook verifier token. */
    quickbooks?: { webhookVerifier?: string };
    /** PGlite unless asked (PostgreSQL needs TEST_DATABASE_URL). */
    database?: DatabaseKind;
  } = { now: '2026-11-23T15:00:00Z' },
): Promise<BooksBot> {
  const clock = fixedClock(options.now);
  const fake = await startFakeSlack();
  const xero = await startFakeXero();
  xero.setNow(options.now);
  const qbo = options.quickbooks ? await startFakeQuickBooks() : undefined;
  qbo?.setNow(options.now);
  const handle = await testDatabase(options.database ?? 'pglite');
  await emptyDatabase(handle);
  const ledger = { db: handle.db, clock };
  let bot: AppServer | undefined;
  const app = () => {
    if (!bot) throw new Error('the app is not started yet');
    return bot;
  };
  const books = createBooks({
    ledger,
    xero: {
      ...FAKE_XERO_CLIENT,
      apiUrl: xero.url,
      identityUrl: xero.url,
      loginUrl: xero.url,
      ...(options.webhookKey ? { webhookKey: options.webhookKey } : {}),
    },
    ...(qbo ? { quickbooks: qbo.settings(options.quickbooks?.webhookVerifier) } : {}),
    tokenKey: randomBytes(32).toString('base64'),
    publicUrl: () => app().publicUrl(),
    logger: { info: () => {}, warn: () => {}, error: () => {} },
    sleep: async (ms) => clock.advance(ms),
    // As main.ts wires it: one sweep of stale cards, then the homes.
    invoicesChanged: async (teamId) => {
      await app().live.sync();
      await app().live.refreshHomes(teamId);
      options.afterSync?.();
    },
    connectionBroken: (teamId, reason, provider) => tellBroken(app().deps, teamId, provider, reason),
    connectionChanged: (teamId) => app().live.refreshHomes(teamId),
    paymentPushChanged: async (teamId, invoiceIds) => {
      for (const id of invoiceIds) await app().live.invoiceChanged(teamId, id);
    },
    paymentPushFailed: (failure) => tellPushFailed(app().deps, failure),
  });
  bot = createApp({
    settings: { botToken: 'xoxb-test', signingSecret: SECRET, appToken: undefined, mode: 'http' },
    ledger,
    apiUrl: fake.apiUrl,
    port: 0,
    logLevel: LogLevel.ERROR,
    books,
    databaseHealthy: async () => true,
  });
  await bot.start();
  const baseUrl = `http://127.0.0.1:${bot.port()}`;
  await ensureWorkspace(ledger, { teamId: BOOKS_TEAM, name: 'Acme', timeZone: 'America/New_York' });
  await updateWorkspaceSettings(ledger, BOOKS_TEAM, OPERATOR, {
    financeAdmins: [BOOKS_ADMIN],
    financeChannel: 'C0FIN',
  });
  const started = bot;
  return {
    fake,
    xero,
    qbo,
    bot: started,
    books,
    baseUrl,
    clock,
    ledger,
    as: (userId) => slackClient(baseUrl, SECRET, { fake, team_id: BOOKS_TEAM, user_id: userId }),
    async close() {
      await books.idle();
      await started.stop();
      await fake.close();
      await xero.close();
      await qbo?.close();
    },
  };
}
