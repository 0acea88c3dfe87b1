import { describe, expect, it } from 'vitest';
import {
  clientMessage,
  deniedMessage,
  errorMessage,
  helpMessage,
  listMessage,
  notFoundMessage,
  payingHabit,
} from '../../../src/slack/ui/messages.js';
import { localDateTime } from '../../../src/slack/ui/text.js';
import { makeClientRecord, makeOverview, NOW, NOW_UNIX, ZONE } from './fixtures.js';

const commands = [
  '*What you can do with /invoice*',
  '• `/invoice new` — log an invoice (opens a form)',
  '• `/invoice list [state] [client]` — what is open, e.g. `/invoice list overdue` or `/invoice list Acme`',
  '• `/invoice show INV-001` — one invoice, with buttons to act on it',
  '• `/invoice client Acme` — what a client owes and how late they usually pay',
  '• `/invoice paid INV-001 [amount] [date]` — record a payment, e.g. `/invoice paid INV-001 2,500 2026-11-14` (a number with spaces in quotes: `"INV 7"`)',
  '• `/invoice chase INV-001 [what happened]` — log a chase, e.g. `/invoice chase INV-001 called, paying Friday`',
  '• `/invoice import` — invoices from a CSV (Xero, QuickBooks or ours), checked before anything is saved',
  '• `/invoice export [invoices|history] [from DATE] [to DATE]` — a CSV in your DM with the app',
  '• `/invoice share Acme` — a private status page for the client, where they see their invoices and answer (`new` replaces the link, `revoke` ends it)',
  '• `/invoice webhooks` — the ledger’s webhook endpoints and how their deliveries stand (`add https://…` adds one, `remove ID` removes one)',
  '• `/invoice digest` — the weekly digest now, just for you (`/invoice digest post` posts it to the finance channel)',
  '• `/invoice connect` — how the books’ connection stands (`/invoice connect xero` or `/invoice connect quickbooks` connects one; add `sync` to sync now, `payments` to post payments recorded here to the books, `disconnect` to end it); an invoice from the books takes its number, total, dates, payments and voids from there',
  '• `/invoice recurring` — the retainers (invoices made on a schedule): `new` sets one up, `edit ID` opens its form, `pause`, `resume` or `end ID` changes one',
  '• `/invoice rates` — the reporting currency and exchange rates, each with its date (`currency USD` names it, `EUR 1.08 [date]` sets a rate; finance admins)',
  '• `/invoice settings` — the finance channel, alert times and who may record payments',
].join('\n');

const tip = {
  type: 'context',
  elements: [
    {
      type: 'mrkdwn',
      text: 'The app’s Home tab shows what needs action today. States: Draft, Sent, Due today, Overdue, Paid.',
    },
  ],
};

describe('helpMessage', () => {
  it('lists what can be done, with examples', () => {
    expect(helpMessage({ isEmpty: false })).toEqual({
      text: 'Commands: /invoice new, list, show, client, paid, chase, settings.',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: commands } }, tip],
    });
  });

  it('starts with how to begin when there is nothing yet', () => {
    expect(helpMessage({ isEmpty: true })).toEqual({
      text: 'Nothing here yet: start with /invoice new, then /invoice settings. /invoice help lists every command.',
      blocks: [
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text:
              '*Nothing here yet.* Start with `/invoice new` to log your first invoice, then `/invoice settings` ' +
              'to choose the finance channel where the daily alerts go.',
          },
        },
        { type: 'section', text: { type: 'mrkdwn', text: commands } },
        tip,
      ],
    });
  });
});

describe('listMessage', () => {
  it('groups invoices by state, most urgent first, with totals per currency', () => {
    const overview = makeOverview(2);
    const message = listMessage({ overview, filterLabel: 'everything', now: NOW, timeZone: ZONE });
    expect(message.text).toBe(
      'Invoices — everything: 2 overdue (€10,000.00 + ¥1,000,000), 2 due today ($10,000.00 + €10,000.00), ' +
        '2 sent ($10,000.00 + ¥1,000,000), 2 drafts (€10,000.00 + ¥1,000,000), 2 paid ($10,000.00 + €10,000.00)',
    );
    const texts = message.blocks.map((b) => (b as { text?: { text: string } }).text?.text);
    expect(texts[1]).toMatch(
      /^\*🔴 Overdue\* — 2 invoices · €10,000\.00 \+ ¥1,000,000 overdue\n\*INV-00001\* · Acme Corp/,
    );
    expect(texts[2]).toMatch(/^\*🟡 Due today\* — 2 invoices/);
    expect(texts[5]).toMatch(/^\*✅ Paid\* — 2 invoices · \$10,000\.00 \+ €10,000\.00 paid in the last 30 days/);
    expect(message.blocks.at(-1)).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `As of <!date^${NOW_UNIX}^{date_short_pretty} at {time}|2026-11-14 09:30>` }],
    });
  });

  it('says when nothing matches', () => {
    const empty = makeOverview(0);
    expect(listMessage({ overview: empty, filterLabel: 'Globex', now: NOW, timeZone: ZONE }).text).toBe(
      'No invoices — Globex match.',
    );
  });
});

describe('clientMessage', () => {
  it('shows what the client owes, how late they pay, their contact, invoices and recent history', () => {
    const message = clientMessage({ record: makeClientRecord(), now: NOW, timeZone: ZONE });
    expect(message.text).toBe('Acme Corp owes $16,000.00; usually pays 12 days late (over 4 paid invoices).');
    const texts = message.blocks.map((b) => (b as { text?: { text: string } }).text?.text);
    expect(texts[0]).toBe('*Acme Corp*\nTerms: net 30 · Billing contact: Jane Doe · ap@acme.example');
    expect(texts[1]).toBe(
      'Owes *$16,000.00* on 2 invoices, $6,000.00 of it overdue\nPays: usually pays 12 days late (over 4 paid invoices)',
    );
    expect(texts[2]).toContain('*Invoices* — 2\n🔴 *INV-0042* · Acme Corp · $6,000.00 · 25 days late · ⚠️ disputed');
    expect(texts[3]).toBe(
      "*Recent history*\n2026-11-02 14:05 · <@U0BOB> · *INV-0042* chased by call · they said 'Paying Friday' · promised 2026-11-06",
    );
  });

  it('says how late a client usually pays in words', () => {
    expect(payingHabit({ paidCount: 0, averageDaysLate: null, averageDaysToPay: null })).toBe('no paid invoices yet');
    expect(payingHabit({ paidCount: 3, averageDaysLate: 0, averageDaysToPay: 30 })).toBe(
      'usually pays on time (over 3 paid invoices)',
    );
    expect(payingHabit({ paidCount: 1, averageDaysLate: 1, averageDaysToPay: 31 })).toBe(
      'usually pays 1 day late (over 1 paid invoice)',
    );
    expect(payingHabit({ paidCount: 2, averageDaysLate: -3, averageDaysToPay: 27 })).toBe(
      'usually pays on time, 3 days early on average (over 2 paid invoices)',
    );
  });

  it('says whether the client has a status page, who shared it and when it was last opened (never the link)', () => {
    const texts = (statusLink: Parameters<typeof clientMessage>[0]['statusLink']) =>
      clientMessage({ record: makeClientRecord(), now: NOW, timeZone: ZONE, statusLink }).blocks.map(
        (b) => (b as { text?: { text: string } }).text?.text ?? '',
      );
    const shared = {
      createdBy: 'U0ANA',
      createdAt: new Date('2026-11-20T14:00:00Z'),
      lastSeenAt: new Date('2026-11-22T09:30:00Z'),
    };
    expect(texts(shared)).toContain(
      `*Status page*: shared by <@U0ANA> on ${localDateTime(shared.createdAt, ZONE)}, last opened ${localDateTime(shared.lastSeenAt, ZONE)}`,
    );
    expect(texts({ ...shared, lastSeenAt: null }).join('\n')).toContain('not opened yet');
    expect(texts(null)).toContain('*Status page*: none yet — `/invoice share Acme Corp` makes one.');
    expect(texts(undefined).join('\n')).not.toContain('Status page');
  });

  it('says when a client owes nothing and has no invoices', () => {
    const record = makeClientRecord({
      balances: [],
      invoices: [],
      invoiceCount: 0,
      history: [],
      payment: { paidCount: 0, averageDaysLate: null, averageDaysToPay: null },
    });
    const message = clientMessage({ record, now: NOW, timeZone: ZONE });
    expect(message.text).toBe('Acme Corp owes nothing; no paid invoices yet.');
    expect(JSON.stringify(message.blocks)).toContain('*Invoices*\\nNone yet.');
  });
});

describe('replies', () => {
  it('says there is no such invoice and suggests the closest one', () => {
    expect(notFoundMessage('invoice', 'INV-0O12', 'INV-0012')).toEqual({
      text: 'There is no invoice INV-0O12. Did you mean INV-0012?',
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: 'There is no invoice INV-0O12. Did you mean INV-0012?' } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: '`/invoice list` shows the open invoices.' }] },
      ],
    });
  });

  it('quotes an unknown command as code and points to help', () => {
    const message = notFoundMessage('command', 'lsit', 'list');
    expect(message.text).toBe('There is no command `lsit`. Did you mean `list`?');
    expect(JSON.stringify(message.blocks)).toContain('`/invoice help` lists what you can do.');
  });

  it('escapes what the person typed in errors and not-found replies', () => {
    expect(errorMessage('Client <!channel> is archived').text).toBe('⚠️ Client &lt;!channel&gt; is archived');
    expect(notFoundMessage('client', '<@U123>').text).toBe('There is no client &lt;@U123&gt;.');
  });

  it('tells someone who may not handle money who can', () => {
    expect(deniedMessage('record payments')).toEqual({
      text:
        '🔒 Only the people named in `/invoice settings` can record payments. ' +
        'Ask one of them to do it, or to add you as a finance admin.',
      blocks: [
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text:
              '🔒 Only the people named in `/invoice settings` can record payments. ' +
              'Ask one of them to do it, or to add you as a finance admin.',
          },
        },
      ],
    });
  });
});
