// Retainers: recurring invoices. Finance admins set one up, pause, resume or end it (each an event); the jobs call
// makeDueRetainerInvoices on every tick, which makes each occurrence's invoice once — keyed by (retainer, occurrence
// date) in retainer_runs, under a lock on the retainer's row — with its `created` event naming the retainer and the
// owner's notice decided in the same transaction.
import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Transaction } from '../db/client.js';
import { decide } from '../db/deliveries.js';
import { termsOf } from '../db/queries/invoices.js';
import { getRetainers, type RetainerListRow } from '../db/queries/retainers.js';
import { clients, invoices, type RetainerRow, retainerRuns, retainers, type WorkspaceRow } from '../db/schema.js';
import { addDays, instantAt, type LocalDate, todayIn } from '../domain/dates.js';
import { parseMoney } from '../domain/money.js';
import {
  type Cadence,
  describeSchedule,
  dueOccurrences,
  nextOccurrence,
  type RetainerSchedule,
} from '../domain/retainers.js';
import { dueDateFor, type PaymentTerms } from '../domain/terms.js';
import type { LedgerContext, WriteOptions } from './context.js';
import { isUniqueViolation, LedgerError } from './errors.js';
import { createdDetails } from './invoices.js';
import { actorOf, authorize, operatorPrincipal, type Principal } from './policy.js';
import {
  amountInput,
  checkComingDate,
  currencyCode,
  idempotencyKey,
  localDate,
  optionalText,
  paymentTerms,
  requiredText,
  slackUserId,
  uuid,
  version,
} from './schemas.js';
import { appendEvent, loadWorkspace, parseInput, type Written, write } from './write.js';

/** Who makes a retainer's invoices: the app itself, named in their events as `retainer`. */
export const RETAINER_PRINCIPAL = operatorPrincipal('retainer');

/** The delivery that tells the owner (or the finance channel) an invoice was made. */
export const RETAINER_DELIVERY = 'retainer_invoice';

const createSchema = z
  .object({
    clientId: uuid,
    currency: currencyCode,
    amount: amountInput,
    /** Defaults to the client's terms. A fixed due date cannot recur. */
    terms: paymentTerms.optional(),
    description: optionalText(2000, { multiline: true }),
    /** Who hears of each invoice; defaults to whoever sets it up; null for nobody (the finance channel hears). */
    ownerUserId: slackUserId.nullish(),
    cadence: z.enum(['monthly', 'quarterly'], { message: 'must be monthly or quarterly' }),
    /** 1–31, or null for the month's last working day. */
    dayOfMonth: z
      .number({ message: 'must be a day of the month from 1 to 31' })
      .int('must be a day of the month from 1 to 31')
      .min(1, 'must be a day of the month from 1 to 31')
      .max(31, 'must be a day of the month from 1 to 31')
      .nullable(),
    startDate: localDate,
    endDate: localDate.nullish(),
    maxCount: z
      .number({ message: 'must be a whole number of invoices' })
      .int('must be a whole number of invoices')
      .min(1, 'must be at least 1')
      .max(1000, 'must be at most 1,000')
      .nullish(),
    createAs: z.enum(['draft', 'sent'], { message: 'must be draft or sent' }).default('draft'),
    /** Invoice numbers are this and the occurrence's date; defaults to one made from the client's name. */
    numberPrefix: requiredText(40).optional(),
  })
  .superRefine((data, ctx) => {
    if (data.endDate && data.endDate < data.startDate) {
      ctx.addIssue({ code: 'custom', path: ['endDate'], message: `must be on or after the start (${data.startDate})` });
    }
    if (data.terms?.kind === 'fixed') {
      ctx.addIssue({
        code: 'custom',
        path: ['terms'],
        message: 'must run from each invoice’s date (net N, end of month + N or due on receipt), not a fixed date',
      });
    }
  });

const changeSchema = z.object({
  /** The retainer's id, or the first 8 characters of it or more. */
  retainer: z.string().trim().min(8, 'give the retainer’s id (8 characters or more)').max(36),
  expectedVersion: version.optional(),
});

export type CreateRetainerInput = z.input<typeof createSchema>;
export type ChangeRetainerInput = z.input<typeof changeSchema>;

/** A retainer as people see it: its terms, schedule, how many invoices it made and when the next one comes. */
export interface RetainerView {
  id: string;
  clientId: string;
  clientName: string;
  currency: string;
  amountMinor: bigint;
  terms: PaymentTerms;
  description: string | null;
  ownerUserId: string | null;
  schedule: RetainerSchedule;
  createAs: 'draft' | 'sent';
  numberPrefix: string;
  status: 'active' | 'paused' | 'ended';
  made: number;
  lastOccurrence: LocalDate | null;
  /** The next occurrence to make (while active; catching up, it can be before today); null when it is finished. */
  next: LocalDate | null;
  createdBy: string;
  version: number;
}

export function scheduleOf(row: RetainerRow): RetainerSchedule {
  return {
    cadence: row.cadence as Cadence,
    dayOfMonth: row.dayOfMonth,
    startDate: row.startDate,
    endDate: row.endDate,
    maxCount: row.maxCount,
  };
}

/** Where making resumes: the later of the last resume (or the start) and the day after the last occurrence made. */
function resumesFrom(row: RetainerRow, lastOccurrence: LocalDate | null): LocalDate {
  const afterLast = lastOccurrence ? addDays(lastOccurrence, 1) : row.resumeFrom;
  return afterLast > row.resumeFrom ? afterLast : row.resumeFrom;
}

export function toRetainerView(found: RetainerListRow, workingDays: readonly number[]): RetainerView {
  const row = found.retainer;
  const schedule = scheduleOf(row);
  const next =
    row.status === 'ended'
      ? undefined
      : nextOccurrence(schedule, workingDays, { from: resumesFrom(row, found.lastOccurrence), made: found.made });
  return {
    id: row.id,
    clientId: row.clientId,
    clientName: found.clientName,
    currency: row.currency,
    amountMinor: row.amountMinor,
    terms: termsOf(row),
    description: row.description,
    ownerUserId: row.ownerUserId,
    schedule,
    createAs: row.createAs as 'draft' | 'sent',
    numberPrefix: row.numberPrefix,
    status: row.status as RetainerView['status'],
    made: found.made,
    lastOccurrence: found.lastOccurrence,
    next: next ?? null,
    createdBy: row.createdBy,
    version: row.version,
  };
}

/** A workspace's retainers (or one client's), active and paused first; ended ones only when asked. */
export async function listRetainers(
  ctx: LedgerContext,
  teamId: string,
  params: { clientId?: string; includeEnded?: boolean } = {},
  known?: WorkspaceRow,
): Promise<RetainerView[]> {
  const workspace = known ?? (await loadWorkspace(ctx.db, teamId));
  const rows = await getRetainers(ctx.db, {
    teamId,
    ...(params.clientId ? { clientId: params.clientId } : {}),
    ...(params.includeEnded ? {} : { statuses: ['active', 'paused'] }),
  });
  return rows.map((r) => toRetainerView(r, workspace.workingDays));
}

export async function getRetainer(ctx: LedgerContext, teamId: string, ref: string): Promise<RetainerView> {
  const workspace = await loadWorkspace(ctx.db, teamId);
  const id = await resolveRetainerId(ctx.db, teamId, ref);
  const [found] = await getRetainers(ctx.db, { teamId, id });
  if (!found) throw notFound(ref);
  return toRetainerView(found, workspace.workingDays);
}

/** A prefix of letters and digits from the client's name: 'Northwind Traders' → 'NORTHWIND-RET'. */
export function defaultNumberPrefix(clientName: string): string {
  const word = clientName
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9]+/g, ' ')
    .trim()
    .split(' ')[0]
    ?.slice(0, 12)
    .toUpperCase();
  return `${word || 'RET'}-RET`;
}

export async function createRetainer(
  ctx: LedgerContext,
  teamId: string,
  principal: Principal,
  input: CreateRetainerInput,
  options: WriteOptions = {},
): Promise<Written<RetainerView>> {
  authorize(principal, 'manageRetainers', teamId);
  const data = parseInput(createSchema, input);
  const key = parseInput(idempotencyKey, options.idempotencyKey);
  const actor = actorOf(principal);
  const parsed = parseMoney(typeof data.amount === 'bigint' ? data.amount.toString() : data.amount, data.currency);
  const amountMinor = typeof data.amount === 'bigint' ? data.amount : parsed.ok ? parsed.minor : undefined;
  if (amountMinor === undefined) throw LedgerError.invalid('amount', parsed.ok ? 'is not an amount' : parsed.message);
  if (amountMinor <= 0n) throw LedgerError.invalid('amount', 'must be more than zero');
  const written = await write(ctx, { teamId, operation: 'createRetainer', idempotencyKey: key }, async (tx) => {
    const workspace = await loadWorkspace(tx, teamId);
    const now = ctx.clock.now();
    const today = todayIn(workspace.timeZone, now);
    // A retainer starts today or later: it never makes invoices for days before it was set up.
    checkComingDate('startDate', data.startDate, today);
    const [client] = await tx
      .select()
      .from(clients)
      .where(and(eq(clients.teamId, teamId), eq(clients.id, data.clientId)));
    if (!client) {
      throw new LedgerError('CLIENT_NOT_FOUND', 'That client does not exist in this workspace.', [
        { field: 'clientId', message: 'does not exist in this workspace' },
      ]);
    }
    if (client.archived) {
      throw new LedgerError('CLIENT_ARCHIVED', `${client.name} is archived; restore the client before billing it.`, [
        { field: 'clientId', message: `${client.name} is archived` },
      ]);
    }
    const terms = data.terms ?? termsOf(client);
    const [row] = await tx
      .insert(retainers)
      .values({
        teamId,
        clientId: client.id,
        currency: data.currency,
        amountMinor,
        termsKind: terms.kind,
        termsDays: terms.kind === 'net' || terms.kind === 'eom' ? terms.days : 0,
        description: data.description,
        // Not given: whoever sets it up; null: nobody (the finance channel hears of each invoice).
        ownerUserId: data.ownerUserId !== undefined ? data.ownerUserId : actor.type === 'user' ? actor.id : null,
        cadence: data.cadence,
        dayOfMonth: data.dayOfMonth,
        startDate: data.startDate,
        endDate: data.endDate ?? null,
        maxCount: data.maxCount ?? null,
        createAs: data.createAs,
        numberPrefix: data.numberPrefix ?? defaultNumberPrefix(client.name),
        resumeFrom: data.startDate,
        createdBy: actor.id,
        createdAt: now,
      })
      .returning();
    if (!row) throw new Error('retainer insert returned no row');
    await appendEvent(tx, {
      teamId,
      clientId: client.id,
      kind: 'retainer_created',
      actor,
      at: now,
      details: {
        retainerId: row.id,
        currency: row.currency,
        amountMinor: row.amountMinor,
        terms,
        schedule: describeSchedule(scheduleOf(row)),
        startDate: row.startDate,
        endDate: row.endDate,
        maxCount: row.maxCount,
        createAs: row.createAs,
      },
    });
    return { retainerId: row.id };
  });
  return { result: await getRetainer(ctx, teamId, written.result.retainerId), replayed: written.replayed };
}

/** Stops making invoices until resumed; the occurrences while paused are skipped, not caught up. */
export function pauseRetainer(ctx: LedgerContext, teamId: string, principal: Principal, input: ChangeRetainerInput) {
  return changeRetainer(ctx, teamId, principal, input, 'retainer_paused', (row) => {
    if (row.status !== 'active') throw wrongState('pause', 'it is not running');
    return { status: 'paused' };
  });
}

/** Makes invoices again from today: what fell while it was paused stays skipped. */
export function resumeRetainer(ctx: LedgerContext, teamId: string, principal: Principal, input: ChangeRetainerInput) {
  return changeRetainer(ctx, teamId, principal, input, 'retainer_resumed', (row, today) => {
    if (row.status !== 'paused') throw wrongState('resume', 'it is not paused');
    return { status: 'active', resumeFrom: today > row.resumeFrom ? today : row.resumeFrom };
  });
}

/** Ends it for good: no more invoices. The invoices it made stay as they are. */
export function endRetainer(ctx: LedgerContext, teamId: string, principal: Principal, input: ChangeRetainerInput) {
  return changeRetainer(ctx, teamId, principal, input, 'retainer_ended', (row) => {
    if (row.status === 'ended') throw wrongState('end', 'it has ended already');
    return { status: 'ended' };
  });
}

async function changeRetainer(
  ctx: LedgerContext,
  teamId: string,
  principal: Principal,
  input: ChangeRetainerInput,
  kind: 'retainer_paused' | 'retainer_resumed' | 'retainer_ended',
  change: (row: RetainerRow, today: LocalDate) => Partial<RetainerRow>,
): Promise<RetainerView> {
  authorize(principal, 'manageRetainers', teamId);
  const data = parseInput(changeSchema, input);
  const actor = actorOf(principal);
  const id = await resolveRetainerId(ctx.db, teamId, data.retainer);
  await write(ctx, { teamId, operation: kind }, async (tx) => {
    const workspace = await loadWorkspace(tx, teamId);
    const now = ctx.clock.now();
    const row = await lockRetainer(tx, teamId, id);
    if (!row) throw notFound(data.retainer);
    if (data.expectedVersion !== undefined && data.expectedVersion !== row.version) {
      throw new LedgerError('CONFLICT', 'This retainer was changed meanwhile; look at it again and retry.');
    }
    const set = change(row, todayIn(workspace.timeZone, now));
    await tx
      .update(retainers)
      .set({ ...set, version: row.version + 1 })
      .where(and(eq(retainers.teamId, teamId), eq(retainers.id, id)));
    await appendEvent(tx, {
      teamId,
      clientId: row.clientId,
      kind,
      actor,
      at: now,
      details: { retainerId: row.id, schedule: describeSchedule(scheduleOf(row)), ...pickDates(set) },
    });
  });
  return getRetainer(ctx, teamId, id);
}

function pickDates(set: Partial<RetainerRow>): Record<string, unknown> {
  return set.resumeFrom ? { resumeFrom: set.resumeFrom } : {};
}

async function lockRetainer(tx: Transaction, teamId: string, id: string): Promise<RetainerRow | undefined> {
  const [row] = await tx
    .select()
    .from(retainers)
    .where(and(eq(retainers.teamId, teamId), eq(retainers.id, id)))
    .for('update');
  return row;
}

async function resolveRetainerId(db: LedgerContext['db'], teamId: string, ref: string): Promise<string> {
  const prefix = ref.trim().toLowerCase();
  if (!/^[0-9a-f-]{8,36}$/.test(prefix)) throw notFound(ref);
  const rows = await db
    .select({ id: retainers.id })
    .from(retainers)
    .where(and(eq(retainers.teamId, teamId), sql`${retainers.id}::text like ${`${prefix}%`}`))
    .limit(2);
  const [first] = rows;
  if (!first) throw notFound(ref);
  if (rows.length > 1) {
    throw new LedgerError('RETAINER_NOT_FOUND', `More than one retainer starts with ${ref}; give more of its id.`, [
      { field: 'retainer', message: 'matches more than one retainer' },
    ]);
  }
  return first.id;
}

function notFound(ref: string): LedgerError {
  return new LedgerError(
    'RETAINER_NOT_FOUND',
    `There is no retainer ${ref.slice(0, 40)} here; /invoice recurring lists them with their ids.`,
    [{ field: 'retainer', message: 'no such retainer' }],
  );
}

function wrongState(verb: string, why: string): LedgerError {
  return new LedgerError('RETAINER_STATE', `Cannot ${verb} that retainer: ${why}.`, [
    { field: 'retainer', message: why },
  ]);
}

// ---------------------------------------------------------------------------------------------------------------
// Making the invoices (the jobs)

export interface MadeInvoice {
  retainerId: string;
  occurrenceDate: LocalDate;
  invoiceId: string;
  number: string;
  /** Made after its own day (the app was down then). */
  caughtUp: boolean;
}

/**
 * Makes every occurrence due by today in the workspace's time zone that is not made yet, oldest first, each in its
 * own transaction: the invoice (dated its own day), its `created` event naming the retainer, the run's key and the
 * owner's notice. Safe to run at once in several replicas and again after a crash: each occurrence is made once.
 */
export async function makeDueRetainerInvoices(
  ctx: LedgerContext,
  workspace: WorkspaceRow,
  now: Date,
): Promise<MadeInvoice[]> {
  const today = todayIn(workspace.timeZone, now);
  const made: MadeInvoice[] = [];
  for (const found of await getRetainers(ctx.db, { teamId: workspace.teamId, statuses: ['active'] })) {
    const row = found.retainer;
    const due = dueOccurrences(scheduleOf(row), workspace.workingDays, {
      from: resumesFrom(row, found.lastOccurrence),
      through: today,
      made: found.made,
    });
    for (const occurrence of due) {
      const invoice = await makeOccurrence(ctx, workspace, row.id, occurrence, now);
      if (invoice) made.push(invoice);
    }
  }
  return made;
}

/** Thrown inside the transaction to roll it back when another replica made the occurrence first. */
class AlreadyMade extends Error {}

async function makeOccurrence(
  ctx: LedgerContext,
  workspace: WorkspaceRow,
  retainerId: string,
  occurrence: LocalDate,
  now: Date,
): Promise<MadeInvoice | undefined> {
  const teamId = workspace.teamId;
  authorize(RETAINER_PRINCIPAL, 'createInvoice', teamId);
  const actor = actorOf(RETAINER_PRINCIPAL);
  const today = todayIn(workspace.timeZone, now);
  try {
    const { result } = await write(ctx, { teamId, operation: 'makeRetainerInvoice' }, async (tx) => {
      // The retainer's row lock makes a racing replica wait here, then find the run made and stop.
      const row = await lockRetainer(tx, teamId, retainerId);
      if (row?.status !== 'active' || occurrence < row.resumeFrom) throw new AlreadyMade();
      const runs = await tx
        .select({ occurrenceDate: retainerRuns.occurrenceDate })
        .from(retainerRuns)
        .where(and(eq(retainerRuns.teamId, teamId), eq(retainerRuns.retainerId, retainerId)));
      if (runs.some((r) => r.occurrenceDate === occurrence)) throw new AlreadyMade();
      if (row.maxCount !== null && runs.length >= row.maxCount) throw new AlreadyMade();
      const [client] = await tx
        .select({ name: clients.name, archived: clients.archived })
        .from(clients)
        .where(and(eq(clients.teamId, teamId), eq(clients.id, row.clientId)));
      // An archived client is not billed; the retainer waits (the list says why) until the client is restored.
      if (!client || client.archived) throw new AlreadyMade();

      const terms = termsOf(row);
      const number = await freeNumber(tx, teamId, `${row.numberPrefix}-${occurrence}`);
      const caughtUp = occurrence < today;
      const [invoice] = await tx
        .insert(invoices)
        .values({
          teamId,
          number,
          clientId: row.clientId,
          currency: row.currency,
          totalMinor: row.amountMinor,
          issueDate: occurrence,
          termsKind: terms.kind,
          termsDays: terms.kind === 'net' || terms.kind === 'eom' ? terms.days : 0,
          termsBasisDate: occurrence,
          dueDate: dueDateFor(terms, occurrence),
          ownerUserId: row.ownerUserId,
          description: row.description,
          sentAt: row.createAs === 'sent' ? now : null,
          createdAt: now,
        })
        .returning();
      if (!invoice) throw new Error('invoice insert returned no row');
      const inserted = await tx
        .insert(retainerRuns)
        .values({
          teamId,
          retainerId,
          occurrenceDate: occurrence,
          invoiceId: invoice.id,
          createdOn: today,
          createdAt: now,
        })
        .onConflictDoNothing()
        .returning({ retainerId: retainerRuns.retainerId });
      if (inserted.length === 0) throw new AlreadyMade();
      await appendEvent(tx, {
        teamId,
        invoiceId: invoice.id,
        clientId: row.clientId,
        kind: 'created',
        actor,
        at: now,
        details: {
          ...createdDetails(invoice, terms),
          retainerId,
          occurrenceDate: occurrence,
          schedule: describeSchedule(scheduleOf(row)),
          ...(caughtUp ? { caughtUp: true, madeOn: today } : {}),
        },
      });
      if (row.createAs === 'sent') {
        await appendEvent(tx, {
          teamId,
          invoiceId: invoice.id,
          clientId: row.clientId,
          kind: 'sent',
          actor,
          at: now,
          visibility: 'shared',
          details: { retainerId },
        });
      }
      const to = row.ownerUserId ?? workspace.financeChannel;
      if (to) {
        // Made at the day's first tick; told at the workspace's alert time (at once when that has passed).
        const alertAt = instantAt(today, workspace.alertTime, workspace.timeZone);
        await decide(
          tx,
          [
            {
              teamId,
              key: `${RETAINER_DELIVERY}:${retainerId}:${occurrence}`,
              kind: RETAINER_DELIVERY,
              invoiceId: invoice.id,
              localDate: today,
              channelId: to,
              payload: { retainerId, occurrenceDate: occurrence, caughtUp, createAs: row.createAs },
              ...(alertAt > now ? { notBefore: alertAt } : {}),
            },
          ],
          now,
        );
      }
      return { retainerId, occurrenceDate: occurrence, invoiceId: invoice.id, number: invoice.number, caughtUp };
    });
    return result;
  } catch (error) {
    if (error instanceof AlreadyMade) return undefined;
    // Two replicas racing on the same number: the loser's transaction rolled back; the winner made it.
    if (isUniqueViolation(error)) return undefined;
    throw error;
  }
}

/** The number, or with -2, -3… when an invoice typed by hand already has it. */
async function freeNumber(tx: Transaction, teamId: string, wanted: string): Promise<string> {
  const taken = new Set(
    (
      await tx
        .select({ number: invoices.number })
        .from(invoices)
        .where(and(eq(invoices.teamId, teamId), sql`lower(${invoices.number}) like lower(${`${wanted}%`})`))
    ).map((r) => r.number.toLowerCase()),
  );
  if (!taken.has(wanted.toLowerCase())) return wanted;
  for (let n = 2; ; n++) {
    const candidate = `${wanted}-${n}`;
    if (!taken.has(candidate.toLowerCase())) return candidate;
  }
}
