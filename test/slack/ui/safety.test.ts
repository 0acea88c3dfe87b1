// What every builder must hold whatever the data: user text is escaped, and Slack's limits are kept.
import type { KnownBlock, ModalView, View } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { section } from '../../../src/slack/ui/blocks.js';
import { invoiceCard } from '../../../src/slack/ui/card.js';
import { homeView } from '../../../src/slack/ui/home.js';
import { clientMessage, errorMessage, listMessage, notFoundMessage } from '../../../src/slack/ui/messages.js';
import {
  chaseModal,
  editInvoiceModal,
  historyModal,
  holdModal,
  newInvoiceModal,
  paymentModal,
  settingsModal,
  voidModal,
} from '../../../src/slack/ui/modals/index.js';
import {
  esc,
  escapeClip,
  escapeText,
  joinMd,
  link,
  literal,
  md,
  mention,
  packLines,
  showable,
  slackDate,
  truncate,
} from '../../../src/slack/ui/text.js';
import {
  BOB,
  INVOICE_ID,
  invoiceIn,
  makeClientRecord,
  makeEvent,
  makeInvoice,
  makeOverview,
  makeWorkspace,
  NOW,
  TODAY,
  ZONE,
} from './fixtures.js';

const EVIL = 'Pay now <!channel> & <@U123> <https://evil.example|bank>';
const RAW = ['<!channel>', '<@U123>', '<https://evil.example'];

/** Every mrkdwn text in a payload (plain_text is never parsed for mentions, so it may hold raw text). */
function mrkdwnTexts(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const v of value) mrkdwnTexts(v, out);
  } else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (o.type === 'mrkdwn' && typeof o.text === 'string') out.push(o.text);
    for (const v of Object.values(o)) mrkdwnTexts(v, out);
  }
  return out;
}

function expectEscaped(payload: { text?: string; blocks: unknown }) {
  const texts = mrkdwnTexts(payload.blocks);
  if (payload.text !== undefined) texts.push(payload.text);
  for (const text of texts) for (const raw of RAW) expect(text).not.toContain(raw);
  expect(texts.join('\n')).toContain('&lt;!channel&gt;');
}

function evilInvoice() {
  return makeInvoice({
    number: 'INV-<!here>',
    clientName: `Acme ${EVIL}`,
    description: EVIL,
    basisDate: '2026-11-05',
    basisLabel: EVIL,
    voidReason: EVIL,
    promisedDate: '2026-11-06',
    ownerUserId: '<!channel>',
    hold: { kind: 'hold', reason: EVIL, since: NOW, by: '<@U123>' },
    lastAction: { kind: 'chased', at: new Date('2026-11-11T15:00:00Z'), by: '<!channel>' },
  });
}

const evilEvents = [
  makeEvent(1, 'chased', { method: 'call', note: EVIL, response: EVIL, promisedDate: '2026-11-06' }),
  makeEvent(2, 'part_paid', { amountMinor: 100n, currency: 'USD', reference: EVIL, method: EVIL }),
  makeEvent(3, 'held', { reason: EVIL }),
  makeEvent(4, 'voided', { reason: EVIL }, { actorId: '<!channel>' }),
  makeEvent(5, 'weird_<!channel>', {}),
];

describe('user text is escaped everywhere', () => {
  it('in the card: client, number, description, basis label, hold reason, owner and last actor', () => {
    expectEscaped(invoiceCard(evilInvoice(), { now: NOW, timeZone: ZONE }));
    const voided = makeInvoice({ clientName: EVIL, voidedAt: NOW, voidReason: EVIL });
    expectEscaped(invoiceCard(voided, { now: NOW, timeZone: ZONE }));
  });

  it('in the Home tab and the list', () => {
    const overview = makeOverview(3, () => ({ clientName: `Acme ${EVIL}`, promisedDate: '2026-11-01' }));
    expectEscaped(
      homeView({
        overview,
        today: TODAY,
        timeZone: ZONE,
        now: NOW,
        isEmpty: false,
        canHandleMoney: true,
        financeChannel: '<!channel>',
      }),
    );
    expectEscaped(listMessage({ overview, filterLabel: EVIL, now: NOW, timeZone: ZONE }));
  });

  it('in the client message: name, contact, notes, invoices and history notes', () => {
    const record = makeClientRecord({
      client: {
        id: 'c',
        name: EVIL,
        contactName: EVIL,
        contactEmail: EVIL,
        terms: EVIL,
        notes: EVIL,
        archived: true,
      },
      invoices: [evilInvoice()],
      history: evilEvents,
    });
    expectEscaped(clientMessage({ record, now: NOW, timeZone: ZONE }));
  });

  it('in the modals that show the invoice, the last chase and the history', () => {
    const metadata = { invoiceId: INVOICE_ID, key: 'k' };
    const inv = evilInvoice();
    expectEscaped(paymentModal({ invoice: inv, today: TODAY, metadata }));
    expectEscaped(chaseModal({ invoice: inv, today: TODAY, metadata, lastChase: evilEvents[0] }));
    expectEscaped(holdModal({ invoice: inv, metadata }));
    expectEscaped(voidModal({ invoice: inv, metadata }));
    expectEscaped(editInvoiceModal({ invoice: inv, metadata, today: TODAY }));
    expectEscaped(historyModal({ invoice: inv, events: evilEvents, timeZone: ZONE }));
  });

  it('in replies that quote what was typed', () => {
    expectEscaped(notFoundMessage('client', EVIL, EVIL));
    expectEscaped(notFoundMessage('command', EVIL));
    expectEscaped(errorMessage(EVIL));
  });

  it('shows a mention only for a real user id', () => {
    expect(mention('U0ALICE')).toBe('<@U0ALICE>');
    expect(mention('W012ABC')).toBe('<@W012ABC>');
    expect(mention('<!channel>')).toBe('&lt;!channel&gt;');
    expect(mention('u0alice')).toBe('u0alice');
    expect(mention(null)).toBe('nobody');
  });
});

describe('one way to put text into a message', () => {
  it('joins the code’s own words with values already escaped, and writes numbers for people', () => {
    const name = '<!here> & co';
    expect(md`Did ${esc(name)} pay ${1234} invoices?`).toBe('Did &lt;!here&gt; &amp; co pay 1,234 invoices?');
    expect(joinMd([esc('<a>'), literal('b')], ' · ')).toBe('&lt;a&gt; · b');
  });

  it('refuses, at compile time, a plain string where mrkdwn goes', () => {
    const typed: string = '<!channel>';
    // @ts-expect-error a person's words must be escaped first: md`${esc(typed)}`
    expect(md`${typed}`).toBe('<!channel>');
    // @ts-expect-error a section takes Mrkdwn only
    expect(section(typed)).toBeDefined();
    // @ts-expect-error literal() takes only a string written in the code, not a variable
    expect(literal(typed)).toBe('<!channel>');
  });

  it('drops control characters and bidi overrides from what it shows, even from old rows', () => {
    expect(escapeText('a\u0000b\u202Ec\u2066d')).toBe('abcd');
    expect(showable('line\nnext\ttab\u001b[2J')).toBe('line\nnext\ttab[2J');
  });

  it('links only an address made of URL characters; anything else is shown as text', () => {
    expect(link('https://status.example/c/abc_DEF-1?x=1&y=2')).toBe('<https://status.example/c/abc_DEF-1?x=1&amp;y=2>');
    expect(link('https://evil.example|click')).toBe('https://evil.example|click');
    expect(link('https://x.example/<!here>')).toBe('https://x.example/&lt;!here&gt;');
    expect(link('javascript:alert(1)')).toBe('javascript:alert(1)');
  });
});

describe('text helpers', () => {
  it('escapes &, < and >', () => {
    expect(escapeText('a & b <c> d')).toBe('a &amp; b &lt;c&gt; d');
  });

  it('cuts with an ellipsis, never through a surrogate pair or an entity', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 3)).toBe('abc');
    expect(truncate('ab😀cd', 4)).toBe('ab…');
    expect(escapeClip('ab&cd', 5)).toBe('ab…');
    expect(escapeClip('&&&&', 12)).toBe('&amp;&amp;…');
  });

  it('writes a date each reader sees in their zone, with an escaped fallback', () => {
    expect(slackDate(NOW, '2026-11-14 <x>')).toBe('<!date^1794648600^{date_short}|2026-11-14 &lt;x&gt;>');
  });

  it('packs lines into texts within the limit and counts what is left out', () => {
    const lines = Array.from({ length: 100 }, (_, i) => md`line ${i} ${esc('x'.repeat(90))}`);
    const texts = packLines(lines, { maxTexts: 2, maxChars: 1000, total: 150 });
    expect(texts).toHaveLength(2);
    for (const t of texts) expect(t.length).toBeLessThanOrEqual(1000);
    const shown = texts
      .join('\n')
      .split('\n')
      .filter((l) => l.startsWith('line')).length;
    expect(texts[1]?.endsWith(`_…and ${150 - shown} more_`)).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Limits

interface Limits {
  maxBlocks: number;
  /** Total characters of block text (messages: ~12,000 before msg_blocks_too_long). */
  maxBlockText?: number;
}

function textsOf(block: Record<string, unknown>): string[] {
  const out: string[] = [];
  const text = block.text as { text?: string } | undefined;
  if (text?.text) out.push(text.text);
  for (const f of (block.fields as { text: string }[] | undefined) ?? []) out.push(f.text);
  if (block.type === 'context') for (const e of block.elements as { text?: string }[]) if (e.text) out.push(e.text);
  return out;
}

function expectWithinLimits(blocks: readonly unknown[], limits: Limits) {
  expect(blocks.length).toBeLessThanOrEqual(limits.maxBlocks);
  let total = 0;
  for (const b of blocks as Record<string, unknown>[]) {
    const text = b.text as { text: string } | undefined;
    if (b.type === 'header') expect(text?.text.length).toBeLessThanOrEqual(150);
    if (b.type === 'section') {
      if (text) expect(text.text.length).toBeLessThanOrEqual(3000);
      const fields = (b.fields as { text: string }[] | undefined) ?? [];
      expect(fields.length).toBeLessThanOrEqual(10);
      for (const f of fields) expect(f.text.length).toBeLessThanOrEqual(2000);
    }
    if (b.type === 'context') {
      const elements = b.elements as { text?: string }[];
      expect(elements.length).toBeLessThanOrEqual(10);
      for (const e of elements) expect(e.text?.length ?? 0).toBeLessThanOrEqual(3000);
    }
    if (b.type === 'actions') {
      for (const e of b.elements as { value?: string; options?: unknown[] }[]) {
        expect(e.value?.length ?? 0).toBeLessThanOrEqual(2000);
        expect(e.options?.length ?? 0).toBeLessThanOrEqual(5);
      }
    }
    if (b.type === 'input') {
      const element = b.element as { action_id: string; options?: { text: { text: string } }[] };
      expect(element.action_id.length).toBeLessThanOrEqual(255);
      expect(element.options?.length ?? 0).toBeLessThanOrEqual(100);
      for (const o of element.options ?? []) expect(o.text.text.length).toBeLessThanOrEqual(75);
    }
    total += textsOf(b).reduce((sum, t) => sum + t.length, 0);
  }
  if (limits.maxBlockText !== undefined) expect(total).toBeLessThanOrEqual(limits.maxBlockText);
}

function expectViewWithinLimits(view: View) {
  expectWithinLimits(view.blocks, { maxBlocks: 100 });
  expect(JSON.stringify(view).length).toBeLessThan(250_000);
  if (view.type === 'modal') {
    const modal = view as ModalView;
    expect(modal.title.text.length).toBeLessThanOrEqual(24);
    expect(modal.submit?.text.length ?? 0).toBeLessThanOrEqual(24);
    expect(modal.close?.text.length ?? 0).toBeLessThanOrEqual(24);
    expect(modal.private_metadata?.length ?? 0).toBeLessThanOrEqual(3000);
  }
}

const LONG_NAME = `${'Very & Long <Client> Name '.repeat(8)}`.slice(0, 200);

describe('limits hold for a large book', () => {
  const overview = makeOverview(1000, (_state, n) => ({
    clientName: LONG_NAME,
    number: `INV-${String(n).padStart(36, '0')}`,
    promisedDate: n % 2 === 0 ? '2026-11-01' : null,
    ownerUserId: BOB,
  }));

  it('keeps the Home tab within 100 blocks with 1,000 invoices in each state', () => {
    const view = homeView({
      overview,
      today: TODAY,
      timeZone: ZONE,
      now: NOW,
      isEmpty: false,
      canHandleMoney: false,
      financeChannel: 'C0FIN',
    });
    expectViewWithinLimits(view);
    expect(JSON.stringify(view.blocks)).toContain('more: `/invoice list paid`');
  });

  it('keeps a list message within 50 blocks and about 12,000 characters of text', () => {
    const message = listMessage({ overview, filterLabel: LONG_NAME, now: NOW, timeZone: ZONE });
    expectWithinLimits(message.blocks, { maxBlocks: 50, maxBlockText: 12_000 });
    expect(message.text.length).toBeLessThanOrEqual(4000);
  });

  it('keeps a client message within the same limits with 1,000 invoices and 1,000 events', () => {
    const invoices = Array.from({ length: 1000 }, (_, i) => invoiceIn('overdue', i + 1, { clientName: LONG_NAME }));
    const history = Array.from({ length: 1000 }, (_, i) =>
      makeEvent(i + 1, 'chased', { method: 'call', note: 'x'.repeat(3000), response: '<'.repeat(3000) }),
    );
    const record = makeClientRecord({
      client: {
        id: 'c',
        name: LONG_NAME,
        contactName: LONG_NAME,
        contactEmail: LONG_NAME,
        terms: 'net 30',
        notes: '&'.repeat(4000),
        archived: false,
      },
      balances: ['USD', 'EUR', 'GBP', 'JPY', 'CHF'].map((currency) => ({
        currency,
        outstandingMinor: 10n ** 17n,
        overdueMinor: 10n ** 16n,
        openCount: 1000,
      })),
      invoices,
      invoiceCount: 5000,
      history,
    });
    expectWithinLimits(clientMessage({ record, now: NOW, timeZone: ZONE }).blocks, {
      maxBlocks: 50,
      maxBlockText: 12_000,
    });
  });

  it('keeps a card within limits whatever its text', () => {
    const inv = makeInvoice({
      number: 'N'.repeat(40),
      clientName: '&'.repeat(5000),
      description: '<'.repeat(5000),
      basisDate: '2026-11-05',
      basisLabel: '>'.repeat(40),
      promisedDate: '2026-11-06',
      nextFollowUp: '2026-11-20',
      hold: { kind: 'dispute', reason: '&'.repeat(5000), since: NOW, by: BOB },
    });
    const card = invoiceCard(inv, { now: NOW, timeZone: ZONE });
    expectWithinLimits(card.blocks as KnownBlock[], { maxBlocks: 50, maxBlockText: 12_000 });
  });

  it('keeps every modal within its limits', () => {
    const inv = makeInvoice({ number: 'N'.repeat(40), clientName: '&'.repeat(5000), description: 'd'.repeat(2000) });
    const metadata = { invoiceId: INVOICE_ID, version: 12, channelId: 'C0FINANCE', key: 'k'.repeat(200) };
    const events = Array.from({ length: 3000 }, (_, i) => makeEvent(i + 1, 'chased', { note: '&'.repeat(3000) }));
    const views: View[] = [
      newInvoiceModal({
        metadata,
        suggestedNumber: 'INV-0001',
        today: TODAY,
        ownerUserId: BOB,
        defaultCurrency: 'XOF',
        initial: { clientId: 'c', clientName: 'x'.repeat(500) },
        currencies: Array.from(
          { length: 300 },
          (_, i) => `A${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(65 + Math.floor(i / 26))}`,
        ),
      }),
      paymentModal({ invoice: inv, today: TODAY, metadata }),
      chaseModal({ invoice: inv, today: TODAY, metadata, lastChase: events[0] }),
      holdModal({ invoice: inv, metadata }),
      voidModal({ invoice: inv, metadata }),
      editInvoiceModal({ invoice: inv, metadata, today: TODAY }),
      historyModal({ invoice: inv, events, timeZone: ZONE }),
      settingsModal({
        workspace: makeWorkspace({
          timeZone: 'Antarctica/Troll',
          financeAdmins: Array.from({ length: 50 }, (_, i) => `U${i}X`),
        }),
        metadata,
        now: new Date('2026-11-23T15:00:00Z'),
      }),
    ];
    for (const view of views) expectViewWithinLimits(view);
  });
});
