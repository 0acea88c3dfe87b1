import { describe, expect, it } from 'vitest';
import { homeView } from '../../../src/slack/ui/home.js';
import { ACTION } from '../../../src/slack/ui/ids.js';
import { BOB, invoiceIn, makeOverview, NOW, NOW_UNIX, TODAY, ZONE } from './fixtures.js';

const button = (text: string, actionId: string, style?: 'primary') => ({
  type: 'button',
  text: { type: 'plain_text', text, emoji: true },
  action_id: actionId,
  value: actionId,
  ...(style ? { style } : {}),
});

const base = { today: TODAY, timeZone: ZONE, now: NOW, canHandleMoney: true, financeChannel: 'C0FINANCE' };

function texts(view: ReturnType<typeof homeView>): string[] {
  return view.blocks.flatMap((b) => {
    const block = b as { type: string; text?: { text: string } };
    return block.type === 'section' && block.text ? [block.text.text] : [];
  });
}

describe('homeView', () => {
  it('shows how to start on first touch: log an invoice, import, choose the finance channel', () => {
    expect(
      homeView({ ...base, overview: makeOverview(0), isEmpty: true, canHandleMoney: false, financeChannel: null }),
    ).toEqual({
      type: 'home',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'Receivables', emoji: true } },
        {
          type: 'actions',
          elements: [
            button('New invoice', ACTION.homeNewInvoice, 'primary'),
            button('Settings', ACTION.homeSettings),
            button('Refresh', ACTION.homeRefresh),
          ],
        },
        {
          type: 'context',
          elements: [
            {
              type: 'mrkdwn',
              text: `As of <!date^${NOW_UNIX}^{date_short_pretty} at {time}|2026-11-14 09:30> · No finance channel yet: choose one in Settings`,
            },
            {
              type: 'mrkdwn',
              text: 'You can log invoices and chases; payments, voids and settings are for the finance admins.',
            },
          ],
        },
        { type: 'section', text: { type: 'mrkdwn', text: '*Nothing here yet.* Three ways to start:' } },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: '*1. Log your first invoice*\nNumber, client, amount and terms; the due date follows from them.',
          },
          accessory: button('New invoice', ACTION.homeNewInvoice, 'primary'),
        },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: '*2. Bring in the invoices you already have*\nExport them from Xero or QuickBooks as CSV and run `npm run cli -- import invoices.csv --dry-run`, then without `--dry-run`.',
          },
        },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: '*3. Choose the finance channel*\nWhere the daily alerts and the weekly digest go.',
          },
          accessory: button('Settings', ACTION.homeSettings),
        },
      ],
    });
  });

  it('puts what needs action today first, then every state with its count, totals and invoices', () => {
    const overview = makeOverview(2);
    // A sent invoice whose promise broke needs action too, though it is not yet due.
    const broken = invoiceIn('sent', 99, { promisedDate: '2026-11-10', ownerUserId: BOB });
    overview.invoices.sent.push(broken);
    overview.counts.sent += 1;
    overview.needsAction.promisesBroken += 1;
    const view = homeView({ ...base, overview, isEmpty: false });
    const all = texts(view);
    expect(view.blocks[2]).toMatchObject({
      elements: [{ text: expect.stringMatching(/ · Alerts go to <#C0FINANCE>$/) }],
    });
    expect(all[0]).toBe(
      [
        '*Needs action today*',
        '🔴 2 overdue · 🟡 2 due today · 💔 1 broken promise · 💤 4 stale chases',
        '🔴 *INV-00001* · Acme Corp · €10,000.00 · 2 days late · 💤 no chase lately · <@U0ALICE> · marked sent 12 days ago',
        '🔴 *INV-00002* · Acme Corp · ¥1,000,000 · 3 days late · 💤 no chase lately · <@U0ALICE> · marked sent 12 days ago',
        '🟡 *INV-00003* · Acme Corp · $10,000.00 · due today · 💤 no chase lately · <@U0ALICE> · marked sent 12 days ago',
        '🟡 *INV-00004* · Acme Corp · €10,000.00 · due today · 💤 no chase lately · <@U0ALICE> · marked sent 12 days ago',
        '🔵 *INV-00099* · Acme Corp · $10,000.00 · due 2026-12-02 · 💔 promised 2026-11-10, broken · <@U0BOB> · marked sent 12 days ago',
      ].join('\n'),
    );
    expect(all.slice(1).map((t) => t.split('\n')[0])).toEqual([
      '*🔴 Overdue* — 2 invoices · €10,000.00 + ¥1,000,000 overdue',
      '*🟡 Due today* — 2 invoices · $10,000.00 + €10,000.00 due today',
      '*🔵 Sent* — 3 invoices · $10,000.00 + ¥1,000,000 not yet due',
      '*📝 Draft* — 2 invoices · €10,000.00 + ¥1,000,000 in drafts',
      '*✅ Paid* — 2 invoices · $10,000.00 + €10,000.00 paid in the last 30 days',
    ]);
  });

  it('says when nothing needs action, and counts states with no invoices as none', () => {
    const overview = makeOverview(0);
    overview.invoices.draft.push(invoiceIn('draft', 1));
    overview.counts.draft = 1;
    const all = texts(homeView({ ...base, overview, isEmpty: false }));
    expect(all[0]).toBe('*Needs action today*\n🎉 Nothing: no invoice is due, late or waiting on a chase.');
    expect(all[1]).toBe('*🔴 Overdue* — none');
  });

  it('shows credited invoices in a section of their own, as Credited, only when there are some', () => {
    const without = texts(homeView({ ...base, overview: makeOverview(1), isEmpty: false }));
    expect(without.join('\n')).not.toContain('Credited');
    const overview = makeOverview(1);
    const credited = invoiceIn('credited', 90, { totalMinor: 250_000n });
    overview.invoices.credited = [credited];
    overview.counts.credited = 1;
    overview.totals.push({ state: 'credited', currency: 'USD', count: 1, totalMinor: 250_000n, dueMinor: 0n });
    const shown = texts(homeView({ ...base, overview, isEmpty: false }));
    const section = shown.find((t) => t.startsWith('*🧾 Credited*'));
    expect(section).toContain('*🧾 Credited* — 1 invoice · $2,500.00 credited in the last 30 days');
    expect(section).toContain('*INV-00090* · Acme Corp · $2,500.00 · credited 2026-11-14');
    expect(shown.join('\n')).not.toContain('INV-00090* · Acme Corp · $2,500.00 · paid');
  });

  it('counts invoices beyond the listed ones in "and N more", pointing to the list command', () => {
    const overview = makeOverview(20);
    overview.counts.overdue = 250;
    const all = texts(homeView({ ...base, overview, isEmpty: false }));
    const overdue = all.find((t) => t.startsWith('*🔴 Overdue*'));
    expect(overdue?.split('\n').at(-1)).toBe('_…and 235 more: `/invoice list overdue`_');
    expect(all[0]?.split('\n').at(-1)).toMatch(/^_…and [\d,]+ more: see the lists below or `\/invoice list`_$/);
  });
});
