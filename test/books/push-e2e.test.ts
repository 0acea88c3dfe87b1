// End to end, through the real Bolt app, the OAuth callback and the fakes of Slack and Xero: a finance admin turns on
// posting payments to Xero (first allowing it in Xero, which the read-only connection did not), records a payment on
// a Xero invoice from its card, and the worker posts it: Xero holds exactly one payment, the card says it is in Xero,
// and the next sync records nothing twice. A payment Xero refuses is said once in the finance channel.
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Books } from '../../src/books/index.js';
import { payments } from '../../src/db/schema.js';
import type { AppServer } from '../../src/http.js';
import { getInvoice } from '../../src/services/invoices.js';
import { ACTION, FIELD, VIEW } from '../../src/slack/ui/ids.js';
import { BOOKS_ADMIN, BOOKS_TEAM, type BooksBot, startBooksBot } from '../helpers/books-bot.js';
import type { FakeSlack } from '../helpers/fake-slack.js';
import type { FakeXero } from '../helpers/fake-xero.js';
import { type SlackClient, stateValue } from '../helpers/signed.js';

const TEAM = BOOKS_TEAM;
const ADMIN = BOOKS_ADMIN;
const MEMBER = 'U0MEMBER';
const NOW = '2026-11-23T15:00:00Z';

let app: BooksBot;
let fake: FakeSlack;
let xero: FakeXero;
let bot: AppServer;
let books: Books;
let baseUrl: string;
let ledger: BooksBot['ledger'];
let xeroInvoice: string;
let bank: string;

const as = (userId: string): SlackClient => app.as(userId);

/** Follows a "Connect Xero" / "Allow posting payments" link through the fake Xero and back to our callback. */
async function approve(href: string) {
  const back = new URL(await xero.approve(href.replaceAll('&amp;', '&')));
  const page = await fetch(`${baseUrl}${back.pathname}${back.search}`);
  expect(page.status).toBe(200);
  await books.idle();
  await bot.idle();
}

beforeAll(async () => {
  app = await startBooksBot({ now: NOW });
  ({ fake, xero, bot, books, baseUrl, ledger } = app);
  const contact = xero.addContact({ name: 'Northwind Traders', email: 'ap@northwind.test' });
  xeroInvoice = xero.addInvoice({
    InvoiceNumber: 'INV-7',
    ContactID: contact,
    Total: '1200.00',
    Date: '2026-11-02',
    DueDate: '2026-12-02',
  });
  bank = xero.addAccount({ Code: '090', Name: 'Business Bank Account' });
  xero.addAccount({ Code: '200', Name: 'Sales', Type: 'REVENUE' });
  const id = 'connect-1';
  await as(ADMIN).slashCommand({ text: 'connect xero', channel_id: 'C0FIN', response_url: fake.responseUrl(id) });
  const answer = await fake.waitFor('response_url', (c) => c.id === id);
  await approve(/<([^|>]+)\|Connect Xero>/.exec(answer.args.text)?.[1] ?? '');
});

afterAll(async () => {
  await app.close();
});

/** `/invoice connect xero payments`: the modal as it ends up after "Reading the accounts…". */
async function openSetting(userId = ADMIN) {
  fake.reset();
  await as(userId).slashCommand({ text: 'connect xero payments', channel_id: 'C0FIN' });
  const opened = await fake.waitFor('views.open');
  expect(JSON.stringify(opened.args.view.blocks)).toContain('Reading the accounts from Xero');
  return (await fake.waitFor('views.update')).args.view;
}

/** The finance admin shows `number` in the finance channel, presses Mark paid on its card and submits `amount`. */
async function payFromCard(number: string, amount: string) {
  fake.reset();
  await as(ADMIN).slashCommand({ text: `show ${number}`, channel_id: 'C0FIN' });
  const card = await fake.waitFor('chat.postMessage', (c) => c.args.channel === 'C0FIN');
  await bot.idle();
  const invoiceId = (await getInvoice(ledger, TEAM, number)).id;
  await as(ADMIN).blockAction({ action_id: ACTION.markPaid, value: invoiceId, message_ts: card.response?.ts });
  const opened = await fake.waitFor('views.open');
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

async function cardBlocksAfter(ts: string | undefined, pattern: RegExp) {
  const update = await fake.waitFor(
    'chat.update',
    (c) => c.args.ts === ts && pattern.test(JSON.stringify(c.args.blocks)),
  );
  return JSON.stringify(update.args.blocks);
}

describe('posting payments recorded in Slack to Xero', () => {
  it('refuses a member the setting', async () => {
    fake.reset();
    const id = 'member-1';
    await as(MEMBER).slashCommand({
      text: 'connect xero payments',
      channel_id: 'C0FIN',
      response_url: fake.responseUrl(id),
    });
    const answer = await fake.waitFor('response_url', (c) => c.id === id);
    expect(answer.args.text).toContain('can change how payments reach the books');
    expect(fake.calls('views.open')).toHaveLength(0);
  });

  it('is turned on by an admin, posts a payment recorded on the card once, and the card says it is in Xero', async () => {
    // The connection was made read-only: Xero is asked for permission to post payments first.
    const blocked = await openSetting();
    const allow = /<([^|>]+)\|Allow posting payments in Xero>/.exec(JSON.stringify(blocked.blocks))?.[1] ?? '';
    expect(new URL(allow.replaceAll('&amp;', '&')).searchParams.get('scope')).toContain('accounting.payments');
    await approve(allow);

    const form = await openSetting();
    expect(form.callback_id).toBe(VIEW.ledgerPush);
    const select = (
      form.blocks as { block_id?: string; element?: { options?: { value: string; text: { text: string } }[] } }[]
    ).find((b) => b.block_id === FIELD.pushAccount);
    expect(select?.element?.options?.map((o) => [o.value, o.text.text])).toEqual([
      [bank, 'Business Bank Account (090)'],
    ]);
    const saved = await as(ADMIN).viewSubmission({
      callback_id: VIEW.ledgerPush,
      private_metadata: form.private_metadata,
      values: {
        [FIELD.pushEnabled]: { [FIELD.pushEnabled]: stateValue.radio('on') },
        [FIELD.pushAccount]: { [FIELD.pushAccount]: stateValue.select(bank) },
      },
    });
    expect(saved.body.response_action).toBe('update');
    expect(JSON.stringify(saved.body.view.blocks)).toContain('now posted to Xero, into *Business Bank Account (090)*');

    const { card, response, invoiceId } = await payFromCard('INV-7', '500.00');
    expect(response.body).toBeFalsy();
    expect(await cardBlocksAfter(card.response?.ts, /on its way to Xero/)).toContain(
      'Payment of $500.00 is on its way to Xero.',
    );
    expect((await getInvoice(ledger, TEAM, 'INV-7')).paidMinor).toBe(50000n);

    await books.pushDue();
    await bot.idle();
    expect(await cardBlocksAfter(card.response?.ts, /sent to Xero/)).toContain('Payment of $500.00 sent to Xero.');
    const held = xero.payments(xeroInvoice);
    expect(held).toHaveLength(1);
    expect(held[0]?.Amount).toBe('500.00');
    expect(held[0]?.Reference).toMatch(/^wire 889 \(recorded in Slack, receivables event \d+\)$/);

    // The next sync brings Xero's copy back: it is ours already.
    ledger.clock.advance(11 * 60_000);
    await books.syncNow(TEAM, 'xero');
    const [here] = await ledger.db.select({ n: count() }).from(payments).where(eq(payments.invoiceId, invoiceId));
    expect(here?.n).toBe(1);
    expect((await getInvoice(ledger, TEAM, 'INV-7')).paidMinor).toBe(50000n);
    expect(xero.payments(xeroInvoice)).toHaveLength(1);

    fake.reset();
    const id = 'status-1';
    await as(ADMIN).slashCommand({ text: 'connect', channel_id: 'C0FIN', response_url: fake.responseUrl(id) });
    const status = await fake.waitFor('response_url', (c) => c.id === id);
    expect(status.args.text).toContain('Payments recorded in Slack go to Xero, into *Business Bank Account (090)*');
  });

  it('says once in the finance channel when Xero refuses a payment, and the card says what to do', async () => {
    // Meanwhile 600.00 more was paid in Xero (the sync has not run): 500.00 is more than the 100.00 due there.
    xero.pay(xeroInvoice, { amount: '600.00', date: '2026-11-23' });
    const { card } = await payFromCard('INV-7', '500.00');
    fake.reset();
    await books.pushDue();
    await bot.idle();
    const told = await fake.waitFor('chat.postMessage', (c) => c.args.channel === 'C0FIN');
    expect(told.args.text).toContain(
      'Xero refused the payment of $500.00 on INV-7 recorded in Slack: Xero refused it: Payment amount exceeds the amount outstanding on this document',
    );
    expect(told.args.text).toContain('Record it in Xero by hand');
    expect(await cardBlocksAfter(card.response?.ts, /not in Xero/)).toContain(
      'It stays recorded here; record it in Xero by hand.',
    );
    ledger.clock.advance(2 * 3_600_000);
    await books.pushDue();
    await bot.idle();
    expect(fake.calls('chat.postMessage').filter((c) => c.args.channel === 'C0FIN')).toHaveLength(1);
    expect(xero.payments(xeroInvoice)).toHaveLength(2);
  });
});
