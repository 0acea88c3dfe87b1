// The hook run after each successful install (and reinstall) in the installable mode, once the installation is stored
// and the installer made the first finance admin. The first-minute setup DM (issue 13, "The first minute") starts
// from here: it is given the workspace's own client, the installer, and the Slack layer's deps.
import type { WebClient } from '@slack/web-api';
import type { SlackDeps } from '../deps.js';
import { startWorkspaceSetup } from '../listeners/setup.js';

export type InstalledHook = (
  deps: SlackDeps,
  teamId: string,
  installerUserId: string,
  client: WebClient,
) => Promise<void>;

/**
 * The installer gets the first-minute setup message (src/slack/listeners/setup.ts) with the workspace's own client:
 * once per workspace ever, and never for a reinstall into a workspace already set up.
 */
export const onInstalled: InstalledHook = async (deps, teamId, installerUserId, client) => {
  deps.logger.info(`Installed in ${teamId} by ${installerUserId}.`);
  await startWorkspaceSetup(deps, teamId, installerUserId, client);
};
