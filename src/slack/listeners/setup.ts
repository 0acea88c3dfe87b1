// The first minute of a workspace. startWorkspaceSetup sends the setup message to one person's DM, once per
// workspace ever (the claim is a row update, so replicas and restarts never repeat it): after an OAuth install it
// goes to the installer; in the single-workspace mode to the first person who uses the app (a command, a button,
// the App Home) in a workspace that was never set up. Each choice in it is saved through the settings service as it
// is made, by a finance admin — or by the person who claims the first admin seat, as /invoice settings lets them —
// and the message is redrawn with what is still to choose. The App Home's "Finish setup" opens the settings.
import type { AllMiddlewareArgs, App, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { WorkspaceRow } from '../../db/schema.js';
import { searchZones } from '../../domain/zones.js';
import { isLedgerError } from '../../services/errors.js';
import type { Principal } from '../../services/policy.js';
import {
  claimFirstAdmin,
  claimSetupMessage,
  firstAdminOpen,
  getWorkspace,
  isSetUp,
  markSetupNotNeeded,
  neverConfigured,
  setupGaps,
  updateWorkspaceSettings,
  type WorkspaceSettings,
} from '../../services/workspaces.js';
import type { SlackDeps } from '../deps.js';
import type { Live } from '../live.js';
import { errorMessage } from '../ui/messages.js';
import { type Membership, SETUP, setupDenied, setupMessage } from '../ui/setup.js';
import { channelLink, esc, literal, type Mrkdwn, md } from '../ui/text.js';
import { openSettings, profileZone } from './commands.js';
import { explain, isForeignUser, principalOf, workspaceOf } from './shared.js';

type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/** Where the bot stands in a channel, from conversations.info; unknown when Slack will not say. */
async function membershipIn(client: WebClient, channel: string | null): Promise<Membership> {
  if (!channel) return 'unknown';
  try {
    const info = await client.conversations.info({ channel });
    if (info.channel?.is_member) return 'member';
    return info.channel?.is_private ? 'private' : 'public';
  } catch {
    return 'unknown';
  }
}

/** The setup message as it stands now for this person (their profile's zone proposed while none is chosen). */
async function renderSetup(
  deps: SlackDeps,
  client: WebClient,
  workspace: WorkspaceRow,
  userId: string,
  notice?: Mrkdwn,
) {
  const gaps = await setupGaps(deps.ledger, workspace);
  return setupMessage({
    workspace,
    gaps,
    now: deps.ledger.clock.now(),
    proposedZone: gaps.timeZone ? await profileZone(client, userId) : undefined,
    membership: await membershipIn(client, workspace.financeChannel),
    notice,
  });
}

/**
 * Sends the first-minute setup message to `userId`'s DM with the app, once per workspace ever; true when this
 * call sent it. Nothing is sent for a workspace that is already set up (a reinstall), or when another replica or
 * an earlier call claimed it. For the OAuth install (call it with the installer, after recording them as the first
 * finance admin) and for first contact in the single-workspace mode.
 */
export async function startWorkspaceSetup(
  deps: SlackDeps,
  teamId: string,
  userId: string,
  given?: WebClient,
): Promise<boolean> {
  // The workspace's own client: never another workspace's token; none where the app is not installed.
  const client = given ?? (await deps.background.forTeam(teamId));
  if (!client) return false;
  const workspace = await workspaceOf(deps, teamId);
  if (isSetUp(await setupGaps(deps.ledger, workspace))) return false;
  if (!(await claimSetupMessage(deps.ledger, teamId, userId))) return false;
  try {
    const message = await renderSetup(deps, client, workspace, userId);
    await client.chat.postMessage({ channel: userId, text: message.text, blocks: message.blocks });
  } catch (error) {
    // Claimed but not delivered: the App Home still says what is not set, with its "Finish setup".
    deps.logger.error(`Could not send the setup message to ${userId} in ${teamId}:`, error);
  }
  return true;
}

/** What counts as using the app: a command, a button, a form, a shortcut, opening the App Home. */
function isUse(body: Record<string, unknown>): boolean {
  if (typeof body.command === 'string') return true;
  if (body.type === 'event_callback') return (body.event as { type?: string } | undefined)?.type === 'app_home_opened';
  return ['block_actions', 'view_submission', 'shortcut', 'message_action'].includes(String(body.type));
}

export function registerSetup(app: App, deps: SlackDeps, live: Live, options: { firstContact: boolean }): void {
  if (options.firstContact) {
    // After the listener, so the person's own answer never waits on this; counted by the app's in-flight tally.
    app.use(async ({ body, context, client, next }) => {
      await next();
      const raw = body as unknown as Record<string, unknown>;
      const userId = context.userId ?? (raw.event as { user?: string } | undefined)?.user;
      const teamId = context.teamId;
      if (!teamId || !userId || !isUse(raw) || isForeignUser(raw as { team?: { id?: string } })) return;
      try {
        await firstContact(deps, teamId, userId, client);
      } catch (error) {
        deps.logger.warn('Could not check whether the workspace needs setting up:', error);
      }
    });
  }

  app.options(SETUP.zone, async ({ options: query, ack }) => {
    const found = searchZones(query.value ?? '', deps.ledger.clock.now(), 100);
    await ack({
      options: found.map((z) => ({ text: { type: 'plain_text', text: z.label.slice(0, 75) }, value: z.id })),
    });
  });

  const on = (
    actionId: string,
    choose: (
      action: BlockAction['actions'][number],
      s: { workspace: WorkspaceRow; client: WebClient },
    ) => Promise<{ change?: WorkspaceSettings; notice?: (ws: WorkspaceRow) => Mrkdwn }>,
  ) => {
    app.action<BlockAction>({ action_id: actionId }, async (args) => {
      await args.ack();
      const { body, client } = args;
      const tell = (message: { text: Mrkdwn; blocks?: unknown[] }) =>
        args.respond({ response_type: 'ephemeral', replace_original: false, ...(message as { text: string }) });
      try {
        if (isForeignUser(body)) return;
        const teamId = body.team?.id ?? body.user.team_id ?? '';
        let workspace = await workspaceOf(deps, teamId, body.team?.domain);
        const principal = await allowed(deps, client, workspace, body.user.id);
        if (!principal) {
          await tell(setupDenied(await getWorkspace(deps.ledger, teamId)));
          return;
        }
        const action = body.actions[0];
        if (!action) return;
        let notice: Mrkdwn | undefined;
        try {
          const chosen = await choose(action, { workspace, client });
          if (chosen.change) {
            workspace = await updateWorkspaceSettings(deps.ledger, teamId, principal, chosen.change);
          }
          notice = chosen.notice?.(workspace);
        } catch (error) {
          if (!isLedgerError(error)) throw error;
          notice = md`⚠️ Not saved: ${esc(error.issues[0]?.message ?? error.message)}.`;
        }
        workspace = await getWorkspace(deps.ledger, teamId);
        const message = await renderSetup(deps, client, workspace, body.user.id, notice);
        const channel = body.channel?.id ?? body.container?.channel_id;
        const ts = body.message?.ts ?? body.container?.message_ts;
        if (channel && ts) {
          await client.chat.update({ channel, ts, text: message.text, blocks: message.blocks });
        }
        await live.refreshHomes(teamId);
      } catch (error) {
        await tell(errorMessage(explain(deps, error, 'saving that choice'))).catch((e) => deps.logger.error(e));
      }
    });
  };

  on(SETUP.channel, async (action) => {
    const channel = action.type === 'conversations_select' ? action.selected_conversation : undefined;
    if (!channel) return {};
    return { change: { financeChannel: channel }, notice: (ws) => md`✅ Saved: alerts go to ${chan(ws)}.` };
  });
  on(SETUP.join, async (action, { client }) => {
    const channel = action.type === 'button' ? (action.value ?? '') : '';
    try {
      await client.conversations.join({ channel });
      return { notice: () => md`✅ I joined ${channelLink(channel) ?? literal('the channel')}.` };
    } catch (error) {
      const code = (error as { data?: { error?: string } }).data?.error ?? 'error';
      deps.logger.warn(`Could not join ${channel}: ${code}`);
      return {
        notice: () =>
          md`⚠️ I could not join ${channelLink(channel) ?? literal('the channel')} (${esc(code)}): invite me with \`/invite @Receivables\` there.`,
      };
    }
  });
  const zoneChosen = (zone: string | undefined) => {
    if (!zone) return {};
    return {
      change: { timeZone: zone },
      notice: (ws: WorkspaceRow) => md`✅ Saved: the time zone is ${esc(ws.timeZone)}.`,
    };
  };
  on(SETUP.useZone, async (action) => zoneChosen(action.type === 'button' ? action.value : undefined));
  on(SETUP.zone, async (action) =>
    zoneChosen(action.type === 'external_select' ? action.selected_option?.value : undefined),
  );
  on(SETUP.alertTime, async (action) => {
    const time = action.type === 'timepicker' ? action.selected_time : undefined;
    if (!time) return {};
    return { change: { alertTime: time }, notice: (ws) => md`✅ Saved: daily alerts at ${esc(ws.alertTime)}.` };
  });
  on(SETUP.workingDays, async (action) => {
    const days = action.type === 'checkboxes' ? action.selected_options.map((o) => Number(o.value)) : [];
    return { change: { workingDays: days }, notice: () => literal('✅ Saved: the working days.') };
  });
  on(SETUP.admins, async (action) => {
    const users = action.type === 'multi_users_select' ? action.selected_users : [];
    return { change: { financeAdmins: users }, notice: () => literal('✅ Saved: the finance admins.') };
  });

  // The App Home's "Finish setup": the settings, as the Settings button opens them (the first seat claimed there).
  app.action<BlockAction>({ action_id: SETUP.homeFinish }, async (args: ActionArgs) => {
    await args.ack();
    const { body, client } = args;
    const tell = async (message: { text: Mrkdwn; blocks?: unknown[] }) => {
      await client.chat.postMessage({ channel: body.user.id, ...(message as { text: string }) });
    };
    try {
      if (isForeignUser(body)) return;
      const workspace = await workspaceOf(deps, body.team?.id ?? body.user.team_id ?? '', body.team?.domain);
      await openSettings(deps, client, workspace, body.user.id, body.trigger_id, tell);
    } catch (error) {
      await tell(errorMessage(explain(deps, error, 'opening the settings'))).catch((e) => deps.logger.error(e));
    }
  });
}

function chan(ws: WorkspaceRow): Mrkdwn {
  return channelLink(ws.financeChannel) ?? literal('no channel');
}

/**
 * The principal who may save a choice: a finance admin, or the first person to act in a workspace that never had
 * one (who claims the seat, once, as in /invoice settings). Undefined for anyone else.
 */
async function allowed(
  deps: SlackDeps,
  client: WebClient,
  workspace: WorkspaceRow,
  userId: string,
): Promise<Principal | undefined> {
  let current = workspace;
  if (await firstAdminOpen(deps.ledger, current)) {
    try {
      current = await claimFirstAdmin(deps.ledger, workspace.teamId, await principalOf(deps, client, current, userId));
    } catch (error) {
      if (!isLedgerError(error, 'FORBIDDEN')) throw error;
      return undefined;
    }
  }
  const principal = await principalOf(deps, client, current, userId);
  return principal.role === 'finance_admin' ? principal : undefined;
}

/**
 * First contact in the single-workspace mode: a workspace whose setup was never started and whose settings were
 * never saved gets the setup message, sent to this person. One read of the workspace's row per request after that.
 */
async function firstContact(deps: SlackDeps, teamId: string, userId: string, client: WebClient): Promise<void> {
  const workspace = await getWorkspace(deps.ledger, teamId).catch(() => undefined);
  if (!workspace || workspace.setupStartedAt) return;
  if (!(await neverConfigured(deps.ledger, teamId))) {
    // Set up through settings before this existed: nothing to send, and nothing to look at again.
    await markSetupNotNeeded(deps.ledger, teamId);
    return;
  }
  await startWorkspaceSetup(deps, teamId, userId, client);
}
