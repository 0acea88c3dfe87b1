// POST /webhooks/quickbooks: Intuit says something changed in one or more companies. The signature
// (intuit-signature: base64 HMAC-SHA256 of the raw body with the app's verifier token) is checked on the raw bytes
// before anything is read; a forged or missing one gets an empty 401 and nothing is fetched. A good one gets an
// empty 200 at once (Intuit wants an answer within seconds) and only brings the next sync of the companies it names
// forward: what changed is always fetched, never trusted from the payload.
//
// Both payloads Intuit sends are read: the older { eventNotifications: [{ realmId, dataChangeEvent }] } and the
// CloudEvents list it moved to in 2025/2026 ([{ specversion, type: "qbo.invoice.updated.v1", intuitaccountid }]),
// where intuitaccountid is the realm id.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';

export const QUICKBOOKS_WEBHOOK_PATH = '/webhooks/quickbooks';
const MAX_BODY = 1024 * 1024;

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
  return (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        res.writeHead(413).end();
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (res.headersSent) return;
      const body = Buffer.concat(chunks);
      const given = Buffer.from(String(req.headers['intuit-signature'] ?? ''), 'base64');
      const expected = createHmac('sha256', options.verifier).update(body).digest();
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        res.writeHead(401).end();
        return;
      }
      res.writeHead(200).end();
      let realms: string[] = [];
      try {
        realms = realmsOf(JSON.parse(body.toString('utf8')));
      } catch {
        // A signed body we cannot read: acknowledged, nothing to do (the scheduled sync still runs).
      }
      if (realms.length > 0) {
        void options.changed(realms).catch((error) => options.logger.warn('After a QuickBooks webhook:', error));
      }
    });
    req.on('error', () => res.destroy());
  };
}
