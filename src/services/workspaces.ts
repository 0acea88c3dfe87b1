// Workspace settings: time zone, finance channel, alert and digest schedule, public holidays, who may handle money;
// setting a workspace up before Slack (the CLI's `workspace init`) and what its first minute still has to choose.
import { and, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Transaction } from '../db/client.js';
import { events, slackInstallations, type WorkspaceRow, workspaces } from '../db/schema.js';
import { isValidTimeZone } from '../domain/dates.js';
import { changedFields } from './clients.js';
import type { LedgerContext } from './context.js';
import { LedgerError } from './errors.js';
import { isHolidayPlace } from './holidays.js';
import { actorOf, authorize, type Principal } from './policy.js';
import { requiredText } from './schemas.js';
import { appendEvent, loadWorkspace, parseInput } from './write.js';

const clock = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'must be a time like 09:00 (24-hour)');
const timeZone = z
  .string()
  .trim()
  .refine(isValidTimeZone, { message: 'must be an IANA time zone like America/New_York or Europe/London' });

const teamId = z
  .string()
  .trim()
  .regex(/^[TE][A-Z0-9]{2,}$/, 'must be a Slack team id like T0123ABCD');

const ensureSchema = z.object({
  teamId,
  name: requiredText(200),
  timeZone: timeZone.optional(),
});

const settingsSchema = z
  .object({
    name: requiredText(200),
    timeZone,
    financeChannel: z
      .string()
      .regex(/^[CG][A-Z0-9]{2,}$/, 'must be a Slack channel id like C0123ABCD')
      .nullable(),
    alertTime: clock,
    digestWeekday: z.number().int().min(0, 'must be 0 (Sunday) to 6 (Saturday)').max(6, 'must be 0 (Sunday) to 6'),
    digestTime: clock,
    staleDays: z
      .number()
      .int('must be a whole number')
      .min(1, 'must be at least 1 day')
      .max(365, 'must be at most 365'),
    workingDays: z
      .array(z.number().int().min(0).max(6))
      .min(1, 'must include at least one day')
      .transform((days) => [...new Set(days)].sort()),
    financeAdmins: z.array(z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'must be Slack user ids')),
    financeAdminGroup: z
      .string()
      .regex(/^S[A-Z0-9]{2,}$/, 'must be a Slack user group id like S0123ABCD')
      .nullable(),
    /** ISO 3166 country code whose public holidays are days off ('US', 'GB'); null for none. */
    holidayCountry: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z]{2}$/, 'must be a country code like US or GB')
      .nullable(),
    /** A region of that country with holidays of its own ('SCT', 'CA'); null for the whole country. */
    holidayRegion: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z0-9]{1,6}$/, 'must be a region code like SCT or CA')
      .nullable(),
  })
  .partial();

export type WorkspaceSettings = z.input<typeof settingsSchema>;

const initSchema = z.object({ teamId, name: requiredText(200), timeZone });

/** Creates the workspace on first contact; later calls leave its settings alone. */
export async function ensureWorkspace(ctx: LedgerContext, input: z.input<typeof ensureSchema>): Promise<WorkspaceRow> {
  const data = parseInput(ensureSchema, input);
  // Every Slack request comes through here: one read in the common case, a write only the first time.
  const [existing] = await ctx.db.select().from(workspaces).where(eq(workspaces.teamId, data.teamId));
  if (existing) return existing;
  await ctx.db
    .insert(workspaces)
    .values({ teamId: data.teamId, name: data.name, timeZone: data.timeZone ?? 'UTC', createdAt: ctx.clock.now() })
    .onConflictDoNothing();
  return loadWorkspace(ctx.db, data.teamId);
}

export async function getWorkspace(ctx: LedgerContext, teamId: string): Promise<WorkspaceRow> {
  return loadWorkspace(ctx.db, teamId);
}

/**
 * Saves settings (finance admins only), with a `settings_changed` event. A save never leaves a workspace that
 * has a finance admin without one: emptying both the people and the group is refused on those fields.
 */
export async function updateWorkspaceSettings(
  ctx: LedgerContext,
  teamId: string,
  principal: Principal,
  input: WorkspaceSettings & { expectedVersion?: number },
): Promise<WorkspaceRow> {
  authorize(principal, 'updateSettings', teamId);
  const { expectedVersion, ...rest } = input;
  const changes = parseInput(settingsSchema, rest);
  return ctx.db.transaction(async (tx) => {
    const current = await lockWorkspace(tx, teamId);
    await checkHolidays(current, changes);
    if (expectedVersion !== undefined && expectedVersion !== current.version) {
      throw new LedgerError(
        'CONFLICT',
        'The settings were changed by someone else meanwhile; reopen them and try again.',
      );
    }
    const admins = changes.financeAdmins ?? current.financeAdmins;
    const group = changes.financeAdminGroup !== undefined ? changes.financeAdminGroup : current.financeAdminGroup;
    if (hasAdmin(current) && admins.length === 0 && !group) {
      const message = 'name at least one finance admin or a user group: someone must be able to change these settings';
      throw new LedgerError('ADMIN_REQUIRED', `The settings need a finance admin: ${message}.`, [
        { field: 'financeAdmins', message },
        { field: 'financeAdminGroup', message },
      ]);
    }
    const changed = changedSettings(current, changes);
    // A save that keeps the zone it was created with (UTC, or whatever the first contact gave) still chooses
    // it, once: from then on the zone is the workspace's own, and settings stop proposing another.
    const confirmsZone =
      changes.timeZone !== undefined && !('timeZone' in changed) && !(await timeZoneChosen(tx, teamId));
    const [row] = await tx
      .update(workspaces)
      .set({ ...changes, version: sql`${workspaces.version} + 1` })
      .where(eq(workspaces.teamId, teamId))
      .returning();
    if (!row) throw new LedgerError('CONFLICT', 'The settings were changed by someone else meanwhile; try again.');
    if (Object.keys(changed).length > 0 || confirmsZone) {
      await appendEvent(tx, {
        teamId,
        kind: 'settings_changed',
        actor: actorOf(principal),
        at: ctx.clock.now(),
        details: { changes: changed, ...(confirmsZone ? { timeZoneConfirmed: changes.timeZone } : {}) },
      });
    }
    return row;
  });
}

/**
 * The holiday place must be one the holidays library knows; a region needs its country, and a new country
 * without a region clears the old country's region.
 */
async function checkHolidays(current: WorkspaceRow, changes: z.output<typeof settingsSchema>): Promise<void> {
  if (changes.holidayCountry === undefined && changes.holidayRegion === undefined) return;
  if (changes.holidayCountry !== undefined && changes.holidayRegion === undefined) {
    if (changes.holidayCountry !== current.holidayCountry) changes.holidayRegion = null;
  }
  const country = changes.holidayCountry !== undefined ? changes.holidayCountry : current.holidayCountry;
  const region = changes.holidayRegion !== undefined ? changes.holidayRegion : current.holidayRegion;
  if (country === null) {
    if (region !== null) throw LedgerError.invalid('holidayCountry', 'choose the country of the region first');
    return;
  }
  if (!(await isHolidayPlace(country))) {
    throw LedgerError.invalid('holidayCountry', `${country} is not a country whose public holidays we know`);
  }
  if (region !== null && !(await isHolidayPlace(country, region))) {
    throw LedgerError.invalid('holidayRegion', `${region} is not a region of ${country} with holidays we know`);
  }
}

/**
 * Sets a workspace up before anyone opens Slack (the CLI's `workspace init`): its Slack team id, name and time
 * zone, chosen (a `settings_changed` event, so the zone is never a silent UTC), with any other settings given.
 * Refused for a team that already has a workspace: its settings are changed instead.
 */
export async function initWorkspace(
  ctx: LedgerContext,
  principal: Principal,
  input: z.input<typeof initSchema> & Omit<WorkspaceSettings, 'name' | 'timeZone'>,
): Promise<WorkspaceRow> {
  const { teamId: rawTeam, name, timeZone: zone, ...settings } = input;
  const data = parseInput(initSchema, { teamId: rawTeam, name, timeZone: zone });
  authorize(principal, 'updateSettings', data.teamId);
  return ctx.db.transaction(async (tx) => {
    const created = await tx
      .insert(workspaces)
      .values({ teamId: data.teamId, name: data.name, createdAt: ctx.clock.now() })
      .onConflictDoNothing()
      .returning({ teamId: workspaces.teamId });
    if (created.length === 0) {
      const existing = await loadWorkspace(tx, data.teamId);
      throw new LedgerError(
        'WORKSPACE_EXISTS',
        `Workspace ${existing.teamId} (${existing.name}) is already set up; change its settings in Slack (/invoice settings).`,
        [{ field: 'teamId', message: 'is already set up' }],
      );
    }
    return updateWorkspaceSettings({ ...ctx, db: tx }, data.teamId, principal, {
      ...settings,
      timeZone: data.timeZone,
    });
  });
}

/** Every workspace in the database, by name. */
export async function listWorkspaces(ctx: LedgerContext): Promise<WorkspaceRow[]> {
  return ctx.db.select().from(workspaces).orderBy(workspaces.name, workspaces.teamId);
}

/** What a workspace still has to choose before it runs as its people expect; empty once it is set up. */
export interface SetupGaps {
  /** Nobody has chosen the zone: it runs in whatever it was created with (UTC). */
  timeZone: boolean;
  financeChannel: boolean;
  /** Nobody is a finance admin yet (no person, no user group). */
  financeAdmins: boolean;
}

export async function setupGaps(ctx: LedgerContext, workspace: WorkspaceRow): Promise<SetupGaps> {
  return {
    timeZone: !(await timeZoneChosen(ctx.db, workspace.teamId)),
    financeChannel: workspace.financeChannel === null,
    financeAdmins: !hasAdmin(workspace),
  };
}

export function isSetUp(gaps: SetupGaps): boolean {
  return !gaps.timeZone && !gaps.financeChannel && !gaps.financeAdmins;
}

/**
 * Claims the workspace's first-minute setup message, once ever: true for the one call (on any replica) that
 * should send it, recorded as a `setup_started` event naming who it goes to. `to` is the person who installed
 * the app, or the first person to use it in a workspace that was never set up.
 */
export async function claimSetupMessage(ctx: LedgerContext, teamId: string, to: string): Promise<boolean> {
  return ctx.db.transaction(async (tx) => {
    const [claimed] = await tx
      .update(workspaces)
      .set({ setupStartedAt: ctx.clock.now() })
      .where(and(eq(workspaces.teamId, teamId), isNull(workspaces.setupStartedAt)))
      .returning({ teamId: workspaces.teamId });
    if (!claimed) return false;
    await appendEvent(tx, {
      teamId,
      kind: 'setup_started',
      actor: { type: 'system', id: 'setup' },
      at: ctx.clock.now(),
      details: { to },
    });
    return true;
  });
}

/** Whether nobody has ever saved the workspace's settings nor claimed its first admin seat. */
export async function neverConfigured(ctx: LedgerContext, teamId: string): Promise<boolean> {
  const [found] = await ctx.db
    .select({ id: events.id })
    .from(events)
    .where(and(eq(events.teamId, teamId), sql`${events.kind} in ('settings_changed', 'admin_claimed')`))
    .limit(1);
  return found === undefined;
}

/**
 * Closes the setup message's claim without sending it, for a workspace set up through settings before there was
 * one: no event (nothing was sent), only the mark that stops looking.
 */
export async function markSetupNotNeeded(ctx: LedgerContext, teamId: string): Promise<void> {
  await ctx.db
    .update(workspaces)
    .set({ setupStartedAt: ctx.clock.now() })
    .where(and(eq(workspaces.teamId, teamId), isNull(workspaces.setupStartedAt)));
}

/**
 * The first finance admin of a workspace: whoever claims it first, once. Only while the workspace has never had
 * a finance admin (none now, never claimed, never named by a save); recorded as an `admin_claimed` event, which
 * the append-only events table keeps for good. Anyone later is refused: an admin must add them.
 */
export async function claimFirstAdmin(ctx: LedgerContext, teamId: string, principal: Principal): Promise<WorkspaceRow> {
  authorize(principal, 'claimFirstAdmin', teamId);
  return ctx.db.transaction(async (tx) => {
    const current = await lockWorkspace(tx, teamId);
    if (await installedByOAuth(tx, teamId)) {
      throw new LedgerError(
        'FORBIDDEN',
        'In this workspace the person who installed the app is the first finance admin; ask them (or another finance admin) to add you in /invoice settings.',
      );
    }
    if (hasAdmin(current) || (await everHadAdmin(tx, teamId))) {
      throw new LedgerError(
        'FORBIDDEN',
        'This workspace’s finance admins are named in /invoice settings; ask one of them to add you.',
      );
    }
    const [row] = await tx
      .update(workspaces)
      .set({ financeAdmins: [principal.id], version: sql`${workspaces.version} + 1` })
      .where(eq(workspaces.teamId, teamId))
      .returning();
    if (!row) throw new Error('workspace update returned no row');
    await appendEvent(tx, {
      teamId,
      kind: 'admin_claimed',
      actor: actorOf(principal),
      at: ctx.clock.now(),
      details: { financeAdmins: [principal.id] },
    });
    return row;
  });
}

/**
 * Whether the workspace's first finance admin seat is still open (nobody has ever held it). Never in a workspace that
 * installed the app with "Add to Slack": its installer took the seat then, and nobody claims it by typing first.
 */
export async function firstAdminOpen(ctx: LedgerContext, workspace: WorkspaceRow): Promise<boolean> {
  if (hasAdmin(workspace) || (await everHadAdmin(ctx.db, workspace.teamId))) return false;
  return !(await installedByOAuth(ctx.db, workspace.teamId));
}

/** The workspace was installed through OAuth (the installable mode): its installer is its first finance admin. */
async function installedByOAuth(db: Transaction | LedgerContext['db'], teamId: string): Promise<boolean> {
  const [found] = await db
    .select({ teamId: slackInstallations.teamId })
    .from(slackInstallations)
    .where(eq(slackInstallations.teamId, teamId));
  return found !== undefined;
}

/**
 * Whether someone has ever chosen the workspace's time zone in settings (changed it, or saved the one it had).
 * Until then it is only the default a first contact gave it, and settings propose the person's own zone.
 */
export async function timeZoneChosen(db: Transaction | LedgerContext['db'], teamId: string): Promise<boolean> {
  const [found] = await db
    .select({ id: events.id })
    .from(events)
    .where(
      and(
        eq(events.teamId, teamId),
        sql`${events.kind} = 'settings_changed' and (${events.details}->'changes' ? 'timeZone' or ${events.details} ? 'timeZoneConfirmed')`,
      ),
    )
    .limit(1);
  return found !== undefined;
}

function hasAdmin(workspace: Pick<WorkspaceRow, 'financeAdmins' | 'financeAdminGroup'>): boolean {
  return workspace.financeAdmins.length > 0 || Boolean(workspace.financeAdminGroup);
}

/** A claim, or a save that named admins (a save never empties them, so such a save left one). */
export async function everHadAdmin(db: Transaction | LedgerContext['db'], teamId: string): Promise<boolean> {
  const [found] = await db
    .select({ id: events.id })
    .from(events)
    .where(
      and(
        eq(events.teamId, teamId),
        sql`(${events.kind} = 'admin_claimed' or (${events.kind} = 'settings_changed' and jsonb_exists_any(${events.details}->'changes', array['financeAdmins', 'financeAdminGroup'])))`,
      ),
    )
    .limit(1);
  return found !== undefined;
}

async function lockWorkspace(tx: Transaction, teamId: string): Promise<WorkspaceRow> {
  const [row] = await tx.select().from(workspaces).where(eq(workspaces.teamId, teamId)).for('update');
  if (!row) return loadWorkspace(tx, teamId);
  return row;
}

function changedSettings(current: WorkspaceRow, changes: Partial<WorkspaceRow>) {
  const changed = changedFields(current, changes);
  // Arrays compare by content: a save that repeats the same people changes nothing.
  for (const field of ['financeAdmins', 'workingDays'] as const) {
    const entry = changed[field];
    if (entry && JSON.stringify(entry.from) === JSON.stringify(entry.to)) delete changed[field];
  }
  return changed;
}
