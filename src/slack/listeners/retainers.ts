// /invoice recurring: the retainers listed (anyone), set up through a form, paused, resumed and ended (finance admins,
// decided by the retainers' service). Buttons on the list do the same as the typed subcommands.
import type {
  AllMiddlewareArgs,
  App,
  BlockAction,
  SlackActionMiddlewareArgs,
  SlackViewAction,
  SlackViewMiddlewareArgs,
} from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { WorkspaceRow } from '../../db/schema.js';
import { todayIn } from '../../domain/dates.js';
import { isLedgerError, LedgerError } from '../../services/errors.js';
import { may } from '../../services/policy.js';
import {
  createRetainer,
  editRetainer,
  endRetainer,
  getRetainer,
  listRetainers,
  pauseRetainer,
  type RetainerView,
  resumeRetainer,
} from '../../services/retainers.js';
import type { RecurringRequest } from '../command.js';
import type { SlackDeps } from '../deps.js';
import type { Live } from '../live.js';
import { deniedMessage, errorMessage } from '../ui/messages.js';
import { fieldErrors } from '../ui/modals/index.js';
import {
  RETAINER_EDIT_FIELDS,
  RETAINER_EDIT_VIEW,
  type RetainerEditMetadata,
  retainerEditedMessage,
  retainerEditModal,
} from '../ui/retainer-edit.js';
import {
  RETAINER_ACTION,
  RETAINER_FIELD,
  RETAINER_FIELDS,
  RETAINER_VIEW,
  type RetainerModalMetadata,
  readRetainerForm,
  retainerChangedMessage,
  retainerModal,
  retainersMessage,
} from '../ui/retainers.js';
import type { SlackMessage } from '../ui/text.js';
import { explain, isForeignUser, newKey, principalOf, workspaceOf } from './shared.js';

const DENIED = 'set up, edit, pause, resume or end retainers';

const CHANGE = {
  pause: { run: pauseRetainer, said: 'paused' },
  resume: { run: resumeRetainer, said: 'resumed' },
  end: { run: endRetainer, said: 'ended' },
} as const;

export async function recurringCommand(params: {
  deps: SlackDeps;
  /** The App Homes show the retainers: redrawn after a change. */
  live?: Live;
  client: WebClient;
  workspace: WorkspaceRow;
  userId: string;
  triggerId: string;
  channelId: string;
  request: RecurringRequest;
  reply: (message: SlackMessage) => Promise<unknown>;
}): Promise<void> {
  const { deps, client, workspace, request, reply } = params;
  const teamId = workspace.teamId;
  const principal = await principalOf(deps, client, workspace, params.userId);
  const canManage = may(principal, 'manageRetainers', teamId);
  switch (request.action) {
    case 'list': {
      const retainers = await listRetainers(deps.ledger, teamId, { includeEnded: request.all }, workspace);
      await reply(retainersMessage({ retainers, canManage }));
      return;
    }
    case 'new':
      // Early, so a member is not shown a form they cannot submit; the service refuses too.
      if (!canManage) return void (await reply(deniedMessage(DENIED)));
      await openRetainerModal(deps, client, workspace, params.userId, params.triggerId, params.channelId);
      return;
    case 'edit':
      if (!canManage) return void (await reply(deniedMessage(DENIED)));
      try {
        await openRetainerEditModal(deps, client, teamId, request.id, params.triggerId);
      } catch (error) {
        await reply(errorMessage(explain(deps, error, 'opening that retainer')));
      }
      return;
    default: {
      const change = CHANGE[request.action];
      try {
        const changed = await change.run(deps.ledger, teamId, principal, { retainer: request.id });
        await reply(retainerChangedMessage(changed, change.said));
        await redrawHomes(deps, params.live, teamId);
      } catch (error) {
        if (isLedgerError(error, 'FORBIDDEN')) return void (await reply(deniedMessage(DENIED)));
        await reply(errorMessage(explain(deps, error, `changing that retainer`)));
      }
    }
  }
}

async function openRetainerModal(
  deps: SlackDeps,
  client: WebClient,
  workspace: WorkspaceRow,
  userId: string,
  triggerId: string,
  channelId: string | undefined,
): Promise<void> {
  const metadata: RetainerModalMetadata = { key: newKey(), ...(channelId ? { channelId } : {}) };
  await client.views.open({
    trigger_id: triggerId,
    view: retainerModal({
      metadata,
      today: todayIn(workspace.timeZone, deps.ledger.clock.now()),
      ownerUserId: userId,
      defaultCurrency: 'USD',
    }),
  });
}

/** The edit form, prefilled from the retainer as it is now (a retainer that ended is refused with words). */
async function openRetainerEditModal(
  deps: SlackDeps,
  client: WebClient,
  teamId: string,
  ref: string,
  triggerId: string,
): Promise<void> {
  const retainer = await getRetainer(deps.ledger, teamId, ref);
  if (retainer.status === 'ended') {
    throw new LedgerError('RETAINER_STATE', 'That retainer has ended; set up a new one with `/invoice recurring new`.');
  }
  const metadata: RetainerEditMetadata = { key: newKey(), retainerId: retainer.id, version: retainer.version };
  await client.views.open({ trigger_id: triggerId, view: retainerEditModal({ retainer, metadata }) });
}

/** The App Home lists the retainers: after a change, every recent viewer's home is redrawn. */
async function redrawHomes(deps: SlackDeps, live: Live | undefined, teamId: string): Promise<void> {
  try {
    await live?.refreshHomes(teamId);
  } catch (error) {
    // The change is made and the person told; a home not redrawn now is on the next refresh.
    deps.logger.warn('After a retainer changed, refreshing the App Homes failed:', error);
  }
}

type ViewArgs = SlackViewMiddlewareArgs<SlackViewAction> & AllMiddlewareArgs;
type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

export function registerRetainers(app: App, deps: SlackDeps, live?: Live): void {
  app.view<SlackViewAction>(RETAINER_VIEW, async (args: ViewArgs) => {
    const { body, view, ack } = args;
    const refuse = (message: string, block: string = RETAINER_FIELD.client) =>
      ack({ response_action: 'errors', errors: { [block]: message.slice(0, 2000) } });
    if (isForeignUser(body)) return refuse('Only members of this workspace can do this.');
    let metadata: Partial<RetainerModalMetadata> = {};
    try {
      metadata = JSON.parse(view.private_metadata || '{}') as Partial<RetainerModalMetadata>;
    } catch {
      // A form we did not make: its view id keys the submission (Slack submits a view once).
    }
    const key = typeof metadata.key === 'string' ? metadata.key : `view:${view.id}`;
    let created: RetainerView;
    let replayed: boolean;
    try {
      const teamId = body.team?.id ?? body.user.team_id ?? '';
      const workspace = await workspaceOf(deps, teamId, body.team?.domain);
      const principal = await principalOf(deps, args.client, workspace, body.user.id);
      const form = readRetainerForm(view.state.values);
      if (!form.clientId) return refuse('Pick the client the invoices are for.');
      ({ result: created, replayed } = await createRetainer(
        deps.ledger,
        teamId,
        principal,
        {
          clientId: form.clientId,
          amount: form.amount,
          currency: form.currency,
          terms: form.terms,
          description: form.description ?? null,
          ownerUserId: form.ownerUserId ?? null,
          cadence: form.cadence as 'monthly',
          dayOfMonth: form.dayOfMonth,
          startDate: form.startDate,
          endDate: form.endDate ?? null,
          maxCount: form.maxCount ?? null,
          createAs: form.createAs as 'draft',
          ...(form.numberPrefix ? { numberPrefix: form.numberPrefix } : {}),
        },
        { idempotencyKey: `retainer:${key}` },
      ));
    } catch (error) {
      if (isLedgerError(error) && error.issues.length > 0) {
        await ack({ response_action: 'errors', errors: fieldErrors(error.issues, RETAINER_FIELDS) });
        return;
      }
      await refuse(explain(deps, error, 'setting up that retainer'));
      return;
    }
    await ack();
    if (replayed) return;
    // The answer goes to the person's DM with the app, where it stays.
    await args.client.chat
      .postMessage({ channel: body.user.id, ...(retainerChangedMessage(created, 'created') as { text: string }) })
      .catch((error: unknown) => deps.logger.warn('Could not tell the person their retainer is set up:', error));
    await redrawHomes(deps, live, body.team?.id ?? body.user.team_id ?? '');
  });

  app.view<SlackViewAction>(RETAINER_EDIT_VIEW, async (args: ViewArgs) => {
    const { body, view, ack } = args;
    const refuse = (message: string) =>
      ack({ response_action: 'errors', errors: { [RETAINER_FIELD.amount]: message.slice(0, 2000) } });
    if (isForeignUser(body)) return refuse('Only members of this workspace can do this.');
    let metadata: Partial<RetainerEditMetadata> = {};
    try {
      metadata = JSON.parse(view.private_metadata || '{}') as Partial<RetainerEditMetadata>;
    } catch {
      // Not a form we made: refused below, as it names no retainer.
    }
    if (typeof metadata.retainerId !== 'string') return refuse('This form names no retainer; open it again.');
    const key = typeof metadata.key === 'string' ? metadata.key : `view:${view.id}`;
    let written: Awaited<ReturnType<typeof editRetainer>>;
    try {
      const teamId = body.team?.id ?? body.user.team_id ?? '';
      const workspace = await workspaceOf(deps, teamId, body.team?.domain);
      const principal = await principalOf(deps, args.client, workspace, body.user.id);
      const form = readRetainerForm(view.state.values);
      written = await editRetainer(
        deps.ledger,
        teamId,
        principal,
        {
          retainer: metadata.retainerId,
          ...(typeof metadata.version === 'number' ? { expectedVersion: metadata.version } : {}),
          amount: form.amount,
          currency: form.currency,
          terms: form.terms,
          description: form.description ?? null,
          ownerUserId: form.ownerUserId ?? null,
          cadence: form.cadence as 'monthly',
          dayOfMonth: form.dayOfMonth,
          endDate: form.endDate ?? null,
          maxCount: form.maxCount ?? null,
          createAs: form.createAs as 'draft',
        },
        { idempotencyKey: `retainer-edit:${key}` },
      );
    } catch (error) {
      if (isLedgerError(error) && error.issues.length > 0) {
        await ack({ response_action: 'errors', errors: fieldErrors(error.issues, RETAINER_EDIT_FIELDS) });
        return;
      }
      await refuse(explain(deps, error, 'editing that retainer'));
      return;
    }
    await ack();
    if (written.replayed) return;
    // The answer goes to the person's DM with the app, where it stays.
    await args.client.chat
      .postMessage({ channel: body.user.id, ...(retainerEditedMessage(written.result) as { text: string }) })
      .catch((error: unknown) => deps.logger.warn('Could not tell the person their retainer is edited:', error));
    await redrawHomes(deps, live, body.team?.id ?? body.user.team_id ?? '');
  });

  const onAction = (actionId: string, handle: (args: ActionArgs, ctx: ActionCtx) => Promise<SlackMessage | null>) => {
    app.action<BlockAction>(actionId, async (args: ActionArgs) => {
      await args.ack();
      const { body } = args;
      const tell = (message: SlackMessage, replace: boolean) =>
        body.response_url
          ? args.respond({ response_type: 'ephemeral', replace_original: replace, ...(message as { text: string }) })
          : args.client.chat.postMessage({ channel: body.user.id, ...(message as { text: string }) });
      try {
        if (isForeignUser(body)) {
          await tell(
            errorMessage('This belongs to another organisation’s workspace: only its members can act on it.'),
            false,
          );
          return;
        }
        const teamId = body.team?.id ?? body.user.team_id ?? '';
        const workspace = await workspaceOf(deps, teamId, body.team?.domain);
        const principal = await principalOf(deps, args.client, workspace, body.user.id);
        const action = body.actions[0];
        const value = action?.type === 'button' ? (action.value ?? '') : '';
        const answer = await handle(args, { workspace, principal, value });
        if (answer) await tell(answer, true);
      } catch (error) {
        const message = isLedgerError(error, 'FORBIDDEN')
          ? deniedMessage(DENIED)
          : errorMessage(explain(deps, error, 'changing that retainer'));
        await tell(message, false);
      }
    });
  };

  onAction(RETAINER_ACTION.create, async (args, { workspace, principal }) => {
    if (!may(principal, 'manageRetainers', workspace.teamId)) return deniedMessage(DENIED);
    await openRetainerModal(
      deps,
      args.client,
      workspace,
      args.body.user.id,
      args.body.trigger_id,
      args.body.channel?.id ?? args.body.container?.channel_id,
    );
    return null;
  });

  onAction(RETAINER_ACTION.edit, async (args, { workspace, principal, value }) => {
    if (!may(principal, 'manageRetainers', workspace.teamId)) return deniedMessage(DENIED);
    await openRetainerEditModal(deps, args.client, workspace.teamId, value, args.body.trigger_id);
    return null;
  });

  for (const action of ['pause', 'resume', 'end'] as const) {
    onAction(RETAINER_ACTION[action], async (_args, { workspace, principal, value }) => {
      const change = CHANGE[action];
      const changed = await change.run(deps.ledger, workspace.teamId, principal, { retainer: value });
      await redrawHomes(deps, live, workspace.teamId);
      // The list again, as it now stands, under what was done.
      const retainers = await listRetainers(deps.ledger, workspace.teamId, {}, workspace);
      const list = retainersMessage({ retainers, canManage: true });
      const done = retainerChangedMessage(changed, change.said);
      return { text: done.text, blocks: [...(done.blocks ?? []), ...(list.blocks ?? [])] };
    });
  }
}

interface ActionCtx {
  workspace: WorkspaceRow;
  principal: Awaited<ReturnType<typeof principalOf>>;
  value: string;
}
