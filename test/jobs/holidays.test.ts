// Public holidays are days off like weekends: what falls due on a holiday is announced on the next working day,
// as of that day, and a follow-up planned for a holiday is nudged then — for a country (US Thanksgiving, the UK's
// Boxing Day and its substitute) and for a region with holidays of its own (Scotland's St Andrew's Day).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { alertDatesFor, holidaysOn, isWorkingDay, nextWorkingDay } from '../../src/domain/schedule.js';
import { recordAlerts } from '../../src/jobs/plan.js';
import { deliverDue } from '../../src/jobs/post.js';
import type { LedgerContext } from '../../src/services/context.js';
import { isLedgerError } from '../../src/services/errors.js';
import { holidayCalendar, searchHolidayPlaces } from '../../src/services/holidays.js';
import { logChase } from '../../src/services/invoices.js';
import { getWorkspace, updateWorkspaceSettings } from '../../src/services/workspaces.js';
import { describeEachDatabase } from '../helpers/db.js';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack.js';
import { posterEnv } from '../helpers/jobs.js';
import { ALICE, asAdmin, invoice, OPERATOR, workspaceWithClient } from '../helpers/ledger.js';

const WEEKDAYS = [1, 2, 3, 4, 5];

describe('the holiday calendar (domain, with the calendar passed in)', () => {
  it('treats a holiday as a day off, and the next working day covers it', () => {
    const thanksgiving = holidaysOn({ '2026-11-26': 'Thanksgiving Day' });
    expect(isWorkingDay('2026-11-26', WEEKDAYS, thanksgiving)).toBe(false);
    expect(alertDatesFor('2026-11-26', WEEKDAYS, thanksgiving)).toEqual([]);
    expect(alertDatesFor('2026-11-27', WEEKDAYS, thanksgiving)).toEqual(['2026-11-26', '2026-11-27']);
    expect(nextWorkingDay('2026-11-26', WEEKDAYS, thanksgiving)).toBe('2026-11-27');
    // Christmas Friday, Boxing Day Saturday and its substitute on Monday: Tuesday covers all five days.
    const christmas = holidaysOn({ '2026-12-25': 'Christmas Day', '2026-12-26': 'Boxing Day', '2026-12-28': 'sub' });
    expect(alertDatesFor('2026-12-29', WEEKDAYS, christmas)).toEqual([
      '2026-12-25',
      '2026-12-26',
      '2026-12-27',
      '2026-12-28',
      '2026-12-29',
    ]);
  });

  it("knows the US, the UK and Scotland's holidays from the library, substitute days included", async () => {
    const us = await holidayCalendar('US');
    expect(us.holidayOn('2026-11-26')).toBe('Thanksgiving Day');
    expect(us.holidayOn('2026-11-27')).toBeUndefined(); // an observance, not a day off
    const uk = await holidayCalendar('GB');
    expect(uk.holidayOn('2026-12-28')).toBe('Boxing Day (substitute day)');
    expect(uk.holidayOn('2026-11-30')).toBeUndefined();
    expect((await holidayCalendar('GB', 'SCT')).holidayOn('2026-11-30')).toBe('St Andrew’s Day');
    expect((await holidayCalendar(null)).holidayOn('2026-12-25')).toBeUndefined();
  });

  it('finds a country or a region by name or code for the settings picker', async () => {
    expect((await searchHolidayPlaces('scotland')).map((p) => [p.country, p.region, p.label])).toEqual([
      ['GB', 'SCT', 'United Kingdom — Scotland'],
    ]);
    expect((await searchHolidayPlaces('US'))[0]).toMatchObject({ country: 'US', region: null });
    expect((await searchHolidayPlaces('us-ca'))[0]).toMatchObject({ country: 'US', region: 'CA' });
  });
});

let fake: FakeSlack;
beforeAll(async () => {
  fake = await startFakeSlack();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());

const FIN = 'C0FIN';

async function book(
  ctx: LedgerContext,
  timeZone: string,
  holidays: { holidayCountry: string; holidayRegion?: string },
) {
  const { teamId, client } = await workspaceWithClient(ctx, { timeZone });
  await updateWorkspaceSettings(ctx, teamId, OPERATOR, { financeChannel: FIN, financeAdmins: [ALICE.id], ...holidays });
  return { teamId, client };
}

async function tick(ctx: LedgerContext, teamId: string) {
  await recordAlerts(ctx, await getWorkspace(ctx, teamId), ctx.clock.now());
  return deliverDue(posterEnv(ctx, fake));
}

function channelTexts(): string[] {
  return fake
    .calls('chat.postMessage')
    .filter((c) => c.args.channel === FIN)
    .map((c) => String(c.args.text));
}

describeEachDatabase('alerts around public holidays', '2026-11-10T15:00:00Z', (get) => {
  it('says nothing on Thanksgiving in New York and announces the next morning what fell due that day', async () => {
    const { ctx } = get();
    const { teamId, client } = await book(ctx, 'America/New_York', { holidayCountry: 'US' });
    await invoice(ctx, teamId, client.id, { number: 'TG-1', terms: { kind: 'fixed', dueDate: '2026-11-26' } });
    ctx.clock.set('2026-11-26T15:00:00Z'); // Thursday 10:00, Thanksgiving
    expect((await tick(ctx, teamId)).delivered).toBe(0);
    ctx.clock.set('2026-11-27T15:00:00Z'); // Friday 10:00
    expect((await tick(ctx, teamId)).delivered).toBe(1);
    // As of Friday: the invoice due on Thursday is now a day late.
    expect(channelTexts()).toEqual([expect.stringContaining('TG-1 for Acme Corp is now overdue (1 day)')]);
  });

  it('nudges a follow-up planned for Boxing Day in London on the Tuesday after the substitute day', async () => {
    const { ctx } = get();
    const { teamId, client } = await book(ctx, 'Europe/London', { holidayCountry: 'GB' });
    await invoice(ctx, teamId, client.id, { number: 'BX-1', terms: { kind: 'fixed', dueDate: '2027-01-29' } });
    await logChase(ctx, teamId, asAdmin(ALICE, teamId), {
      invoice: 'BX-1',
      method: 'call',
      nextFollowUp: '2026-12-26',
    });
    for (const day of ['2026-12-25', '2026-12-26', '2026-12-28']) {
      ctx.clock.set(`${day}T10:00:00Z`); // Christmas, Boxing Day, its substitute Monday: days off
      await tick(ctx, teamId);
    }
    const nudges = () =>
      fake.calls('chat.postMessage').filter((c) => String(c.args.text).includes('Time to follow up'));
    expect(nudges()).toHaveLength(0);
    ctx.clock.set('2026-12-29T10:00:00Z'); // Tuesday
    await tick(ctx, teamId);
    expect(nudges()).toHaveLength(1);
    expect(nudges()[0]?.args.channel).toBe(`D${ALICE.id}`); // the owner's DM
  });

  it("holds Scotland's alerts on St Andrew's Day while England's go out that Monday", async () => {
    const { ctx } = get();
    const scotland = await book(ctx, 'Europe/London', { holidayCountry: 'GB', holidayRegion: 'SCT' });
    const england = await workspaceWithClient(ctx, { teamId: 'T0ENGLAND', timeZone: 'Europe/London' });
    await updateWorkspaceSettings(ctx, england.teamId, OPERATOR, {
      financeChannel: 'C0ENG',
      financeAdmins: [ALICE.id],
      holidayCountry: 'GB',
    });
    await invoice(ctx, scotland.teamId, scotland.client.id, {
      number: 'SC-1',
      terms: { kind: 'fixed', dueDate: '2026-11-29' },
    });
    await invoice(ctx, england.teamId, england.client.id, {
      number: 'EN-1',
      terms: { kind: 'fixed', dueDate: '2026-11-29' },
    });
    ctx.clock.set('2026-11-30T10:00:00Z'); // Monday, St Andrew's Day
    expect((await tick(ctx, scotland.teamId)).delivered).toBe(0);
    expect((await tick(ctx, england.teamId)).delivered).toBe(1);
    expect(fake.calls('chat.postMessage').map((c) => c.args.channel)).toEqual(['C0ENG']);
    ctx.clock.set('2026-12-01T10:00:00Z'); // Tuesday
    expect((await tick(ctx, scotland.teamId)).delivered).toBe(1);
    expect(channelTexts()).toEqual([expect.stringContaining('SC-1 for Acme Corp is now overdue (2 days)')]);
  });

  it('refuses a country or region the holidays library does not know, on its field, and saves nothing', async () => {
    const { ctx } = get();
    const { teamId } = await book(ctx, 'Europe/London', { holidayCountry: 'GB' });
    const refused = await updateWorkspaceSettings(ctx, teamId, OPERATOR, { holidayCountry: 'GB', holidayRegion: 'XX' })
      .then(() => undefined)
      .catch((error: unknown) => error);
    expect(isLedgerError(refused, 'VALIDATION') && refused.issues).toEqual([
      { field: 'holidayRegion', message: 'XX is not a region of GB with holidays we know' },
    ]);
    const workspace = await getWorkspace(ctx, teamId);
    expect([workspace.holidayCountry, workspace.holidayRegion]).toEqual(['GB', null]);
    // A new country without a region drops the old country's region.
    await updateWorkspaceSettings(ctx, teamId, OPERATOR, { holidayRegion: 'SCT' });
    await updateWorkspaceSettings(ctx, teamId, OPERATOR, { holidayCountry: 'US' });
    const moved = await getWorkspace(ctx, teamId);
    expect([moved.holidayCountry, moved.holidayRegion]).toEqual(['US', null]);
  });
});
