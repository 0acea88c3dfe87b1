// The app's HTTP routes, composed in one place beside main.ts: Slack's (/slack/events, and in the installable mode
// /slack/install and /slack/oauth_redirect, by Bolt), /healthz, the clients' status pages under /c, the ledgers'
// OAuth callbacks and webhooks, and the install pages (/ and /privacy). In HTTP mode they share Bolt's receiver;
// in Socket Mode, /healthz and the clients' pages get a server of their own on PORT.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { CustomRoute, Logger, LogLevel } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { createLedgerCallback } from './books/callback.js';
import { type Books, QUICKBOOKS_CALLBACK_PATH, XERO_CALLBACK_PATH } from './books/index.js';
import { QUICKBOOKS_WEBHOOK_PATH } from './books/quickbooks-webhook.js';
import { XERO_WEBHOOK_PATH } from './books/webhook.js';
import type { SlackSettings } from './config.js';
import type { LedgerContext } from './services/context.js';
import { RETENTION_DAYS } from './services/installations.js';
import { createSlackApp, type SlackApp } from './slack/app.js';
import type { TokenSource } from './slack/clients.js';
import type { SlackDeps } from './slack/deps.js';
import type { InstallPages } from './slack/install/oauth.js';
import type { InstalledHook } from './slack/install/on-installed.js';
import { ledgerCallbackHooks } from './slack/ledger-callback.js';
import type { Live } from './slack/live.js';
import {
  type ClientPageHandler,
  type ClientPageLimits,
  createClientPageHandler,
  isClientPagePath,
} from './web/client-page.js';
import {
  installedPage,
  installFailedPage,
  landingPage,
  PRIVACY_PATH,
  privacyPage,
  sendPage,
} from './web/install-pages.js';

export interface AppOptions {
  settings: SlackSettings;
  ledger: LedgerContext;
  /** Base URL of the Slack Web API (tests point it at a local fake). */
  apiUrl?: string | undefined;
  port: number;
  logLevel?: LogLevel;
  logger?: Logger;
  /** Whether the database answers, for /healthz. */
  databaseHealthy: () => Promise<boolean>;
  /** Where people reach the HTTP server (clients' status links); default http://localhost:<port>. */
  publicUrl?: string | undefined;
  /** The client pages' rate limits (tests lower them). */
  pageLimits?: Partial<ClientPageLimits>;
  /** The accounting ledgers: /invoice connect, and the OAuth callbacks and webhooks beside /slack/events. */
  books?: Books;
  /** Run after each install in the installable mode (default: src/slack/install/on-installed.ts). */
  onInstalled?: InstalledHook;
  /** See SlackAppOptions.firstContactSetup. */
  firstContactSetup?: boolean;
  /** Listeners' work after their ack, at most this many at once (default DEFAULT_WORK_CONCURRENCY). */
  workConcurrency?: number;
}

/** The running app: the Slack app and the HTTP routes beside it. */
export interface AppServer {
  app: SlackApp['app'];
  live: Live;
  deps: SlackDeps;
  /** Starts receiving; resolves with whether Slack could be reached (HTTP keeps serving either way). */
  start(): Promise<{ slack: 'ok' | string }>;
  stop(): Promise<void>;
  /** Resolves once no listener and no client page is at work. */
  idle(): Promise<void>;
  /** The port actually listened on. */
  port(): number | undefined;
  /** The address clients' status links start with. */
  publicUrl(): string;
  /** Each workspace's bot token: SLACK_BOT_TOKEN, or its installation (the jobs post with these). */
  tokens: TokenSource;
  /** The first-minute setup message to this person's DM, once per workspace ever (see listeners/setup.ts). */
  startWorkspaceSetup(teamId: string, userId: string, client?: WebClient): Promise<boolean>;
}

/** /healthz: whether the database answers, and whether Slack did when last asked. */
function healthz(options: AppOptions, slackStatus: () => string) {
  return async (_req: IncomingMessage, res: ServerResponse) => {
    const database = await options.databaseHealthy().catch(() => false);
    res.writeHead(database ? 200 : 503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ database: database ? 'ok' : 'unreachable', slack: slackStatus() }));
  };
}

/** The ledgers' OAuth callbacks (GET: the provider's redirect; POST: the organisation chosen) and webhooks. */
function bookRoutes(books: Books, slack: () => SlackApp): CustomRoute[] {
  const logger = {
    warn: (...args: unknown[]) => slack().app.logger.warn(...args),
    error: (...args: unknown[]) => slack().app.logger.error(...args),
  };
  const callbackOptions = { books, logger, ...ledgerCallbackHooks(() => slack().deps, books) };
  const routes: CustomRoute[] = [
    {
      path: XERO_CALLBACK_PATH,
      method: ['GET', 'POST'],
      handler: createLedgerCallback({ ...callbackOptions, provider: 'xero' }),
    },
    {
      path: QUICKBOOKS_CALLBACK_PATH,
      method: ['GET', 'POST'],
      handler: createLedgerCallback({ ...callbackOptions, provider: 'quickbooks' }),
    },
  ];
  if (books.xeroWebhook) routes.push({ path: XERO_WEBHOOK_PATH, method: ['POST'], handler: books.xeroWebhook });
  if (books.quickbooksWebhook) {
    routes.push({ path: QUICKBOOKS_WEBHOOK_PATH, method: ['POST'], handler: books.quickbooksWebhook });
  }
  return routes;
}

/** The installable mode's pages: / and /privacy, and the end of an install. */
const installPages: InstallPages = {
  installed: (res, params) => sendPage(res, 200, installedPage(params)),
  failed: (res, status, reason) => sendPage(res, status, installFailedPage(reason)),
};

function installRoutes(): CustomRoute[] {
  const page = (body: () => string) => (_req: IncomingMessage, res: ServerResponse) => sendPage(res, 200, body());
  return [
    { path: '/', method: ['GET'], handler: page(landingPage) },
    { path: PRIVACY_PATH, method: ['GET'], handler: page(() => privacyPage({ retentionDays: RETENTION_DAYS })) },
  ];
}

/** The clients' status pages: an answer updates the invoice's cards and tells the channel now. */
function clientPages(options: AppOptions, slack: () => SlackApp, publicUrl: () => string): ClientPageHandler {
  return createClientPageHandler({
    ledger: options.ledger,
    logger: {
      warn: (...args) => slack().app.logger.warn(...args),
      error: (...args) => slack().app.logger.error(...args),
    },
    answered: async (teamId, invoiceId) => {
      await slack().live.invoiceChanged(teamId, invoiceId);
      // The channel hears of it now, not at the next tick (even while a tick is running).
      await slack().deps.jobs?.deliverNow(teamId);
    },
    publicUrl,
    ...(options.pageLimits ? { limits: options.pageLimits } : {}),
  });
}

/**
 * Socket Mode's own server on PORT for /healthz and the clients' pages, not Bolt's: Bolt's decodes a custom
 * route's path outside any catch, so one request for /c/%ZZ would end the process.
 */
function socketModeServer(
  clientPage: ClientPageHandler,
  health: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): Server {
  return createServer((req, res) => {
    if (isClientPagePath(req.url)) return clientPage(req, res);
    if (req.method === 'GET' && new URL(req.url ?? '/', 'http://x').pathname === '/healthz') {
      return void health(req, res);
    }
    res.writeHead(404).end();
  });
}

async function listen(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject).listen(port, () => resolve());
  });
  const address = server.address();
  return typeof address === 'object' && address ? address.port : port;
}

export function createApp(options: AppOptions): AppServer {
  const { settings } = options;
  let listening: number | undefined;
  const publicUrl = () => options.publicUrl ?? `http://localhost:${listening ?? options.port}`;
  // The routes are made before the Slack app they call into; none is called before it exists.
  let made: SlackApp | undefined;
  const slack = (): SlackApp => {
    if (!made) throw new Error('the Slack app is not ready');
    return made;
  };
  const health = healthz(options, () => made?.status() ?? 'not checked yet');
  // Every method and path under /c is the client page's, with its headers (Bolt would answer a bare 404).
  const clientPage = clientPages(options, slack, publicUrl);
  const routes: CustomRoute[] = [
    { path: '/healthz', method: ['GET'], handler: (req, res) => void health(req, res) },
    ...(options.books ? bookRoutes(options.books, slack) : []),
    ...(settings.install ? installRoutes() : []),
  ];
  made = createSlackApp({
    ...options,
    configuredPublicUrl: options.publicUrl,
    publicUrl,
    routes,
    answerFirst: (req, res) => {
      if (!isClientPagePath(req.url)) return false;
      clientPage(req, res);
      return true;
    },
    installPages,
  });
  const bot = made;
  const socketServer = settings.mode === 'socket' ? socketModeServer(clientPage, health) : undefined;
  return {
    app: bot.app,
    live: bot.live,
    deps: bot.deps,
    tokens: bot.tokens,
    port: () => listening,
    publicUrl,
    startWorkspaceSetup: (teamId, userId, client) => bot.startWorkspaceSetup(teamId, userId, client),
    async start() {
      const started = await bot.start();
      listening = socketServer ? await listen(socketServer, options.port) : started.port;
      return { slack: started.slack };
    },
    async idle() {
      await bot.idle();
      await clientPage.idle();
    },
    async stop() {
      await bot.stop();
      if (socketServer?.listening) await new Promise<void>((resolve) => socketServer.close(() => resolve()));
      await clientPage.idle();
    },
  };
}
