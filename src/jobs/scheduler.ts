// Timers only wake the jobs. What must happen, and what already happened, lives in the database: each minute
// (and once at start, to catch up) a pass decides what is due for every workspace, then delivers webhooks and
// posts what is pending; between minutes the scheduler also wakes when the soonest retry falls due (a webhook
// backed off for 30 s, an alert held until the owner's window ends), so a retry runs when it is due.

import { nextDeliveryDue } from '../db/deliveries.js';
import { setNextPlan, takeDuePlans } from '../db/plans.js';
import { workspacesWithActiveRetainers } from '../db/queries/retainers.js';
import type { LedgerContext } from '../services/context.js';
import { eraseExpiredWorkspaces } from '../services/installations.js';
import { deliverWebhooks, type WebhookEnv } from '../webhooks/deliver.js';
import { nextWebhookRetryAt } from '../webhooks/endpoints.js';
import { recordDigest } from './digest.js';
import { nextPlanAt, recordAlerts } from './plan.js';
import { type DeliveryReport, deliverDue, emptyReport, type PosterEnv } from './post.js';
import { recordRetainers } from './retainers.js';

/**
 * Plans the workspaces whose time has come (src/db/plans.ts): their alerts, follow-ups and digest, then when each
 * is next due. A workspace whose planning fails stays due and is tried again at the next tick. Costs in proportion
 * to the workspaces planned, not to all of them. Returns how many were planned.
 */
export async function planDue(
  ledger: LedgerContext,
  now: Date,
  options: {
    logger?: Pick<PosterEnv['logger'], 'error'>;
    signal?: AbortSignal;
    /** Whether the app is installed in a workspace now; one it is not (uninstalled, revoked) is not planned for. */
    installed?: (teamId: string) => Promise<boolean>;
  } = {},
): Promise<number> {
  let planned = 0;
  for (const { workspace, seen } of await takeDuePlans(ledger.db, now)) {
    if (options.signal?.aborted) break;
    try {
      // Nothing would go there: it is looked at again at its next planning time (or when something changes).
      if (options.installed && !(await options.installed(workspace.teamId))) {
        await setNextPlan(ledger.db, { teamId: workspace.teamId, seen }, nextPlanAt(workspace, now));
        continue;
      }
      await recordAlerts(ledger, workspace, now);
      await recordDigest(ledger, workspace, now);
      await setNextPlan(ledger.db, { teamId: workspace.teamId, seen }, nextPlanAt(workspace, now));
      planned += 1;
    } catch (error) {
      options.logger?.error(`Planning for ${workspace.teamId} failed:`, error);
    }
  }
  return planned;
}

export interface Scheduler {
  /** One pass: decide for every workspace, then deliver. Safe to run concurrently in several replicas. */
  tick(): Promise<DeliveryReport>;
  /** Posts what is pending for one workspace now (beside a running tick: claims never overlap). */
  deliverNow(teamId: string): Promise<DeliveryReport>;
  start(): Promise<void>;
  /**
   * Stops taking work at once; lets a post or webhook already under way answer for up to `graceMs`, then
   * abandons it (uncertain: the next holder looks before posting again). Every claim not finished is given
   * back, due at once for another replica or the next start. Resolves when nothing of the jobs runs.
   */
  stop(options?: { graceMs?: number }): Promise<void>;
}

/** setTimeout and clearTimeout, injectable so tests move time themselves (`fn` returns the pass it started). */
export interface Timers {
  setTimeout(fn: () => Promise<unknown>, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** What stop() gives work under way to finish before abandoning it (the README's shutdown bound counts it). */
export const STOP_GRACE_MS = 2_000;
const MINUTE_MS = 60_000;
/** A wake is never sooner than this after a pass: a retry due "now" that another replica holds is no busy loop. */
const MIN_WAKE_MS = 1_000;

export interface SchedulerOptions {
  timers?: Timers;
  /** Settings of the webhook passes (tests: a longer wait for other transactions, how requests are sent). */
  webhooks?: Omit<WebhookEnv, 'db' | 'clock' | 'logger' | 'holder' | 'onFailingChanged'>;
  /** Also started on every minute's planning, not awaited: the ledger syncs (src/books), which can run for minutes. */
  alsoOnTick?: () => void;
}

export function createScheduler(env: PosterEnv, options: SchedulerOptions = {}): Scheduler {
  const timers = options.timers ?? realTimers;
  // Aborted on stop: take no new claim, give back claims whose post has not started.
  const draining = new AbortController();
  // Aborted after the grace: abandon posts still under way.
  const abandoning = new AbortController();
  const signals = { signal: draining.signal, abort: abandoning.signal };
  const inFlight = new Set<Promise<unknown>>();
  let started = false;
  let minuteTimer: unknown;
  let wakeTimer: unknown;
  let running: Promise<DeliveryReport> | undefined;
  let planAgain = false;

  function track<T>(work: Promise<T>): Promise<T> {
    inFlight.add(work);
    void work
      .catch(() => undefined)
      .finally(() => {
        inFlight.delete(work);
      });
    return work;
  }

  async function plan(now: Date): Promise<void> {
    options.alsoOnTick?.();
    // Workspaces uninstalled longer ago than the stated retention are erased (a no-op in the single-workspace mode).
    await eraseExpiredWorkspaces(env.ledger).catch((error) =>
      env.logger.error('Erasing workspaces past their retention failed:', error),
    );
    // A retainer's invoice is made on its day whatever the alerts do (its notice waits for the alert time): only the
    // workspaces with a running retainer are read for it.
    for (const workspace of await workspacesWithActiveRetainers(env.ledger.db)) {
      if (draining.signal.aborted) return;
      await recordRetainers(env.ledger, workspace, now).catch((error) =>
        env.logger.error(`Making retainer invoices for ${workspace.teamId} failed:`, error),
      );
    }
    await planDue(env.ledger, now, {
      logger: env.logger,
      signal: draining.signal,
      installed: async (teamId) => (await env.poster.forTeam(teamId)) !== null,
    });
  }

  async function pass(withPlanning: boolean): Promise<DeliveryReport> {
    if (withPlanning) await plan(env.ledger.clock.now());
    if (draining.signal.aborted) return emptyReport();
    // An endpoint that starts failing or recovers changes the App Home's warning: refresh the homes then only.
    await deliverWebhooks(
      {
        ...env.ledger,
        ...options.webhooks,
        logger: env.logger,
        holder: env.holder,
        onFailingChanged: (teamId) => env.live.refreshHomes(teamId),
      },
      signals,
    ).catch((error) => env.logger.error('Webhook delivery failed:', error));
    return deliverDue(env, signals);
  }

  /** A pass, another with planning if a minute tick came meanwhile, then the timers set for what is next. */
  async function cycle(withPlanning: boolean): Promise<DeliveryReport> {
    let report = await pass(withPlanning);
    while (planAgain && !draining.signal.aborted) {
      planAgain = false;
      report = await pass(true);
    }
    await arm();
    return report;
  }

  /** One pass at a time in this process: one due while another runs is not doubled (planning is kept for after). */
  function guarded(withPlanning: boolean): Promise<DeliveryReport> {
    if (draining.signal.aborted) return Promise.resolve(emptyReport());
    if (running) {
      planAgain ||= withPlanning;
      return running;
    }
    running = track(cycle(withPlanning)).finally(() => {
      running = undefined;
    });
    return running;
  }

  /** Sets the minute timer and, when a retry falls due before it, the wake timer. */
  async function arm(): Promise<void> {
    if (!started || draining.signal.aborted) return;
    const now = env.ledger.clock.now().getTime();
    timers.clearTimeout(minuteTimer);
    minuteTimer = timers.setTimeout(
      () => guarded(true).catch((error) => env.logger.error('Scheduled tick failed:', error)),
      MINUTE_MS - (now % MINUTE_MS),
    );
    let soonest: Date | undefined;
    try {
      const [webhook, delivery] = await Promise.all([
        nextWebhookRetryAt(env.ledger.db, env.ledger.clock.now()),
        nextDeliveryDue(env.ledger.db, env.ledger.clock.now()),
      ]);
      soonest = [webhook, delivery]
        .filter((d): d is Date => d !== undefined)
        .sort((a, b) => a.getTime() - b.getTime())[0];
    } catch (error) {
      env.logger.warn('Could not read when the next retry is due; the minute tick will find it:', error);
    }
    timers.clearTimeout(wakeTimer);
    wakeTimer = undefined;
    if (!soonest || !started || draining.signal.aborted) return;
    const delay = Math.max(MIN_WAKE_MS, soonest.getTime() - env.ledger.clock.now().getTime());
    if (delay >= MINUTE_MS - (env.ledger.clock.now().getTime() % MINUTE_MS)) return; // the minute tick comes first
    wakeTimer = timers.setTimeout(() => {
      wakeTimer = undefined;
      return guarded(false).catch((error) => env.logger.error('Scheduled delivery failed:', error));
    }, delay);
  }

  return {
    tick: () => guarded(true),
    deliverNow: (teamId) =>
      draining.signal.aborted ? Promise.resolve(emptyReport()) : track(deliverDue(env, { teamId, ...signals })),
    async start() {
      started = true;
      await guarded(true).catch((error) => env.logger.error('Catch-up tick failed:', error));
    },
    async stop(stopOptions = {}) {
      started = false;
      timers.clearTimeout(minuteTimer);
      timers.clearTimeout(wakeTimer);
      draining.abort();
      const settled = () => Promise.allSettled([...inFlight]);
      let graceTimer: NodeJS.Timeout | undefined;
      await Promise.race([
        settled(),
        new Promise((resolve) => {
          graceTimer = setTimeout(resolve, stopOptions.graceMs ?? STOP_GRACE_MS);
        }),
      ]);
      clearTimeout(graceTimer);
      abandoning.abort();
      await settled();
    },
  };
}
