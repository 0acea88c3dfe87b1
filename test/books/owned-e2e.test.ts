// End to end: in a workspace connected to Xero through the real Bolt app and the OAuth callback, a finance admin
// who records a payment on an invoice that came from Xero is told, on the amount field of the same modal, that
// payments are recorded in Xero — and the card and the invoice stay as they were. An invoice typed here still
// takes the payment.
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Books } from '../../src/books/index.js';
import { events, payments } from '../../src/db/schema.js';
import type { AppServer } from '../../src/http.js';
import { getInvoice } from '../../src/services/invoices.js';
import { ACTION, FIELD, VIEW } from '../../src/slack/ui/ids.js';
import { BOOKS_ADMIN, BOOKS_TEAM, type BooksBot, startBooksBot } from '../helpers/books-bot.js';
import type { Args, FakeSlack } from '../helpers/fake-slack.js';
import type { FakeXero } from '../helpers/fake-xero.js';
import { invoice } from '../helpers/ledger.js';
import { type SlackClient, stateValue } from '../helpers/signed.js';

const TEAM = BOOKS_TEAM;
const ADMIN = BOOKS_ADMIN;
const NOW = '2026-11-23T15:00:00Z';

let app: BooksBot;
let fake: FakeSlack;
let xero: FakeXero;
let bot: AppServer;
let books: Books;
let baseUrl: string;
let ledger: BooksBot['ledger'];

const as = (userId: string): SlackClient => app.as(userId);

beforeAll(async () => {
  app = await startBooksBot({ now: NOW });
  ({ fake, xero, bot, books, baseUrl, ledger } = app);

  // One open invoice in Xero; the finance admin connects, and the first sync brings it in.
  const contact = xero.addContact({ name: 'Northwind Traders', email: 'ap@northwind.test' });
  xero.addInvoice({
    InvoiceNumber: 'INV-7',
    ContactID: contact,
    Total: '1200.00',
    Date: '2026-11-02',
    DueDate: '2026-12-02',
  });
  const id = 'connect-1';
  await as(ADMIN).slashCommand({ text: 'connect xero', channel_id: 'C0FIN', response_url: fake.responseUrl(id) });
  const answer = await fake.waitFor('response_url', (c) => c.id === id);
  const href = /<([^|>]+)\|Connect Xero>/.exec(answer.args.text)?.[1]?.replaceAll('&amp;', '&') ?? '';
  const back = new URL(await xero.approve(href));
  const page = await fetch(`${baseUrl}${back.pathname}${back.search}`);
  expect(page.status).toBe(200);
  await books.idle();
  await bot.idle();
});

afterAll(async () => {
  await app.close();
});

/** The finance admin shows `number` in the finance channel, presses Mark paid on its card and submits `amount`. */
async function payFromCard(number: string, amount: string) {
  fake.reset();
  await as(ADMIN).slashCommand({ text: `show ${number}`, channel_id: 'C0FIN' });
  const card = await fake.waitFor('chat.postMessage', (c) => c.args.channel === 'C0FIN');
  await bot.idle();
  const invoiceId = (await getInvoice(ledger, TEAM, number)).id;
  await as(ADMIN).blockAction({ action_id: ACTION.markPaid, value: invoiceId, message_ts: card.response?.ts });
  const opened = await fake.waitFor('views.open');
  expect(opened.args.view.callback_id).toBe(VIEW.payment);
  const response = await as(ADMIN).viewSubmission({
    callback_id: VIEW.payment,
    private_metadata: opened.args.view.private_metadata,
    values: {
      [FIELD.paymentAmount]: { [FIELD.paymentAmount]: amount },
      [FIELD.paymentDate]: { [FIELD.paymentDate]: stateValue.date('2026-11-23') },
      [FIELD.paymentReference]: { [FIELD.paymentReference]: 'wire 889' },
      [FIELD.overpayment]: { [FIELD.overpayment]: stateValue.checkboxes([]) },
    },
  });
  await bot.idle();
  return { card, response, invoiceId };
}

/** What a modal submits when the person changes nothing: each input block's initial value, as Slack sends it. */
function asOpened(view: Args): Record<string, Record<string, Args>> {
  const values: Record<string, Record<string, Args>> = {};
  for (const block of view.blocks as Args[]) {
    if (block.type !== 'input') continue;
    const e = block.element as Args;
    const state =
      e.type === 'plain_text_input'
        ? stateValue.text(e.initial_value ?? null)
        : e.type === 'number_input'
          ? stateValue.number(e.initial_value ?? null)
          : e.type === 'static_select'
            ? stateValue.select(e.initial_option?.value ?? null)
            : e.type === 'external_select'
              ? stateValue.external(e.initial_option?.value ?? null)
              : e.type === 'datepicker'
                ? stateValue.date(e.initial_date ?? null)
                : e.type === 'users_select'
                  ? stateValue.user(e.initial_user ?? null)
                  : e.type === 'radio_buttons'
                    ? stateValue.radio(e.initial_option?.value ?? null)
                    : e.type === 'checkboxes'
                      ? stateValue.checkboxes((e.initial_options ?? []).map((o: Args) => o.value))
                      : undefined;
    if (!state) throw new Error(`asOpened does not know ${e.type}`);
    values[block.block_id] = { [e.action_id]: state };
  }
  return values;
}

describe('a connected workspace', () => {
  it('refuses a payment on an invoice from Xero on the amount field, and leaves the card as it was', async () => {
    const before = await getInvoice(ledger, TEAM, 'INV-7');
    expect(before.totalMinor).toBe(120000n);
    const [eventsBefore] = await ledger.db.select({ n: count() }).from(events).where(eq(events.invoiceId, before.id));

    const { card, response } = await payFromCard('INV-7', '1,200.00');

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      response_action: 'errors',
      errors: {
        [FIELD.paymentAmount]:
          'INV-7 comes from Xero: record its payments in Xero; the change reaches here at the next sync.',
      },
    });
    expect(fake.calls('chat.update').filter((c) => c.args.ts === card.response?.ts)).toHaveLength(0);
    const after = await getInvoice(ledger, TEAM, 'INV-7');
    expect([after.paidMinor, after.status.state, after.version]).toEqual([0n, before.status.state, before.version]);
    const [paid] = await ledger.db.select({ n: count() }).from(payments).where(eq(payments.invoiceId, before.id));
    expect(paid?.n).toBe(0);
    const [eventsAfter] = await ledger.db.select({ n: count() }).from(events).where(eq(events.invoiceId, before.id));
    expect(eventsAfter?.n).toBe(eventsBefore?.n);
  });

  it('still takes a payment on an invoice typed here, and updates its card', async () => {
    const northwind = (await getInvoice(ledger, TEAM, 'INV-7')).clientId;
    await invoice(ledger, TEAM, northwind, { number: 'INV-900', total: '300.00', issueDate: '2026-11-02' });
    const { card, response } = await payFromCard('INV-900', '300.00');
    expect(response.status).toBe(200);
    expect(response.body).toBeFalsy();
    const updated = await fake.waitFor('chat.update', (c) => c.args.ts === card.response?.ts);
    expect(updated.args.text).toMatch(/Paid/);
    expect((await getInvoice(ledger, TEAM, 'INV-900')).status.state).toBe('paid');
  });

  it('takes a new description from the edit form of an invoice from Xero, and refuses a new total on its field', async () => {
    fake.reset();
    await as(ADMIN).slashCommand({ text: 'show INV-7', channel_id: 'C0FIN' });
    const card = await fake.waitFor('chat.postMessage', (c) => c.args.channel === 'C0FIN');
    await bot.idle();
    const before = await getInvoice(ledger, TEAM, 'INV-7');
    const open = async () => {
      fake.reset();
      await as(ADMIN).blockAction({
        action_id: ACTION.more,
        element: 'overflow',
        selected_option: { value: `edit:${before.id}` },
        message_ts: card.response?.ts,
      });
      const opened = await fake.waitFor('views.open');
      expect(opened.args.view.callback_id).toBe(VIEW.editInvoice);
      return opened.args.view as Args;
    };

    // Every field sent back as it was opened, the description changed: ours to change.
    const view = await open();
    const described = await as(ADMIN).viewSubmission({
      callback_id: VIEW.editInvoice,
      private_metadata: view.private_metadata,
      values: { ...asOpened(view), [FIELD.description]: { [FIELD.description]: stateValue.text('Spring campaign') } },
    });
    expect(described.body).toBeFalsy();
    const updated = await fake.waitFor('chat.update', (c) => c.args.ts === card.response?.ts);
    expect(JSON.stringify(updated.args.blocks)).toContain('Spring campaign');
    const edited = await getInvoice(ledger, TEAM, 'INV-7');
    expect([edited.description, edited.totalMinor]).toEqual(['Spring campaign', 120000n]);

    // The total changed on the same form: Xero's, refused on the amount field.
    const again = await open();
    const refused = await as(ADMIN).viewSubmission({
      callback_id: VIEW.editInvoice,
      private_metadata: again.private_metadata,
      values: { ...asOpened(again), [FIELD.amount]: { [FIELD.amount]: stateValue.text('1,300.00') } },
    });
    expect(refused.body).toEqual({
      response_action: 'errors',
      errors: { [FIELD.amount]: 'Comes from Xero: change it in Xero, and it changes here at the next sync' },
    });
    const after = await getInvoice(ledger, TEAM, 'INV-7');
    expect([after.totalMinor, after.version]).toEqual([120000n, edited.version]);
  });
});
