// The client's status page in a real headless Chromium (Debian's chromium, driven by playwright-core), with
// JavaScript off: open it on a phone-sized screen, answer "payment scheduled", see the answer on the page and
// in the fake Slack. Screenshots are kept in test-artifacts/ (CI keeps that folder).
//
// Without Chromium (CHROMIUM_PATH or /usr/bin/chromium) this file is skipped, saying so — unless
// REQUIRE_BROWSER=1 (set by .ci/run, which installs Chromium), where a missing browser fails the run.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverDue } from '../../src/jobs/post.js';
import { createClient } from '../../src/services/clients.js';
import { createInvoice, getInvoice } from '../../src/services/invoices.js';
import { shareClient } from '../../src/services/sharing.js';
import { useTestBot } from '../helpers/bot.js';
import { posterEnv } from '../helpers/jobs.js';
import { asAdmin } from '../helpers/ledger.js';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveBrowser = existsSync(executablePath);
if (!haveBrowser && process.env.REQUIRE_BROWSER === '1') {
  throw new Error(`REQUIRE_BROWSER=1 but there is no Chromium at ${executablePath} (apt-get install chromium).`);
}
if (!haveBrowser) {
  console.warn(`Skipping the browser tests: no Chromium at ${executablePath} (apt-get install chromium).`);
}

const ARTIFACTS = join(process.cwd(), 'test-artifacts');
const TEAM = 'T0TEAM';
const FINANCE = 'C0FINANCE';
const alice = { type: 'user', id: 'U0ADMIN' } as const;

describe.skipIf(!haveBrowser)('the status page in Chromium', () => {
  const t = useTestBot({
    onStart: ({ ledger, fake, bot }) => {
      const env = posterEnv(ledger, fake);
      bot.deps.jobs = { tick: () => deliverDue(env), deliverNow: (teamId) => deliverDue(env, { teamId }) };
    },
    workspace: { teamId: TEAM, name: 'Studio North', timeZone: 'Europe/London' },
    settings: { financeAdmins: [alice.id], financeChannel: FINANCE },
  });
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({
      executablePath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('opens on a phone without JavaScript, takes an answer, and shows it on the page and in Slack', async () => {
    const { result: client } = await createClient(t.ledger, TEAM, asAdmin(alice, TEAM), {
      name: 'Northwind Traders',
      contactEmail: 'ap@northwind.test',
    });
    const make = (number: string, extra: Record<string, unknown>) =>
      createInvoice(t.ledger, TEAM, asAdmin(alice, TEAM), {
        number,
        clientId: client.id,
        currency: 'GBP',
        issueDate: '2026-09-01',
        status: 'sent',
        total: '4,800.00',
        terms: 'net 60',
        ...extra,
      });
    const { result: overdue } = await make('NW-1042', { description: 'Brand refresh, phase 2' });
    await make('NW-1057', { issueDate: '2026-11-02', terms: 'net 30', total: '1,250.50' });
    const card = await t.bot.live.postCard(TEAM, FINANCE, overdue.id);
    const { token } = await shareClient(t.ledger, TEAM, asAdmin(alice, TEAM), { client: 'Northwind Traders' });

    const context = await browser.newContext({
      javaScriptEnabled: false,
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
    });
    const page = await context.newPage();
    const response = await page.goto(`${t.baseUrl}/c/${token}`);
    expect(response?.status()).toBe(200);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Northwind Traders');
    const article = page.locator(`#inv-${overdue.id}`);
    expect(await article.locator('.badge').textContent()).toBe('Overdue · 23 days');
    expect(await article.locator('dd').nth(2).textContent()).toBe('2026-10-31 · net 60 from 2026-09-01');
    // Readable on a phone: nothing wider than the screen.
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ARTIFACTS, 'client-page.png'), fullPage: true });

    // Answer: payment scheduled, with a reference. <details> opens without JavaScript.
    await article.locator('summary', { hasText: 'Payment is scheduled' }).click();
    const form = article.locator('form', { has: page.locator('input[name="date"]') });
    await form.locator('input[name="date"]').fill('2026-12-04');
    await form.locator('input[name="reference"]').fill('BACS 2291');
    await form.locator('input[name="name"]').fill('Ada Lovelace');
    await Promise.all([page.waitForURL(/answered=scheduled/), form.locator('button[type="submit"]').click()]);

    expect(await page.locator('.notice').textContent()).toBe('Thank you: we have noted the payment date for NW-1042.');
    expect(await article.locator('ol li').last().textContent()).toContain(
      'Payment scheduled for 2026-12-04, reference BACS 2291 (Ada Lovelace)',
    );
    await page.screenshot({ path: join(ARTIFACTS, 'client-page-answered.png'), fullPage: true });
    await context.close();

    // The ledger, the live card and the finance channel's thread.
    await t.bot.idle();
    expect((await getInvoice(t.ledger, TEAM, overdue.id)).promisedDate).toBe('2026-12-04');
    const update = await t.fake.waitFor('chat.update', (c) => c.args.ts === card.ts);
    expect(JSON.stringify(update.args.blocks)).toContain('2026-12-04');
    const told = await t.fake.waitFor('chat.postMessage', (c) => c.args.thread_ts === card.ts);
    expect(told.args.text).toContain('Northwind Traders (ap@northwind.test) answered on *NW-1042*');
    expect(told.args.text).toContain("payment scheduled for 2026-12-04 · ref 'BACS 2291' · by 'Ada Lovelace'");
  });
});
