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
import { formatMoney, parseMoney } from '../domain/money.js';
import {
  type Cadence,
  describeSchedule,
  dueOccurrences,
  nextOccurrence,
  ordinal,
  type RetainerSchedule,
  resumeAfterScheduleEdit,
} from '../domain/retainers.js';
import { type HolidayCalendar, NO_HOLIDAYS } from '../domain/schedule.js';
import { describeTerms, dueDateFor, type PaymentTerms } from '../domain/terms.js';
import type { LedgerContext, WriteOptions } from './context.js';
import { isUniqueViolation, LedgerError } from './errors.js';
import { holidayCalendar } from './holidays.js';
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

export function toRetainerView(
  found: RetainerListRow,
  workingDays: readonly number[],
  holidays: HolidayCalendar = NO_HOLIDAYS,
): RetainerView {
  const row = found.retainer;
  const schedule = scheduleOf(row);
  const next =
    row.status === 'ended'
      ? undefined
      : nextOccurrence(schedule, workingDays, {
          from: resumesFrom(row, found.lastOccurrence),
          made: found.made,
          holidays,
        });
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
  const holidays = await holidaysOf(workspace);
  return rows.map((r) => toRetainerView(r, workspace.workingDays, holidays));
}

/** The workspace's public holidays, which move a last working day that falls on one. */
function holidaysOf(workspace: WorkspaceRow): Promise<HolidayCalendar> {
  return holidayCalendar(workspace.holidayCountry, workspace.holidayRegion);
}

export async function getRetainer(ctx: LedgerContext, teamId: string, ref: string): Promise<RetainerView> {
  const workspace = await loadWorkspace(ctx.db, teamId);
  const id = await resolveRetainerId(ctx.db, teamId, ref);
  const [found] = await getRetainers(ctx.db, { teamId, id });
  if (!found) throw notFound(ref);
  return toRetainerView(found, workspace.workingDays, await holidaysOf(workspace));
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

const editSchema = z.object({
  /** The retainer's id, or the first 8 characters of it or more. */
  retainer: changeSchema.shape.retainer,
  expectedVersion: version.optional(),
  /** In the new currency when the currency changes (then it must be given). */
  amount: amountInput.optional(),
  currency: currencyCode.optional(),
  terms: paymentTerms.optional(),
  description: optionalText(2000, { multiline: true }),
  /** null: nobody (the finance channel hears). */
  ownerUserId: slackUserId.nullish(),
  cadence: createSchema.shape.cadence.optional(),
  dayOfMonth: createSchema.shape.dayOfMonth.optional(),
  endDate: localDate.nullish(),
  maxCount: createSchema.shape.maxCount,
  createAs: z.enum(['draft', 'sent'], { message: 'must be draft or sent' }).optional(),
});

/** What an edit may change; a field left out (undefined) stays as it is, null clears one that may be empty. */
export type EditRetainerInput = z.input<typeof editSchema>;

/** The fields an edit can change, as the `retainer_edited` event names them. */
export type RetainerField =
  | 'amount'
  | 'currency'
  | 'terms'
  | 'description'
  | 'owner'
  | 'cadence'
  | 'dayOfMonth'
  | 'endDate'
  | 'maxCount'
  | 'createAs';

/** One changed field, before and after, as people read it ("$5,000.00" → "€4,600.00", "net 15" → "net 30"). */
export interface RetainerChange {
  field: RetainerField;
  from: string | null;
  to: string | null;
}

export interface EditedRetainer {
  retainer: RetainerView;
  /** Empty when the edit changed nothing (then nothing was written). */
  changes: RetainerChange[];
  /** What the old schedule had due through the day of the edit, made before the new one applied. */
  made: MadeInvoice[];
}

/**
 * Changes a retainer that is running or paused: amount, currency, terms, description, owner, schedule (cadence, day,
 * end date, count) and whether its invoices are made as drafts or sent. The change applies to the occurrences not
 * made yet; the invoices already made stay as they are. A change of cadence or day follows the rule in
 * resumeAfterScheduleEdit: the old schedule's occurrences due through today are made first (with the edited amount,
 * terms…), then the new schedule applies from today, never inside the period the last invoice covers. One
 * `retainer_edited` event names each changed field, before and after.
 */
export async function editRetainer(
  ctx: LedgerContext,
  teamId: string,
  principal: Principal,
  input: EditRetainerInput,
  options: WriteOptions = {},
): Promise<Written<EditedRetainer>> {
  authorize(principal, 'manageRetainers', teamId);
  const data = parseInput(editSchema, input);
  const given = (field: keyof EditRetainerInput) => (input as Record<string, unknown>)[field] !== undefined;
  const key = parseInput(idempotencyKey, options.idempotencyKey);
  const actor = actorOf(principal);
  const id = await resolveRetainerId(ctx.db, teamId, data.retainer);
  const written = await write(ctx, { teamId, operation: 'editRetainer', idempotencyKey: key }, async (tx) => {
    const workspace = await loadWorkspace(tx, teamId);
    const holidays = await holidaysOf(workspace);
    const now = ctx.clock.now();
    const today = todayIn(workspace.timeZone, now);
    const row = await lockRetainer(tx, teamId, id);
    if (!row) throw notFound(data.retainer);
    if (data.expectedVersion !== undefined && data.expectedVersion !== row.version) {
      throw new LedgerError('CONFLICT', 'This retainer was changed meanwhile; look at it again and retry.');
    }
    if (row.status === 'ended') throw wrongState('edit', 'it has ended (set up a new one instead)');

    // The row as edited: only the fields given change.
    const currency = data.currency ?? row.currency;
    let amountMinor = row.amountMinor;
    if (currency !== row.currency && !given('amount')) {
      throw LedgerError.invalid('amount', `give the amount in ${currency} too: the currency changes`);
    }
    if (data.amount !== undefined) {
      const parsed = typeof data.amount === 'bigint' ? undefined : parseMoney(data.amount, currency);
      const minor = typeof data.amount === 'bigint' ? data.amount : parsed?.ok ? parsed.minor : undefined;
      if (minor === undefined) {
        throw LedgerError.invalid('amount', parsed && !parsed.ok ? parsed.message : 'is not an amount');
      }
      if (minor <= 0n) throw LedgerError.invalid('amount', 'must be more than zero');
      amountMinor = minor;
    }
    if (data.terms?.kind === 'fixed') {
      throw LedgerError.invalid(
        'terms',
        'must run from each invoice’s date (net N, end of month + N or due on receipt), not a fixed date',
      );
    }
    const terms = data.terms ?? termsOf(row);
    const edited: RetainerRow = {
      ...row,
      currency,
      amountMinor,
      termsKind: terms.kind,
      termsDays: terms.kind === 'net' || terms.kind === 'eom' ? terms.days : 0,
      description: given('description') ? data.description : row.description,
      ownerUserId: given('ownerUserId') ? (data.ownerUserId ?? null) : row.ownerUserId,
      cadence: data.cadence ?? row.cadence,
      dayOfMonth: given('dayOfMonth') ? (data.dayOfMonth ?? null) : row.dayOfMonth,
      endDate: given('endDate') ? (data.endDate ?? null) : row.endDate,
      maxCount: given('maxCount') ? (data.maxCount ?? null) : row.maxCount,
      createAs: data.createAs ?? row.createAs,
    };
    if (edited.endDate !== null && edited.endDate < edited.startDate) {
      throw LedgerError.invalid('endDate', `must be on or after the start (${edited.startDate})`);
    }
    const changes = changesBetween(row, edited);
    if (changes.length === 0) return { changes, made: [] as MadeInvoice[] };

    const runs = await tx
      .select({ occurrenceDate: retainerRuns.occurrenceDate })
      .from(retainerRuns)
      .where(and(eq(retainerRuns.teamId, teamId), eq(retainerRuns.retainerId, id)));
    const madeBefore = runs.length;
    if (edited.maxCount !== null && edited.maxCount < madeBefore) {
      throw LedgerError.invalid('maxCount', `must be at least ${madeBefore}: it has made ${madeBefore} already`);
    }
    const scheduleChanged = changes.some((c) => SCHEDULE_FIELDS.has(c.field));
    const made: MadeInvoice[] = [];
    let resumeFrom = row.resumeFrom;
    if (scheduleChanged) {
      const lastOccurrence = runs.reduce<LocalDate | null>(
        (last, r) => (last === null || r.occurrenceDate > last ? r.occurrenceDate : last),
        null,
      );
      // Nothing due before the edit is dropped: what the old schedule has due through today is made now, under
      // its own dates (a paused retainer skips them, as pausing does).
      const pending =
        row.status === 'active'
          ? dueOccurrences(scheduleOf(row), workspace.workingDays, {
              from: resumesFrom(row, lastOccurrence),
              through: today,
              made: madeBefore,
              holidays,
            })
          : [];
      if (pending.length > 0) {
        const [client] = await tx
          .select({ name: clients.name, archived: clients.archived })
          .from(clients)
          .where(and(eq(clients.teamId, teamId), eq(clients.id, row.clientId)));
        if (!client || client.archived) {
          throw new LedgerError(
            'CLIENT_ARCHIVED',
            `${client?.name ?? 'Its client'} is archived, and its invoice of ${pending[0]} is still to make: restore the client first (it is made then), or end the retainer.`,
            [{ field: 'cadence', message: 'the client is archived' }],
          );
        }
        const taken = new Set(runs.map((r) => r.occurrenceDate));
        for (const occurrence of pending) {
          if (taken.has(occurrence)) continue;
          made.push(await insertOccurrence(tx, workspace, edited, occurrence, now, scheduleOf(row)));
        }
      }
      const last = made.at(-1)?.occurrenceDate ?? lastOccurrence;
      resumeFrom = resumeAfterScheduleEdit({
        today,
        resumeFrom: row.resumeFrom,
        lastOccurrence: last,
        lastCadence: row.cadence as Cadence,
      });
    }
    await tx
      .update(retainers)
      .set({
        currency: edited.currency,
        amountMinor: edited.amountMinor,
        termsKind: edited.termsKind,
        termsDays: edited.termsDays,
        description: edited.description,
        ownerUserId: edited.ownerUserId,
        cadence: edited.cadence,
        dayOfMonth: edited.dayOfMonth,
        endDate: edited.endDate,
        maxCount: edited.maxCount,
        createAs: edited.createAs,
        resumeFrom,
        version: row.version + 1,
      })
      .where(and(eq(retainers.teamId, teamId), eq(retainers.id, id)));
    await appendEvent(tx, {
      teamId,
      clientId: row.clientId,
      kind: 'retainer_edited',
      actor,
      at: now,
      details: {
        retainerId: row.id,
        // The shape of an invoice's `edited` event: each field, before and after.
        changes: Object.fromEntries(changes.map((c) => [c.field, { from: c.from, to: c.to }])),
        schedule: describeSchedule(scheduleOf(edited)),
        ...(resumeFrom !== row.resumeFrom ? { resumeFrom } : {}),
        ...(made.length > 0 ? { madeFirst: made.map((m) => m.occurrenceDate) } : {}),
      },
    });
    return { changes, made };
  });
  return {
    result: { retainer: await getRetainer(ctx, teamId, id), ...written.result },
    replayed: written.replayed,
  };
}

const SCHEDULE_FIELDS: ReadonlySet<RetainerField> = new Set(['cadence', 'dayOfMonth', 'endDate', 'maxCount']);

/** Each field that differs, before and after, in words. */
function changesBetween(before: RetainerRow, after: RetainerRow): RetainerChange[] {
  const amount = (r: RetainerRow) => formatMoney(r.amountMinor, r.currency);
  const day = (r: RetainerRow) => (r.dayOfMonth === null ? 'the last working day' : ordinal(r.dayOfMonth));
  const fields: [RetainerField, (r: RetainerRow) => string | null][] = [
    ['amount', amount],
    ['currency', (r) => r.currency],
    ['terms', (r) => describeTerms(termsOf(r))],
    ['description', (r) => r.description],
    ['owner', (r) => r.ownerUserId],
    ['cadence', (r) => r.cadence],
    ['dayOfMonth', day],
    ['endDate', (r) => r.endDate],
    ['maxCount', (r) => (r.maxCount === null ? null : String(r.maxCount))],
    ['createAs', (r) => r.createAs],
  ];
  const changes: RetainerChange[] = [];
  for (const [field, read] of fields) {
    const from = read(before);
    const to = read(after);
    if (from !== to) changes.push({ field, from, to });
  }
  return changes;
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
  const active = await getRetainers(ctx.db, { teamId: workspace.teamId, statuses: ['active'] });
  if (active.length === 0) return made;
  const holidays = await holidaysOf(workspace);
  for (const found of active) {
    const row = found.retainer;
    const due = dueOccurrences(scheduleOf(row), workspace.workingDays, {
      from: resumesFrom(row, found.lastOccurrence),
      through: today,
      made: found.made,
      holidays,
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

      return insertOccurrence(tx, workspace, row, occurrence, now);
    });
    return result;
  } catch (error) {
    if (error instanceof AlreadyMade) return undefined;
    // Two replicas racing on the same number: the loser's transaction rolled back; the winner made it.
    if (isUniqueViolation(error)) return undefined;
    throw error;
  }
}

/**
 * The occurrence's invoice (dated its own day), its run, its `created` (and `sent`) events and the owner's notice, in
 * the caller's transaction, which holds the retainer's row lock and has checked the occurrence is not made yet.
 */
async function insertOccurrence(
  tx: Transaction,
  workspace: WorkspaceRow,
  row: RetainerRow,
  occurrence: LocalDate,
  now: Date,
  /** The schedule it was made under, for its event; the row's own by default. */
  schedule: RetainerSchedule = scheduleOf(row),
): Promise<MadeInvoice> {
  const teamId = workspace.teamId;
  const retainerId = row.id;
  const actor = actorOf(RETAINER_PRINCIPAL);
  const today = todayIn(workspace.timeZone, now);
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
      schedule: describeSchedule(schedule),
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
