// What the books' OAuth callbacks (src/books/callback.ts) need from Slack: who the person coming back is (the same
// principal the services are given, so the role is checked again), and the words in their DM once connected.
import type { Connected } from '../books/connections.js';
import type { Books } from '../books/index.js';
import { providerLabel } from '../books/provider.js';
import type { Principal } from '../services/policy.js';
import { getWorkspace } from '../services/workspaces.js';
import { clientFor } from './clients.js';
import type { SlackDeps } from './deps.js';
import { principalOf } from './principal.js';
import { connectedMessage } from './ui/connect.js';

export function ledgerCallbackHooks(
  deps: () => SlackDeps,
  books: Books,
): { whoIs(teamId: string, userId: string): Promise<Principal>; connected(c: Connected): Promise<void> } {
  return {
    whoIs: async (teamId, userId) => {
      const d = deps();
      return principalOf(d, await clientFor(d.background, teamId), await getWorkspace(d.ledger, teamId), userId);
    },
    // The person hears of it in their DM with the app; the first sync starts at once.
    connected: async (c) => {
      const d = deps();
      const label = providerLabel(c.provider);
      void books
        .syncNow(c.teamId, c.provider)
        .catch((error) => d.logger.error(`The first ${label} sync failed:`, error));
      const client = await d.background.forTeam(c.teamId);
      await client?.chat.postMessage({ channel: c.userId, ...connectedMessage({ label, ...c }) });
    },
  };
}
