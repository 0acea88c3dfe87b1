// The App Home's warning about a failing ledger webhook: what a finance person reads, escaped, within limits.
import { describe, expect, it } from 'vitest';
import { homeView } from '../../../src/slack/ui/home.js';
import type { FailingWebhookEndpoint } from '../../../src/webhooks/endpoints.js';
import { makeOverview, NOW, TODAY, ZONE } from './fixtures.js';

const ENDPOINT_ID = '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
const base = {
  overview: makeOverview(2),
  today: TODAY,
  timeZone: ZONE,
  now: NOW,
  isEmpty: false,
  canHandleMoney: true,
  financeChannel: 'C0FINANCE',
};

/** Failing since 08:05 London (GMT), three tries, the last at 09:04, the next at 09:35; it is 09:30. */
function failing(o: Partial<FailingWebhookEndpoint> = {}): FailingWebhookEndpoint {
  return {
    id: ENDPOINT_ID,
    displayUrl: 'erp.example.com/hooks',
    consecutiveFailures: 3,
    lastFailureAt: new Date('2026-11-14T09:04:00Z'),
    waitingSince: new Date('2026-11-14T08:05:00Z'),
    lastError: 'event 4182: HTTP 500: try later',
    nextAttemptAt: new Date('2026-11-14T09:35:00Z'),
    pending: 12,
    pendingCapped: false,
    ...o,
  };
}

const unix = (iso: string) => Math.floor(new Date(iso).getTime() / 1000);
const date = (iso: string, fallback: string) => `<!date^${unix(iso)}^{date_short_pretty} at {time}|${fallback}>`;

function sections(view: ReturnType<typeof homeView>): string[] {
  return view.blocks.flatMap((b) => {
    const block = b as { type: string; text?: { text: string } };
    return block.type === 'section' && block.text ? [block.text.text] : [];
  });
}

/** What Slack shows a person: dates as their fallback (the workspace's zone), entities as the characters. */
function seen(mrkdwn: string): string {
  return mrkdwn
    .replace(/<!date\^\d+\^[^|>]*\|([^>]*)>/g, '$1')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

describe('the App Home with a failing ledger webhook', () => {
  it('warns right under the header, with what is waiting, since when, the last error, the next try and the fix', () => {
    const view = homeView({ ...base, failingWebhooks: [failing()] });
    expect(view.blocks[3]).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: [
          '⚠️ *Ledger webhook erp.example.com/hooks is failing:*',
          `12 events waiting since ${date('2026-11-14T08:05:00Z', '2026-11-14 08:05')}`,
          `· failed 3 times in a row, the last ${date('2026-11-14T09:04:00Z', '2026-11-14 09:04')}`,
          "· last error 'event 4182: HTTP 500: try later'",
          `· next try ${date('2026-11-14T09:35:00Z', '2026-11-14 09:35')}`,
          `— fix the endpoint or remove it with \`/invoice webhooks remove ${ENDPOINT_ID}\``,
        ].join(' '),
      },
    });
    expect(seen(sections(view)[0] ?? '')).toBe(
      "⚠️ *Ledger webhook erp.example.com/hooks is failing:* 12 events waiting since 2026-11-14 08:05 · failed 3 times in a row, the last 2026-11-14 09:04 · last error 'event 4182: HTTP 500: try later' · next try 2026-11-14 09:35 — fix the endpoint or remove it with `/invoice webhooks remove 6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f`",
    );
    // The rest of the home is unchanged below it.
    expect(view.blocks.slice(4)).toEqual(homeView(base).blocks.slice(3));
  });

  it('shows nothing at all when every endpoint is healthy', () => {
    expect(homeView({ ...base, failingWebhooks: [] })).toEqual(homeView(base));
  });

  it('warns on a home with no invoices yet too', () => {
    const view = homeView({ ...base, overview: makeOverview(0), isEmpty: true, failingWebhooks: [failing()] });
    expect(sections(view)[0]).toMatch(/^⚠️ \*Ledger webhook erp\.example\.com\/hooks is failing:\*/);
    expect(sections(view)[1]).toBe('*Nothing here yet.* Three ways to start:');
  });

  it('says "1,000+" for a capped count, "failed once" for a first failure, and "any moment" for a due retry', () => {
    const view = homeView({
      ...base,
      failingWebhooks: [
        failing({
          pending: 1_000,
          pendingCapped: true,
          consecutiveFailures: 1,
          lastError: '  no answer within 10 s\n ',
          nextAttemptAt: new Date('2026-11-14T09:30:00Z'),
        }),
      ],
    });
    expect(seen(sections(view)[0] ?? '')).toBe(
      "⚠️ *Ledger webhook erp.example.com/hooks is failing:* 1,000+ events waiting since 2026-11-14 08:05 · failed once, 2026-11-14 09:04 · last error 'no answer within 10 s' · next try any moment — fix the endpoint or remove it with `/invoice webhooks remove 6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f`",
    );
  });

  it('escapes a hostile URL and error, so neither can ping the channel or disguise a link', () => {
    const view = homeView({
      ...base,
      failingWebhooks: [
        failing({
          displayUrl: 'evil.example/<!channel>&<@U0BOSS>',
          lastError: 'HTTP 500: <!channel> <https://phish.example|click> & co',
        }),
      ],
    });
    const [text = ''] = sections(view);
    expect(text).toContain('*Ledger webhook evil.example/&lt;!channel&gt;&amp;&lt;@U0BOSS&gt; is failing:*');
    expect(text).toContain("last error 'HTTP 500: &lt;!channel&gt; &lt;https://phish.example|click&gt; &amp; co'");
    // The only markup left is the app's own dates.
    expect(text.match(/<[^>]*>/g)?.every((tag) => tag.startsWith('<!date^'))).toBe(true);
    expect(seen(text)).toContain('Ledger webhook evil.example/<!channel>&<@U0BOSS> is failing:*');
    expect(seen(text)).toContain("last error 'HTTP 500: <!channel> <https://phish.example|click> & co'");
  });

  it('lists several failing endpoints in one section, capped, with the rest counted', () => {
    const many = Array.from({ length: 8 }, (_, n) =>
      failing({
        id: `6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4${n}`,
        displayUrl: `erp${n}.example.com/hooks`,
        lastError: `HTTP 500: ${'<!channel> '.repeat(400)}`,
      }),
    );
    const view = homeView({ ...base, failingWebhooks: many });
    expect(view.blocks).toHaveLength(homeView(base).blocks.length + 1);
    const [text = ''] = sections(view);
    const lines = seen(text).split('\n');
    expect(lines[0]).toBe(
      '⚠️ *8 ledger webhooks are failing* — events are not reaching your books. Fix each endpoint or remove it:',
    );
    expect(lines.slice(1, 6).map((l) => l.split(':')[0])).toEqual([
      '• *erp0.example.com/hooks*',
      '• *erp1.example.com/hooks*',
      '• *erp2.example.com/hooks*',
      '• *erp3.example.com/hooks*',
      '• *erp4.example.com/hooks*',
    ]);
    expect(lines[1]).toMatch(/ · `\/invoice webhooks remove 6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e40`$/);
    expect(lines[6]).toBe('_…and 3 more: `/invoice webhooks`_');
    expect(lines).toHaveLength(7);
    expect(text.length).toBeLessThanOrEqual(3000);
    expect(text).not.toContain('<!channel>');
  });

  it('tells a member only that an endpoint is failing and since when: no address, error, retry or fix', () => {
    const view = homeView({ ...base, canHandleMoney: false, failingWebhooks: [failing()] });
    const [text = ''] = sections(view);
    expect(text).toBe(
      `⚠️ *A ledger webhook is failing* since ${date('2026-11-14T08:05:00Z', '2026-11-14 08:05')}: events are not reaching your books. A finance admin can see why with \`/invoice webhooks\`.`,
    );
    const shown = JSON.stringify(view);
    for (const hidden of ['erp.example.com', 'HTTP 500', 'try later', ENDPOINT_ID, 'next try', '12 events']) {
      expect(shown).not.toContain(hidden);
    }
    // The admin's home, from the same data, says where and why.
    expect(sections(homeView({ ...base, failingWebhooks: [failing()] }))[0]).toContain(
      "last error 'event 4182: HTTP 500",
    );
  });

  it('tells a member how many endpoints are failing, since the earliest, and nothing of any of them', () => {
    const many = [
      failing({ waitingSince: new Date('2026-11-14T08:05:00Z') }),
      failing({ displayUrl: 'intranet.example/<!channel>', waitingSince: new Date('2026-11-13T07:00:00Z') }),
      failing({ waitingSince: null, lastFailureAt: new Date('2026-11-14T09:00:00Z'), lastError: 'secret=hunter2' }),
    ];
    const view = homeView({ ...base, canHandleMoney: false, failingWebhooks: many });
    expect(seen(sections(view)[0] ?? '')).toBe(
      '⚠️ *3 ledger webhooks are failing* since 2026-11-13 07:00: events are not reaching your books. A finance admin can see why with `/invoice webhooks`.',
    );
    expect(JSON.stringify(view)).not.toMatch(/intranet|channel|hunter2|remove/);
    expect(view.blocks).toHaveLength(homeView({ ...base, canHandleMoney: false }).blocks.length + 1);
  });
});
