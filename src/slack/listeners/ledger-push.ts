// /invoice connect xero|quickbooks payments: the modal that turns posting payments to the ledger on or off (finance admins,
// decided by the books' service), its submission, and the one message when the ledger refuses a payment for good.
import type { AllMiddlewareArgs, App, SlackViewAction, SlackViewMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { ConnectError } from '../../books/connections.js';
import type { PushFailure } from '../../books/index.js';
import { isProviderError, type ProviderId } from '../../books/provider.js';
import type { WorkspaceRow } from '../../db/schema.js';
import { isLedgerError } from '../../services/errors.js';
import type { Principal } from '../../services/policy.js';
import type { SlackDeps } from '../deps.js';
import { plain, section } from '../ui/blocks.js';
import { FIELD, VIEW } from '../ui/ids.js';
import {
  PUSH_FIELDS,
  pushBlockedModal,
  pushFailedMessage,
  pushLoadingModal,
  pushSavedMessage,
  pushSettingModal,
  readPushForm,
} from '../ui/ledger-push.js';
import { fieldErrors } from '../ui/modals/index.js';
import { explain, isForeignUser, principalOf, workspaceOf } from './shared.js';

const LABEL: Readonly<Record<string, string>> = { xero: 'Xero', quickbooks: 'QuickBooks' };

/** Opens the setting: "Reading the accounts…" at once (the trigger lasts 3 s), then the form, or why not. */
export async function openPushSetting(params: {
  deps: SlackDeps;
  client: WebClient;
  workspace: WorkspaceRow;
  principal: Principal;
  provider: ProviderId;
  triggerId: string;
}): Promise<void> {
  const { deps, client, workspace, principal, provider } = params;
  const books = deps.books;
  const label = LABEL[provider] ?? provider;
  const opened = await client.views.open({ trigger_id: params.triggerId, view: pushLoadingModal(label) });
  const viewId = opened.view?.id;
  let view: ReturnType<typeof pushSettingModal>;
  try {
    if (!books) throw new Error('the books are not running');
    const accounts = await books.paymentAccounts(workspace.teamId, principal, provider);
    const state = await books.paymentPush(workspace.teamId, provider);
    view = pushSettingModal({ label, provider, accounts, setting: state.setting, on: state.on });
  } catch (error) {
    if (isProviderError(error, 'UNAUTHORIZED') && books) {
      const grant = await books.startConnect(workspace.teamId, principal, provider, { withPayments: true });
      view = pushBlockedModal(label, error.message, grant);
    } else if (error instanceof ConnectError) {
      view = pushBlockedModal(label, error.message);
    } else if (isProviderError(error)) {
      view = pushBlockedModal(label, `${label} could not be reached: ${error.message} Try again in a minute.`);
    } else {
      view = pushBlockedModal(label, explain(deps, error, `reading the accounts from ${label}`));
    }
  }
  if (viewId) await client.views.update({ view_id: viewId, view });
}

type ViewArgs = SlackViewMiddlewareArgs<SlackViewAction> & AllMiddlewareArgs;

export function registerLedgerPush(app: App, deps: SlackDeps): void {
  app.view<SlackViewAction>(VIEW.ledgerPush, async (args: ViewArgs) => {
    const { body, view, ack } = args;
    const refuse = (message: string) =>
      ack({ response_action: 'errors', errors: { [FIELD.pushEnabled]: message.slice(0, 2000) } });
    if (isForeignUser(body)) return refuse('Only members of this workspace can do this.');
    const books = deps.books;
    if (!books) return refuse('Connecting the books is not running in this app.');
    let provider: ProviderId = 'xero';
    try {
      const meta = JSON.parse(view.private_metadata || '{}') as { provider?: unknown };
      if (meta.provider !== 'xero' && meta.provider !== 'quickbooks') {
        return refuse('This form is not for a ledger this app connects to.');
      }
      provider = meta.provider;
    } catch {
      return refuse('This form is not for a ledger this app connects to.');
    }
    const label = LABEL[provider] ?? provider;
    try {
      const teamId = body.team?.id ?? body.user.team_id ?? '';
      const workspace = await workspaceOf(deps, teamId, body.team?.domain);
      const principal = await principalOf(deps, args.client, workspace, body.user.id);
      const form = readPushForm(view.state.values);
      const saved = await books.savePaymentPush(workspace.teamId, principal, provider, form);
      const done = pushSavedMessage(label, saved);
      await ack({
        response_action: 'update',
        view: {
          type: 'modal',
          callback_id: VIEW.ledgerPush,
          title: plain(`Payments to ${label}`, 24),
          close: plain('Close', 24),
          blocks: [section(done.text)],
        },
      });
    } catch (error) {
      if (isLedgerError(error) && error.issues.length > 0) {
        await ack({ response_action: 'errors', errors: fieldErrors(error.issues, PUSH_FIELDS, FIELD.pushEnabled) });
        return;
      }
      const message = isProviderError(error)
        ? `${label} could not be reached: ${error.message} Nothing was changed; try again in a minute.`
        : error instanceof ConnectError
          ? error.message
          : explain(deps, error, 'saving that setting');
      await refuse(message);
    }
  });
}

/**
 * Tells the finance admins, once (a push fails once), that the ledger refused a payment recorded here: in the
 * finance channel when there is one, else in each named admin's DM with the app.
 */
export async function tellPushFailed(deps: SlackDeps, failure: PushFailure): Promise<void> {
  const workspace = await workspaceOf(deps, failure.teamId);
  const message = pushFailedMessage(failure);
  const to = workspace.financeChannel ? [workspace.financeChannel] : workspace.financeAdmins;
  const client = await deps.background.forTeam(failure.teamId);
  if (!client) return;
  for (const channel of to) {
    await client.chat.postMessage({ channel, ...message }).catch((error: unknown) => {
      deps.logger.warn(`Could not tell ${channel} that ${failure.label} refused a payment:`, error);
    });
  }
}
