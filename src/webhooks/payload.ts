// What a webhook carries and how it is signed: pure functions, shared by the sender and any receiver.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Our event kinds as the webhook types a connector switches on. */
export const WEBHOOK_TYPES: Readonly<Record<string, string>> = {
  created: 'invoice.created',
  sent: 'invoice.sent',
  edited: 'invoice.updated',
  part_paid: 'invoice.payment_recorded',
  paid: 'invoice.paid',
  payment_reversed: 'invoice.payment_reversed',
  credit_note_issued: 'invoice.credited',
  credit_note_withdrawn: 'invoice.credit_note_withdrawn',
  account_credit_applied: 'invoice.account_credit_applied',
  refunded: 'invoice.refunded',
  account_credit_refunded: 'client.account_credit_refunded',
  chased: 'invoice.chased',
  held: 'invoice.held',
  disputed: 'invoice.disputed',
  released: 'invoice.released',
  voided: 'invoice.voided',
  client_approved: 'invoice.client_approved',
  client_scheduled: 'invoice.payment_scheduled',
  client_question: 'invoice.client_question',
  client_disputed: 'invoice.client_disputed',
  link_shared: 'client.link_shared',
  link_revoked: 'client.link_revoked',
  client_created: 'client.created',
  client_updated: 'client.updated',
};

/** A kind without a name of its own yet still goes out, under its subject. */
export function webhookType(kind: string, subject: { invoiceId: string | null; clientId: string | null }): string {
  const known = WEBHOOK_TYPES[kind];
  if (known) return known;
  const prefix = subject.invoiceId ? 'invoice' : subject.clientId ? 'client' : 'workspace';
  return `${prefix}.${kind.replace(/^client_/, '')}`;
}

export interface WebhookEventSource {
  id: bigint;
  teamId: string;
  kind: string;
  actorType: string;
  actorId: string;
  at: Date;
  invoiceId: string | null;
  invoiceNumber: string | null;
  clientId: string | null;
  clientName: string | null;
  details: Record<string, unknown>;
}

export interface WebhookPayload {
  id: string;
  type: string;
  occurred_at: string;
  team_id: string;
  actor: { type: string; id: string };
  invoice: { id: string; number: string | null } | null;
  client: { id: string; name: string | null } | null;
  data: Record<string, unknown>;
}

export function webhookPayload(event: WebhookEventSource): WebhookPayload {
  return {
    id: event.id.toString(),
    type: webhookType(event.kind, event),
    occurred_at: event.at.toISOString(),
    team_id: event.teamId,
    actor: { type: event.actorType, id: event.actorId },
    invoice: event.invoiceId ? { id: event.invoiceId, number: event.invoiceNumber } : null,
    client: event.clientId ? { id: event.clientId, name: event.clientName } : null,
    data: plainBigints(event.details) as Record<string, unknown>,
  };
}

/** Amounts are stored in jsonb as {"$bigint": "…"}; a receiver gets the integer as a string. */
function plainBigints(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plainBigints);
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    const [only] = entries;
    if (entries.length === 1 && only && only[0] === '$bigint' && typeof only[1] === 'string') return only[1];
    return Object.fromEntries(entries.map(([k, v]) => [k, plainBigints(v)]));
  }
  return value;
}

export const SIGNATURE_HEADER = 'X-Receivables-Signature';
export const TIMESTAMP_HEADER = 'X-Receivables-Timestamp';
export const EVENT_ID_HEADER = 'X-Receivables-Event-Id';

/** `v1=<hex HMAC-SHA256 of "v1:<timestamp>:<raw body>">`. */
export function signWebhook(secret: string, timestamp: number | string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`v1:${timestamp}:${body}`).digest('hex')}`;
}

/** The headers of one request, signed at `now`. */
export function webhookHeaders(secret: string, eventId: string, body: string, now: Date): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    'Content-Type': 'application/json',
    'User-Agent': 'receivables-bot-webhooks/1',
    [EVENT_ID_HEADER]: eventId,
    [TIMESTAMP_HEADER]: String(timestamp),
    [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body),
  };
}

/**
 * For receivers: true when `signature` (the header, possibly several comma-separated `v1=` values) signs
 * this exact raw body at `timestamp` with `secret`, and the timestamp is within the tolerance of `now`
 * (a captured request cannot be replayed later). Compares in constant time.
 */
export function verifyWebhookSignature(
  secret: string,
  timestamp: string | number | undefined,
  body: string,
  signature: string | undefined,
  options: { toleranceSeconds?: number; now?: Date } = {},
): boolean {
  if (timestamp === undefined || signature === undefined) return false;
  const seconds = Number(timestamp);
  if (!Number.isInteger(seconds)) return false;
  const now = (options.now ?? new Date()).getTime() / 1000;
  if (Math.abs(now - seconds) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook(secret, String(timestamp), body));
  return signature
    .split(',')
    .map((part) => Buffer.from(part.trim()))
    .some((given) => given.length === expected.length && timingSafeEqual(given, expected));
}
