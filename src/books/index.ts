// The books: a workspace's accounting ledger connected, and kept in step by a pull sync. Wiring for the Slack
// command, the OAuth callback and the jobs; the work is in connections.ts (tokens, claims) and sync.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { QuickBooksSettings, XeroSettings } from '../config.js';
import type { LedgerConnectionRow, LedgerPushRow, LedgerPushSettingRow } from '../db/schema.js';
import type { LedgerContext } from '../services/context.js';
import { LedgerError } from '../services/errors.js';
import { getPaymentPushSetting, pushIsOn, savePaymentPushSetting, unsentPushes } from '../services/ledger-push.js';
import { authorize, type Principal } from '../services/policy.js';
import {
  accessToken,
  activeConnections,
  ConnectError,
  type Connected,
  type ConnectionDeps,
  type ConnectOutcome,
  chooseTenant,
  claimBrokenTelling,
  claimSync,
  completeConnect,
  disconnect,
  dueConnections,
  getConnection,
  releaseBrokenTelling,
  restartSync,
  saveProgress,
  startConnect,
  syncSoon,
  untoldBreaks,
  type WhoIs,
} from './connections.js';
import { type TokenBox, tokenBox, verifyState } from './crypto.js';
import {
  createHttp,
  createLimiter,
  type FetchLike,
  type Limiter,
  type LimiterOptions,
  QUICKBOOKS_LIMITS,
  XERO_LIMITS,
} from './http.js';
import {
  isProviderError,
  type LedgerAccount,
  type LedgerProvider,
  PROVIDER_LABEL,
  type ProviderId,
  providerLabel,
} from './provider.js';
import { duePushes, type PushOutcome, sendPush } from './push.js';
import { quickbooksProvider } from './quickbooks.js';
import { createQuickBooksWebhook } from './quickbooks-webhook.js';
import { runSync, type SyncOutcome, type SyncState } from './sync.js';
import { createXeroWebhook } from './webhook.js';
import { xeroProvider } from './xero.js';

export const XERO_CALLBACK_PATH = '/oauth/xero/callback';
export const QUICKBOOKS_CALLBACK_PATH = '/oauth/quickbooks/callback';
const CALLBACK_PATH: Record<ProviderId, string> = { xero: XERO_CALLBACK_PATH, quickbooks: QUICKBOOKS_CALLBACK_PATH };
const PROVIDERS: readonly ProviderId[] = ['xero', 'quickbooks'];
/** A sync holds its connection this long past its last saved page; a crashed one's claim lapses after it. */
const CLAIM_TTL_MS = 5 * 60_000;
/**
 * The App Homes show a sync's progress: redrawn after a saved page at most this often per workspace (and only once a
 * sync has run this long), and at its end. Each redraw is one views.publish per recent viewer (Slack's tier 4).
 */
export const HOME_PROGRESS_EVERY_MS = 30_000;

export interface BooksOptions {
  ledger: LedgerContext;
  xero: XeroSettings | undefined;
  /** QuickBooks Online, when its Intuit app is configured. */
  quickbooks?: QuickBooksSettings | undefined;
  /** LEDGER_TOKEN_KEY; without it nothing can be connected. */
  tokenKey: string | undefined;
  /** Where the app's HTTP server is reached (the OAuth callback is under it). */
  publicUrl: () => string;
  logger: { info(...a: unknown[]): void; warn(...a: unknown[]): void; error(...a: unknown[]): void };
  syncEveryMinutes?: number;
  fetch?: FetchLike;
  /** Waits (rate limits); tests pass one that moves their clock instead of sleeping. */
  sleep?: (ms: number) => Promise<void>;
  /** How many new records a page needs to be taken in set-based (BULK_FROM; tests compare with one by one). */
  bulkFrom?: number;
  /** Told which invoices a sync changed, to bring their cards up to date. */
  invoicesChanged?: (teamId: string, invoiceIds: string[]) => Promise<void>;
  /**
   * Told once when a connection breaks (a refresh refused), across replicas and restarts; throws when no one could
   * be told, and the telling is tried again at the next tick.
   */
  connectionBroken?: (teamId: string, reason: string, provider: ProviderId) => Promise<void>;
  /** What the App Home shows of the connection changed (progress, the end of a sync, a break, connect, disconnect). */
  connectionChanged?: (teamId: string) => Promise<void>;
  /** Told which invoices' payments reached the ledger (or are retrying), to redraw their cards. */
  paymentPushChanged?: (teamId: string, invoiceIds: string[]) => Promise<void>;
  /** Told once when the ledger refuses a payment for good. */
  paymentPushFailed?: (failure: PushFailure) => Promise<void>;
}

export interface PushFailure {
  teamId: string;
  label: string;
  invoiceId: string;
  number: string;
  amountMinor: bigint;
  currency: string;
  reason: string;
}

/** Posting payments to a ledger, as the connection's status shows it. */
export interface PaymentPushState {
  setting: LedgerPushSettingRow | undefined;
  /** On, for the organisation connected now. */
  on: boolean;
  /** Why it cannot be turned on (the provider cannot take payments from here), or undefined. */
  unsupported: string | undefined;
  /** Payments not yet in the ledger (retrying, or refused), newest first, with their invoice's number. */
  unsent: (LedgerPushRow & { number: string })[];
}

export interface Books {
  /** Why a provider cannot be connected here (not configured, no key), or undefined when it can. */
  unavailable(provider: ProviderId): string | undefined;
  /** The authorize link for a finance admin (the policy's manageLedgerConnection). */
  startConnect(
    teamId: string,
    principal: Principal,
    provider: ProviderId,
    options?: { withPayments?: boolean },
  ): Promise<string>;
  /**
   * The OAuth callback: `whoIs` says who the state's person is now (the role is checked again); `realmId` is the
   * company QuickBooks names on its callback.
   */
  completeConnect(
    provider: ProviderId,
    params: { state: string; code: string; realmId?: string | undefined },
    whoIs: WhoIs,
  ): Promise<ConnectOutcome>;
  /** The organisation chosen on the callback page, when the grant covered several. */
  chooseTenant(provider: ProviderId, params: { state: string; tenantId: string }, whoIs: WhoIs): Promise<Connected>;
  connection(teamId: string, provider: ProviderId): Promise<LedgerConnectionRow | undefined>;
  /** Every provider's connection of the workspace that is not disconnected (for the App Home). */
  connections(teamId: string): Promise<LedgerConnectionRow[]>;
  disconnect(
    teamId: string,
    principal: Principal,
    provider: ProviderId,
  ): Promise<{ wasConnected: boolean; revoked: boolean }>;
  /** Syncs one connection now if no one else is (undefined when someone is, or it is not ok). */
  syncNow(teamId: string, provider: ProviderId, options?: { onlyIfDue?: boolean }): Promise<SyncOutcome | undefined>;
  /** Starts over as a first sync, now (undefined while another sync runs or the connection is not ok). */
  resync(teamId: string, principal: Principal, provider: ProviderId): Promise<SyncOutcome | undefined>;
  /** Syncs every due connection (awaits them: for tests and the CLI). */
  syncDue(): Promise<void>;
  /** Starts syncing the due connections in the background (the scheduler's tick: never waits for a long sync). */
  kick(): void;
  /** Resolves once no sync started by this process is running. */
  idle(): Promise<void>;
  /** The handler of POST /webhooks/xero, when XERO_WEBHOOK_KEY is set. */
  xeroWebhook: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  /** The handler of POST /webhooks/quickbooks, when QUICKBOOKS_WEBHOOK_VERIFIER is set. */
  quickbooksWebhook: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  /** Shutting down: running syncs stop after their current page (their place saved) and no new one starts. */
  stop(): Promise<void>;
  /** The ledger's accounts a payment can be paid into (finance admins; the policy's manageLedgerConnection). */
  paymentAccounts(teamId: string, principal: Principal, provider: ProviderId): Promise<LedgerAccount[]>;
  /** Turns posting payments to the ledger on, into one of paymentAccounts, or off (finance admins). */
  savePaymentPush(
    teamId: string,
    principal: Principal,
    provider: ProviderId,
    input: { enabled: boolean; accountId?: string | undefined },
  ): Promise<LedgerPushSettingRow>;
  paymentPush(teamId: string, provider: ProviderId): Promise<PaymentPushState>;
  /** Sends every due payment push now (awaits them: for tests; the scheduler's tick calls kick). */
  pushDue(): Promise<PushOutcome[]>;
}

/** Accounts listed for the setting's form are trusted this long when it is saved (no second call to the ledger). */
const ACCOUNTS_TTL_MS = 15 * 60_000;

export function createBooks(options: BooksOptions): Books {
  const { ledger, logger } = options;
  const limiters = new Map<string, Limiter>();
  const running = new Set<Promise<unknown>>();
  let stopping = false;
  const everyMs = (options.syncEveryMinutes ?? 10) * 60_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  let box: TokenBox | undefined;
  let boxError: string | undefined;
  try {
    box = tokenBox(options.tokenKey);
  } catch (error) {
    boxError = (error as Error).message;
  }

  const xero = options.xero
    ? xeroProvider({
        settings: options.xero,
        http: createHttp({
          allowedOrigins: [options.xero.apiUrl, options.xero.identityUrl],
          ...(options.fetch ? { fetch: options.fetch } : {}),
        }),
        limiterFor: (tenantId) => limiterFor('xero', tenantId, XERO_LIMITS),
        now: () => ledger.clock.now(),
      })
    : undefined;

  const qbo = options.quickbooks;
  const quickbooks = qbo
    ? quickbooksProvider({
        settings: qbo,
        http: createHttp({
          allowedOrigins: [qbo.apiUrl, qbo.tokenUrl, qbo.revokeUrl],
          ...(options.fetch ? { fetch: options.fetch } : {}),
        }),
        limiterFor: (realmId) => limiterFor('quickbooks', realmId, QUICKBOOKS_LIMITS),
        now: () => ledger.clock.now(),
      })
    : undefined;

  /** One limiter per provider and organisation: the providers' limits are per organisation (realm). */
  function limiterFor(
    id: ProviderId,
    tenantId: string,
    limits: Pick<LimiterOptions, 'perMinute' | 'concurrent' | 'maxWaitMs'>,
  ): Limiter {
    let limiter = limiters.get(`${id}/${tenantId}`);
    if (!limiter) {
      limiter = createLimiter({ ...limits, now: () => ledger.clock.now().getTime(), sleep });
      limiters.set(`${id}/${tenantId}`, limiter);
    }
    return limiter;
  }

  const providerOf = (id: ProviderId): LedgerProvider | undefined => (id === 'xero' ? xero : quickbooks);

  const NOT_SET_UP: Record<ProviderId, string> = {
    xero: 'Xero is not set up for this app: its operator sets XERO_CLIENT_ID and XERO_CLIENT_SECRET (developer.xero.com → My Apps) and restarts it.',
    quickbooks:
      'QuickBooks is not set up for this app: its operator sets QUICKBOOKS_CLIENT_ID and QUICKBOOKS_CLIENT_SECRET (developer.intuit.com → your app → Keys and credentials) and restarts it.',
  };
  const listedAccounts = new Map<string, { at: number; accounts: LedgerAccount[] }>();

  function pushUnsupported(id: ProviderId): string | undefined {
    const provider = providerOf(id);
    if (provider && (!provider.createPayment || !provider.listPaymentAccounts)) {
      return `Posting payments is not supported for ${provider.label} yet.`;
    }
    return undefined;
  }

  async function paymentAccounts(teamId: string, principal: Principal, id: ProviderId): Promise<LedgerAccount[]> {
    authorize(principal, 'manageLedgerConnection', teamId);
    const d = deps(id);
    const unsupported = pushUnsupported(id);
    if (unsupported || !d.provider.listPaymentAccounts) {
      throw new LedgerError('VALIDATION', unsupported ?? 'not supported', [
        { field: 'enabled', message: unsupported ?? 'not supported' },
      ]);
    }
    const connection = await getConnection(ledger, teamId, id);
    if (!connection || connection.status === 'disconnected') {
      throw new LedgerError('VALIDATION', `Connect ${d.provider.label} first: /invoice connect ${id}.`, [
        { field: 'enabled', message: `connect ${d.provider.label} first` },
      ]);
    }
    const accounts = await d.provider.listPaymentAccounts({
      accessToken: await accessToken(d, teamId),
      tenantId: connection.tenantId,
    });
    listedAccounts.set(`${teamId}/${id}/${connection.tenantId}`, { at: ledger.clock.now().getTime(), accounts });
    return accounts;
  }

  async function pushDue(): Promise<PushOutcome[]> {
    const outcomes: PushOutcome[] = [];
    for (const id of PROVIDERS) {
      const provider = providerOf(id);
      if (!provider || unavailable(id)) continue;
      const d = deps(id);
      for (const due of await duePushes(ledger, id)) {
        if (stopping) break;
        const outcome = await sendPush(
          { ctx: ledger, provider, accessToken: (teamId) => accessToken(d, teamId) },
          due.teamId,
          due.id,
        ).catch((error: unknown) => {
          logger.error(`Posting a payment to ${provider.label} failed:`, error);
          return undefined;
        });
        if (outcome) outcomes.push(outcome);
      }
    }
    const byTeam = new Map<string, Set<string>>();
    for (const o of outcomes) byTeam.set(o.push.teamId, (byTeam.get(o.push.teamId) ?? new Set()).add(o.push.invoiceId));
    for (const [teamId, invoiceIds] of byTeam) {
      await options.paymentPushChanged?.(teamId, [...invoiceIds]).catch((error) => {
        logger.warn('Updating the cards after posting payments failed:', error);
      });
    }
    for (const o of outcomes) {
      if (o.status !== 'failed') continue;
      await options
        .paymentPushFailed?.({
          teamId: o.push.teamId,
          label: providerLabel(o.push.provider),
          invoiceId: o.push.invoiceId,
          number: o.number,
          amountMinor: o.push.amountMinor,
          currency: o.push.currency,
          reason: o.error,
        })
        .catch((error) => logger.warn('Telling the finance admins of a refused payment failed:', error));
    }
    return outcomes;
  }

  function unavailable(id: ProviderId): string | undefined {
    if (!providerOf(id)) return NOT_SET_UP[id];
    if (!box) return boxError;
    return undefined;
  }

  /** A workspace keeps one ledger at a time: connecting another while one is connected (or broken) is refused. */
  async function refuseOtherLedger(teamId: string, id: ProviderId): Promise<void> {
    for (const other of PROVIDERS) {
      if (other === id) continue;
      const row = await getConnection(ledger, teamId, other);
      if (row && row.status !== 'disconnected') {
        const label = PROVIDER_LABEL[other];
        throw new ConnectError(
          'OTHER_LEDGER',
          `This workspace is connected to ${label}, and the books connect one ledger at a time. Disconnect ${label} first: /invoice connect ${other} disconnect`,
        );
      }
    }
  }

  function deps(id: ProviderId): ConnectionDeps {
    const provider = providerOf(id);
    const why = unavailable(id);
    if (!provider || !box || why) throw new Error(why ?? 'not available');
    return { ctx: ledger, provider, box, redirectUri: `${options.publicUrl()}${CALLBACK_PATH[id]}` };
  }

  // When each workspace's homes were last redrawn for its connection (this process; the ledger's clock).
  const homesDrawn = new Map<string, number>();
  /**
   * Redraws the homes (not awaited by the sync) unless they were redrawn less than HOME_PROGRESS_EVERY_MS ago.
   * `force` draws anyway; `freeNext` leaves the next redraw free (a new connection: its first sync's end shows).
   */
  function redrawHomes(teamId: string, opts: { force?: boolean; freeNext?: boolean } = {}): boolean {
    const now = ledger.clock.now().getTime();
    const last = homesDrawn.get(teamId);
    if (!opts.force && last !== undefined && now >= last && now - last < HOME_PROGRESS_EVERY_MS) return false;
    if (opts.freeNext) homesDrawn.delete(teamId);
    else homesDrawn.set(teamId, now);
    const changed = options.connectionChanged;
    if (changed) {
      track(changed(teamId)).catch((error) => logger.warn('Redrawing the App Homes for the books failed:', error));
    }
    return true;
  }

  /** Tells a break once (the claim in the database decides who), and redraws the homes to show it. */
  async function tellBreak(teamId: string, id: ProviderId): Promise<void> {
    if (!options.connectionBroken) return;
    const claim = await claimBrokenTelling(ledger, teamId, id);
    if (!claim) return;
    redrawHomes(teamId, { force: true });
    try {
      await options.connectionBroken(teamId, claim.reason, id);
    } catch (error) {
      logger.warn(`Could not tell anyone in ${teamId} that ${providerLabel(id)} is broken; trying again later:`, error);
      await releaseBrokenTelling(ledger, teamId, id, claim.at);
    }
  }

  async function syncNow(
    teamId: string,
    id: ProviderId,
    opts: { onlyIfDue?: boolean } = {},
  ): Promise<SyncOutcome | undefined> {
    const d = deps(id);
    if (stopping) return undefined;
    const token = await claimSync(ledger, teamId, id, { ttlMs: CLAIM_TTL_MS, onlyIfDue: opts.onlyIfDue ?? false });
    if (!token) return undefined;
    const connection = await getConnection(ledger, teamId, id);
    if (!connection) return undefined;
    const began = ledger.clock.now().getTime();
    // Whether the homes showed this run in progress: then its end is shown whatever the throttle says.
    let shownSyncing = false;
    try {
      const outcome = await runSync(
        {
          ctx: ledger,
          provider: d.provider,
          ...(options.bulkFrom === undefined ? {} : { bulkFrom: options.bulkFrom }),
          accessToken: () => accessToken(d, teamId),
          stopping: () => stopping,
          save: async (fields) => {
            const saved = await saveProgress(ledger, teamId, id, token, {
              ...fields,
              syncState: fields.syncState as unknown as Record<string, unknown> | null,
              ttlMs: CLAIM_TTL_MS,
              ...(fields.syncState === null
                ? { release: true, nextSyncAt: new Date(ledger.clock.now().getTime() + everyMs) }
                : {}),
            });
            // A sync that takes a while shows its progress; a quick one only its end.
            if (saved && fields.syncState !== null && ledger.clock.now().getTime() - began >= HOME_PROGRESS_EVERY_MS) {
              shownSyncing = redrawHomes(teamId) || shownSyncing;
            }
            return saved;
          },
        },
        connection,
      );
      if (outcome.paused) {
        // Let the next process (or replica) carry on from the saved page at once.
        await saveProgress(ledger, teamId, id, token, { release: true, nextSyncAt: ledger.clock.now() });
      }
      if (outcome.changedInvoices.length > 0 && options.invoicesChanged) {
        // The cards and the homes are redrawn there (the homes show the sync's end too).
        homesDrawn.set(teamId, ledger.clock.now().getTime());
        await options.invoicesChanged(teamId, outcome.changedInvoices).catch((error) => {
          logger.warn('Updating the cards after a ledger sync failed:', error);
        });
      } else if (outcome.finished) {
        redrawHomes(teamId, { force: shownSyncing });
      }
      return outcome;
    } catch (error) {
      // Keep the place (a crash or an error resumes from the saved page); try again later.
      const retryAfter = isProviderError(error) && error.retryAfterMs ? error.retryAfterMs : everyMs;
      const message = error instanceof Error ? error.message : String(error);
      await saveProgress(ledger, teamId, id, token, {
        release: true,
        lastSyncError: message.slice(0, 500),
        nextSyncAt: new Date(ledger.clock.now().getTime() + Math.min(retryAfter, everyMs * 6)),
      });
      const after = await getConnection(ledger, teamId, id);
      if (after?.status === 'broken') {
        await tellBreak(teamId, id);
      } else {
        logger.warn(`The ${d.provider.label} sync of ${teamId} stopped:`, message);
      }
      return undefined;
    }
  }

  function track<T>(work: Promise<T>): Promise<T> {
    running.add(work);
    void work.finally(() => running.delete(work)).catch(() => undefined);
    return work;
  }

  async function syncDue(): Promise<void> {
    // A break found outside a sync, or one whose telling a crash interrupted, is told here (once).
    for (const c of await untoldBreaks(ledger)) {
      if (!unavailable(c.provider as ProviderId)) await tellBreak(c.teamId, c.provider as ProviderId);
    }
    const due = await dueConnections(ledger);
    await Promise.all(
      due
        .filter((c) => !unavailable(c.provider as ProviderId))
        .map((c) =>
          track(syncNow(c.teamId, c.provider as ProviderId, { onlyIfDue: true })).catch((error) =>
            logger.error(`Ledger sync of ${c.teamId} failed:`, error),
          ),
        ),
    );
  }

  const webhookKey = options.xero?.webhookKey;
  const xeroWebhook = webhookKey
    ? createXeroWebhook({
        key: webhookKey,
        logger,
        changed: async (tenantIds) => {
          if ((await syncSoon(ledger, 'xero', tenantIds)) > 0 && !stopping) await syncDue();
        },
      })
    : undefined;

  const verifier = options.quickbooks?.webhookVerifier;
  const quickbooksWebhook = verifier
    ? createQuickBooksWebhook({
        verifier,
        logger,
        changed: async (realmIds) => {
          if ((await syncSoon(ledger, 'quickbooks', realmIds)) > 0 && !stopping) await syncDue();
        },
      })
    : undefined;

  return {
    unavailable,
    xeroWebhook,
    quickbooksWebhook,
    startConnect: async (teamId, principal, id, opts) => {
      authorize(principal, 'manageLedgerConnection', teamId);
      const d = deps(id);
      await refuseOtherLedger(teamId, id);
      return startConnect(d, teamId, principal.id, opts);
    },
    async completeConnect(id, params, whoIs) {
      const d = deps(id);
      // Checked again on the way back: another ledger may have been connected since the link was made.
      const payload = box ? verifyState(box.stateKey, params.state, ledger.clock.now().getTime()) : undefined;
      if (payload) await refuseOtherLedger(payload.t, id);
      const outcome = await completeConnect(d, params, whoIs);
      if (outcome.kind === 'connected') redrawHomes(outcome.teamId, { force: true, freeNext: true });
      return outcome;
    },
    async chooseTenant(id, params, whoIs) {
      const d = deps(id);
      const payload = box ? verifyState(box.stateKey, params.state, ledger.clock.now().getTime()) : undefined;
      if (payload) await refuseOtherLedger(payload.t, id);
      const connected = await chooseTenant(d, params, whoIs);
      redrawHomes(connected.teamId, { force: true, freeNext: true });
      return connected;
    },
    connection: (teamId, id) => getConnection(ledger, teamId, id),
    connections: (teamId) => activeConnections(ledger, teamId),
    disconnect: async (teamId, principal, id) => {
      authorize(principal, 'manageLedgerConnection', teamId);
      const result = await disconnect(deps(id), teamId, principal.id);
      if (result.wasConnected) redrawHomes(teamId, { force: true });
      return result;
    },
    syncNow: (teamId, id, opts) => track(syncNow(teamId, id, opts)),
    async resync(teamId, principal, id) {
      authorize(principal, 'manageLedgerConnection', teamId);
      deps(id);
      if (!(await restartSync(ledger, teamId, id))) return undefined;
      return track(syncNow(teamId, id));
    },
    syncDue,
    kick() {
      void syncDue().catch((error) => logger.error('Ledger syncs failed to start:', error));
      if (!stopping) void track(pushDue()).catch((error) => logger.error('Posting payments failed to start:', error));
    },
    paymentAccounts,
    async savePaymentPush(teamId, principal, id, input) {
      authorize(principal, 'manageLedgerConnection', teamId, ['enabled']);
      const d = deps(id);
      if (!input.enabled) return savePaymentPushSetting(ledger, teamId, principal, id, { enabled: false });
      const unsupported = pushUnsupported(id);
      if (unsupported) throw new LedgerError('VALIDATION', unsupported, [{ field: 'enabled', message: unsupported }]);
      if (!input.accountId) throw LedgerError.invalid('account', 'choose the account the payments are paid into');
      const connection = await getConnection(ledger, teamId, id);
      const cached = connection ? listedAccounts.get(`${teamId}/${id}/${connection.tenantId}`) : undefined;
      const fresh = cached && ledger.clock.now().getTime() - cached.at < ACCOUNTS_TTL_MS;
      const accounts = fresh ? cached.accounts : await paymentAccounts(teamId, principal, id);
      const account = accounts.find((a) => a.externalId === input.accountId);
      if (!account) {
        throw LedgerError.invalid('account', `is not an account of ${d.provider.label} that takes payments`);
      }
      return savePaymentPushSetting(ledger, teamId, principal, id, {
        enabled: true,
        account: { id: account.externalId, code: account.code, name: account.name },
      });
    },
    async paymentPush(teamId, id) {
      const [setting, connection, unsent] = await Promise.all([
        getPaymentPushSetting(ledger, teamId, id),
        getConnection(ledger, teamId, id),
        unsentPushes(ledger, teamId, id),
      ]);
      return { setting, on: pushIsOn(setting, connection), unsupported: pushUnsupported(id), unsent };
    },
    pushDue: () => track(pushDue()),
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
    async stop() {
      stopping = true;
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}

export type { Connected, ConnectOutcome, SyncOutcome, SyncState, WhoIs };
