// Slack end to end, the owner's numbers: `/invoice rates` as a member and as a finance admin (signed requests, the
// fake Slack), then the App Home and the digest preview showing DSO, collected and expected in, with the converted
// total marked approximate and dated by its rate.
import { describe, expect, it } from 'vitest';
import { operatorPrincipal } from '../../src/services/policy.js';
import { setLedgerRates } from '../../src/services/rates.js';
import { useTestBot } from '../helpers/bot.js';
import type { Args } from '../helpers/fake-slack.js';
import { sentInvoice } from '../helpers/ledger.js';
import { nowSeconds } from '../helpers/signed.js';

const TEAM = 'T0TEAM';
const ADMIN = 'U0ADMIN';
const BOB = 'U0BOB';

// Monday 23 November 2026, 10:00 in New York.
const t = useTestBot({
  workspace: { teamId: TEAM, name: 'Studio North', timeZone: 'America/New_York' },
  settings: { financeAdmins: [ADMIN] },
});

let replies = 0;

/** `/invoice <text>` by `userId`: the answers through the response_url, in order. */
async function command(userId: string, text: string, count = 1): Promise<Args[]> {
  replies += 1;
  const id = `numbers-${replies}`;
  await t.as(userId).slashCommand({ text, response_url: t.fake.responseUrl(id) });
  await t.fake.waitForCount('response_url', count, (c) => c.id === id, 60_000);
  await t.bot.idle();
  return t.fake
    .calls('response_url')
    .filter((c) => c.id === id)
    .map((c) => c.args);
}

/** What a person reads in a message's blocks. */
function read(message: Args | undefined): string {
  const blocks = (message?.blocks ?? []) as { text?: { text: string }; elements?: { text: string }[] }[];
  return blocks.flatMap((b) => [b.text?.text ?? '', ...(b.elements ?? []).map((e) => e.text)]).join('\n');
}

describe('/invoice rates', () => {
  it('lets anyone see the rates and only a finance admin set them, each with its date', async () => {
    const [none] = await command(BOB, 'rates');
    expect(read(none)).toContain('No reporting currency yet: totals stay per currency.');

    const [denied] = await command(BOB, 'rates currency USD');
    expect(read(denied)).toContain(
      'Only the people named in `/invoice settings` can set the reporting currency and exchange rates.',
    );

    const [named] = await command(ADMIN, 'rates currency usd');
    expect(read(named)).toContain('✅ The reporting currency is now USD.');

    const [set] = await command(ADMIN, 'rates EUR 1.0800 2026-11-20');
    expect(read(set)).toContain('✅ Set: 1 EUR = 1.08 USD, the rate of 2026-11-20.');
    expect(read(set)).toContain('• 1 EUR = 1.08 USD (rate of 2026-11-20)');

    const [bad] = await command(ADMIN, 'rates EUR 1,08');
    expect(read(bad)).toContain('rate: must be a positive decimal like 1.2734');
    const [member] = await command(BOB, 'rates EUR 2');
    expect(read(member)).toContain('🔒');
    const [after] = await command(BOB, 'rates');
    expect(read(after)).toContain('• 1 EUR = 1.08 USD (rate of 2026-11-20)');
  });

  it('shows which rates came from the connected ledger, and a newer ledger rate replacing a manual one', async () => {
    await command(ADMIN, 'rates currency USD');
    await command(ADMIN, 'rates EUR 1.08 2026-11-20');
    // What a Xero sync hands over: GBP from an invoice of 22 November at CurrencyRate 0.79 (GBP per USD), EUR from
    // one of 21 November; and a stale EUR quote of 19 November.
    const taken = await setLedgerRates(t.ledger, TEAM, operatorPrincipal('xero'), {
      source: 'xero',
      home: 'USD',
      rates: [
        { currency: 'GBP', rate: '1/0.790000', rateDate: '2026-11-22' },
        { currency: 'EUR', rate: '1/0.92', rateDate: '2026-11-21' },
      ],
    });
    expect(taken).toEqual(['GBP', 'EUR']);
    expect(
      await setLedgerRates(t.ledger, TEAM, operatorPrincipal('xero'), {
        source: 'xero',
        home: 'USD',
        rates: [{ currency: 'EUR', rate: '1/0.9', rateDate: '2026-11-19' }],
      }),
    ).toEqual([]);
    const [listed] = await command(BOB, 'rates');
    expect(read(listed).split('\n').slice(0, 3)).toEqual([
      '*Reporting currency:* USD',
      "• 1 EUR = 1.086957 USD (Xero's rate of 2026-11-21: 1 USD = 0.92 EUR)",
      "• 1 GBP = 1.265823 USD (Xero's rate of 2026-11-22: 1 USD = 0.79 GBP)",
    ]);
    expect(read(listed)).toContain('on the same date a rate set here stays');
    // A finance admin's rate of a later day wins again, and says so.
    const [set] = await command(ADMIN, 'rates EUR 1.09');
    expect(read(set)).toContain('• 1 EUR = 1.09 USD (rate of 2026-11-23)');
  });
});

describe('the numbers in the App Home and the digest', () => {
  it('shows DSO, collected and expected in, the converted total approximate with its rate’s date', async () => {
    await sentInvoice(t.ledger, TEAM, ADMIN, { number: 'US-1', issueDate: '2026-10-01' }); // due 31 Oct: late
    await sentInvoice(t.ledger, TEAM, ADMIN, { number: 'US-2', issueDate: '2026-11-20' }); // due 20 Dec: week 4
    await sentInvoice(t.ledger, TEAM, ADMIN, {
      number: 'EU-1',
      currency: 'EUR',
      total: '500',
      issueDate: '2026-11-10',
    });
    await command(ADMIN, 'rates currency USD');
    await command(ADMIN, 'rates EUR 1.08 2026-11-20');

    const before = t.fake.calls('views.publish').length;
    await t.as(ADMIN).eventCallback({
      event: {
        type: 'app_home_opened',
        user: ADMIN,
        channel: 'D0HOME',
        tab: 'home',
        event_ts: `${nowSeconds()}.000100`,
      },
    });
    const home = (await t.fake.waitForCount('views.publish', before + 1, undefined, 60_000)).at(-1);
    const text = read(home?.args.view as Args);
    // Receivables $2,400.00 over sales $2,400.00 in 90 days: 90 days; EUR the same.
    expect(text).toContain('*DSO:* 90 days (EUR) · 90 days (USD)');
    expect(text).toContain('*Collected this week:* nothing · last week nothing · 4-week average nothing');
    // €500.00 due 10 December, $1,200.00 due 20 December; €500.00 × 1.08 = $540.00.
    expect(text).toContain('*Expected in, next 4 weeks:* €500.00 + $1,200.00 (≈ $1,740.00 at the rates of 2026-11-20)');
    expect(text).toContain(
      'By week from 2026-11-23: — · from 2026-11-30: — · from 2026-12-07: €500.00 · from 2026-12-14: $1,200.00',
    );
    expect(text).toContain('Not forecast: $1,200.00 late with no date (1)');
    expect(text).toContain('DSO = receivables ÷ credit sales of the last 90 days × 90');

    const [preview] = await command(ADMIN, 'digest');
    expect(read(preview)).toContain('*The numbers*\n*DSO:* 90 days (EUR) · 90 days (USD)');
    expect(preview?.text).toContain('DSO 90 days (EUR)');
  });
});
