// What a ledger holds is text anyone typed there: invoice numbers with spaces and `< > &`, contact names that look
// like Slack markup (`<!channel>`, `<@U…>`, `*bold*`), very long ones, control characters, right-to-left overrides.
// Through the sync with the fake Xero and the real app: numbers and names arrive as they are (cleaned as any typed
// text is: bidi overrides dropped, runs of spaces one space); one holding a control character is refused, that
// record alone, with a problem `/invoice connect` lists; Slack (card, alert, home, connect) and the status page
// show them escaped; and a number typed here by hand is the same invoice as Xero's.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoices } from '../../src/db/schema.js';
import { recordAlerts } from '../../src/jobs/plan.js';
import { deliverDue } from '../../src/jobs/post.js';
import { createInvoice, getInvoice } from '../../src/services/invoices.js';
import { shareClient } from '../../src/services/sharing.js';
import { getWorkspace } from '../../src/services/workspaces.js';
import { BOOKS_ADMIN, BOOKS_TEAM, type BooksBot, startBooksBot } from '../helpers/books-bot.js';
import type { Args } from '../helpers/fake-slack.js';
import { posterEnv } from '../helpers/jobs.js';
import { asAdmin } from '../helpers/ledger.js';

const TEAM = BOOKS_TEAM;
const admin = () => asAdmin({ type: 'user', id: BOOKS_ADMIN }, TEAM);

const CHANNEL_NAME = '<!channel> Holdings';
const MENTION_NAME = '<@U0ADMIN> & *Sons*';
const LONG_NAME = 'Very Long & <Named> Client '.repeat(8).slice(0, 200).trim();
const LONG_NUMBER = `INV ${'9'.repeat(251)}`;

let app: BooksBot;
let problems: { ref: string; message: string }[] = [];

beforeAll(async () => {
  app = await startBooksBot({ now: '2026-11-23T15:00:00Z' });
  const { xero, books, ledger } = app;
  // Typed in here by hand before Xero was connected.
  await createInvoice(ledger, TEAM, admin(), {
    number: 'A<B>&C 7',
    clientName: 'Hand Typed Co',
    currency: 'USD',
    total: '100.00',
    issueDate: '2026-11-01',
    terms: { kind: 'fixed', dueDate: '2026-12-01' },
    status: 'sent',
  });
  const channel = xero.addContact({ name: CHANNEL_NAME });
  const mention = xero.addContact({ name: MENTION_NAME });
  const long = xero.addContact({ name: LONG_NAME });
  const rtl = xero.addContact({ name: 'Ac\u202Eme' });
  const nul = xero.addContact({ name: 'Null\u0000 Corp' });
  const later = { Date: '2026-11-01', DueDate: '2026-12-15' };
  xero.addInvoice({ InvoiceNumber: 'A<B>&C 7', ContactID: channel, Total: '100.00', ...later });
  xero.addInvoice({ InvoiceNumber: '<!channel>', ContactID: channel, Total: '10.00', ...later });
  xero.addInvoice({
    InvoiceNumber: 'INV 2026/11 #7',
    ContactID: mention,
    Total: '700.00',
    Date: '2026-10-23',
    DueDate: '2026-11-22',
  });
  xero.addInvoice({ InvoiceNumber: '*INV*  8', ContactID: mention, Total: '8.00', ...later });
  xero.addInvoice({ InvoiceNumber: LONG_NUMBER, ContactID: long, Total: '9.00', ...later });
  xero.addInvoice({ InvoiceNumber: 'INV\u202E-11', ContactID: rtl, Total: '11.00', ...later });
  xero.addInvoice({ InvoiceNumber: 'INV\u0007 9', ContactID: channel, Total: '9.00', ...later });
  xero.addInvoice({ InvoiceNumber: 'INV-10', ContactID: nul, Total: '10.00', ...later });
  const back = new URL(await xero.approve(await books.startConnect(TEAM, admin(), 'xero')));
  await books.completeConnect(
    'xero',
    {
      state: back.searchParams.get('state') ?? '',
      code: back.searchParams.get('code') ?? '',
    },
    async (team, user) => asAdmin({ type: 'user', id: user }, team),
  );
  const outcome = await books.syncNow(TEAM, 'xero');
  problems = outcome?.problems ?? [];
  await app.bot.idle();
});

afterAll(async () => {
  await app.close();
});

let replies = 0;
async function command(text: string): Promise<Args> {
  replies += 1;
  const id = `hostile-${replies}`;
  await app.as(BOOKS_ADMIN).slashCommand({ text, channel_id: 'C0FIN', response_url: app.fake.responseUrl(id) });
  const answer = await app.fake.waitFor('response_url', (c) => c.id === id);
  await app.bot.idle();
  return answer.args;
}

/** Everything Slack was given to show, as one string: text and blocks. */
const shown = (args: Args) => JSON.stringify([args.text, args.blocks, args.view]);

/** No markup from the ledger survives into what Slack is given: each `<` it holds arrives as `&lt;`. */
function expectEscaped(json: string) {
  expect(json).not.toContain('<!channel>');
  expect(json).not.toContain('<@U0ADMIN> &');
  expect(json).not.toContain('<Named>');
  expect(json).not.toContain('A<B>');
  // JSON writes a control character as \u0000…; a bidi override stays itself.
  expect(json).not.toMatch(/\\u000[0-8]|[\u202A-\u202E]/);
}

describe('hostile text from the ledger', () => {
  it('arrives intact in the database, refusing only what holds a control character, each with a problem', async () => {
    const rows = await app.ledger.db
      .select({ number: invoices.number })
      .from(invoices)
      .where(eq(invoices.teamId, TEAM));
    expect(rows.map((r) => r.number).sort()).toEqual(
      ['*INV* 8', '<!channel>', 'A<B>&C 7', 'INV 2026/11 #7', 'INV-11', LONG_NUMBER].sort(),
    );
    expect(LONG_NUMBER).toHaveLength(255);
    expect((await getInvoice(app.ledger, TEAM, '<!channel>')).clientName).toBe(CHANNEL_NAME);
    expect((await getInvoice(app.ledger, TEAM, 'INV 2026/11 #7')).clientName).toBe(MENTION_NAME);
    expect((await getInvoice(app.ledger, TEAM, LONG_NUMBER)).clientName).toBe(LONG_NAME);
    expect((await getInvoice(app.ledger, TEAM, 'INV-11')).clientName).toBe('Acme');
    // The contact with a NUL, its invoice, and the number with a bell: each refused on its own field.
    expect(problems.map((p) => [p.ref, p.message])).toEqual([
      [
        'contact Null  Corp',
        'name: contains a control character (U+0000) that cannot be saved; remove it in the ledger',
      ],
      ['INV  9', 'number: contains a control character (U+0007) that cannot be saved; remove it in the ledger'],
      ['INV-10', 'client: contains a control character (U+0000) that cannot be saved; remove it in the ledger'],
    ]);
    const connection = await app.books.connection(TEAM, 'xero');
    expect(connection?.lastSyncError).toMatch(/^3 records not taken in: contact Null {2}Corp: name: contains/);
  });

  it('matches the invoice typed in here by hand with the same number, not a second one', async () => {
    const rows = await app.ledger.db.select().from(invoices).where(eq(invoices.number, 'A<B>&C 7'));
    expect(rows).toHaveLength(1);
    const matched = await getInvoice(app.ledger, TEAM, 'a<b>&c 7');
    expect(matched.clientName).toBe(CHANNEL_NAME);
    expect(matched.id).toBe(rows[0]?.id);
  });

  it('shows them escaped on the card, found by the number typed with its spaces and < > &', async () => {
    // Slack sends what was typed with & < > escaped, as in messages.
    await app.as(BOOKS_ADMIN).slashCommand({ text: 'show "A&lt;B&gt;&amp;C 7"', channel_id: 'C0FIN' });
    const card = await app.fake.waitFor('chat.postMessage', (c) => shown(c.args).includes('A&lt;B&gt;&amp;C 7'));
    expectEscaped(shown(card.args));
    expect(shown(card.args)).toContain('&lt;!channel&gt; Holdings');

    await app.as(BOOKS_ADMIN).slashCommand({ text: 'show INV 2026/11 #7', channel_id: 'C0FIN' });
    const second = await app.fake.waitFor('chat.postMessage', (c) => shown(c.args).includes('INV 2026/11 #7'));
    expectEscaped(shown(second.args));
    expect(shown(second.args)).toContain('&lt;@U0ADMIN&gt; &amp; *Sons*');
  });

  it('shows them escaped in the overdue alert, on the App Home and under /invoice connect', async () => {
    await recordAlerts(app.ledger, await getWorkspace(app.ledger, TEAM), app.clock.now());
    const report = await deliverDue(posterEnv(app.ledger, app.fake));
    expect(report.delivered).toBeGreaterThanOrEqual(1);
    const alert = app.fake
      .calls('chat.postMessage')
      .find((c) => /INV 2026\/11 #7.*is now overdue/.test(String(c.args.text)));
    expect(alert?.args.text).toContain('&lt;@U0ADMIN&gt; &amp; *Sons*');
    expectEscaped(shown(alert?.args ?? {}));

    await app.as(BOOKS_ADMIN).eventCallback({
      event: {
        type: 'app_home_opened',
        user: BOOKS_ADMIN,
        channel: 'D0HOME',
        tab: 'home',
        event_ts: '1795000000.000100',
      },
    });
    const home = await app.fake.waitFor('views.publish', (c) => c.args.user_id === BOOKS_ADMIN);
    expectEscaped(shown(home.args));
    expect(shown(home.args)).toContain('&lt;!channel&gt;');

    const status = await command('connect');
    expectEscaped(shown(status));
    expect(status.text).toContain('3 records not taken in');
  });

  it("shows them escaped on the client's status page", async () => {
    const { token } = await shareClient(app.ledger, TEAM, admin(), { client: CHANNEL_NAME });
    const res = await fetch(`${app.baseUrl}/c/${token}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('&lt;!channel&gt; Holdings');
    expect(html).toContain('A&lt;B&gt;&amp;C 7');
    expect(html).not.toContain('<!channel>');
    expect(html).not.toContain('A<B>');
  });
});
