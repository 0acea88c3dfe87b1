// /invoice rates [currency CODE | CODE RATE [YYYY-MM-DD]]: the reporting currency and the exchange rates into it.
// Anyone may see them; naming the currency and setting a rate are for finance admins (the service decides).
import type { WebClient } from '@slack/web-api';
import { getReporting } from '../../db/queries/numbers.js';
import type { WorkspaceRow } from '../../db/schema.js';
import { isLedgerError } from '../../services/errors.js';
import { setRate, setReportingCurrency } from '../../services/rates.js';
import { getWorkspace } from '../../services/workspaces.js';
import type { RatesRequest } from '../command.js';
import type { SlackDeps } from '../deps.js';
import { deniedMessage, errorMessage } from '../ui/messages.js';
import { ratesMessage } from '../ui/numbers.js';
import type { SlackMessage } from '../ui/text.js';
import { principalOf } from './shared.js';

export async function ratesCommand(params: {
  deps: SlackDeps;
  client: WebClient;
  workspace: WorkspaceRow;
  userId: string;
  request: RatesRequest;
  reply: (message: SlackMessage) => Promise<unknown>;
}): Promise<void> {
  const { deps, workspace, request, reply } = params;
  const teamId = workspace.teamId;
  let changed: string | null = null;
  if (request.action !== 'show') {
    const principal = await principalOf(deps, params.client, workspace, params.userId);
    try {
      if (request.action === 'currency') {
        const row = await setReportingCurrency(deps.ledger, teamId, principal, { currency: request.currency });
        changed = `The reporting currency is now ${row.reportingCurrency}.`;
      } else {
        const row = await setRate(deps.ledger, teamId, principal, {
          currency: request.currency,
          rate: request.rate,
          ...(request.date ? { rateDate: request.date } : {}),
        });
        changed = `Set: 1 ${row.currency} = ${row.rate} ${row.intoCurrency}, the rate of ${row.rateDate}.`;
      }
    } catch (error) {
      if (!isLedgerError(error)) throw error;
      await reply(
        error.code === 'FORBIDDEN'
          ? deniedMessage('set the reporting currency and exchange rates')
          : errorMessage(error.message),
      );
      return;
    }
  }
  const reporting = await getReporting(deps.ledger.db, await getWorkspace(deps.ledger, teamId));
  await reply(ratesMessage({ reporting, changed }));
}
