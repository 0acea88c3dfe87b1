// node-cron only ticks. What must happen, and what already happened, lives in the database: each tick
// (and one at start, to catch up) decides what is due for every workspace, then posts what is pending.
import cron, { type ScheduledTask } from 'node-cron';
import { workspaces } from '../db/schema.js';
import { deliverWebhooks } from '../webhooks/deliver.js';
import { recordDigest } from './digest.js';
import { recordAlerts } from './plan.js';
import { type DeliveryReport, deliverDue, type PosterEnv } from './post.js';

export interface Scheduler {
  /** One pass: decide for every workspace, then deliver. Safe to run concurrently in several replicas. */
  tick(): Promise<DeliveryReport>;
  /** Posts what is pending for one workspace now (beside a running tick: claims never overlap). */
  deliverNow(teamId: string): Promise<DeliveryReport>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

// Every minute: alert and digest times are minutes in each workspace's own zone, and settings
// changes take effect at the next tick without a restart.
const EVERY_MINUTE = '* * * * *';

export function createScheduler(
  env: PosterEnv,
  /** Also started on every tick, not awaited: the ledger syncs (src/books), which can run for minutes. */
  alsoOnTick?: () => void,
): Scheduler {
  let task: ScheduledTask | undefined;
  let running: Promise<DeliveryReport> | undefined;

  async function tick(): Promise<DeliveryReport> {
    alsoOnTick?.();
    const now = env.ledger.clock.now();
    const all = await env.ledger.db.select().from(workspaces);
    for (const workspace of all) {
      try {
        await recordAlerts(env.ledger, workspace, now);
        await recordDigest(env.ledger, workspace, now);
      } catch (error) {
        env.logger.error(`Planning for ${workspace.teamId} failed:`, error);
      }
    }
    // An endpoint that starts failing or recovers changes the App Home's warning: refresh the homes then only.
    await deliverWebhooks({
      ...env.ledger,
      logger: env.logger,
      onFailingChanged: (teamId) => env.live.refreshHomes(teamId),
    }).catch((error) => env.logger.error('Webhook delivery failed:', error));
    return deliverDue(env);
  }

  /** One tick at a time in this process; a tick still running when the next is due is not doubled. */
  function guarded(): Promise<DeliveryReport> {
    running ??= tick().finally(() => {
      running = undefined;
    });
    return running;
  }

  return {
    tick: guarded,
    deliverNow: (teamId) => deliverDue(env, { teamId }),
    async start() {
      task = cron.schedule(EVERY_MINUTE, () => {
        guarded().catch((error) => env.logger.error('Scheduled tick failed:', error));
      });
      await guarded().catch((error) => env.logger.error('Catch-up tick failed:', error));
    },
    async stop() {
      await task?.stop();
      await running?.catch(() => undefined);
    },
  };
}
