// /invoice share <client> [new|revoke]: the client's private status link, for finance admins only.
import type { WebClient } from '@slack/web-api';
import type { WorkspaceRow } from '../../db/schema.js';
import { findClient } from '../../services/clients.js';
import { liveClientLink, revokeClientLink, shareClient } from '../../services/sharing.js';
import type { SlackDeps } from '../deps.js';
import { deniedMessage } from '../ui/messages.js';
import { linkExistsMessage, linkRevokedMessage, linkSharedMessage } from '../ui/share.js';
import type { SlackMessage } from '../ui/text.js';
import { principalOf } from './shared.js';

export async function shareCommand(params: {
  deps: SlackDeps;
  client: WebClient;
  workspace: WorkspaceRow;
  userId: string;
  /** The Slack request's own key: a replayed command makes no second link. */
  requestKey: string;
  clientRef: string;
  action: 'share' | 'new' | 'revoke';
  reply: (message: SlackMessage) => Promise<unknown>;
  notFound: () => Promise<void>;
}): Promise<void> {
  const { deps, workspace, reply } = params;
  const principal = await principalOf(deps, params.client, workspace, params.userId);
  // Early, so a member learns nothing about the client's link; shareClient and revokeClientLink refuse too.
  if (principal.role !== 'finance_admin') {
    await reply(deniedMessage('share a client’s status page'));
    return;
  }
  const teamId = workspace.teamId;
  const found = await findClient(deps.ledger, teamId, params.clientRef);
  if (!found) return params.notFound();
  if (params.action === 'revoke') {
    const { client, revoked } = await revokeClientLink(deps.ledger, teamId, principal, { client: found.id });
    await reply(linkRevokedMessage({ clientName: client.name, revoked }));
    return;
  }
  if (params.action === 'share') {
    const live = await liveClientLink(deps.ledger, teamId, found.id);
    if (live) {
      await reply(linkExistsMessage({ clientName: found.name, link: live, timeZone: workspace.timeZone }));
      return;
    }
  }
  const shared = await shareClient(
    deps.ledger,
    teamId,
    principal,
    { client: found.id },
    { idempotencyKey: params.requestKey },
  );
  const base = deps.publicUrl?.() ?? 'http://localhost:3000';
  await reply(
    linkSharedMessage({
      clientName: shared.client.name,
      url: `${base}/c/${shared.token}`,
      replaced: shared.replaced,
      timeZone: workspace.timeZone,
    }),
  );
}
