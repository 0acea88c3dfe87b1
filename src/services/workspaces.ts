// Workspace settings: time zone, finance channel, alert and digest schedule, who may handle money.
import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { type WorkspaceRow, workspaces } from '../db/schema.js';
import { isValidTimeZone } from '../domain/dates.js';
import type { LedgerContext } from './context.js';
import { LedgerError } from './errors.js';
import { requiredText } from './schemas.js';
import { loadWorkspace, parseInput } from './write.js';

const clock = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'must be a time like 09:00 (24-hour)');
const timeZone = z
  .string()
  .trim()
  .refine(isValidTimeZone, { message: 'must be an IANA time zone like America/New_York or Europe/London' });

const ensureSchema = z.object({
  teamId: z
    .string()
    .trim()
    .regex(/^[TE][A-Z0-9]{2,}$/, 'must be a Slack team id like T0123ABCD'),
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
  })
  .partial();

export type WorkspaceSettings = z.input<typeof settingsSchema>;

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

export async function updateWorkspaceSettings(
  ctx: LedgerContext,
  teamId: string,
  input: WorkspaceSettings & { expectedVersion?: number },
): Promise<WorkspaceRow> {
  const { expectedVersion, ...rest } = input;
  const changes = parseInput(settingsSchema, rest);
  const current = await loadWorkspace(ctx.db, teamId);
  if (expectedVersion !== undefined && expectedVersion !== current.version) {
    throw new LedgerError(
      'CONFLICT',
      'The settings were changed by someone else meanwhile; reopen them and try again.',
    );
  }
  const [row] = await ctx.db
    .update(workspaces)
    .set({ ...changes, version: sql`${workspaces.version} + 1` })
    .where(
      expectedVersion === undefined
        ? eq(workspaces.teamId, teamId)
        : sql`${workspaces.teamId} = ${teamId} and ${workspaces.version} = ${expectedVersion}`,
    )
    .returning();
  if (!row) throw new LedgerError('CONFLICT', 'The settings were changed by someone else meanwhile; try again.');
  return row;
}

/** Whether this Slack user may record payments, void and change settings. Deny by default. */
export function mayHandleMoney(workspace: WorkspaceRow, userId: string, userGroups: readonly string[] = []): boolean {
  if (workspace.financeAdmins.includes(userId)) return true;
  return workspace.financeAdminGroup !== null && userGroups.includes(workspace.financeAdminGroup);
}
