// Type-ahead for the pickers: clients in the new-invoice modal, time zones and public holidays in settings.
import type { App } from '@slack/bolt';
import { searchClients } from '../../db/queries/search.js';
import { searchZones } from '../../domain/zones.js';
import { searchHolidayPlaces } from '../../services/holidays.js';
import type { SlackDeps } from '../deps.js';
import { ACTION } from '../ui/ids.js';
import { holidayValue } from '../ui/modals/index.js';

export function registerOptions(app: App, deps: SlackDeps): void {
  app.options(ACTION.clientSelect, async ({ body, options, ack }) => {
    const teamId = body.team?.id ?? '';
    try {
      const found = await searchClients(deps.ledger.db, { teamId, query: options.value ?? '', limit: 100 });
      await ack({
        options: found.map((c) => ({ text: { type: 'plain_text', text: c.name.slice(0, 75) }, value: c.id })),
      });
    } catch (error) {
      deps.logger.error('Client search failed:', error);
      await ack({ options: [] });
    }
  });

  // Pure and in memory: no workspace data is read, so nothing to scope; the query is only matched against zone names.
  app.options(ACTION.timeZoneSelect, async ({ options, ack }) => {
    const found = searchZones(options.value ?? '', deps.ledger.clock.now(), 100);
    await ack({
      options: found.map((z) => ({ text: { type: 'plain_text', text: z.label.slice(0, 75) }, value: z.id })),
    });
  });

  // The holidays library's countries and regions: no workspace data either.
  app.options(ACTION.holidaySelect, async ({ options, ack }) => {
    const found = await searchHolidayPlaces(options.value ?? '', 100);
    await ack({
      options: found.map((p) => ({
        text: { type: 'plain_text', text: p.label.slice(0, 75) },
        value: holidayValue(p.country, p.region),
      })),
    });
  });
}
