// /invoice webhooks [add <url> [replay] | remove <id>]: the ledger's webhook endpoints, for finance admins only.
// From Slack they can be managed while the bot runs, which the CLI cannot do on the embedded database.
import type { WebClient } from '@slack/web-api';
import type { WorkspaceRow } from '../../db/schema.js';
import { isLedgerError } from '../../services/errors.js';
import { addWebhookEndpoint, removeWebhookEndpoint } from '../../services/webhooks.js';
import { FAILING_PENDING_CAP, listWebhookEndpoints } from '../../webhooks/endpoints.js';
import type { WebhooksRequest } from '../command.js';
import type { SlackDeps } from '../deps.js';
import type { Live } from '../live.js';
import { deniedMessage } from '../ui/messages.js';
import type { SlackMessage } from '../ui/text.js';
import {
  webhookAddedMessage,
  webhookAmbiguousMessage,
  webhookListMessage,
  webhookNotFoundMessage,
  webhookRemovedMessage,
  webhookUrlRefusedMessage,
} from '../ui/webhooks.js';
import { principalOf } from './shared.js';

/** An id as `/invoice webhooks` shows it, or its first 8 or more characters. */
const ID_PREFIX = /^[0-9a-f-]{8,36}$/;

export async function webhooksCommand(params: {
  deps: SlackDeps;
  live: Live;
  client: WebClient;
  workspace: WorkspaceRow;
  userId: string;
  /** The Slack request's own key: a replayed `add` adds nothing. */
  requestKey: string;
  request: WebhooksRequest;
  reply: (message: SlackMessage) => Promise<unknown>;
}): Promise<void> {
  const { deps, workspace, request, reply } = params;
  const principal = await principalOf(deps, params.client, workspace, params.userId);
  // Listing is for finance admins too (it shows delivery errors); adding and removing are refused by the service.
  if (principal.role !== 'finance_admin') {
    await reply(deniedMessage('manage the ledger webhooks'));
    return;
  }
  const teamId = workspace.teamId;

  if (request.action === 'list') {
    // Counted up to a cap, as on the App Home: a long backlog costs no more than that.
    const endpoints = await listWebhookEndpoints(deps.ledger.db, teamId, { pendingCap: FAILING_PENDING_CAP });
    await reply(webhookListMessage({ endpoints, now: deps.ledger.clock.now(), timeZone: workspace.timeZone }));
    return;
  }

  if (request.action === 'add') {
    let added: Awaited<ReturnType<typeof addWebhookEndpoint>>;
    try {
      added = await addWebhookEndpoint(
        deps.ledger,
        teamId,
        principal,
        { url: request.url, replay: request.replay },
        { idempotencyKey: params.requestKey },
      );
    } catch (error) {
      const issue = isLedgerError(error, 'VALIDATION') ? error.issues.find((i) => i.field === 'url') : undefined;
      if (!issue) throw error;
      await reply(webhookUrlRefusedMessage(issue.message));
      return;
    }
    await reply(webhookAddedMessage({ added, replay: request.replay }));
    await refreshHomes(params);
    return;
  }

  const ref = request.id.toLowerCase();
  if (!ID_PREFIX.test(ref)) {
    await reply(webhookNotFoundMessage(request.id, 'malformed'));
    return;
  }
  // Only the ids and addresses are wanted here: count no pending events.
  const endpoints = await listWebhookEndpoints(deps.ledger.db, teamId, { pendingCap: 0 });
  const matches = endpoints.filter((e) => e.id.toLowerCase().startsWith(ref));
  const [only] = matches;
  if (matches.length > 1) {
    await reply(webhookAmbiguousMessage(request.id, matches));
    return;
  }
  if (!only || !(await removeWebhookEndpoint(deps.ledger.db, teamId, principal, only.id))) {
    await reply(webhookNotFoundMessage(request.id, 'none'));
    return;
  }
  await reply(webhookRemovedMessage({ id: only.id, url: only.url }));
  await refreshHomes(params);
}

/** The App Home warns of a failing endpoint: after a change, every recent viewer's home is redrawn. */
async function refreshHomes(params: { deps: SlackDeps; live: Live; workspace: WorkspaceRow }): Promise<void> {
  try {
    await params.live.refreshHomes(params.workspace.teamId);
  } catch (error) {
    // The change is made and the person told; a home that is not redrawn now is on the next refresh.
    params.deps.logger.warn('After a ledger webhook changed, refreshing the App Homes failed:', error);
  }
}
