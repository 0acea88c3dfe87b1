// The hook run after each successful install (and reinstall) in the installable mode, once the installation is stored
// and the installer made the first finance admin. The first-minute setup DM (issue 13, "The first minute") starts
// from here: it is given the workspace's own client, the installer, and the Slack layer's deps.
import type { WebClient } from '@slack/web-api';
import type { SlackDeps } from '../deps.js';

export type InstalledHook = (
  deps: SlackDeps,
  teamId: string,
  installerUserId: string,
  client: WebClient,
) => Promise<void>;

/** Nothing yet beyond the log line: the setup DM plugs in here. */
export const onInstalled: InstalledHook = async (deps, teamId, installerUserId) => {
  deps.logger.info(`Installed in ${teamId} by ${installerUserId}.`);
};
