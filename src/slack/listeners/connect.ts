// /invoice connect [xero|quickbooks [sync|resync|disconnect]]: the books' connection. Anyone may see its state; only finance admins
// connect, sync or disconnect. Every answer is private.
import type { WebClient } from '@slack/web-api';
import { ConnectError } from '../../books/connections.js';
import { PROVIDER_LABEL, type ProviderId, providerLabel } from '../../books/provider.js';
import type { WorkspaceRow } from '../../db/schema.js';
import { clientFor } from '../clients.js';
import type { ConnectRequest } from '../command.js';
import type { SlackDeps } from '../deps.js';
import {
  brokenMessage,
  connectionsStatusMessage,
  connectLinkMessage,
  disconnectedMessage,
  syncedMessage,
} from '../ui/connect.js';
import { withPushStatus } from '../ui/ledger-push.js';
import { deniedMessage, errorMessage } from '../ui/messages.js';
import type { SlackMessage } from '../ui/text.js';
import { openPushSetting } from './ledger-push.js';
import { groupMembers, principalOf, workspaceOf } from './shared.js';

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
    const now = deps.ledger.clock.now();
    const ledgers = await Promise.all(
      (['xero', 'quickbooks'] as const).map(async (provider) => ({
        provider,
        label: PROVIDER_LABEL[provider],
        connection: await books.connection(teamId, provider),
        unavailable: books.unavailable(provider),
        now,
      })),
    );
    const status = connectionsStatusMessage(ledgers);
    // The connected ledger (one at a time) also says how payments recorded here reach it.
    const connected = ledgers.find((l) => l.connection && l.connection.status !== 'disconnected' && !l.unavailable);
    await reply(
      connected
        ? withPushStatus(status, {
            label: connected.label,
            ...(await books.paymentPush(teamId, connected.provider)),
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
  const label = PROVIDER_LABEL[request.provider];
  const unavailable = books.unavailable(request.provider);
  if (unavailable) {
    await reply(errorMessage(`${label} cannot be connected here yet: ${unavailable}`));
    return;
  }
  switch (request.action) {
    case 'connect': {
      let url: string;
      try {
        url = await books.startConnect(teamId, principal, request.provider);
      } catch (error) {
        // Another ledger is connected: one at a time, and the words say how to change over.
        if (error instanceof ConnectError) {
          await reply(errorMessage(error.message));
          return;
        }
        throw error;
      }
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
        await reply(errorMessage(`Run \`/invoice connect ${request.provider} payments\` again to open the setting.`));
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
 * Tells the finance admins that the books stopped syncing and how to reconnect: in the finance channel when there
 * is one, else in the DM with the app of each finance admin (the people named, and the finance group's members).
 * Whether to tell is decided once in the database (books: claimBrokenTelling); this throws when no one could be
 * told, so the telling is tried again later.
 */
export async function tellBroken(deps: SlackDeps, teamId: string, provider: ProviderId, reason: string): Promise<void> {
  const workspace = await workspaceOf(deps, teamId);
  const label = providerLabel(provider);
  const message = brokenMessage({ label, provider, reason });
  // Not installed there: nobody can be told in Slack; the telling is tried again (throws) once it is.
  const client = await clientFor(deps.background, teamId);
  let to: string[] = workspace.financeChannel ? [workspace.financeChannel] : [...workspace.financeAdmins];
  if (!workspace.financeChannel && workspace.financeAdminGroup) {
    const members = await groupMembers(deps, client, teamId, workspace.financeAdminGroup).catch((error: unknown) => {
      deps.logger.warn(`Could not read the finance user group of ${teamId}:`, error);
      return [] as readonly string[];
    });
    to = [...new Set([...to, ...members])];
  }
  let told = 0;
  for (const channel of to) {
    try {
      await client.chat.postMessage({ channel, ...message });
      told += 1;
    } catch (error) {
      deps.logger.warn(`Could not tell ${channel} that ${label} is disconnected:`, error);
    }
  }
  if (to.length > 0 && told === 0) throw new Error(`no one could be told that ${label} is disconnected`);
}
