// Wiring only: config → database → ledger → the app's HTTP routes and Slack app (src/http.ts) → jobs → card sweeps → start; SIGTERM closes it cleanly and soon.
import { createBooks } from './books/index.js';
import {
  ConfigError,
  loadConfig,
  loadEnvFile,
  quickbooksSettings,
  slackModeName,
  slackSettings,
  xeroSettings,
} from './config.js';
import { openDatabase, redact } from './db/client.js';
import { processHolder } from './db/holder.js';
import { createApp } from './http.js';
import { createJobs } from './jobs/index.js';
import { STOP_GRACE_MS } from './jobs/scheduler.js';
import { systemClock } from './services/context.js';
import { SlackUnreachableError } from './slack/app.js';
import { tellBroken } from './slack/listeners/connect.js';
import { tellPushFailed } from './slack/listeners/ledger-push.js';

async function main(): Promise<void> {
  loadEnvFile();
  const config = loadConfig();
  const settings = slackSettings(config);
  const database = await openDatabase({
    url: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    maxConnections: config.DATABASE_POOL_SIZE,
    sharedBuffers: config.EMBEDDED_SHARED_BUFFERS,
  });
  const where = config.DATABASE_URL
    ? `PostgreSQL at ${redact(config.DATABASE_URL)}`
    : `the embedded database in ${config.DATA_DIR}`;
  // Where ledger webhooks may go besides the public internet: checked when one is added and on every delivery.
  const ledger = { db: database.db, clock: systemClock, webhookNetworks: config.WEBHOOK_ALLOW_NETWORKS };
  const books = createBooks({
    ledger,
    xero: xeroSettings(config),
    quickbooks: quickbooksSettings(config),
    tokenKey: config.LEDGER_TOKEN_KEY,
    publicUrl: () => bot.publicUrl(),
    logger: {
      info: (...args) => bot.deps.logger.info(...args),
      warn: (...args) => bot.deps.logger.warn(...args),
      error: (...args) => bot.deps.logger.error(...args),
    },
    syncEveryMinutes: config.LEDGER_SYNC_MINUTES,
    // One sweep of the cards that no longer show their invoice, and the homes once: not one pass per invoice.
    invoicesChanged: async (teamId) => {
      await bot.live.sync();
      await bot.live.refreshHomes(teamId);
    },
    connectionBroken: (teamId, reason, provider) => tellBroken(bot.deps, teamId, provider, reason),
    // The App Homes show the connection: its sync's progress, its end, a break.
    connectionChanged: (teamId) => bot.live.refreshHomes(teamId),
    // A payment reached the ledger (or is retrying): its cards say so; the invoice itself did not change.
    paymentPushChanged: async (teamId, invoiceIds) => {
      for (const id of invoiceIds) await bot.live.invoiceChanged(teamId, id);
    },
    paymentPushFailed: (failure) => tellPushFailed(bot.deps, failure),
  });
  const bot = createApp({
    books,
    settings,
    ledger,
    apiUrl: config.SLACK_API_URL,
    port: config.PORT,
    publicUrl: config.PUBLIC_URL,
    databaseHealthy: async () => {
      await database.raw('select 1', []);
      return true;
    },
  });
  const log = bot.deps.logger;
  const jobs = createJobs({
    tokens: bot.tokens,
    apiUrl: config.SLACK_API_URL,
    ledger,
    logger: log,
    books,
    holder: processHolder({
      replicaId: config.REPLICA_ID,
      embeddedDataDir: config.DATABASE_URL ? undefined : config.DATA_DIR,
    }),
  });
  bot.deps.jobs = jobs.scheduler;

  let stopping = false;
  let sweeping: Promise<unknown> = Promise.resolve();
  const sweep = setInterval(() => {
    sweeping = bot.live.sync().catch((error) => log.warn('Card sweep failed:', error));
  }, config.CARD_SYNC_SECONDS * 1000);
  sweep.unref();

  // Within SHUTDOWN_MS of SIGTERM: no new work at once; a post under way gets STOP_GRACE_MS to answer, then it is
  // left uncertain and every unfinished claim is given back (another replica or the next start takes it at once);
  // a card sweep (chat.update, redone by the next sweep) and the HTTP server get a second. Docker waits 10 s.
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const began = Date.now();
    log.info(`${signal}: taking no new work; what is under way gets ${STOP_GRACE_MS / 1000} s, then it is given back.`);
    const backstop = setTimeout(() => {
      log.error(`Still stopping after ${SHUTDOWN_MS / 1000} s: exiting now.`);
      process.exit(1);
    }, SHUTDOWN_MS);
    backstop.unref();
    clearInterval(sweep);
    await Promise.all([
      jobs.scheduler.stop().catch((error) => log.warn('Stopping the jobs:', error)),
      // A ledger sync stops after its current page; the next start (or another replica) resumes from there.
      within(2_000, books.stop()).catch((error) => log.warn('Stopping the ledger syncs:', error)),
      within(1_000, bot.stop()).catch((error) => log.warn('Stopping the Slack app:', error)),
      within(1_000, sweeping),
    ]);
    await database.close().catch((error) => log.warn('Closing the database:', error));
    log.info(`Stopped in ${((Date.now() - began) / 1000).toFixed(1)} s.`);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  try {
    const { slack } = await bot.start();
    log.info(`Slack mode: ${slackModeName(settings)}.`);
    if (settings.install) {
      log.info(`Workspaces install it from ${bot.publicUrl()}/ ("Add to Slack" → /slack/install).`);
    }
    if (settings.mode === 'http') {
      log.info(`receivables-bot is listening on port ${bot.port()} (HTTP, /slack/events) with ${where}.`);
      if (slack !== 'ok') log.error(`Cannot reach Slack (${slack}); serving anyway, see /healthz.`);
    } else {
      log.info(`receivables-bot is connected with Socket Mode, using ${where}.`);
    }
  } catch (error) {
    await database.close();
    throw error;
  }
  // Bring cards posted while the app was down up to date (a new day moves states too), and catch up
  // on today's alerts and the week's digest if they were missed.
  sweeping = bot.live.sync().catch((error) => log.warn('Card sweep failed:', error));
  await jobs.scheduler.start();
}

/** The longest a SIGTERM waits before the process exits, whatever hangs. */
const SHUTDOWN_MS = 8_000;

/** Waits for `work`, but no longer than `ms`. */
function within(ms: number, work: Promise<unknown>): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([work, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]).finally(() =>
    clearTimeout(timer),
  );
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof SlackUnreachableError) {
    console.error(error.message);
  } else {
    console.error(error instanceof Error ? error.message : error);
  }
  process.exit(1);
});
