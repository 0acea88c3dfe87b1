// What the Slack layer is given: the ledger, each workspace's Web API client for background posting, a logger.
import type { Logger } from '@slack/bolt';
import type { Books } from '../books/index.js';
import type { LedgerContext } from '../services/context.js';
import type { SlackClients } from './clients.js';
import type { WorkQueue } from './work-queue.js';

export interface SlackDeps {
  ledger: LedgerContext;
  /**
   * Each workspace's own client for background posting (timeout, bounded retries: a throttled post never delays a
   * person's modal); null for a workspace the app is not installed in, where nothing is posted.
   */
  background: SlackClients;
  logger: Logger;
  /** Where people reach the app's HTTP server: clients' status links start with it. */
  publicUrl?: () => string;
  /** The jobs, when running: "post the digest now" asks them to deliver at once. */
  jobs?: { tick(): Promise<unknown>; deliverNow(teamId: string): Promise<unknown> };
  /** The accounting ledgers (Xero, QuickBooks Online): /invoice connect and the OAuth callbacks. */
  books?: Books;
  /** The work after an ack, a few at a time (src/slack/work-queue.ts), so a burst delays replies, never acks. */
  work?: WorkQueue;
}
