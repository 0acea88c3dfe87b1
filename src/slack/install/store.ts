// Bolt's InstallationStore over the slack_installations table, and each workspace's bot token for every other caller
// (jobs, live cards, App Homes, DMs). Tokens are sealed at rest with SLACK_TOKEN_KEY. With token rotation on, a token
// is refreshed here, before it expires, by one replica at a time (a refresh token is single use): fetchInstallation
// hands Bolt a token that is good for hours, so Bolt's own last-minute refresh (per process) never has to run.
import type { Installation, InstallationQuery, InstallationStore, Logger } from '@slack/bolt';
import { WebClient, type WebClientOptions } from '@slack/web-api';
import { type TokenBox, tokenBox } from '../../books/crypto.js';
import type { SlackInstallationRow } from '../../db/schema.js';
import type { LedgerContext } from '../../services/context.js';
import {
  claimTokenRefresh,
  getInstallation,
  type InstallOutcome,
  recordInstallation,
  SLACK_PRINCIPAL,
  saveRotatedToken,
} from '../../services/installations.js';
import type { TokenSource } from '../clients.js';

/** A rotating token is refreshed when it has less than this left (Slack's last 12 h; Bolt's own window is 2 h). */
export const REFRESH_BEFORE_MS = 3 * 60 * 60 * 1000;
/** How long one replica holds the right to refresh a workspace's token. */
const REFRESH_LEASE_MS = 30_000;

export class OrgInstallRefusedError extends Error {
  readonly code = 'ORG_INSTALL_REFUSED';
  constructor() {
    super(
      'This app is installed one workspace at a time: an organisation-wide (Enterprise Grid) install is not supported. ' +
        'An Org Admin can add it to each workspace instead (Manage apps → the app → Add to workspaces), or a member ' +
        'can install it from within their workspace.',
    );
  }
}

export interface SlackInstallationStore extends InstallationStore, TokenSource {
  /** What the last storeInstallation recorded for a team (the success page and onInstalled read it). */
  lastOutcome(teamId: string): InstallOutcome | undefined;
}

export interface InstallationStoreOptions {
  ledger: LedgerContext;
  /** SLACK_TOKEN_KEY (base64, 32 bytes). */
  tokenKey: string;
  clientId: string;
  clientSecret: string;
  /** For the refresh exchange (tests point it at the fake Slack). */
  clientOptions?: WebClientOptions;
  logger: Pick<Logger, 'warn' | 'error'>;
}

/** Where each sealed value belongs: a token moved to another team or kind does not open. */
const place = (teamId: string, kind: 'bot' | 'refresh') => `slack:${teamId}:${kind}`;

export function createInstallationStore(options: InstallationStoreOptions): SlackInstallationStore {
  const { ledger, logger } = options;
  const box: TokenBox = tokenBox(options.tokenKey, { name: 'SLACK_TOKEN_KEY', what: 'Slack token' });
  const exchange = new WebClient(undefined, { ...options.clientOptions, retryConfig: { retries: 0 } });
  const outcomes = new Map<string, InstallOutcome>();
  // One refresh at a time per team in this process; the lease in the database covers the other replicas.
  const refreshing = new Map<string, Promise<string | null>>();

  async function refresh(row: SlackInstallationRow): Promise<string | null> {
    const claimed = await claimTokenRefresh(ledger, row.teamId, REFRESH_LEASE_MS);
    // Another replica is refreshing it: the current token still has hours left.
    if (!claimed?.botRefreshTokenEnc || !claimed.botTokenEnc) return current(row);
    try {
      const answer = await exchange.oauth.v2.access({
        client_id: options.clientId,
        client_secret: options.clientSecret,
        grant_type: 'refresh_token',
        refresh_token: box.open(claimed.botRefreshTokenEnc, place(row.teamId, 'refresh')),
      });
      const token = answer.access_token;
      const refreshToken = answer.refresh_token;
      if (!token || !refreshToken || typeof answer.expires_in !== 'number') {
        throw new Error('oauth.v2.access gave no access_token, refresh_token or expires_in');
      }
      await saveRotatedToken(ledger, row.teamId, {
        botTokenEnc: box.seal(token, place(row.teamId, 'bot')),
        botRefreshTokenEnc: box.seal(refreshToken, place(row.teamId, 'refresh')),
        botTokenExpiresAt: new Date(ledger.clock.now().getTime() + answer.expires_in * 1000),
      });
      return token;
    } catch (error) {
      logger.error(`Could not refresh the Slack token of ${row.teamId} (tried again at the next use):`, error);
      await saveRotatedToken(ledger, row.teamId, null).catch(() => undefined);
      return current(claimed);
    }
  }

  function current(row: SlackInstallationRow): string | null {
    return row.botTokenEnc ? box.open(row.botTokenEnc, place(row.teamId, 'bot')) : null;
  }

  async function tokenFor(teamId: string): Promise<string | null> {
    const row = await getInstallation(ledger, teamId);
    if (!row || row.uninstalledAt || !row.botTokenEnc) return null;
    const expiresAt = row.botTokenExpiresAt?.getTime();
    if (expiresAt === undefined || expiresAt - ledger.clock.now().getTime() > REFRESH_BEFORE_MS) return current(row);
    let running = refreshing.get(teamId);
    if (!running) {
      running = refresh(row).finally(() => refreshing.delete(teamId));
      refreshing.set(teamId, running);
    }
    return running;
  }

  return {
    tokenFor,
    lastOutcome: (teamId) => outcomes.get(teamId),

    async storeInstallation(installation) {
      if (installation.isEnterpriseInstall || !installation.team?.id) throw new OrgInstallRefusedError();
      const bot = installation.bot;
      if (!bot) throw new Error('The install gave no bot token: check the scopes asked for.');
      const teamId = installation.team.id;
      // Bolt stamps expiresAt by the wall clock; the ledger's clock decides when to refresh (tests move it).
      const expiresInMs = bot.expiresAt !== undefined ? bot.expiresAt * 1000 - Date.now() : undefined;
      const outcome = await recordInstallation(ledger, SLACK_PRINCIPAL, {
        teamId,
        ...(installation.team.name ? { teamName: installation.team.name } : {}),
        ...(installation.enterprise?.id ? { enterpriseId: installation.enterprise.id } : {}),
        ...(installation.appId ? { appId: installation.appId } : {}),
        botId: bot.id,
        botUserId: bot.userId,
        botTokenEnc: box.seal(bot.token, place(teamId, 'bot')),
        botScopes: bot.scopes,
        ...(bot.refreshToken && expiresInMs !== undefined
          ? {
              botRefreshTokenEnc: box.seal(bot.refreshToken, place(teamId, 'refresh')),
              botTokenExpiresAt: new Date(ledger.clock.now().getTime() + expiresInMs),
            }
          : {}),
        installerUserId: installation.user.id,
      });
      outcomes.set(teamId, outcome);
    },

    async fetchInstallation(query: InstallationQuery<boolean>): Promise<Installation<'v2', false>> {
      if (query.isEnterpriseInstall || !query.teamId) throw new OrgInstallRefusedError();
      const token = await tokenFor(query.teamId);
      const row = token ? await getInstallation(ledger, query.teamId) : undefined;
      if (!token || !row) throw new Error(`The app is not installed in ${query.teamId}.`);
      // No refreshToken for Bolt: the refresh is done above, once across replicas.
      return {
        team: { id: row.teamId, ...(row.teamName ? { name: row.teamName } : {}) },
        enterprise: row.enterpriseId ? { id: row.enterpriseId } : undefined,
        user: { id: row.installerUserId, token: undefined, scopes: undefined },
        bot: { token, scopes: row.botScopes, id: row.botId, userId: row.botUserId },
        ...(row.appId ? { appId: row.appId } : {}),
        tokenType: 'bot',
        isEnterpriseInstall: false,
        authVersion: 'v2',
      };
    },
  };
}
