import type { App } from '@slack/bolt';
import type { SlackDeps } from '../deps.js';
import type { Live } from '../live.js';
import { registerActions } from './actions.js';
import { registerCommands } from './commands.js';
import { registerCredit } from './credit.js';
import { registerEvents } from './events.js';
import { registerImportExport } from './io.js';
import { registerLedgerPush } from './ledger-push.js';
import { registerOptions } from './options.js';
import { registerRetainers } from './retainers.js';
import { registerSetup } from './setup.js';
import { registerViews } from './views.js';

export function registerListeners(
  app: App,
  deps: SlackDeps,
  live: Live,
  /** Whether first contact in a never-set-up workspace sends the setup message (the single-workspace mode). */
  options: { firstContactSetup: boolean } = { firstContactSetup: true },
): void {
  registerCommands(app, deps, live);
  registerActions(app, deps, live);
  registerViews(app, deps, live);
  registerImportExport(app, deps, live);
  registerEvents(app, deps, live);
  registerOptions(app, deps);
  registerLedgerPush(app, deps);
  registerRetainers(app, deps, live);
  registerCredit(app, deps, live);
  registerSetup(app, deps, live, { firstContact: options.firstContactSetup });
}
