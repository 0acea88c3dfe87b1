// The app's installation in each workspace (the installable mode): installing, a token's rotation, uninstalling, and
// erasing a workspace's data on request or once it has stayed uninstalled for RETENTION_DAYS. Tokens arrive here
// already sealed (src/slack/install/store.ts seals them with SLACK_TOKEN_KEY): this layer never sees one in the clear.
import { and, eq, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { events, type SlackInstallationRow, slackInstallations, workspaces } from '../db/schema.js';
import type { LedgerContext } from './context.js';
import { LedgerError } from './errors.js';
import { actorOf, authorize, type Principal } from './policy.js';
import { everHadAdmin } from './workspaces.js';
import { appendEvent, parseInput } from './write.js';

/** How long a workspace's data stays after the app is uninstalled there (a reinstall within it resumes as it was). */
export const RETENTION_DAYS = 30;

/** Who records what Slack told us (an OAuth exchange, an uninstall event): the app itself, named in the events. */
export const SLACK_PRINCIPAL: Principal = { type: 'system', id: 'slack', role: 'operator' };

const slackId = (what: string, pattern: RegExp) => z.string().regex(pattern, `must be a Slack ${what} id`);

const installSchema = z.object({
  teamId: slackId('team', /^T[A-Z0-9]{2,}$/),
  teamName: z.string().trim().max(200).optional(),
  enterpriseId: slackId('enterprise', /^E[A-Z0-9]{2,}$/).optional(),
  appId: z.string().max(64).optional(),
  botId: slackId('bot', /^B[A-Z0-9]{2,}$/),
  botUserId: slackId('user', /^[UW][A-Z0-9]{2,}$/),
  botTokenEnc: z.string().min(1),
  botScopes: z.array(z.string().max(100)).max(200),
  botRefreshTokenEnc: z.string().min(1).optional(),
  botTokenExpiresAt: z.date().optional(),
  installerUserId: slackId('user', /^[UW][A-Z0-9]{2,}$/),
});

export type InstallInput = z.input<typeof installSchema>;

export interface InstallOutcome {
  installation: SlackInstallationRow;
  /** The workspace was installed before (and uninstalled, or installed again over itself). */
  reinstalled: boolean;
  /** The installer became the workspace's first finance admin (it never had one). */
  firstAdmin: boolean;
}

/**
 * Records an install (or a reinstall): the workspace (made on first install, named as Slack names it), its
 * installation with the sealed tokens, an `app_installed` event, and — when the workspace has never had a finance
 * admin — the installer as the first one, an `admin_claimed` event by the installer. All in one transaction.
 */
export async function recordInstallation(
  ctx: LedgerContext,
  principal: Principal,
  input: InstallInput,
): Promise<InstallOutcome> {
  const data = parseInput(installSchema, input);
  authorize(principal, 'manageInstallation', data.teamId);
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    await tx
      .insert(workspaces)
      .values({ teamId: data.teamId, name: data.teamName || data.teamId, createdAt: now })
      .onConflictDoNothing();
    const [workspace] = await tx.select().from(workspaces).where(eq(workspaces.teamId, data.teamId)).for('update');
    if (!workspace) throw new Error('workspace insert left no row');
    const [previous] = await tx.select().from(slackInstallations).where(eq(slackInstallations.teamId, data.teamId));
    const values = {
      enterpriseId: data.enterpriseId ?? null,
      teamName: data.teamName ?? null,
      appId: data.appId ?? null,
      botId: data.botId,
      botUserId: data.botUserId,
      botTokenEnc: data.botTokenEnc,
      botScopes: data.botScopes,
      botRefreshTokenEnc: data.botRefreshTokenEnc ?? null,
      botTokenExpiresAt: data.botTokenExpiresAt ?? null,
      refreshingUntil: null,
      installerUserId: data.installerUserId,
      installedAt: now,
      uninstalledAt: null,
      uninstallReason: null,
    };
    const [installation] = await tx
      .insert(slackInstallations)
      .values({ teamId: data.teamId, ...values })
      .onConflictDoUpdate({ target: slackInstallations.teamId, set: values })
      .returning();
    if (!installation) throw new Error('installation upsert returned no row');
    await appendEvent(tx, {
      teamId: data.teamId,
      kind: 'app_installed',
      actor: actorOf(principal),
      at: now,
      details: {
        installer: data.installerUserId,
        scopes: data.botScopes,
        tokenRotation: data.botRefreshTokenEnc !== undefined,
        ...(previous ? { reinstall: true } : {}),
      },
    });
    const firstAdmin =
      workspace.financeAdmins.length === 0 && !workspace.financeAdminGroup && !(await everHadAdmin(tx, data.teamId));
    if (firstAdmin) {
      await tx
        .update(workspaces)
        .set({ financeAdmins: [data.installerUserId], version: sql`${workspaces.version} + 1` })
        .where(eq(workspaces.teamId, data.teamId));
      // The installer's own act: Slack's OAuth exchange vouched for who they are.
      await appendEvent(tx, {
        teamId: data.teamId,
        kind: 'admin_claimed',
        actor: { type: 'user', id: data.installerUserId },
        at: now,
        details: { financeAdmins: [data.installerUserId], by: 'install' },
      });
    }
    return { installation, reinstalled: previous !== undefined, firstAdmin };
  });
}

/** The workspace's installation, whatever its state; undefined when it was never installed (or was erased). */
export async function getInstallation(ctx: LedgerContext, teamId: string): Promise<SlackInstallationRow | undefined> {
  const [row] = await ctx.db.select().from(slackInstallations).where(eq(slackInstallations.teamId, teamId));
  return row;
}

/**
 * Slack says the app is gone from the workspace (`app_uninstalled`) or its bot token was revoked (`tokens_revoked`):
 * the tokens are forgotten at once, so nothing more is posted there, and an `app_uninstalled` event records it. Its
 * data stays RETENTION_DAYS. A repeat (Slack sends both events, and retries) changes nothing. Returns whether it did.
 */
export async function recordUninstall(
  ctx: LedgerContext,
  principal: Principal,
  teamId: string,
  reason: 'app_uninstalled' | 'tokens_revoked',
): Promise<boolean> {
  authorize(principal, 'manageInstallation', teamId);
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .update(slackInstallations)
      .set({
        uninstalledAt: now,
        uninstallReason: reason,
        botTokenEnc: null,
        botRefreshTokenEnc: null,
        botTokenExpiresAt: null,
        refreshingUntil: null,
      })
      .where(and(eq(slackInstallations.teamId, teamId), isNull(slackInstallations.uninstalledAt)))
      .returning({ teamId: slackInstallations.teamId });
    if (!row) return false;
    await appendEvent(tx, {
      teamId,
      kind: 'app_uninstalled',
      actor: actorOf(principal),
      at: now,
      details: { reason, dataKeptUntil: new Date(now.getTime() + RETENTION_DAYS * 86_400_000).toISOString() },
    });
    return true;
  });
}

/**
 * Takes the lease to refresh a workspace's rotating token (for `leaseMs`), when nobody else holds it: one replica
 * spends the single-use refresh token. Returns the row as it is now when the lease is ours, undefined otherwise.
 */
export async function claimTokenRefresh(
  ctx: LedgerContext,
  teamId: string,
  leaseMs: number,
): Promise<SlackInstallationRow | undefined> {
  const now = ctx.clock.now();
  const [row] = await ctx.db
    .update(slackInstallations)
    .set({ refreshingUntil: new Date(now.getTime() + leaseMs) })
    .where(
      and(
        eq(slackInstallations.teamId, teamId),
        isNull(slackInstallations.uninstalledAt),
        isNotNull(slackInstallations.botRefreshTokenEnc),
        or(isNull(slackInstallations.refreshingUntil), lt(slackInstallations.refreshingUntil, now)),
      ),
    )
    .returning();
  return row;
}

/**
 * Saves a rotated token pair and lets go of the lease. No event: a rotation every few hours changes nothing anyone
 * did. A workspace uninstalled meanwhile keeps its tokens forgotten.
 */
export async function saveRotatedToken(
  ctx: LedgerContext,
  teamId: string,
  tokens: { botTokenEnc: string; botRefreshTokenEnc: string; botTokenExpiresAt: Date } | null,
): Promise<void> {
  await ctx.db
    .update(slackInstallations)
    .set({ ...(tokens ?? {}), refreshingUntil: null })
    .where(and(eq(slackInstallations.teamId, teamId), isNull(slackInstallations.uninstalledAt)));
}

/**
 * Every table that holds a workspace's rows, children before their parents: erasing deletes from each in this
 * order. A new table with a team_id must be added here (test/services/installations.test.ts checks that none is
 * missing).
 */
export const WORKSPACE_TABLES = [
  'ledger_pushes',
  'ledger_links',
  'ledger_pending_grants',
  'ledger_auth_states',
  'ledger_push_settings',
  'ledger_connections',
  'client_links',
  'webhook_endpoints',
  'deliveries',
  'home_viewers',
  'posted_messages',
  'idempotency_keys',
  'events',
  'refunds',
  'account_credits',
  'credit_notes',
  'payments',
  'retainer_runs',
  'invoices',
  'retainers',
  'clients',
  // kept by triggers on invoices and workspaces: after the invoices, whose deletion touches them
  'invoice_totals',
  'workspace_plan_requests',
  'workspace_plans',
  'exchange_rates',
  'slack_installations',
  'workspaces',
] as const;

/**
 * Deletes every row of one workspace, in every table, in one transaction: the operator's answer to a deletion
 * request (npm run cli -- workspace delete --team T…), and what happens by itself RETENTION_DAYS after an uninstall.
 * Refused while the app is installed there (it would start again at the next message). Returns the rows deleted per
 * table. The append-only events give way to this transaction only, and only for this team (see migration 0015).
 */
export async function eraseWorkspace(
  ctx: LedgerContext,
  principal: Principal,
  teamId: string,
): Promise<Record<string, number>> {
  authorize(principal, 'eraseWorkspace', teamId);
  return ctx.db.transaction(async (tx) => {
    const [installed] = await tx
      .select({ teamId: slackInstallations.teamId })
      .from(slackInstallations)
      .where(and(eq(slackInstallations.teamId, teamId), isNull(slackInstallations.uninstalledAt)))
      .for('update');
    if (installed) {
      throw new LedgerError(
        'STILL_INSTALLED',
        `The app is still installed in ${teamId}: uninstall it there first (Slack → Settings → Manage apps), then delete its data.`,
      );
    }
    const [workspace] = await tx
      .select({ teamId: workspaces.teamId })
      .from(workspaces)
      .where(eq(workspaces.teamId, teamId));
    const [anyEvent] = await tx.select({ id: events.id }).from(events).where(eq(events.teamId, teamId)).limit(1);
    if (!workspace && !anyEvent) {
      throw new LedgerError('WORKSPACE_NOT_FOUND', `No data of ${teamId} is kept here: there is nothing to delete.`);
    }
    await tx.execute(sql`select set_config('receivables.erase_team', ${teamId}, true)`);
    const deleted: Record<string, number> = {};
    for (const table of WORKSPACE_TABLES) {
      const rows = await tx.execute(sql`delete from ${sql.identifier(table)} where team_id = ${teamId} returning 1`);
      deleted[table] = countOf(rows);
    }
    await tx.execute(sql`select set_config('receivables.erase_team', '', true)`);
    return deleted;
  });
}

/** Erases each workspace uninstalled more than RETENTION_DAYS ago; returns the teams erased. */
export async function eraseExpiredWorkspaces(ctx: LedgerContext): Promise<string[]> {
  const cutoff = new Date(ctx.clock.now().getTime() - RETENTION_DAYS * 86_400_000);
  const due = await ctx.db
    .select({ teamId: slackInstallations.teamId })
    .from(slackInstallations)
    .where(lt(slackInstallations.uninstalledAt, cutoff));
  const erased: string[] = [];
  for (const { teamId } of due) {
    await eraseWorkspace(ctx, SLACK_PRINCIPAL, teamId);
    erased.push(teamId);
  }
  return erased;
}

function countOf(result: unknown): number {
  if (Array.isArray(result)) return result.length;
  const r = result as { rows?: unknown[]; affectedRows?: number; count?: number };
  return r.rows?.length ?? r.affectedRows ?? r.count ?? 0;
}
