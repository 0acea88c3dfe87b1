// The client's side of the shared record: a private status link per client (only its hash is kept),
// and the client's answers on an invoice, each an event attributed to the client's contact.
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { Transaction } from '../db/client.js';
import { decide } from '../db/deliveries.js';
import { pageHasInvoice } from '../db/queries/client-page.js';
import {
  type ClientLinkRow,
  type ClientRow,
  clientLinks,
  clients,
  type WorkspaceRow,
  workspaces,
} from '../db/schema.js';
import { addDays, todayIn } from '../domain/dates.js';
import { characterCount, hasControlCharacter, hasVisibleText, normalizeLine, normalizeText } from '../domain/text.js';
import { findClient } from './clients.js';
import type { Actor, Clock, LedgerContext, WriteOptions } from './context.js';
import { isUniqueViolation, LedgerError } from './errors.js';
import { type Mutation, mutate } from './invoices.js';
import { actorOf, authorize, contactPrincipal, type Principal } from './policy.js';
import { idempotencyKey, localDate, requiredText, uuid } from './schemas.js';
import { appendEvent, parseInput, type Written, write } from './write.js';

/** 32 random bytes, base64url: 43 characters. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** How far ahead a client may schedule a payment. */
export const MAX_SCHEDULE_DAYS = 366;
/** A page's form is good for this long after the page was rendered. */
const FORM_TTL_MS = 12 * 60 * 60_000;
/** last_seen_at moves at most this often (a page view is not a write each time). */
const SEEN_EVERY_MS = 60 * 60_000;

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function looksLikeToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

export interface ShareResult {
  /** The link's secret part: shown once, to the person who made it; never stored. */
  token: string;
  link: ClientLinkRow;
  client: ClientRow;
  /** The link it replaced (which stopped working), if the client had one. */
  replaced: ClientLinkRow | null;
}

/**
 * Makes a new status link for a client. A client has at most one live link: a previous one stops working
 * (rotation). The token is shown once and never stored, so a new request makes a new one; a repeated request
 * (the same idempotency key) makes none and is refused.
 */
export async function shareClient(
  ctx: LedgerContext,
  teamId: string,
  principal: Principal,
  input: { client: string },
  /** A repeated request (a replayed slash command) makes no second link: it is refused, saying what happened. */
  options: WriteOptions = {},
): Promise<ShareResult> {
  authorize(principal, 'shareClient', teamId);
  const actor = actorOf(principal);
  const clientRef = parseInput(z.object({ client: requiredText(200) }), input).client;
  const key = parseInput(idempotencyKey, options.idempotencyKey);
  const token = randomBytes(32).toString('base64url');
  try {
    let made: ShareResult | undefined;
    // Only the link's id is kept with the key: the token is never stored anywhere.
    const written = await write(ctx, { teamId, operation: 'shareClient', idempotencyKey: key }, async (tx) => {
      made = await makeLink(tx, ctx.clock, teamId, actor, clientRef, token);
      return { linkId: made.link.id, clientName: made.client.name };
    });
    if (written.replayed || !made) {
      throw new LedgerError(
        'CONFLICT',
        `That request was already handled: a new status link for ${written.result.clientName} was made then and shown once. ` +
          `\`/invoice share ${written.result.clientName}\` says when.`,
      );
    }
    return made;
  } catch (error) {
    // Two people sharing the same client at the same moment: one link wins, the other is told.
    if (isUniqueViolation(error, 'client_links_live_key')) {
      throw new LedgerError(
        'CONFLICT',
        `Someone made a status link for ${clientRef} at the same moment; \`/invoice share ${clientRef}\` shows it.`,
      );
    }
    throw error;
  }
}

async function makeLink(
  tx: Transaction,
  clock: Clock,
  teamId: string,
  actor: Actor,
  clientRef: string,
  token: string,
): Promise<ShareResult> {
  const client = await findClient({ db: tx, clock }, teamId, clientRef);
  if (!client) throw clientNotFound(clientRef);
  if (client.archived) {
    throw new LedgerError('CLIENT_ARCHIVED', `${client.name} is archived; restore the client before sharing it.`);
  }
  const now = clock.now();
  const [replaced] = await tx
    .update(clientLinks)
    .set({ revokedAt: now, revokedBy: actor.id })
    .where(and(eq(clientLinks.teamId, teamId), eq(clientLinks.clientId, client.id), isNull(clientLinks.revokedAt)))
    .returning();
  const [link] = await tx
    .insert(clientLinks)
    .values({
      teamId,
      clientId: client.id,
      tokenHash: hashToken(token),
      formSecret: randomBytes(32).toString('hex'),
      createdBy: actor.id,
      createdAt: now,
    })
    .returning();
  if (!link) throw new Error('link insert returned no row');
  await appendEvent(tx, {
    teamId,
    clientId: client.id,
    kind: 'link_shared',
    actor,
    at: now,
    details: { linkId: link.id, replacedLinkId: replaced?.id ?? null },
  });
  return { token, link, client, replaced: replaced ?? null };
}

/** Ends a client's live link. Returns the link that ended, or null when there was none. */
export async function revokeClientLink(
  ctx: LedgerContext,
  teamId: string,
  principal: Principal,
  input: { client: string },
): Promise<{ client: ClientRow; revoked: ClientLinkRow | null }> {
  authorize(principal, 'revokeClientLink', teamId);
  const actor = actorOf(principal);
  const clientRef = parseInput(z.object({ client: requiredText(200) }), input).client;
  return ctx.db.transaction(async (tx) => {
    const client = await findClient({ ...ctx, db: tx }, teamId, clientRef);
    if (!client) throw clientNotFound(clientRef);
    const now = ctx.clock.now();
    const [revoked] = await tx
      .update(clientLinks)
      .set({ revokedAt: now, revokedBy: actor.id })
      .where(and(eq(clientLinks.teamId, teamId), eq(clientLinks.clientId, client.id), isNull(clientLinks.revokedAt)))
      .returning();
    if (revoked) {
      await appendEvent(tx, {
        teamId,
        clientId: client.id,
        kind: 'link_revoked',
        actor,
        at: now,
        details: { linkId: revoked.id },
      });
    }
    return { client, revoked: revoked ?? null };
  });
}

/** The client's live link, if any (when it was made, by whom, when it was last opened). */
export async function liveClientLink(
  ctx: LedgerContext,
  teamId: string,
  clientId: string,
): Promise<ClientLinkRow | undefined> {
  const [row] = await ctx.db
    .select()
    .from(clientLinks)
    .where(and(eq(clientLinks.teamId, teamId), eq(clientLinks.clientId, clientId), isNull(clientLinks.revokedAt)));
  return row;
}

export interface OpenedLink {
  link: ClientLinkRow;
  client: ClientRow;
  workspace: WorkspaceRow;
}

/**
 * What a token opens: its live link, client and workspace — or undefined for a malformed, unknown, revoked
 * or replaced token, all alike. The token is the one thing that finds the workspace; everything after is
 * scoped by the link's team and client.
 */
export async function openClientLink(ctx: LedgerContext, token: string): Promise<OpenedLink | undefined> {
  if (!looksLikeToken(token)) return undefined;
  const [row] = await ctx.db
    .select({ link: clientLinks, client: clients, workspace: workspaces })
    .from(clientLinks)
    .innerJoin(clients, and(eq(clients.teamId, clientLinks.teamId), eq(clients.id, clientLinks.clientId)))
    .innerJoin(workspaces, eq(workspaces.teamId, clientLinks.teamId))
    .where(and(eq(clientLinks.tokenHash, hashToken(token)), isNull(clientLinks.revokedAt)));
  if (!row || row.client.archived) return undefined;
  const now = ctx.clock.now();
  if (!row.link.lastSeenAt || now.getTime() - row.link.lastSeenAt.getTime() > SEEN_EVERY_MS) {
    await ctx.db
      .update(clientLinks)
      .set({ lastSeenAt: now })
      .where(and(eq(clientLinks.teamId, row.link.teamId), eq(clientLinks.id, row.link.id)));
  }
  return row;
}

/**
 * A form token for the page: `<issued ms>.<HMAC of link id and issued time with the link's form secret>`.
 * A page on another site cannot make one (it does not know the secret), and it expires.
 */
export function formToken(link: Pick<ClientLinkRow, 'id' | 'formSecret'>, now: Date): string {
  const issued = now.getTime().toString();
  return `${issued}.${formMac(link, issued)}`;
}

export function checkFormToken(link: Pick<ClientLinkRow, 'id' | 'formSecret'>, value: string, now: Date): boolean {
  const [issued = '', mac = ''] = value.split('.');
  if (!/^\d{1,15}$/.test(issued) || !/^[0-9a-f]{64}$/.test(mac)) return false;
  const age = now.getTime() - Number(issued);
  if (age < -60_000 || age > FORM_TTL_MS) return false;
  return timingSafeEqual(Buffer.from(mac, 'hex'), Buffer.from(formMac(link, issued), 'hex'));
}

function formMac(link: Pick<ClientLinkRow, 'id' | 'formSecret'>, issued: string): string {
  return createHmac('sha256', link.formSecret).update(`${link.id}:${issued}`).digest('hex');
}

export const ANSWER_KINDS = ['approved', 'scheduled', 'question', 'dispute'] as const;
export type AnswerKind = (typeof ANSWER_KINDS)[number];

/**
 * A client's words, as the page keeps them: normalised (NFC, no bidirectional controls; a one-line field on one
 * line), refused when they hold a control character (NUL…) or nothing anyone can see (only zero-width characters,
 * say), and counted in characters, not bytes or UTF-16 units, so 2,000 characters of any script fit.
 */
function answerText(max: number, options: { multiline?: boolean } = {}) {
  const error = (issue: { input: unknown }) => (issue.input == null ? 'is required' : 'must be text');
  return z.string({ error }).transform((raw, ctx) => {
    if (hasControlCharacter(raw)) {
      ctx.addIssue({ code: 'custom', message: 'contains a character that cannot be used (a control character)' });
      return z.NEVER;
    }
    const text = options.multiline ? normalizeText(raw).trim() : normalizeLine(raw);
    if (text === '') return '';
    if (!hasVisibleText(text)) {
      ctx.addIssue({ code: 'custom', message: 'has no visible characters; please write it out' });
      return z.NEVER;
    }
    if (characterCount(text) > max) {
      ctx.addIssue({ code: 'custom', message: `must be at most ${max.toLocaleString('en-US')} characters` });
      return z.NEVER;
    }
    return text;
  });
}

const requiredAnswer = (max: number, options?: { multiline?: boolean }) =>
  answerText(max, options).refine((v) => v !== '', 'is required');

const optionalAnswer = (max: number) =>
  answerText(max)
    .nullish()
    .transform((v) => (v ? v : null));

/** The longest question or dispute reason, in characters. */
export const MAX_REASON_CHARS = 2000;
/** The longest name or reference, in characters. */
export const MAX_LINE_CHARS = 120;

const answerSchema = z.discriminatedUnion(
  'kind',
  [
    z.object({ kind: z.literal('approved'), invoiceId: uuid, name: requiredAnswer(MAX_LINE_CHARS) }),
    z.object({
      kind: z.literal('scheduled'),
      invoiceId: uuid,
      name: optionalAnswer(MAX_LINE_CHARS),
      date: localDate,
      reference: optionalAnswer(MAX_LINE_CHARS),
    }),
    z.object({
      kind: z.literal('question'),
      invoiceId: uuid,
      name: optionalAnswer(MAX_LINE_CHARS),
      reason: requiredAnswer(MAX_REASON_CHARS, { multiline: true }),
    }),
    z.object({
      kind: z.literal('dispute'),
      invoiceId: uuid,
      name: optionalAnswer(MAX_LINE_CHARS),
      reason: requiredAnswer(MAX_REASON_CHARS, { multiline: true }),
    }),
  ],
  { error: 'must be one of approved, scheduled, question, dispute' },
);

export type ClientAnswerInput = z.input<typeof answerSchema>;

/** The event kind each answer records. */
const ANSWER_EVENT: Readonly<Record<AnswerKind, string>> = {
  approved: 'client_approved',
  scheduled: 'client_scheduled',
  question: 'client_question',
  dispute: 'client_disputed',
};

/**
 * Records the client's answer on one of its invoices: an event attributed to the client's contact, shared
 * (it shows on the page), and — in the same transaction — the finance channel's message about it, decided
 * once. A scheduled date becomes the invoice's promised date (so a missed one is a broken promise); a
 * dispute puts the invoice in dispute.
 */
export async function answerAsClient(
  ctx: LedgerContext,
  opened: Pick<OpenedLink, 'link' | 'client'>,
  input: ClientAnswerInput,
  options: { idempotencyKey?: string | undefined } = {},
): Promise<Written<{ invoiceNumber: string; invoiceId: string }>> {
  const { link, client } = opened;
  const teamId = link.teamId;
  const parsed = answerSchema.safeParse(input);
  if (!parsed.success) {
    // An invoice not on this page (another client's, another workspace's, a draft, none) gets one answer whatever
    // else the form holds: its fields are named only for an invoice that is on it.
    const invoiceId = (input as { invoiceId?: unknown }).invoiceId;
    const onPage =
      typeof invoiceId === 'string' && (await pageHasInvoice(ctx.db, { teamId, clientId: client.id, invoiceId }));
    if (!onPage) throw notOnPage();
    throw LedgerError.fromZod(parsed.error);
  }
  const data = parsed.data;
  const key = parseInput(idempotencyKey, options.idempotencyKey);
  // The billing contact's email; without one, their name marked as the client's (never mistaken for a Slack id).
  const contact = contactPrincipal(
    teamId,
    client.id,
    client.contactEmail ?? `${client.contactName ?? client.name} (client)`,
  );
  const actor: Actor = actorOf(contact);
  const written = await mutate(
    ctx,
    teamId,
    contact,
    'answerAsClient',
    { invoice: data.invoiceId },
    { idempotencyKey: key },
    async (tx, row, workspace): Promise<Mutation> => {
      // Another client's invoice is as good as missing.
      if (row.clientId !== client.id || !row.sentAt) throw notOnPage();
      if (row.voidedAt) throw new LedgerError('INVOICE_VOID', `${row.number} has been cancelled.`);
      if (row.paidMinor + row.creditedMinor >= row.totalMinor) {
        throw new LedgerError('INVOICE_PAID', `${row.number} is already settled: nothing is due on it.`);
      }
      const now = ctx.clock.now();
      const today = todayIn(workspace.timeZone, now);
      const answerId = randomUUID();
      const details: Record<string, unknown> = { answerId, via: 'status page', linkId: link.id, name: data.name };
      let set: Mutation['set'] = {};
      switch (data.kind) {
        case 'approved':
          break;
        case 'scheduled': {
          if (data.date < today) {
            throw LedgerError.invalid('date', `is in the past (today is ${today}); pick today or a later date`);
          }
          const latest = addDays(today, MAX_SCHEDULE_DAYS);
          if (data.date > latest) throw LedgerError.invalid('date', `must be within a year (by ${latest})`);
          details.date = data.date;
          details.reference = data.reference;
          set = { promisedDate: data.date };
          break;
        }
        case 'question':
          details.reason = data.reason;
          break;
        case 'dispute':
          if (row.holdKind === 'dispute') {
            throw new LedgerError(
              'ALREADY_ON_HOLD',
              `${row.number} is already in dispute; we will come back to you about it.`,
              [{ field: 'reason', message: 'this invoice is already in dispute' }],
            );
          }
          details.reason = data.reason;
          // A dispute from the client replaces an internal hold: it is what stops the chasing now.
          set = { holdKind: 'dispute', holdReason: data.reason, holdSince: now, holdBy: actor.id };
          break;
      }
      if (workspace.financeChannel) {
        await decide(
          tx,
          [
            {
              teamId,
              key: `client_answer:${answerId}`,
              kind: 'client_answer',
              invoiceId: row.id,
              localDate: today,
              channelId: workspace.financeChannel,
              payload: { kind: data.kind, ...details, clientName: client.name, contact: actor.id },
            },
          ],
          now,
        );
      }
      return {
        // Even an answer that changes no fact is a new last action: the version moves, so cards redraw.
        set,
        event: { kind: ANSWER_EVENT[data.kind], details, visibility: 'shared' },
        result: { invoiceNumber: row.number },
      };
    },
  );
  const extra = written.extra as { invoiceNumber: string };
  return { result: { invoiceNumber: extra.invoiceNumber, invoiceId: written.result.id }, replayed: written.replayed };
}

function clientNotFound(ref: string) {
  return new LedgerError('CLIENT_NOT_FOUND', `There is no client ${ref} in this workspace.`, [
    { field: 'client', message: `no client named ${ref}` },
  ]);
}

function notOnPage(): LedgerError {
  return new LedgerError('INVOICE_NOT_FOUND', 'There is no such invoice on this page.');
}
