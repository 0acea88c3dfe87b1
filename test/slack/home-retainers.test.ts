// The App Home shows the retainers: the running ones by their next invoice's date (client, amount, schedule, next
// date), then the paused ones, marked; at most ten lines, the rest counted. End to end (signed event, fake Slack) and
// on the builder.
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/services/clients.js';
import { createInvoice } from '../../src/services/invoices.js';
import { createRetainer, pauseRetainer, type RetainerView } from '../../src/services/retainers.js';
import { HOME_RETAINER_LINES, homeRetainerBlocks, RETAINER_ACTION } from '../../src/slack/ui/retainers.js';
import { useTestBot } from '../helpers/bot.js';
import { asAdmin } from '../helpers/ledger.js';
import { nowSeconds } from '../helpers/signed.js';

const TEAM = 'T0TEAM';
const ADMIN = 'U0ADMIN';

// Each test starts on Monday 23 November 2026, 10:00 in New York.
const t = useTestBot({
  workspace: { teamId: TEAM, name: 'Studio North', timeZone: 'America/New_York' },
  settings: { financeAdmins: [ADMIN], financeChannel: 'C0FIN' },
});

const admin = asAdmin({ type: 'user', id: ADMIN }, TEAM);
const json = (value: unknown) => JSON.stringify(value ?? null);

async function homeText(): Promise<string> {
  t.fake.reset();
  await t.as(ADMIN).eventCallback({
    event: { type: 'app_home_opened', user: ADMIN, channel: 'D0HOME', tab: 'home', event_ts: `${nowSeconds()}.000100` },
  });
  const published = await t.fake.waitFor('views.publish');
  return (published.args.view.blocks as { text?: { text: string } }[]).map((b) => b.text?.text ?? '').join('\n');
}

describe('the App Home’s retainers', () => {
  it('shows the running ones with their next date, amount and client, and marks the paused ones', async () => {
    const { result: acme } = await createClient(t.ledger, TEAM, admin, { name: 'Acme Corp' });
    const { result: beta } = await createClient(t.ledger, TEAM, admin, { name: 'Beta Ltd' });
    const base = { cadence: 'monthly' as const, startDate: '2026-11-23', terms: 'net 15' };
    await createRetainer(t.ledger, TEAM, admin, {
      ...base,
      clientId: acme.id,
      currency: 'USD',
      amount: '4,500',
      dayOfMonth: 1,
    });
    await createRetainer(t.ledger, TEAM, admin, {
      ...base,
      clientId: beta.id,
      currency: 'EUR',
      amount: '900',
      dayOfMonth: null,
    });
    const { result: paused } = await createRetainer(t.ledger, TEAM, admin, {
      ...base,
      clientId: beta.id,
      currency: 'GBP',
      amount: '250',
      cadence: 'quarterly',
      dayOfMonth: 15,
    });
    await pauseRetainer(t.ledger, TEAM, admin, { retainer: paused.id });

    // No invoice yet: the first steps, and the retainers under them.
    const empty = await homeText();
    expect(empty).toContain('Nothing here yet.');
    expect(empty).toContain('*Retainers* — 2 running · 1 paused');

    await createInvoice(t.ledger, TEAM, admin, {
      number: 'INV-1',
      clientId: acme.id,
      currency: 'USD',
      total: '100',
      issueDate: '2026-11-20',
    });
    const text = await homeText();
    const section = text.slice(text.indexOf('*Retainers*'));
    expect(section.split('\n').slice(0, 4)).toEqual([
      '*Retainers* — 2 running · 1 paused',
      // Beta's last working day of November (the 30th) comes before Acme's 1 December.
      '• 🔁 *Beta Ltd* · €900.00 monthly on the last working day · next *2026-11-30*',
      '• 🔁 *Acme Corp* · $4,500.00 monthly on the 1st · next *2026-12-01*',
      '• ⏸ *Beta Ltd* · £250.00 quarterly on the 15th · ⏸ *paused*: no invoices until resumed',
    ]);

    // Resumed from the list's button: the viewer's home is redrawn with it running.
    t.fake.reset();
    await t.as(ADMIN).blockAction({
      action_id: RETAINER_ACTION.resume,
      value: paused.id,
      response_url: t.fake.responseUrl('resume'),
    });
    await t.fake.waitFor('response_url', (c) => c.id === 'resume');
    const redrawn = await t.fake.waitFor('views.publish');
    expect(json(redrawn.args.view.blocks)).toContain('*Retainers* — 3 running');
    expect(json(redrawn.args.view.blocks)).toContain('£250.00 quarterly on the 15th · next *2027-02-15*');
  });
});

describe('homeRetainerBlocks', () => {
  const view = (i: number, more: Partial<RetainerView> = {}): RetainerView => ({
    id: `0000000${i}-0000-0000-0000-000000000000`,
    clientId: 'c',
    clientName: `Client ${String(i).padStart(2, '0')}`,
    currency: 'USD',
    amountMinor: 100_00n,
    terms: { kind: 'net', days: 30 },
    description: null,
    ownerUserId: null,
    schedule: { cadence: 'monthly', dayOfMonth: 1, startDate: '2026-01-01', endDate: null, maxCount: null },
    createAs: 'draft',
    numberPrefix: 'X-RET',
    status: 'active',
    made: 0,
    lastOccurrence: null,
    next: `2027-01-${String(30 - i).padStart(2, '0')}`,
    createdBy: 'U0ADMIN',
    version: 1,
    ...more,
  });

  it('says nothing without retainers, nor for ended ones', () => {
    expect(homeRetainerBlocks([])).toEqual([]);
    expect(homeRetainerBlocks([view(1, { status: 'ended', next: null })])).toEqual([]);
  });

  it('lists ten, soonest first, and counts the rest with where to see them', () => {
    const many = Array.from({ length: 14 }, (_, i) => view(i + 1));
    const blocks = homeRetainerBlocks(many);
    expect(blocks).toHaveLength(1);
    const text = (blocks[0] as { text: { text: string } }).text.text;
    const lines = text.split('\n');
    expect(lines[0]).toBe('*Retainers* — 14 running');
    expect(lines.slice(1, 1 + HOME_RETAINER_LINES).map((l) => l.match(/Client \d+/)?.[0])).toEqual(
      [14, 13, 12, 11, 10, 9, 8, 7, 6, 5].map((n) => `Client ${String(n).padStart(2, '0')}`),
    );
    expect(lines.at(-1)).toBe('_…and 4 more: `/invoice recurring`_');
  });
});
