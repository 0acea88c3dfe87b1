// What every service needs: the database and the clock. The clock is injected so tests can move time.
import type { Database } from '../db/client.js';
import type { Network } from '../domain/webhook-address.js';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests can set and move. */
export function fixedClock(start: Date | string): Clock & { set(at: Date | string): void; advance(ms: number): void } {
  let current = new Date(start);
  return {
    now: () => new Date(current),
    set(at) {
      current = new Date(at);
    },
    advance(ms) {
      current = new Date(current.getTime() + ms);
    },
  };
}

export interface LedgerContext {
  db: Database;
  clock: Clock;
  /**
   * Private networks ledger webhooks may be sent to (WEBHOOK_ALLOW_NETWORKS); unset, only public addresses. Checked
   * when an endpoint is added and again on every delivery.
   */
  webhookNetworks?: readonly Network[];
}

/** Who did something: a Slack user, the client's contact (from the shared page), or the app itself. */
export type Actor = { type: 'user'; id: string } | { type: 'contact'; id: string } | { type: 'system'; id: string };

export interface WriteOptions {
  /** A repeated request with the same key records once and returns the first result. */
  idempotencyKey?: string | undefined;
}
