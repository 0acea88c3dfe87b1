// The Bolt app: HTTP receiver (production shape) or Socket Mode (no public URL), by configuration; one workspace on
// SLACK_BOT_TOKEN, or any workspace that installs it (OAuth, src/slack/install), each with its own token.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { App, type CustomRoute, HTTPReceiver, type HTTPReceiverOptions, type Logger, LogLevel } from '@slack/bolt';
import { WebClient, LogLevel as WebLogLevel } from '@slack/web-api';
import { createLedgerCallback } from '../books/callback.js';
import type { Connected } from '../books/connections.js';
import { type Books, QUICKBOOKS_CALLBACK_PATH, XERO_CALLBACK_PATH } from '../books/index.js';
import { providerLabel } from '../books/provider.js';
import { QUICKBOOKS_WEBHOOK_PATH } from '../books/quickbooks-webhook.js';
import { XERO_WEBHOOK_PATH } from '../books/webhook.js';
import type { SlackSettings } from '../config.js';
import type { LedgerContext } from '../services/context.js';
import { getWorkspace } from '../services/workspaces.js';
import { type ClientPageLimits, createClientPageHandler, isClientPagePath } from '../web/client-page.js';
import { clientFor, singleToken, slackClients, type TokenSource } from './clients.js';
import type { SlackDeps } from './deps.js';
import { type InstallWiring, installWiring } from './install/oauth.js';
import { type InstalledHook, onInstalled } from './install/on-installed.js';
import { registerListeners } from './listeners/index.js';
import { startWorkspaceSetup } from './listeners/setup.js';
import { createLive, describe, type Live } from './live.js';
import { principalOf } from './principal.js';
import { connectedMessage } from './ui/connect.js';
import { createWorkQueue } from './work-queue.js';

export interface SlackAppOptions {
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
  /**
   * Whether the first person to use the app in a workspace that was never set up gets the setup message (the
   * single-workspace mode; default true). An installable app sends it to the installer instead.
   */
  firstContactSetup?: boolean;
  /** Listeners' work after their ack, at most this many at once (default DEFAULT_WORK_CONCURRENCY). */
  workConcurrency?: number;
}

export interface SlackApp {
  app: App;
  live: Live;
  deps: SlackDeps;
  /** Starts receiving; resolves with whether Slack could be reached (HTTP keeps serving either way). */
  start(): Promise<{ slack: 'ok' | string }>;
  stop(): Promise<void>;
  /** Resolves once no listener is running (their work goes on after the ack). */
  idle(): Promise<void>;
  /** The port actually listened on (HTTP mode). */
  port(): number | undefined;
  /** The address clients' status links start with. */
  publicUrl(): string;
  /** Each workspace's bot token: SLACK_BOT_TOKEN, or its installation (the jobs post with these). */
  tokens: TokenSource;
  /** The first-minute setup message to this person's DM, once per workspace ever (see listeners/setup.ts). */
  startWorkspaceSetup(teamId: string, userId: string, client?: WebClient): Promise<boolean>;
}

/** Slack's own rule: a request more than five minutes away from now, either way, is refused. */
const MAX_CLOCK_SKEW_S = 5 * 60;

/**
 * Bolt's HTTP receiver verifies the signature and refuses stale timestamps but accepts ones from the
 * future; a guard in front of it refuses those too, before anything is read.
 */
function httpReceiver(
  options: HTTPReceiverOptions,
  clientPage: (req: IncomingMessage, res: ServerResponse) => void,
): HTTPReceiver {
  const receiver = new HTTPReceiver(options);
  const verified = receiver.requestListener;
  receiver.requestListener = (req, res) => {
    // Every method and path under /c is the client page's, with its headers (Bolt would answer a bare 404).
    if (isClientPagePath(req.url)) {
      clientPage(req, res);
      return;
    }
    const header = req.headers['x-slack-request-timestamp'];
    const timestamp = Number(Array.isArray(header) ? header[0] : header);
    if (req.method === 'POST' && Number.isFinite(timestamp) && timestamp - Date.now() / 1000 > MAX_CLOCK_SKEW_S) {
      res.writeHead(401).end();
      return;
    }
    verified(req, res);
  };
  return receiver;
}

export class SlackUnreachableError extends Error {
  readonly code = 'SLACK_UNREACHABLE';
}

export function createSlackApp(options: SlackAppOptions): SlackApp {
  const { settings, ledger } = options;
  const slackApiUrl = options.apiUrl;
  const logLevel = options.logLevel ?? LogLevel.INFO;
  let slackStatus: 'ok' | string = 'not checked yet';
  let listening: number | undefined;

  const healthz = async (_req: IncomingMessage, res: ServerResponse) => {
    const database = await options.databaseHealthy().catch(() => false);
    res.writeHead(database ? 200 : 503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ database: database ? 'ok' : 'unreachable', slack: slackStatus }));
  };

  const publicUrl = () => options.publicUrl ?? `http://localhost:${listening ?? options.port}`;

  // The clients' status pages, served beside /slack/events (and, in Socket Mode, on PORT too).
  let live: Live | undefined;
  let deps: SlackDeps | undefined;
  const clientPage = createClientPageHandler({
    ledger,
    logger: { warn: (...args) => app.logger.warn(...args), error: (...args) => app.logger.error(...args) },
    answered: async (teamId, invoiceId) => {
      await live?.invoiceChanged(teamId, invoiceId);
      // The channel hears of it now, not at the next tick (even while a tick is running).
      await deps?.jobs?.deliverNow(teamId);
    },
    publicUrl,
    ...(options.pageLimits ? { limits: options.pageLimits } : {}),
  });
  const customRoutes: CustomRoute[] = [
    { path: '/healthz', method: ['GET'], handler: (req, res) => void healthz(req, res) },
  ];
  const books = options.books;
  if (books) {
    const callbackOptions = {
      books,
      logger: {
        warn: (...args: unknown[]) => app.logger.warn(...args),
        error: (...args: unknown[]) => app.logger.error(...args),
      },
      // The role is checked again when the person comes back: the same principal the services are given.
      whoIs: async (teamId: string, userId: string) => {
        if (!deps) throw new Error('the Slack app is not ready');
        return principalOf(deps, await clientFor(deps.background, teamId), await getWorkspace(ledger, teamId), userId);
      },
      // The person hears of it in their DM with the app; the first sync starts at once.
      connected: async (c: Connected) => {
        const label = providerLabel(c.provider);
        void books
          .syncNow(c.teamId, c.provider)
          .catch((error) => app.logger.error(`The first ${label} sync failed:`, error));
        const client = await deps?.background.forTeam(c.teamId);
        await client?.chat.postMessage({ channel: c.userId, ...connectedMessage({ label, ...c }) });
      },
    };
    // GET: the provider's redirect; POST: the organisation chosen on the page it answered.
    customRoutes.push({
      path: XERO_CALLBACK_PATH,
      method: ['GET', 'POST'],
      handler: createLedgerCallback({ ...callbackOptions, provider: 'xero' }),
    });
    if (books.xeroWebhook) customRoutes.push({ path: XERO_WEBHOOK_PATH, method: ['POST'], handler: books.xeroWebhook });
    customRoutes.push({
      path: QUICKBOOKS_CALLBACK_PATH,
      method: ['GET', 'POST'],
      handler: createLedgerCallback({ ...callbackOptions, provider: 'quickbooks' }),
    });
    if (books.quickbooksWebhook) {
      customRoutes.push({ path: QUICKBOOKS_WEBHOOK_PATH, method: ['POST'], handler: books.quickbooksWebhook });
    }
  }

  // In Socket Mode, /healthz and the clients' pages get a server of their own on PORT, not Bolt's: Bolt's decodes a
  // custom route's path outside any catch, so one request for /c/%ZZ would end the process.
  const socketServer: Server | undefined =
    settings.mode === 'socket'
      ? createServer((req, res) => {
          if (isClientPagePath(req.url)) return clientPage(req, res);
          if (req.method === 'GET' && new URL(req.url ?? '/', 'http://x').pathname === '/healthz') {
            return void healthz(req, res);
          }
          res.writeHead(404).end();
        })
      : undefined;

  // People's requests: few retries, so a slow Slack never holds a modal hostage.
  const clientOptions = {
    ...(slackApiUrl ? { slackApiUrl } : {}),
    timeout: 5_000,
    retryConfig: { retries: 1, factor: 1, minTimeout: 200, maxTimeout: 1_000 },
  };
  // The installable mode: Bolt's installer on the HTTP receiver, the installations in the database, and the pages.
  const install: InstallWiring | undefined = settings.install
    ? installWiring({
        settings: settings.install,
        ledger,
        clientOptions: { ...(slackApiUrl ? { slackApiUrl } : {}), timeout: 10_000 },
        publicUrl: options.publicUrl,
        logger: (): Logger => app.logger,
        installed: async (teamId, installerUserId) => {
          const client = deps ? await deps.background.forTeam(teamId) : null;
          if (deps && client) await (options.onInstalled ?? onInstalled)(deps, teamId, installerUserId, client);
        },
      })
    : undefined;
  if (install) customRoutes.push(...install.routes);
  const tokens: TokenSource = install?.store ?? singleToken(settings.botToken ?? '');

  // Who the bot is, learned once (at start-up, or at the first request if Slack was unreachable then).
  // Bolt's own single-token authorize would call auth.test on every request.
  let identity: Promise<{ botUserId?: string; botId?: string }> | undefined;
  const learnIdentity = (client: WebClient) => {
    identity ??= client.auth.test().then(
      (r) => ({ ...(r.user_id ? { botUserId: r.user_id } : {}), ...(r.bot_id ? { botId: r.bot_id } : {}) }),
      (error: unknown) => {
        identity = undefined;
        throw error;
      },
    );
    return identity;
  };
  // The single-workspace mode's token, or (installable) no token: api.test says whether Slack answers.
  const identityClient = new WebClient(settings.botToken, {
    ...(slackApiUrl ? { slackApiUrl } : {}),
    timeout: 5_000,
    retryConfig: { retries: 0 },
    logLevel: WebLogLevel.ERROR,
  });
  const botToken = settings.botToken;
  const common = {
    // Installable: Bolt's installer authorizes each request with its workspace's installation.
    ...(botToken ? { authorize: async () => ({ botToken, ...(await learnIdentity(identityClient)) }) } : {}),
    logLevel,
    ...(options.logger ? { logger: options.logger } : {}),
    clientOptions,
  };
  const app: App =
    settings.mode === 'socket'
      ? new App({
          ...common,
          appToken: settings.appToken,
          socketMode: true,
          installerOptions: { clientOptions: { ...clientOptions, retryConfig: { retries: 0 } } },
        })
      : new App({
          ...common,
          receiver: httpReceiver(
            {
              signingSecret: settings.signingSecret ?? '',
              port: options.port,
              logLevel,
              customRoutes,
              ...(options.logger ? { logger: options.logger } : {}),
              ...install?.receiverOptions,
            },
            clientPage,
          ),
        });

  // Background posting (cards, homes, alerts): each workspace's own client, a timeout and bounded retries.
  const background = slackClients(tokens, {
    ...(slackApiUrl ? { slackApiUrl } : {}),
    timeout: 10_000,
    retryConfig: { retries: 3, factor: 2, minTimeout: 1_000, maxTimeout: 10_000 },
    logLevel: WebLogLevel.ERROR,
  });
  deps = {
    ledger,
    background,
    logger: app.logger,
    publicUrl,
    ...(books ? { books } : {}),
    work: createWorkQueue(options.workConcurrency),
  };
  live = createLive(deps);
  // Listeners go on working after their ack: count them, so shutdown (and tests) can wait for them.
  let inFlight = 0;
  let whenIdle: (() => void)[] = [];
  app.use(async ({ next }) => {
    inFlight += 1;
    try {
      await next();
    } finally {
      inFlight -= 1;
      if (inFlight === 0) {
        for (const resolve of whenIdle) resolve();
        whenIdle = [];
      }
    }
  });
  // The single-workspace mode greets whoever comes first; an installable app greets its installer (onInstalled).
  registerListeners(app, deps, live, { firstContactSetup: options.firstContactSetup ?? !install });
  app.error(async (error) => {
    app.logger.error('Unhandled error in a listener:', error);
  });

  async function checkSlack(): Promise<'ok' | string> {
    try {
      if (botToken) await learnIdentity(identityClient);
      else await identityClient.api.test();
      return 'ok';
    } catch (error) {
      return `unreachable: ${describe(error)}`;
    }
  }

  return {
    app,
    live,
    deps,
    port: () => listening,
    publicUrl,
    tokens,
    startWorkspaceSetup: (teamId, userId, client) => {
      if (!deps) throw new Error('the Slack app is not ready');
      return startWorkspaceSetup(deps, teamId, userId, client);
    },
    async start() {
      if (settings.mode === 'socket') {
        slackStatus = await checkSlack();
        if (slackStatus !== 'ok') {
          throw new SlackUnreachableError(
            `Cannot reach Slack at ${slackApiUrl ?? 'https://slack.com/api/'} (${slackStatus.replace('unreachable: ', '')}).`,
          );
        }
        try {
          await app.start();
        } catch (error) {
          throw new SlackUnreachableError(`Cannot open the Socket Mode connection: ${describe(error)}.`);
        }
        if (socketServer) {
          await new Promise<void>((resolve, reject) => {
            socketServer.once('error', reject).listen(options.port, () => resolve());
          });
          const address = socketServer.address();
          listening = typeof address === 'object' && address ? address.port : options.port;
        }
        return { slack: slackStatus };
      }
      const server = (await app.start(options.port)) as unknown as { address(): { port: number } | string | null };
      const address = server?.address?.();
      listening = typeof address === 'object' && address ? address.port : options.port;
      slackStatus = await checkSlack();
      return { slack: slackStatus };
    },
    async idle() {
      if (inFlight > 0) await new Promise<void>((resolve) => whenIdle.push(resolve));
      await clientPage.idle();
    },
    async stop() {
      await app.stop();
      if (socketServer?.listening) await new Promise<void>((resolve) => socketServer.close(() => resolve()));
      // What was acknowledged is finished before the database closes.
      if (inFlight > 0) await new Promise<void>((resolve) => whenIdle.push(resolve));
      await clientPage.idle();
    },
  };
}
