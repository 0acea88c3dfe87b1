// POST /webhooks/xero: Xero says something changed in an organisation. The signature (x-xero-signature: base64
// HMAC-SHA256 of the raw body with the app's webhook key) is checked on the raw bytes before anything is read;
// a good one gets an empty 200 at once, a bad one an empty 401 (Xero's "intent to receive" handshake sends both).
// The webhook only brings the organisation's next sync forward: what changed is always fetched, never trusted
// from the payload.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';

export const XERO_WEBHOOK_PATH = '/webhooks/xero';
const MAX_BODY = 1024 * 1024;

const payload = z.object({
  events: z.array(z.object({ tenantId: z.string().min(1), eventCategory: z.string().optional() })),
});

export function xeroSignature(key: string, body: Buffer | string): string {
  return createHmac('sha256', key).update(body).digest('base64');
}

export function createXeroWebhook(options: {
  key: string;
  /** Bring the sync of these organisations forward (answered first; not awaited by Xero). */
  changed: (tenantIds: string[]) => Promise<void>;
  logger: { warn(...a: unknown[]): void };
}): (req: IncomingMessage, res: ServerResponse) => void {
  return createSignedWebhook({
    label: 'Xero',
    header: 'x-xero-signature',
    key: options.key,
    organisations: (body) => {
      const parsed = payload.safeParse(body);
      return parsed.success ? [...new Set(parsed.data.events.map((e) => e.tenantId))] : [];
    },
    changed: options.changed,
    logger: options.logger,
  });
}

/**
 * A ledger's webhook, the same for every provider: the raw body (at most 1 MiB) is read, its base64 HMAC-SHA256
 * with the app's key compared in constant time with the provider's signature header before anything in it is
 * read; a forged or missing signature gets an empty 401, a good one an empty 200 at once, then the organisations it
 * names have their sync brought forward (never trusted for what changed).
 */
export function createSignedWebhook(options: {
  label: string;
  /** The signature's header, lower case. */
  header: string;
  key: string;
  /** The organisations a signed JSON body names (none when it is in no known form). */
  organisations: (body: unknown) => string[];
  changed: (organisationIds: string[]) => Promise<void>;
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
      const given = Buffer.from(String(req.headers[options.header] ?? ''), 'base64');
      const expected = createHmac('sha256', options.key).update(body).digest();
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        res.writeHead(401).end();
        return;
      }
      res.writeHead(200).end();
      let organisations: string[] = [];
      try {
        organisations = options.organisations(JSON.parse(body.toString('utf8')));
      } catch {
        // A signed body we cannot read: acknowledged, nothing to do (the scheduled sync still runs).
      }
      if (organisations.length > 0) {
        void options
          .changed(organisations)
          .catch((error) => options.logger.warn(`After a ${options.label} webhook:`, error));
      }
    });
    req.on('error', () => res.destroy());
  };
}
