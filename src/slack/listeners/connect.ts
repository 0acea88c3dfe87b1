// /invoice connect [xero [sync|disconnect]]: the books' connection. Anyone may see its state; only finance admins
// connect, sync or disconnect. Every answer is private.
import type { WebClient } from '@slack/web-api';
import type { WorkspaceRow } from '../../db/schema.js';
import type { ConnectRequest } from '../command.js';
import type { SlackDeps } from '../deps.js';
import {
  brokenMessage,
  connectionStatusMessage,
  connectLinkMessage,
  disconnectedMessage,
  syncedMessage,
} from '../ui/connect.js';
import { withPushStatus } from '../ui/ledger-push.js';
import { deniedMessage, errorMessage } from '../ui/messages.js';
import type { SlackMessage } from '../ui/text.js';
import { openPushSetting } from './ledger-push.js';
import { principalOf, workspaceOf } from './shared.js';

const LABEL = { xero: 'Xero' } as const;

export async function connectCommand(params: {
  deps: SlackDeps;
  client: WebClient;
  workspace: WorkspaceRow;
  userId: string;
  /** To open the payments setting's modal. */
  triggerId?: string;
  request: ConnectRequest;
  reply: (message: SlackMessage) => Promise<unknown>;
}): Promise<void> {
  const { deps, workspace, request, reply } = params;
  const books = deps.books;
  const teamId = workspace.teamId;
  if (!books) {
    await reply(errorMessage('Connecting the books is not running in this app.'));
    return;
  }
  if (request.action === 'status') {
    const connection = await books.connection(teamId, 'xero');
    const status = connectionStatusMessage({
      label: LABEL.xero,
      connection,
      unavailable: books.unavailable('xero'),
      now: deps.ledger.clock.now(),
    });
    const connected = connection && connection.status !== 'disconnected' && !books.unavailable('xero');
    await reply(
      connected
        ? withPushStatus(status, {
            label: LABEL.xero,
            ...(await books.paymentPush(teamId, 'xero')),
            timeZone: workspace.timeZone,
          })
        : status,
    );
    return;
  }
  const principal = await principalOf(deps, params.client, workspace, params.userId);
  if (principal.role !== 'finance_admin') {
    const what = {
      connect: 'connect the books',
      disconnect: 'disconnect the books',
      sync: 'sync the books',
      resync: 'sync the books',
      payments: 'change how payments reach the books',
    };
    await reply(deniedMessage(what[request.action]));
    return;
  }
  const label = LABEL[request.provider];
  const unavailable = books.unavailable(request.provider);
  if (unavailable) {
    await reply(errorMessage(`${label} cannot be connected here yet: ${unavailable}`));
    return;
  }
  switch (request.action) {
    case 'connect': {
      const url = await books.startConnect(teamId, principal, request.provider);
      await reply(connectLinkMessage({ label, url }));
      return;
    }
    case 'disconnect': {
      const result = await books.disconnect(teamId, principal, request.provider);
      await reply(disconnectedMessage({ label, ...result }));
      return;
    }
    case 'sync': {
      const outcome = await books.syncNow(teamId, request.provider);
      await reply(syncedMessage({ label, outcome }));
      return;
    }
    case 'resync': {
      const outcome = await books.resync(teamId, principal, request.provider);
      await reply(syncedMessage({ label, outcome }));
      return;
    }
    case 'payments': {
      if (!params.triggerId) {
        await reply(errorMessage('Run `/invoice connect xero payments` again to open the setting.'));
        return;
      }
      await openPushSetting({
        deps,
        client: params.client,
        workspace,
        principal,
        provider: request.provider,
        triggerId: params.triggerId,
      });
      return;
    }
  }
}

/**
 * Tells the finance admins, once (the connection breaks once until reconnected), that the books stopped syncing:
 * in the finance channel when there is one, else in each named admin's DM with the app.
 */
export async function tellBroken(deps: SlackDeps, teamId: string, label: string, reason: string): Promise<void> {
  const workspace = await workspaceOf(deps, teamId);
  const message = brokenMessage({ label, reason });
  const to = workspace.financeChannel ? [workspace.financeChannel] : workspace.financeAdmins;
  for (const channel of to) {
    await deps.background.chat.postMessage({ channel, ...message }).catch((error: unknown) => {
      deps.logger.warn(`Could not tell ${channel} that ${label} is disconnected:`, error);
    });
  }
}
