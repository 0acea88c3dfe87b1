// The installable mode's OAuth v2, by Bolt's own installer on the app's HTTP receiver: /slack/install sets the state
// cookie and sends the person to Slack (the state signed with SLACK_STATE_SECRET), /slack/oauth_redirect checks the
// state against the cookie, exchanges the code (oauth.v2.access) and stores the installation (store.ts). We add the
// words: an org-wide install refused (its token revoked at once), the success page, a failure said plainly, and the
// hook run after each install. The pages themselves are the web layer's, given in by the HTTP composition (src/http.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HTTPReceiverOptions, Installation, Logger } from '@slack/bolt';
import { WebClient, type WebClientOptions } from '@slack/web-api';
import type { InstallSettings } from '../../config.js';
import type { LedgerContext } from '../../services/context.js';
import { BOT_SCOPES } from './scopes.js';
import { createInstallationStore, OrgInstallRefusedError, type SlackInstallationStore } from './store.js';

/** Run after each successful install (and reinstall), once the page has answered: its failure is only logged. */
export type OnInstalled = (teamId: string, installerUserId: string) => Promise<void>;

/** Bolt's installer answers on these paths. */
export const INSTALL_PATH = '/slack/install';
export const REDIRECT_PATH = '/slack/oauth_redirect';

/** How the end of an install is answered: the pages (src/web/install-pages.ts), given in by src/http.ts. */
export interface InstallPages {
  installed(res: ServerResponse, params: { teamName: string; teamId: string; appId?: string | undefined }): void;
  /** Nothing was installed: why, in words, with the status to answer. */
  failed(res: ServerResponse, status: number, reason: string): void;
}

export interface InstallWiring {
  store: SlackInstallationStore;
  /** What Bolt's HTTPReceiver is given to run the install and redirect paths. */
  receiverOptions: Pick<
    HTTPReceiverOptions,
    'clientId' | 'clientSecret' | 'stateSecret' | 'scopes' | 'installationStore' | 'redirectUri' | 'installerOptions'
  >;
}

export function installWiring(options: {
  settings: InstallSettings;
  ledger: LedgerContext;
  clientOptions: WebClientOptions;
  /** PUBLIC_URL: the redirect URL is built on it; without it Slack uses the one the app's settings name. */
  publicUrl?: string | undefined;
  logger: () => Logger;
  installed: OnInstalled;
  pages: InstallPages;
}): InstallWiring {
  const { settings, clientOptions, pages } = options;
  const log = {
    warn: (...args: unknown[]) => options.logger().warn(...args),
    error: (...args: unknown[]) => options.logger().error(...args),
  };
  const store = createInstallationStore({
    ledger: options.ledger,
    tokenKey: settings.tokenKey,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    clientOptions,
    logger: log,
  });

  const afterInstallation = async (
    installation: Installation,
    _options: unknown,
    _req: IncomingMessage,
    res: ServerResponse,
  ): Promise<boolean> => {
    if (!installation.isEnterpriseInstall) return true;
    // Refused: the token Slack just gave is given back at once, so nothing holds it.
    const token = installation.bot?.token;
    if (token) {
      await new WebClient(token, clientOptions).auth
        .revoke()
        .catch((error: unknown) => log.warn('Could not revoke the refused org-wide install’s token:', error));
    }
    pages.failed(res, 400, new OrgInstallRefusedError().message);
    return false;
  };

  const successAsync = async (
    installation: Installation,
    _options: unknown,
    _req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> => {
    const teamId = installation.team?.id ?? '';
    pages.installed(res, { teamName: installation.team?.name || teamId, teamId, appId: installation.appId });
    await options
      .installed(teamId, installation.user.id)
      .catch((error: unknown) => log.error(`After installing in ${teamId}:`, error));
  };

  const failureAsync = async (
    error: Error & { code?: string },
    _options: unknown,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> => {
    const cancelled = new URL(req.url ?? '/', 'http://x').searchParams.get('error') === 'access_denied';
    const reason =
      error instanceof OrgInstallRefusedError
        ? error.message
        : cancelled
          ? 'The install was cancelled in Slack, so nothing was installed.'
          : error.code === 'slack_oauth_invalid_state' || error.code === 'slack_oauth_missing_state'
            ? 'This install link has expired, was already used, or was started in another browser, so nothing was installed. Start again from this browser.'
            : 'Slack did not complete the install, so nothing was installed. Start again in a minute.';
    if (!cancelled && !(error instanceof OrgInstallRefusedError)) log.warn(`An install failed: ${error.message}`);
    pages.failed(res, error.code === 'slack_oauth_unknown_error' && !cancelled ? 500 : 400, reason);
  };

  return {
    store,
    receiverOptions: {
      clientId: settings.clientId,
      clientSecret: settings.clientSecret,
      stateSecret: settings.stateSecret,
      scopes: [...BOT_SCOPES],
      installationStore: store,
      ...(options.publicUrl ? { redirectUri: `${options.publicUrl}${REDIRECT_PATH}` } : {}),
      installerOptions: {
        installPath: INSTALL_PATH,
        redirectUriPath: REDIRECT_PATH,
        // Straight to Slack's consent screen: our own page at / carries the "Add to Slack" button.
        directInstall: true,
        stateVerification: true,
        clientOptions,
        callbackOptions: { afterInstallation, successAsync, failureAsync },
      },
    },
  };
}
