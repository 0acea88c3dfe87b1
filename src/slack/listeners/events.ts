// Events: the App Home is published when someone opens it, and they are remembered so it stays live.
import type { App } from '@slack/bolt';
import { rememberHomeViewer } from '../../db/queries/cards.js';
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
}
