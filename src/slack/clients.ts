// Which token each Web API call uses: the workspace's own, always. A SlackClients gives the client of one workspace,
// or null when the app is not installed there (now): whoever posts for a workspace asks for its client first, and a
// null means "post nothing there". Single-workspace mode has one token; installable mode reads each workspace's
// installation (src/slack/install/store.ts) on every ask, so an uninstall stops every replica's posting at once.
import { WebClient, type WebClientOptions } from '@slack/web-api';

export interface SlackClients {
  /** The Web API client carrying this workspace's bot token; null when the app is not installed there. */
  forTeam(teamId: string): Promise<WebClient | null>;
}

/** Where a workspace's bot token comes from: null when there is none (not installed, uninstalled, revoked). */
export interface TokenSource {
  tokenFor(teamId: string): Promise<string | null>;
}

/** The single-workspace mode's source: SLACK_BOT_TOKEN, for the one workspace the app runs in. */
export function singleToken(token: string): TokenSource {
  return { tokenFor: async () => token };
}

/**
 * Clients with the given options (timeouts, retries) over a token source. One WebClient per token, kept while the
 * token is current: a rotated or reinstalled token gets a fresh client, and the old one is dropped.
 */
export function slackClients(source: TokenSource, options: WebClientOptions): SlackClients {
  const byTeam = new Map<string, { token: string; client: WebClient }>();
  return {
    async forTeam(teamId) {
      const token = await source.tokenFor(teamId);
      if (!token) {
        byTeam.delete(teamId);
        return null;
      }
      const cached = byTeam.get(teamId);
      if (cached?.token === token) return cached.client;
      const client = new WebClient(token, options);
      byTeam.set(teamId, { token, client });
      return client;
    },
  };
}

/** Thrown where a workspace's client was needed but the app is not installed there: nothing was sent. */
export class NotInstalledError extends Error {
  readonly code = 'SLACK_NOT_INSTALLED';
  constructor(readonly teamId: string) {
    super(`The app is not installed in ${teamId} (uninstalled or its tokens revoked): nothing is sent there.`);
  }
}

/** The workspace's client, or NotInstalledError: for paths that cannot go on without one. */
export async function clientFor(clients: SlackClients, teamId: string): Promise<WebClient> {
  const client = await clients.forTeam(teamId);
  if (!client) throw new NotInstalledError(teamId);
  return client;
}
