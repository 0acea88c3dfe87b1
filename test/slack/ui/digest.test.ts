import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { type DigestData, type DigestInvoice, summariseDigest } from '../../../src/domain/digest.js';
import { DIGEST_LIMITS, digestMessages, digestPreview } from '../../../src/slack/ui/digest.js';
import type { SlackMessage } from '../../../src/slack/ui/text.js';

const TODAY = '2026-11-23';
const ZONE = 'America/New_York';
const OPTS = { today: TODAY, timeZone: ZONE, weekLabel: 'Week of 2026-11-23' };

const SINCE = new Date('2026-11-16T14:00:00Z');
const at = (iso: string) => new Date(iso);

/** The book of test/db/digest.test.ts, as the store reads it on Monday 2026-11-23 at noon in New York. */
const BOOK: DigestData = {
  today: '2026-11-23',
  since: SINCE,
  sinceDate: '2026-11-16',
  invoices: [
    {
      id: 'i-stale',
      number: 'STALE',
      clientName: 'Acme Corp',
      currency: 'USD',
      amountDueMinor: 100_000n,
      dueDate: '2026-11-01',
      state: 'overdue',
      daysOverdue: 22,
      ownerUserId: null,
      lastAction: { kind: 'sent', at: at('2026-10-01T15:00:00Z') },
      hold: null,
      promisedDate: null,
      promiseBroken: false,
      stale: true,
    },
    {
      id: 'i-old',
      number: 'OLD',
      clientName: 'Acme Corp',
      currency: 'USD',
      amountDueMinor: 60_000n,
      dueDate: '2026-11-10',
      state: 'overdue',
      daysOverdue: 13,
      ownerUserId: 'U0ALICE',
      lastAction: { kind: 'chased', at: at('2026-11-18T15:00:00Z') },
      hold: null,
      promisedDate: '2026-11-20',
      promiseBroken: true,
      stale: false,
    },
    {
      id: 'i-newdue',
      number: 'NEWDUE',
      clientName: 'Acme Corp',
      currency: 'USD',
      amountDueMinor: 50_000n,
      dueDate: '2026-11-20',
      state: 'overdue',
      daysOverdue: 3,
      ownerUserId: 'U0BOB',
      lastAction: { kind: 'disputed', at: at('2026-11-19T15:00:00Z') },
      hold: { kind: 'dispute', reason: 'Wrong PO <!channel>' },
      promisedDate: null,
      promiseBroken: false,
      stale: false,
    },
    {
      id: 'i-today',
      number: 'TODAY',
      clientName: 'Beta & <Sons>',
      currency: 'EUR',
      amountDueMinor: 30_000n,
      dueDate: '2026-11-23',
      state: 'due',
      daysOverdue: 0,
      ownerUserId: 'U0ALICE',
      lastAction: { kind: 'sent', at: at('2026-11-17T15:00:00Z') },
      hold: null,
      promisedDate: null,
      promiseBroken: false,
      stale: false,
    },
    {
      id: 'i-held',
      number: 'HELD',
      clientName: 'Beta & <Sons>',
      currency: 'USD',
      amountDueMinor: 7_000n,
      dueDate: '2026-12-03',
      state: 'sent',
      daysOverdue: 0,
      ownerUserId: 'U0ALICE',
      lastAction: { kind: 'released', at: at('2026-11-21T15:00:00Z') },
      hold: null,
      promisedDate: null,
      promiseBroken: false,
      stale: false,
    },
    {
      id: 'i-later',
      number: 'LATER',
      clientName: 'Acme Corp',
      currency: 'USD',
      amountDueMinor: 200_000n,
      dueDate: '2026-12-17',
      state: 'sent',
      daysOverdue: 0,
      ownerUserId: 'U0ALICE',
      lastAction: { kind: 'chased', at: at('2026-11-19T15:00:00Z') },
      hold: null,
      promisedDate: '2026-11-30',
      promiseBroken: false,
      stale: false,
    },
    {
      id: 'i-draft',
      number: 'DRAFT',
      clientName: 'Acme Corp',
      currency: 'USD',
      amountDueMinor: 75_000n,
      dueDate: '2026-12-17',
      state: 'draft',
      daysOverdue: 0,
      ownerUserId: 'U0ALICE',
      lastAction: { kind: 'created', at: at('2026-11-17T15:00:00Z') },
      hold: null,
      promisedDate: null,
      promiseBroken: false,
      stale: false,
    },
  ],
  totals: [
    {
      currency: 'EUR',
      outstandingCount: 1,
      outstandingMinor: 30_000n,
      overdueCount: 0,
      overdueMinor: 0n,
      dueTodayCount: 1,
      dueTodayMinor: 30_000n,
      draftCount: 0,
      draftMinor: 0n,
    },
    {
      currency: 'USD',
      outstandingCount: 5,
      outstandingMinor: 417_000n,
      overdueCount: 3,
      overdueMinor: 210_000n,
      dueTodayCount: 0,
      dueTodayMinor: 0n,
      draftCount: 1,
      draftMinor: 75_000n,
    },
  ],
  aging: [
    { currency: 'EUR', bucket: 'current', count: 1, dueMinor: 30_000n },
    { currency: 'USD', bucket: 'current', count: 2, dueMinor: 207_000n },
    { currency: 'USD', bucket: '1-30', count: 3, dueMinor: 210_000n },
  ],
  changes: {
    newInvoices: [
      {
        invoiceId: 'i-newdue',
        number: 'NEWDUE',
        clientName: 'Acme Corp',
        currency: 'USD',
        amountMinor: 50_000n,
        date: null,
        ownerUserId: 'U0BOB',
      },
      {
        invoiceId: 'i-today',
        number: 'TODAY',
        clientName: 'Beta & <Sons>',
        currency: 'EUR',
        amountMinor: 30_000n,
        date: null,
        ownerUserId: 'U0ALICE',
      },
      {
        invoiceId: 'i-later',
        number: 'LATER',
        clientName: 'Acme Corp',
        currency: 'USD',
        amountMinor: 200_000n,
        date: null,
        ownerUserId: 'U0ALICE',
      },
      {
        invoiceId: 'i-draft',
        number: 'DRAFT',
        clientName: 'Acme Corp',
        currency: 'USD',
        amountMinor: 75_000n,
        date: null,
        ownerUserId: 'U0ALICE',
      },
    ],
    received: [{ currency: 'USD', count: 3, amountMinor: 163_000n }],
    newlyOverdue: [
      {
        invoiceId: 'i-newdue',
        number: 'NEWDUE',
        clientName: 'Acme Corp',
        currency: 'USD',
        amountMinor: 50_000n,
        date: '2026-11-20',
        ownerUserId: 'U0BOB',
      },
    ],
    promisesMade: [
      {
        invoiceId: 'i-old',
        number: 'OLD',
        clientName: 'Acme Corp',
        currency: 'USD',
        amountMinor: 60_000n,
        date: '2026-11-20',
        ownerUserId: 'U0ALICE',
      },
      {
        invoiceId: 'i-later',
        number: 'LATER',
        clientName: 'Acme Corp',
        currency: 'USD',
        amountMinor: 200_000n,
        date: '2026-11-30',
        ownerUserId: 'U0ALICE',
      },
    ],
    promisesBroken: [
      {
        invoiceId: 'i-old',
        number: 'OLD',
        clientName: 'Acme Corp',
        currency: 'USD',
        amountMinor: 60_000n,
        date: '2026-11-20',
        ownerUserId: 'U0ALICE',
      },
    ],
    disputesOpened: [
      {
        invoiceId: 'i-newdue',
        number: 'NEWDUE',
        clientName: 'Acme Corp',
        currency: 'USD',
        amountMinor: 50_000n,
        date: null,
        ownerUserId: 'U0BOB',
      },
    ],
    disputesClosed: [
      {
        invoiceId: 'i-held',
        number: 'HELD',
        clientName: 'Beta & <Sons>',
        currency: 'USD',
        amountMinor: 7_000n,
        date: null,
        ownerUserId: 'U0ALICE',
      },
    ],
  },
  payments: [
    {
      paymentId: 'p-1',
      invoiceId: 'i-held',
      number: 'HELD',
      clientName: 'Beta & <Sons>',
      currency: 'USD',
      amountMinor: 3_000n,
      receivedOn: '2026-11-14',
      recordedBy: 'U0ALICE',
      recordedAt: at('2026-11-21T15:00:00Z'),
    },
    {
      paymentId: 'p-2',
      invoiceId: 'i-old',
      number: 'OLD',
      clientName: 'Acme Corp',
      currency: 'USD',
      amountMinor: 40_000n,
      receivedOn: '2026-11-18',
      recordedBy: 'U0ALICE',
      recordedAt: at('2026-11-18T15:00:00Z'),
    },
    {
      paymentId: 'p-3',
      invoiceId: 'i-paid',
      number: 'PAIDFULL',
      clientName: 'Beta & <Sons>',
      currency: 'USD',
      amountMinor: 120_000n,
      receivedOn: '2026-11-19',
      recordedBy: 'U0BOB',
      recordedAt: at('2026-11-19T15:00:00Z'),
    },
  ],
  owners: [
    { ownerUserId: 'U0ALICE', overdue: 1, due: 1, promisesBroken: 1, stale: 0, needsAction: 2 },
    { ownerUserId: 'U0BOB', overdue: 1, due: 0, promisesBroken: 0, stale: 0, needsAction: 1 },
    { ownerUserId: null, overdue: 1, due: 0, promisesBroken: 0, stale: 1, needsAction: 1 },
  ],
};

const EVIL = 'Pay now <!channel> & <@U123> <https://evil.example|bank>';
const RAW = ['<!channel>', '<@U123>', '<https://evil.example'];

/** Every piece of text Slack counts in a message's blocks, with the kind of element it sits in. */
function blockTexts(blocks: readonly KnownBlock[]): { kind: string; text: string }[] {
  const out: { kind: string; text: string }[] = [];
  for (const block of blocks) {
    if (block.type === 'header') out.push({ kind: 'header', text: block.text.text });
    else if (block.type === 'section') {
      if (block.text) out.push({ kind: 'section', text: block.text.text });
      for (const field of block.fields ?? []) out.push({ kind: 'field', text: field.text });
    } else if (block.type === 'context') {
      for (const e of block.elements) if ('text' in e) out.push({ kind: 'context', text: e.text });
    } else {
      throw new Error(`unexpected block ${block.type}`);
    }
  }
  return out;
}

function expectWithinLimits(message: SlackMessage) {
  expect(message.text.trim()).not.toBe('');
  expect(message.blocks.length).toBeLessThanOrEqual(DIGEST_LIMITS.blocks);
  const texts = blockTexts(message.blocks);
  for (const t of texts) {
    if (t.kind === 'header') expect(t.text.length).toBeLessThanOrEqual(150);
    else expect(t.text.length).toBeLessThanOrEqual(DIGEST_LIMITS.sectionChars);
  }
  expect(texts.reduce((n, t) => n + t.text.length, 0)).toBeLessThanOrEqual(DIGEST_LIMITS.messageChars);
}

/** The mrkdwn a message shows, fallback text included (Slack parses both for mentions). */
function mrkdwnOf(message: SlackMessage): string[] {
  return [
    message.text,
    ...blockTexts(message.blocks)
      .filter((t) => t.kind !== 'header')
      .map((t) => t.text),
  ];
}

/** Invoice numbers listed in a reply: every line starts '*NUMBER* · '. */
function numbersIn(message: SlackMessage): string[] {
  return blockTexts(message.blocks).flatMap((t) => [...t.text.matchAll(/^\*([^*\n]+)\* · /gm)].map((m) => m[1] ?? ''));
}

function digest(data: DigestData, listCap?: number) {
  return digestMessages(summariseDigest(data, { today: TODAY, timeZone: ZONE, listCap }), OPTS);
}

function overdueBook(n: number): DigestData {
  const invoices: DigestInvoice[] = Array.from({ length: n }, (_, k) => ({
    id: `id-${k}`,
    number: `INV-${String(k + 1).padStart(5, '0')}`,
    clientName: `Client ${k} ${'Very Long Holdings International Group of Companies & Partners '.repeat(4)}`,
    currency: k % 3 === 0 ? 'EUR' : 'USD',
    amountDueMinor: 123_456_789n + BigInt(k),
    dueDate: '2026-01-01',
    state: 'overdue',
    daysOverdue: 326,
    ownerUserId: `U0OWNER${k % 7}`,
    lastAction: { kind: 'part_paid', at: new Date('2026-11-01T15:00:00Z') },
    hold: k % 5 === 0 ? { kind: 'dispute', reason: `Quantities disputed ${'x'.repeat(200)}` } : null,
    promisedDate: k % 4 === 0 ? '2026-11-20' : null,
    promiseBroken: k % 4 === 0,
    stale: k % 4 !== 0 && k % 5 !== 0,
  }));
  return { ...BOOK, invoices, payments: [] };
}

describe('digestMessages', () => {
  it('builds the parent: totals, aging, what changed and who needs to act', () => {
    const { parent } = digest(BOOK);
    expect(parent).toEqual({
      text:
        'Receivables digest · Week of 2026-11-23: €300.00 + $4,170.00 outstanding, $2,100.00 overdue on 3 invoices. ' +
        'The thread lists all 7 open invoices, most urgent first, then the 3 payments recorded since the last digest.',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'Receivables digest · Week of 2026-11-23', emoji: true } },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text:
              '*Outstanding:* €300.00 + $4,170.00 on 6 invoices\n' +
              '*🔴 Overdue:* $2,100.00 on 3 invoices\n' +
              '*🟡 Due today:* €300.00 on 1 invoice\n' +
              '*📝 Drafts, not sent yet:* $750.00 on 1 invoice',
          },
        },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text:
              '*Aging* (sent, unpaid)\n' +
              'Not yet late: €300.00 + $2,070.00 (3)\n' +
              '1–30 days late: $2,100.00 (3)\n' +
              '31–60 days late: —\n' +
              '61–90 days late: —\n' +
              'Over 90 days late: —',
          },
        },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text:
              '*Since the last digest* (2026-11-16 09:00)\n' +
              '🆕 4 new invoices · €300.00 + $3,250.00\n' +
              '💰 $1,630.00 received · 3 payments\n' +
              '🔴 1 newly overdue · $500.00 — *NEWDUE* Acme Corp\n' +
              '🤝 2 promises made — *OLD* Acme Corp (by 2026-11-20), *LATER* Acme Corp (by 2026-11-30)\n' +
              '💔 1 promise broken · $600.00 — *OLD* Acme Corp (promised 2026-11-20)\n' +
              '⚠️ 1 dispute opened — *NEWDUE* Acme Corp\n' +
              '✅ 1 dispute closed — *HELD* Beta &amp; &lt;Sons&gt;',
          },
        },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text:
              '*Who needs to act*\n' +
              '<@U0ALICE> — 1 overdue · 1 due today · 1 promise broken\n' +
              '<@U0BOB> — 1 overdue\n' +
              'No owner — 1 overdue · 1 not chased lately',
          },
        },
        {
          type: 'context',
          elements: [
            {
              type: 'mrkdwn',
              text: 'The thread lists all 7 open invoices, most urgent first, then the 3 payments recorded since the last digest.',
            },
          ],
        },
      ],
    });
  });

  it('lists each state in its own reply, Overdue, Due today, Sent, Draft, then the payments', () => {
    const { replies } = digest(BOOK);
    expect(replies.map((r) => r.text)).toEqual([
      'Overdue: 3 invoices · $2,100.00',
      'Due today: 1 invoice · €300.00',
      'Sent: 2 invoices · $2,070.00',
      'Draft: 1 invoice · $750.00',
      'Payments recorded since the last digest: 3 payments · $1,630.00',
    ]);
    expect(replies[0]?.blocks).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: '*🔴 Overdue* — 3 invoices · $2,100.00' } },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text:
            '*STALE* · Acme Corp · $1,000.00 · 22 days overdue · 💤 not chased lately · no owner · marked sent 53 days ago\n' +
            '*OLD* · Acme Corp · $600.00 · 13 days overdue · 💔 promised 2026-11-20, broken · <@U0ALICE> · chased 5 days ago\n' +
            "*NEWDUE* · Acme Corp · $500.00 · 3 days overdue · ⚠️ disputed ('Wrong PO &lt;!channel&gt;') · <@U0BOB> · marked disputed 4 days ago",
        },
      },
    ]);
    expect(numbersIn(replies[2] as SlackMessage)).toEqual(['HELD', 'LATER']);
    expect(replies[4]?.blocks[1]).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text:
          '*HELD* · Beta &amp; &lt;Sons&gt; · $30.00 · received 2026-11-14 · recorded by <@U0ALICE>\n' +
          '*OLD* · Acme Corp · $400.00 · received 2026-11-18 · recorded by <@U0ALICE>\n' +
          '*PAIDFULL* · Beta &amp; &lt;Sons&gt; · $1,200.00 · received 2026-11-19 · recorded by <@U0BOB>',
      },
    });
  });

  it('says so when nothing changed and nothing is open, and posts no replies', () => {
    const empty: DigestData = {
      ...BOOK,
      invoices: [],
      totals: [],
      aging: [],
      payments: [],
      owners: [],
      changes: {
        newInvoices: [],
        received: [],
        newlyOverdue: [],
        promisesMade: [],
        promisesBroken: [],
        disputesOpened: [],
        disputesClosed: [],
      },
    };
    const { parent, replies } = digest(empty);
    expect(replies).toEqual([]);
    expect(blockTexts(parent.blocks).map((t) => t.text)).toEqual([
      'Receivables digest · Week of 2026-11-23',
      '*Outstanding:* nothing\n*🔴 Overdue:* nothing',
      '*Aging* (sent, unpaid)\nNot yet late: —\n1–30 days late: —\n31–60 days late: —\n61–90 days late: —\nOver 90 days late: —',
      '*Since the last digest* (2026-11-16 09:00)\nNothing changed.',
      '*Who needs to act*\nNobody: nothing is overdue, due today, broken or waiting on a chase.',
      'No invoice is open.',
    ]);
    expect(parent.text).toBe(
      'Receivables digest · Week of 2026-11-23: nothing outstanding, nothing overdue. No invoice is open.',
    );
  });

  it('escapes what people typed, so <!channel> in a name, number, reason or owner stays text', () => {
    const evilInvoice = { ...BOOK.invoices[2], number: `INV-${EVIL}`, clientName: EVIL, ownerUserId: '<!channel>' };
    const evilChange = { ...BOOK.changes.newlyOverdue[0], number: EVIL, clientName: EVIL };
    const data = {
      ...BOOK,
      invoices: [evilInvoice, ...BOOK.invoices.slice(3)],
      changes: {
        ...BOOK.changes,
        newlyOverdue: [evilChange],
        promisesMade: [evilChange],
        promisesBroken: [evilChange],
        disputesOpened: [evilChange],
        disputesClosed: [evilChange],
        newInvoices: [evilChange],
      },
      payments: [{ ...BOOK.payments[0], number: EVIL, clientName: EVIL, recordedBy: '<!here>' }],
      owners: [{ ...BOOK.owners[0], ownerUserId: '<!channel>' }],
    } as DigestData;
    const { parent, replies } = digestMessages(summariseDigest(data, { today: TODAY, timeZone: ZONE }), {
      ...OPTS,
      weekLabel: `Week <!channel>`,
    });
    const texts = [parent, ...replies].flatMap(mrkdwnOf);
    for (const text of texts) for (const raw of [...RAW, '<!here>']) expect(text).not.toContain(raw);
    expect(texts.join('\n')).toContain('&lt;!channel&gt;');
    expect(replies[0]?.blocks[1]).toMatchObject({
      text: { text: expect.stringContaining('Pay now &lt;!channel&gt; &amp; &lt;@U123&gt;') },
    });
  });

  it('splits 500 overdue invoices over replies that each keep the limits, and loses none (no list cap)', () => {
    const { parent, replies } = digest(overdueBook(500), 1_000);
    expectWithinLimits(parent);
    expect(replies.length).toBeGreaterThan(2);
    const overdue = replies.filter((r) => r.text.startsWith('Overdue'));
    const parts = overdue.length;
    // EUR: 167 invoices, 167 × 123,456,789 + 3 × (0 + … + 166); USD: the other 333.
    expect(overdue[0]?.text).toBe(`Overdue (1/${parts}): 500 invoices · €206,173,253.46 + $411,111,939.04`);
    expect(overdue.slice(1).map((r) => r.text)).toEqual(
      Array.from({ length: parts - 1 }, (_, k) => `Overdue (continued, ${k + 2}/${parts})`),
    );
    expect(overdue[1]?.blocks[0]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: `*🔴 Overdue* (continued, 2/${parts})` },
    });
    for (const reply of replies) expectWithinLimits(reply);
    const listed = overdue.flatMap(numbersIn);
    const expected = Array.from({ length: 500 }, (_, k) => `INV-${String(k + 1).padStart(5, '0')}`);
    expect(listed).toEqual(expected); // each exactly once, in order
    // Packed, not one block per line: each reply is most of the way to the limit.
    for (const reply of overdue.slice(0, -1)) {
      const size = blockTexts(reply.blocks).reduce((n, t) => n + t.text.length, 0);
      expect(size).toBeGreaterThan(10_000);
      expect(reply.blocks.length).toBeLessThan(10);
    }
  });

  it('keeps the parent within the limits however many people and changes there are', () => {
    const many = overdueBook(2_000);
    const changed = many.invoices.map((i) => ({
      invoiceId: i.id,
      number: i.number,
      clientName: i.clientName,
      currency: i.currency,
      amountMinor: i.amountDueMinor,
      date: '2026-11-20',
      ownerUserId: i.ownerUserId,
    }));
    const data: DigestData = {
      ...many,
      changes: {
        newInvoices: changed,
        received: [{ currency: 'USD', count: 900, amountMinor: 10n ** 15n }],
        newlyOverdue: changed,
        promisesMade: changed,
        promisesBroken: changed,
        disputesOpened: changed,
        disputesClosed: changed,
      },
      owners: Array.from({ length: 400 }, (_, k) => ({
        ownerUserId: `U0PERSON${k}`,
        overdue: k,
        due: 1,
        promisesBroken: 2,
        stale: 3,
        needsAction: k + 1,
      })),
      totals: ['AED', 'AUD', 'BRL', 'CAD', 'CHF', 'CLF', 'EUR', 'GBP', 'JPY', 'KWD', 'USD'].map((currency) => ({
        currency,
        outstandingCount: 100,
        outstandingMinor: 10n ** 17n,
        overdueCount: 50,
        overdueMinor: 10n ** 17n,
        dueTodayCount: 1,
        dueTodayMinor: 1n,
        draftCount: 1,
        draftMinor: 1n,
      })),
    };
    const { parent, replies } = digest(data);
    expectWithinLimits(parent);
    const people = blockTexts(parent.blocks)[4]?.text ?? '';
    expect(people).toMatch(/_…and \d+ more people_$/);
    expect(people.split('\n')[1]).toBe(
      '<@U0PERSON399> — 399 overdue · 1 due today · 2 promises broken · 3 not chased lately',
    );
    for (const reply of replies) expectWithinLimits(reply);
    expect(replies.flatMap(numbersIn)).toHaveLength(25);
    const { replies: uncapped } = digest(data, 5_000);
    for (const reply of uncapped) expectWithinLimits(reply);
    expect(uncapped.flatMap(numbersIn)).toHaveLength(2_000);
  });

  it('names what matters in a big list and counts the rest, saying where to see them all', () => {
    // 500 overdue, each with a broken promise, a dispute or no chase lately: all need attention, so the 25
    // named are the most urgent (the same due date: the biggest amounts, here the highest numbers).
    const { parent, replies } = digest(overdueBook(500));
    expect(replies).toHaveLength(1);
    const reply = replies[0] as SlackMessage;
    expectWithinLimits(reply);
    expect(reply.text).toBe('Overdue: 500 invoices · €206,173,253.46 + $411,111,939.04');
    const named = numbersIn(reply);
    expect(named).toHaveLength(25);
    const numbers = Array.from({ length: 500 }, (_, k) => `INV-${String(k + 1).padStart(5, '0')}`);
    expect(named).toEqual(numbers.slice(-25));
    const last = blockTexts(reply.blocks).at(-1)?.text ?? '';
    expect(last.split('\n').at(-1)).toMatch(
      /^_…and 475 more overdue invoices, €[\d,.]+ \+ \$[\d,.]+: `\/invoice list overdue` lists them all\._$/,
    );
    expect(
      blockTexts(parent.blocks)
        .map((b) => b.text)
        .join('\n'),
    ).toContain(
      'The thread lists 25 of the 500 open invoices by state, most urgent first: broken promises, stale chases ' +
        'and disputes, then the biggest amounts; each list counts the rest.',
    );
  });

  it('stays a few messages at any size: 20,000 open invoices in four states and 5,000 payments fit in 11', () => {
    const states = ['overdue', 'due', 'sent', 'draft'] as const;
    const invoices = overdueBook(20_000).invoices.map((i, k) => ({
      ...i,
      state: states[k % 4] as (typeof states)[number],
    }));
    const template = BOOK.payments[0] as DigestData['payments'][number];
    const payments = Array.from({ length: 5_000 }, (_, k) => ({
      ...template,
      paymentId: `pay-${k}`,
      number: `INV-${k}`,
      amountMinor: BigInt(k + 1),
    }));
    const { parent, replies } = digest({ ...overdueBook(0), invoices, payments });
    expectWithinLimits(parent);
    for (const reply of replies) expectWithinLimits(reply);
    expect(1 + replies.length).toBeLessThanOrEqual(11);
    expect(replies.flatMap(numbersIn)).toHaveLength(4 * 25 + 25);
  });

  it('fills a capped list with the biggest amounts, taking each currency in turn', () => {
    const calm = overdueBook(40).invoices.map((i, k) => ({
      ...i,
      hold: null,
      promisedDate: null,
      promiseBroken: false,
      stale: false,
      amountDueMinor: BigInt(k) * 100n,
    }));
    const { replies } = digest({ ...overdueBook(0), invoices: calm }, 4);
    // EUR are k = 0, 3, …, 39 (biggest 39, 36); USD the others (biggest 38, 37); listed by due date then number.
    expect(numbersIn(replies[0] as SlackMessage)).toEqual(['INV-00037', 'INV-00038', 'INV-00039', 'INV-00040']);
  });
});

describe('digestPreview', () => {
  it('shows the same content as one list of messages, marked as private', () => {
    const messages = digestPreview(summariseDigest(BOOK, { today: TODAY, timeZone: ZONE }), {
      ...OPTS,
      maxMessages: 10,
    });
    const { replies } = digest(BOOK);
    expect(messages).toHaveLength(1 + replies.length);
    expect(messages.slice(1)).toEqual(replies);
    expect(messages[0]?.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Receivables digest preview · Week of 2026-11-23', emoji: true },
    });
    expect(messages[0]?.blocks.at(-1)).toEqual({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text:
            'Only you can see this preview, as of 2026-11-23. Below are all 7 open invoices, most urgent first, ' +
            'then the 3 payments recorded since the last digest.',
        },
      ],
    });
    expect(messages[0]?.blocks.slice(1, -1)).toEqual(digest(BOOK).parent.blocks.slice(1, -1));
  });

  it('keeps to five messages by default and says what it left out', () => {
    const data = overdueBook(500);
    const messages = digestPreview(
      summariseDigest({ ...data, payments: BOOK.payments }, { today: TODAY, timeZone: ZONE, listCap: 1_000 }),
      OPTS,
    );
    expect(messages).toHaveLength(5);
    for (const message of messages) expectWithinLimits(message);
    const shown = messages.slice(1).flatMap(numbersIn);
    expect(new Set(shown).size).toBe(shown.length);
    const note = messages[4]?.blocks.at(-1);
    expect(note).toEqual({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text:
            `…and ${500 - shown.length} more invoices and 3 payments not shown here: the digest thread in the finance ` +
            'channel has them, and `/invoice list` shows every open invoice.',
        },
      ],
    });
  });
});
