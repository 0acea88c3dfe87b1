// The Bolt app: HTTP receiver (production shape) or Socket Mode (no public URL), by configuration; one workspace on
// SLACK_BOT_TOKEN, or any workspace that installs it (OAuth, src/slack/install), each with its own token. Transport
// only: the other HTTP routes (health, clients' pages, the ledgers' callbacks, the install pages) are composed in
// src/http.ts and handed in.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { App, type CustomRoute, HTTPReceiver, type HTTPReceiverOptions, type Logger, LogLevel } from '@slack/bolt';
import { WebClient, LogLevel as WebLogLevel } from '@slack/web-api';
import type { Books } from '../books/index.js';
import type { SlackSettings } from '../config.js';
import type { LedgerContext } from '../services/context.js';
import { singleToken, slackClients, type TokenSource } from './clients.js';
import type { SlackDeps } from './deps.js';
import { type InstallPages, type InstallWiring, installWiring } from './install/oauth.js';
import { type InstalledHook, onInstalled } from './install/on-installed.js';
import { registerListeners } from './listeners/index.js';
import { startWorkspaceSetup } from './listeners/setup.js';
import { createLive, describe, type Live } from './live.js';
import { createWorkQueue } from './work-queue.js';

export interface SlackAppOptions {
  settings: SlackSettings;
  ledger: LedgerContext;
  /** Base URL of the Slack Web API (tests point it at a local fake). */
  apiUrl?: string | undefined;
  /** The HTTP receiver's port (HTTP mode). */
  port: number;
  logLevel?: LogLevel;
  logger?: Logger;
  /** PUBLIC_URL as configured: the OAuth redirect is built on it. */
  configuredPublicUrl?: string | undefined;
  /** Where people reach the HTTP server now: clients' status links start with it. */
  publicUrl: () => string;
  /** The accounting ledgers: /invoice connect. */
  books?: Books;
  /** The HTTP mode's other routes, beside /slack/events (src/http.ts). */
  routes?: CustomRoute[];
  /** Answers a request before Bolt sees it when it is not Slack's (the clients' pages): true when it did. */
  answerFirst?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** The installable mode's pages at the end of an install (required in that mode). */
  installPages?: InstallPages;
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
  /** Starts receiving; resolves with whether Slack could be reached and (HTTP mode) the port listened on. */
  start(): Promise<{ slack: 'ok' | string; port?: number }>;
  stop(): Promise<void>;
  /** Resolves once no listener is running (their work goes on after the ack). */
  idle(): Promise<void>;
  /** Whether Slack answered when last asked ('ok', or why not), for /healthz. */
  status(): 'ok' | string;
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
  answerFirst: (req: IncomingMessage, res: ServerResponse) => boolean,
): HTTPReceiver {
  const receiver = new HTTPReceiver(options);
  const verified = receiver.requestListener;
  receiver.requestListener = (req, res) => {
    if (answerFirst(req, res)) return;
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

/** Who the bot is, learned once (at start-up, or at the first request if Slack was unreachable then), and whether Slack answers. */
function slackIdentity(settings: SlackSettings, slackApiUrl: string | undefined) {
  // Bolt's own single-token authorize would call auth.test on every request.
  let identity: Promise<{ botUserId?: string; botId?: string }> | undefined;
  // The single-workspace mode's token, or (installable) no token: api.test says whether Slack answers.
  const client = new WebClient(settings.botToken, {
    ...(slackApiUrl ? { slackApiUrl } : {}),
    timeout: 5_000,
    retryConfig: { retries: 0 },
    logLevel: WebLogLevel.ERROR,
  });
  const learn = () => {
    identity ??= client.auth.test().then(
      (r) => ({ ...(r.user_id ? { botUserId: r.user_id } : {}), ...(r.bot_id ? { botId: r.bot_id } : {}) }),
      (error: unknown) => {
        identity = undefined;
        throw error;
      },
    );
    return identity;
  };
  const check = async (): Promise<'ok' | string> => {
    try {
      if (settings.botToken) await learn();
      else await client.api.test();
      return 'ok';
    } catch (error) {
      return `unreachable: ${describe(error)}`;
    }
  };
  return { learn, check };
}

/** The Bolt App in its mode: Socket Mode, or the HTTP receiver with the routes beside /slack/events. */
function boltApp(
  options: SlackAppOptions,
  install: InstallWiring | undefined,
  learnIdentity: () => Promise<{ botUserId?: string; botId?: string }>,
): App {
  const { settings } = options;
  const slackApiUrl = options.apiUrl;
  const logLevel = options.logLevel ?? LogLevel.INFO;
  // People's requests: few retries, so a slow Slack never holds a modal hostage.
  const clientOptions = {
    ...(slackApiUrl ? { slackApiUrl } : {}),
    timeout: 5_000,
    retryConfig: { retries: 1, factor: 1, minTimeout: 200, maxTimeout: 1_000 },
  };
  const botToken = settings.botToken;
  const common = {
    // Installable: Bolt's installer authorizes each request with its workspace's installation.
    ...(botToken ? { authorize: async () => ({ botToken, ...(await learnIdentity()) }) } : {}),
    logLevel,
    ...(options.logger ? { logger: options.logger } : {}),
    clientOptions,
  };
  if (settings.mode === 'socket') {
    return new App({
      ...common,
      appToken: settings.appToken,
      socketMode: true,
      installerOptions: { clientOptions: { ...clientOptions, retryConfig: { retries: 0 } } },
    });
  }
  const receiver = httpReceiver(
    {
      signingSecret: settings.signingSecret ?? '',
      port: options.port,
      logLevel,
      customRoutes: options.routes ?? [],
      ...(options.logger ? { logger: options.logger } : {}),
      ...install?.receiverOptions,
    },
    options.answerFirst ?? (() => false),
  );
  return new App({ ...common, receiver });
}

/** Counts the listeners at work (they go on after their ack), so shutdown and tests can wait for them. */
function inFlightCounter(app: App): { idle(): Promise<void> } {
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
  return {
    idle: async () => {
      if (inFlight > 0) await new Promise<void>((resolve) => whenIdle.push(resolve));
    },
  };
}

/** The installable mode: Bolt's installer on the HTTP receiver, the installations in the database. */
function installOf(
  options: SlackAppOptions,
  logger: () => Logger,
  deps: () => SlackDeps | undefined,
): InstallWiring | undefined {
  const { settings, ledger, apiUrl: slackApiUrl } = options;
  if (!settings.install) return undefined;
  if (!options.installPages) throw new Error('The installable mode needs its install pages.');
  return installWiring({
    settings: settings.install,
    ledger,
    clientOptions: { ...(slackApiUrl ? { slackApiUrl } : {}), timeout: 10_000 },
    publicUrl: options.configuredPublicUrl,
    logger,
    installed: async (teamId, installerUserId) => {
      const ready = deps();
      const client = ready ? await ready.background.forTeam(teamId) : null;
      if (ready && client) await (options.onInstalled ?? onInstalled)(ready, teamId, installerUserId, client);
    },
    pages: options.installPages,
  });
}

/** Starts receiving: Socket Mode refuses to start without Slack; HTTP serves either way and says how Slack was. */
async function startBolt(
  app: App,
  options: SlackAppOptions,
  check: () => Promise<'ok' | string>,
): Promise<{ slack: 'ok' | string; port?: number }> {
  if (options.settings.mode === 'socket') {
    const slack = await check();
    if (slack !== 'ok') {
      throw new SlackUnreachableError(
        `Cannot reach Slack at ${options.apiUrl ?? 'https://slack.com/api/'} (${slack.replace('unreachable: ', '')}).`,
      );
    }
    try {
      await app.start();
    } catch (error) {
      throw new SlackUnreachableError(`Cannot open the Socket Mode connection: ${describe(error)}.`);
    }
    return { slack };
  }
  const server = (await app.start(options.port)) as unknown as { address(): { port: number } | string | null };
  const address = server?.address?.();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return { slack: await check(), port };
}

export function createSlackApp(options: SlackAppOptions): SlackApp {
  const { settings, ledger } = options;
  const slackApiUrl = options.apiUrl;
  let slackStatus: 'ok' | string = 'not checked yet';
  let deps: SlackDeps | undefined;
  const install = installOf(
    options,
    () => app.logger,
    () => deps,
  );
  const tokens: TokenSource = install?.store ?? singleToken(settings.botToken ?? '');
  const identity = slackIdentity(settings, slackApiUrl);
  const app = boltApp(options, install, identity.learn);

  // Background posting (cards, homes, alerts): each workspace's own client, a timeout and bounded retries.
  const background = slackClients(tokens, {
    ...(slackApiUrl ? { slackApiUrl } : {}),
    timeout: 10_000,
    retryConfig: { retries: 3, factor: 2, minTimeout: 1_000, maxTimeout: 10_000 },
    logLevel: WebLogLevel.ERROR,
  });
  const ready: SlackDeps = {
    ledger,
    background,
    logger: app.logger,
    publicUrl: options.publicUrl,
    ...(options.books ? { books: options.books } : {}),
    work: createWorkQueue(options.workConcurrency),
  };
  deps = ready;
  const live = createLive(ready);
  const listeners = inFlightCounter(app);
  // The single-workspace mode greets whoever comes first; an installable app greets its installer (onInstalled).
  registerListeners(app, ready, live, { firstContactSetup: options.firstContactSetup ?? !install });
  app.error(async (error) => {
    app.logger.error('Unhandled error in a listener:', error);
  });

  return {
    app,
    live,
    deps: ready,
    tokens,
    status: () => slackStatus,
    startWorkspaceSetup: (teamId, userId, client) => startWorkspaceSetup(ready, teamId, userId, client),
    async start() {
      const started = await startBolt(app, options, identity.check);
      slackStatus = started.slack;
      return started;
    },
    idle: () => listeners.idle(),
    async stop() {
      await app.stop();
      // What was acknowledged is finished before the database closes.
      await listeners.idle();
    },
  };
}
