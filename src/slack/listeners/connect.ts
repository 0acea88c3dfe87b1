// /invoice connect [xero|quickbooks [sync|resync|disconnect]]: the books' connection. Anyone may see its state; only finance admins
// connect, sync or disconnect. Every answer is private.
import type { WebClient } from '@slack/web-api';
import { ConnectError } from '../../books/connections.js';
import { PROVIDER_LABEL } from '../../books/provider.js';
import type { WorkspaceRow } from '../../db/schema.js';
import type { ConnectRequest } from '../command.js';
import type { SlackDeps } from '../deps.js';
import {
  brokenMessage,
  connectionsStatusMessage,
  connectLinkMessage,
  disconnectedMessage,
  syncedMessage,
} from '../ui/connect.js';
import { deniedMessage, errorMessage } from '../ui/messages.js';
import type { SlackMessage } from '../ui/text.js';
import { principalOf, workspaceOf } from './shared.js';

export async function connectCommand(params: {
  deps: SlackDeps;
  client: WebClient;
  workspace: WorkspaceRow;
  userId: string;
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
        label: PROVIDER_LABEL[provider],
        connection: await books.connection(teamId, provider),
        unavailable: books.unavailable(provider),
        now,
      })),
    );
    await reply(connectionsStatusMessage(ledgers));
    return;
  }
  const principal = await principalOf(deps, params.client, workspace, params.userId);
  if (principal.role !== 'finance_admin') {
    const what = {
      connect: 'connect the books',
      disconnect: 'disconnect the books',
      sync: 'sync the books',
      resync: 'sync the books',
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
