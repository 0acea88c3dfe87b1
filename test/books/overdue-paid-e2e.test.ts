// End to end: an invoice from Xero becomes Overdue today and the morning's alert is decided; the client's payment
// lands in Xero that morning. Before the alert is posted: no overdue alert at all. After: the card it posted turns
// Paid in place. The real app (Bolt, the fake Slack), the books pointed at the fake Xero, the jobs on the clock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { xeroSignature } from '../../src/books/webhook.js';
import { recordAlerts } from '../../src/jobs/plan.js';
import { deliverDue } from '../../src/jobs/post.js';
import { getInvoice } from '../../src/services/invoices.js';
import { getWorkspace } from '../../src/services/workspaces.js';
import { BOOKS_ADMIN, BOOKS_TEAM, type BooksBot, startBooksBot } from '../helpers/books-bot.js';
import { posterEnv } from '../helpers/jobs.js';
import { asAdmin } from '../helpers/ledger.js';

const TEAM = BOOKS_TEAM;
const WEBHOOK_KEY = 'fake-webhook-key-overdue-0123';
// Monday 2026-11-23, 08:30 in New York: the alerts are decided from 09:00.
const MORNING = '2026-11-23T13:30:00Z';
const ALERT_TIME = '2026-11-23T14:00:00Z';

let app: BooksBot;
let afterSync: (() => void) | undefined;
let xeroInvoice: string;

beforeEach(async () => {
  app = await startBooksBot({ now: MORNING, webhookKey: WEBHOOK_KEY, afterSync: () => afterSync?.() });
  const { xero, books } = app;
  const northwind = xero.addContact({ name: 'Northwind Traders', email: 'ap@northwind.test' });
  // Due yesterday: Overdue from today.
  xeroInvoice = xero.addInvoice({
    InvoiceNumber: 'INV-0042',
    ContactID: northwind,
    Total: '1250.00',
    Date: '2026-10-23',
    DueDate: '2026-11-22',
  });
  const back = new URL(await xero.approve(await books.startConnect(TEAM, adminPrincipal(), 'xero')));
  await books.completeConnect(
    'xero',
    {
      state: back.searchParams.get('state') ?? '',
      code: back.searchParams.get('code') ?? '',
    },
    async (team, user) => asAdmin({ type: 'user', id: user }, team),
  );
  await books.syncNow(TEAM, 'xero');
  expect((await getInvoice(app.ledger, TEAM, 'INV-0042')).status.state).toBe('overdue');
});

afterEach(async () => {
  afterSync = undefined;
  await app.close();
});

const adminPrincipal = () => asAdmin({ type: 'user', id: BOOKS_ADMIN }, TEAM);

/** The morning's alerts decided, as the scheduler's tick does at the alert time. */
async function decideAlerts(): Promise<void> {
  app.clock.set(ALERT_TIME);
  await recordAlerts(app.ledger, await getWorkspace(app.ledger, TEAM), app.clock.now());
}

/** The client pays in full in Xero, and Xero's webhook says so; resolves once the sync it starts has run. */
async function paidInXero(): Promise<void> {
  app.clock.advance(10 * 60_000);
  app.xero.setNow(app.clock.now());
  app.xero.pay(xeroInvoice, { amount: '1250.00', date: '2026-11-23', reference: 'Wire 7781' });
  const synced = new Promise<void>((resolve) => {
    afterSync = resolve;
  });
  const body = JSON.stringify({
    events: [
      {
        resourceUrl: `https://api.xero.com/api.xro/2.0/Invoices/${xeroInvoice}`,
        resourceId: xeroInvoice,
        eventDateUtc: '2026-11-23T14:10:00.000',
        eventType: 'UPDATE',
        eventCategory: 'INVOICE',
        tenantId: app.xero.tenant.id,
        tenantType: 'ORGANISATION',
      },
    ],
    firstEventSequence: 1,
    lastEventSequence: 1,
    entropy: 'OVERDUEPAID',
  });
  const answer = await fetch(`${app.baseUrl}/webhooks/xero`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-xero-signature': xeroSignature(WEBHOOK_KEY, body) },
    body,
  });
  expect(answer.status).toBe(200);
  await synced;
  await app.books.idle();
}

const overdueAlerts = () =>
  app.fake.calls('chat.postMessage').filter((c) => c.args.channel === 'C0FIN' && /overdue/i.test(c.args.text));

describe("a payment in Xero and that morning's overdue alert", () => {
  it('posts no overdue alert when the payment arrives after the decision and before the post', async () => {
    await decideAlerts();

    await paidInXero();
    const report = await deliverDue(posterEnv(app.ledger, app.fake));

    expect((await getInvoice(app.ledger, TEAM, 'INV-0042')).status.state).toBe('paid');
    expect(report).toMatchObject({ delivered: 0, skipped: 1 });
    expect(overdueAlerts()).toEqual([]);
    expect(app.fake.messages('C0FIN').filter((m) => /INV-0042/.test(m.text))).toEqual([]);
  });

  it("leaves it out of a big morning's summary too, and out of the summary's thread", async () => {
    const northwind = app.xero.invoice(xeroInvoice).ContactID;
    for (let n = 1; n <= 6; n++) {
      app.xero.addInvoice({
        InvoiceNumber: `INV-010${n}`,
        ContactID: northwind,
        Total: '100.00',
        Date: '2026-10-23',
        DueDate: '2026-11-22',
      });
    }
    await app.books.syncNow(TEAM, 'xero');
    await decideAlerts();

    await paidInXero();
    const report = await deliverDue(posterEnv(app.ledger, app.fake));

    expect(report).toMatchObject({ delivered: 7, skipped: 1 });
    const posts = app.fake.calls('chat.postMessage').filter((c) => c.args.channel === 'C0FIN');
    const summary = posts.find((c) => /^Receivables for 2026-11-23/.test(c.args.text));
    expect(summary?.args.text).toBe(
      'Receivables for 2026-11-23: 6 invoices became overdue. The cards are in the thread.',
    );
    const thread = posts.filter((c) => c.args.thread_ts === summary?.response?.ts);
    expect(thread.map((c) => /INV-\d+/.exec(c.args.text)?.[0]).sort()).toEqual([
      'INV-0101',
      'INV-0102',
      'INV-0103',
      'INV-0104',
      'INV-0105',
      'INV-0106',
    ]);
    expect(overdueAlerts().filter((c) => /INV-0042/.test(c.args.text))).toEqual([]);
  });

  it('turns the posted alert card Paid in place when the payment arrives after the post', async () => {
    await decideAlerts();
    const report = await deliverDue(posterEnv(app.ledger, app.fake));
    expect(report).toMatchObject({ delivered: 1 });
    const [alert] = overdueAlerts();
    expect(alert?.args.text).toMatch(/INV-0042 for Northwind Traders is now overdue \(1 day\)/);
    const ts = alert?.response?.ts;

    await paidInXero();

    const update = await app.fake.waitFor('chat.update', (c) => c.args.ts === ts);
    expect(update.args.channel).toBe('C0FIN');
    expect(JSON.stringify(update.args.blocks)).toMatch(/Paid/);
    // In place: the channel still holds one message about it, now showing Paid; nothing new was posted.
    const cards = app.fake.messages('C0FIN').filter((m) => /INV-0042/.test(m.text));
    expect(cards).toHaveLength(1);
    expect(cards[0]?.ts).toBe(ts);
    expect(JSON.stringify(cards[0]?.blocks)).toMatch(/Paid/);
    expect(overdueAlerts()).toHaveLength(1);
    // The next morning's pass has nothing more to say about it.
    app.clock.set('2026-11-24T14:00:00Z');
    await recordAlerts(app.ledger, await getWorkspace(app.ledger, TEAM), app.clock.now());
    expect(await deliverDue(posterEnv(app.ledger, app.fake))).toMatchObject({ delivered: 0 });
  });
});
