// Events: the App Home is published when someone opens it, and they are remembered so it stays live. Being
// uninstalled, or losing the bot token, stops every post to that workspace at once (its installation forgets the token).
import type { App } from '@slack/bolt';
import { rememberHomeViewer } from '../../db/cards.js';
import { recordUninstall, SLACK_PRINCIPAL } from '../../services/installations.js';
import type { SlackDeps } from '../deps.js';
import type { Live } from '../live.js';
import { workspaceOf } from './shared.js';

export function registerEvents(app: App, deps: SlackDeps, live: Live): void {
  app.event('app_home_opened', async ({ event, body, client, logger }) => {
    if (event.tab !== 'home') return;
    const teamId = (body as { team_id?: string }).team_id ?? '';
    try {
      await workspaceOf(deps, teamId);
      await rememberHomeViewer(deps.ledger.db, teamId, event.user, deps.ledger.clock.now());
      await live.publishHome(teamId, event.user, client);
    } catch (error) {
      logger.error('Could not publish the App Home:', error);
    }
  });

  // Bolt runs these without authorizing them (the token is already gone). The single-workspace mode has no
  // installation to forget: the service changes nothing there.
  const uninstalled = async (teamId: string, reason: 'app_uninstalled' | 'tokens_revoked') => {
    if (!teamId) return;
    if (await recordUninstall(deps.ledger, SLACK_PRINCIPAL, teamId, reason)) {
      deps.logger.info(`${reason} in ${teamId}: nothing more is posted there; its data is kept as stated.`);
    }
  };
  app.event('app_uninstalled', async ({ body }) => {
    await uninstalled((body as { team_id?: string }).team_id ?? '', 'app_uninstalled');
  });
  app.event('tokens_revoked', async ({ event, body }) => {
    // Only the bot's token matters: the app holds no user tokens.
    if ((event.tokens.bot ?? []).length === 0) return;
    await uninstalled((body as { team_id?: string }).team_id ?? '', 'tokens_revoked');
  });
}
