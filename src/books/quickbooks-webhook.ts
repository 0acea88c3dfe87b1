// POST /webhooks/quickbooks: Intuit says something changed in one or more companies. The signature
// (intuit-signature: base64 HMAC-SHA256 of the raw body with the app's verifier token) is checked on the raw bytes
// before anything is read; a forged or missing one gets an empty 401 and nothing is fetched. A good one gets an
// empty 200 at once (Intuit wants an answer within seconds) and only brings the next sync of the companies it names
// forward: what changed is always fetched, never trusted from the payload.
//
// Both payloads Intuit sends are read: the older { eventNotifications: [{ realmId, dataChangeEvent }] } and the
// CloudEvents list it moved to in 2025/2026 ([{ specversion, type: "qbo.invoice.updated.v1", intuitaccountid }]),
// where intuitaccountid is the realm id.
import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { createSignedWebhook } from './webhook.js';

export const QUICKBOOKS_WEBHOOK_PATH = '/webhooks/quickbooks';

const realm = z.string().regex(/^\d{1,32}$/);
const legacy = z.object({
  eventNotifications: z.array(z.object({ realmId: realm }).passthrough()),
});
const cloudEvents = z.array(z.object({ intuitaccountid: realm }).passthrough());

export function quickbooksSignature(verifier: string, body: Buffer | string): string {
  return createHmac('sha256', verifier).update(body).digest('base64');
}

/** The companies a signed notification names (none when it is in neither known form). */
export function realmsOf(body: unknown): string[] {
  const old = legacy.safeParse(body);
  if (old.success) return [...new Set(old.data.eventNotifications.map((n) => n.realmId))];
  const events = cloudEvents.safeParse(body);
  if (events.success) return [...new Set(events.data.map((e) => e.intuitaccountid))];
  return [];
}

export function createQuickBooksWebhook(options: {
  verifier: string;
  /** Bring the sync of these companies forward (after the answer; Intuit does not wait for it). */
  changed: (realmIds: string[]) => Promise<void>;
  logger: { warn(...a: unknown[]): void };
}): (req: IncomingMessage, res: ServerResponse) => void {
  return createSignedWebhook({
    label: 'QuickBooks',
    header: 'intuit-signature',
    key: options.verifier,
    organisations: realmsOf,
    changed: options.changed,
    logger: options.logger,
  });
}
