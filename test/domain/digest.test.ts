import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  amountsByCurrency,
  type ChangedInvoice,
  compareLines,
  DIGEST_LIST_CAP,
  type DigestData,
  type DigestInvoice,
  OPEN_STATES,
  type OpenState,
  summariseDigest,
} from '../../src/domain/digest.js';

const TODAY = '2026-11-23';
const ZONE = 'America/New_York';
const SINCE = new Date('2026-11-16T14:00:00Z');

const payment = (number: string, receivedOn: string, at: string, amountMinor: bigint) => ({
  paymentId: `p-${number}`,
  invoiceId: `id-${number}`,
  number,
  clientName: 'Acme Corp',
  currency: 'USD',
  amountMinor,
  receivedOn,
  recordedBy: 'U0ALICE',
  recordedAt: new Date(at),
});

function line(o: Partial<DigestInvoice> & Pick<DigestInvoice, 'number' | 'state' | 'dueDate'>): DigestInvoice {
  return {
    id: `id-${o.number}`,
    clientName: 'Acme Corp',
    currency: 'USD',
    amountDueMinor: 100_000n,
    daysOverdue: 0,
    ownerUserId: 'U0ALICE',
    lastAction: null,
    hold: null,
    promisedDate: null,
    promiseBroken: false,
    stale: false,
    ...o,
  };
}

function changed(number: string, o: Partial<ChangedInvoice> = {}): ChangedInvoice {
  return {
    invoiceId: `id-${number}`,
    number,
    clientName: 'Acme Corp',
    currency: 'USD',
    amountMinor: 10_000n,
    date: null,
    ownerUserId: 'U0ALICE',
    ...o,
  };
}

function data(o: Partial<DigestData> = {}): DigestData {
  return {
    today: TODAY,
    since: SINCE,
    sinceDate: '2026-11-16',
    invoices: [],
    totals: [],
    aging: [],
    changes: {
      newInvoices: [],
      received: [],
      newlyOverdue: [],
      promisesMade: [],
      promisesBroken: [],
      disputesOpened: [],
      disputesClosed: [],
    },
    payments: [],
    owners: [],
    ...o,
  };
}

describe('summariseDigest', () => {
  it('groups the open invoices by state, most urgent first, the most days overdue first within Overdue', () => {
    const summary = summariseDigest(
      data({
        // Given out of order, as a database with another collation might return them.
        invoices: [
          line({ number: 'D1', state: 'draft', dueDate: '2026-12-20' }),
          line({ number: 'S2', state: 'sent', dueDate: '2026-12-10' }),
          line({ number: 'O2', state: 'overdue', dueDate: '2026-11-20', daysOverdue: 3, currency: 'EUR' }),
          line({ number: 'S1', state: 'sent', dueDate: '2026-12-01' }),
          line({ number: 'O1', state: 'overdue', dueDate: '2026-10-01', daysOverdue: 53, amountDueMinor: 5_000n }),
          line({ number: 'O3', state: 'overdue', dueDate: '2026-11-20', daysOverdue: 3 }),
        ],
      }),
      { today: TODAY, timeZone: ZONE },
    );
    expect(summary.sections.map((s) => [s.state, s.count, s.invoices.map((i) => i.number)])).toEqual([
      ['overdue', 3, ['O1', 'O2', 'O3']],
      ['sent', 2, ['S1', 'S2']],
      ['draft', 1, ['D1']],
    ]);
    expect(summary.sections[0]?.amounts).toEqual([
      { currency: 'EUR', minor: 100_000n },
      { currency: 'USD', minor: 105_000n },
    ]);
    expect(summary.openCount).toBe(6);
  });

  it("counts the days since an invoice's last action by the calendar in the workspace's zone", () => {
    const late = new Date('2026-11-23T03:00:00Z'); // 22:00 on the 22nd in New York, the 23rd in UTC
    const invoices = [
      line({ number: 'A', state: 'sent', dueDate: '2026-12-01', lastAction: { kind: 'chased', at: late } }),
      line({ number: 'B', state: 'sent', dueDate: '2026-12-02' }),
    ];
    const ny = summariseDigest(data({ invoices }), { today: TODAY, timeZone: ZONE });
    expect(ny.sections[0]?.invoices.map((i) => i.daysSinceLastAction)).toEqual([1, null]);
    const utc = summariseDigest(data({ invoices }), { today: TODAY, timeZone: 'UTC' });
    expect(utc.sections[0]?.invoices[0]?.daysSinceLastAction).toBe(0);
  });

  it('adds up the totals per currency and shows every aging bucket, empty ones too', () => {
    const summary = summariseDigest(
      data({
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
          { currency: 'JPY', bucket: '90+', count: 1, dueMinor: 5_000n },
        ],
      }),
      { today: TODAY, timeZone: ZONE },
    );
    expect(summary.outstanding).toEqual({
      count: 6,
      amounts: [
        { currency: 'EUR', minor: 30_000n },
        { currency: 'USD', minor: 417_000n },
      ],
    });
    // A currency with nothing overdue is left out rather than shown as zero.
    expect(summary.overdue).toEqual({ count: 3, amounts: [{ currency: 'USD', minor: 210_000n }] });
    expect(summary.dueToday).toEqual({ count: 1, amounts: [{ currency: 'EUR', minor: 30_000n }] });
    expect(summary.drafts).toEqual({ count: 1, amounts: [{ currency: 'USD', minor: 75_000n }] });
    expect(summary.aging).toEqual([
      {
        bucket: 'current',
        count: 3,
        amounts: [
          { currency: 'EUR', minor: 30_000n },
          { currency: 'USD', minor: 207_000n },
        ],
      },
      { bucket: '1-30', count: 3, amounts: [{ currency: 'USD', minor: 210_000n }] },
      { bucket: '31-60', count: 0, amounts: [] },
      { bucket: '61-90', count: 0, amounts: [] },
      { bucket: '90+', count: 1, amounts: [{ currency: 'JPY', minor: 5_000n }] },
    ]);
  });

  it('summarises the changes with counts and money, newly overdue and broken promises by date', () => {
    const summary = summariseDigest(
      data({
        changes: {
          newInvoices: [
            changed('N1', { amountMinor: 50_000n }),
            changed('N2', { currency: 'EUR', amountMinor: 30_000n }),
          ],
          received: [
            { currency: 'EUR', count: 1, amountMinor: 2_000n },
            { currency: 'USD', count: 2, amountMinor: 163_000n },
          ],
          newlyOverdue: [changed('L2', { date: '2026-11-21' }), changed('L1', { date: '2026-11-17' })],
          promisesMade: [changed('P1', { date: '2026-11-30' })],
          promisesBroken: [changed('B2', { date: '2026-11-20' }), changed('B1', { date: '2026-11-18' })],
          disputesOpened: [changed('D1')],
          disputesClosed: [],
        },
      }),
      { today: TODAY, timeZone: ZONE },
    );
    const c = summary.changes;
    expect(c.none).toBe(false);
    expect(c.newInvoices).toMatchObject({
      count: 2,
      amounts: [
        { currency: 'EUR', minor: 30_000n },
        { currency: 'USD', minor: 50_000n },
      ],
    });
    expect(c.received).toEqual({
      count: 3,
      amounts: [
        { currency: 'EUR', minor: 2_000n },
        { currency: 'USD', minor: 163_000n },
      ],
    });
    expect(c.newlyOverdue.invoices.map((i) => i.number)).toEqual(['L1', 'L2']);
    expect(c.promisesBroken.invoices.map((i) => i.number)).toEqual(['B1', 'B2']);
    expect(c.promisesBroken.amounts).toEqual([{ currency: 'USD', minor: 20_000n }]);
    expect([c.promisesMade.count, c.disputesOpened.count, c.disputesClosed.count]).toEqual([1, 1, 0]);
  });

  it('says when nothing changed', () => {
    const summary = summariseDigest(data(), { today: TODAY, timeZone: ZONE });
    expect(summary.changes.none).toBe(true);
    expect(summary).toMatchObject({ openCount: 0, sections: [], people: [], payments: { count: 0, lines: [] } });
  });

  it('lists who needs to act with the most to do first and what nobody owns last', () => {
    const work = (ownerUserId: string | null, overdue: number, needsAction: number) => ({
      ownerUserId,
      overdue,
      due: 0,
      promisesBroken: 0,
      stale: 0,
      needsAction,
    });
    const summary = summariseDigest(
      data({ owners: [work(null, 9, 9), work('U0BOB', 1, 1), work('U0ALICE', 1, 2), work('U0CAROL', 0, 0)] }),
      { today: TODAY, timeZone: ZONE },
    );
    expect(summary.people.map((p) => p.ownerUserId)).toEqual(['U0ALICE', 'U0BOB', null]);
  });

  it('orders the payments by the day they arrived and totals them', () => {
    const summary = summariseDigest(
      data({
        payments: [
          payment('C', '2026-11-19', '2026-11-19T15:00:00Z', 3n),
          payment('A', '2026-11-14', '2026-11-21T15:00:00Z', 1n),
          payment('B', '2026-11-19', '2026-11-19T14:00:00Z', 2n),
        ],
      }),
      { today: TODAY, timeZone: ZONE },
    );
    expect(summary.payments.lines.map((p) => p.number)).toEqual(['A', 'B', 'C']);
    expect(summary.payments).toMatchObject({ count: 3, amounts: [{ currency: 'USD', minor: 6n }] });
  });

  it('counts every open invoice in exactly one section, whose totals add up to the whole, listing at most the cap', () => {
    const state = fc.constantFrom<OpenState>(...OPEN_STATES);
    const invoice = fc.record({
      number: fc.string({ minLength: 1, maxLength: 8 }),
      state,
      dueDate: fc.constantFrom('2026-10-01', '2026-11-20', '2026-11-23', '2026-12-01'),
      currency: fc.constantFrom('USD', 'EUR', 'JPY'),
      amountDueMinor: fc.bigInt({ min: 1n, max: 10n ** 15n }),
      stale: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(invoice, { maxLength: 60 }), fc.integer({ min: 1, max: 30 }), (raw, listCap) => {
        const invoices = raw.map((r, i) => line({ ...r, id: `id-${i}` }));
        const summary = summariseDigest(data({ invoices }), { today: TODAY, timeZone: ZONE, listCap });
        expect(summary.sections.map((s) => s.state)).toEqual(
          OPEN_STATES.filter((s) => invoices.some((i) => i.state === s)),
        );
        for (const section of summary.sections) {
          const all = invoices.filter((i) => i.state === section.state);
          expect(section.count).toBe(all.length);
          expect(section.invoices).toHaveLength(Math.min(all.length, listCap));
          expect(section.more.count).toBe(all.length - section.invoices.length);
          const listedIds = new Set(section.invoices.map((i) => i.id));
          const rest = all.filter((i) => !listedIds.has(i.id));
          expect(section.more.amounts).toEqual(
            amountsByCurrency(rest.map((i) => ({ currency: i.currency, minor: i.amountDueMinor }))),
          );
          // Listed most urgent first, as the lines are ordered.
          expect(section.invoices).toEqual([...section.invoices].sort(compareLines));
          // Those needing attention come first: none is left out while a calm one is listed.
          const calmListed = section.invoices.some((i) => !i.stale);
          if (calmListed) expect(rest.every((i) => !i.stale)).toBe(true);
          // Among the calm ones, a currency's listed amounts are its biggest.
          for (const currency of ['USD', 'EUR', 'JPY']) {
            const listedCalm = section.invoices.filter((i) => !i.stale && i.currency === currency);
            const smallest = listedCalm.reduce<bigint | null>(
              (m, i) => (m === null || i.amountDueMinor < m ? i.amountDueMinor : m),
              null,
            );
            if (smallest === null) continue;
            for (const other of rest.filter((i) => !i.stale && i.currency === currency)) {
              expect(other.amountDueMinor <= smallest).toBe(true);
            }
          }
        }
        const sum = amountsByCurrency(summary.sections.flatMap((s) => s.amounts));
        expect(sum).toEqual(
          amountsByCurrency(invoices.map((i) => ({ currency: i.currency, minor: i.amountDueMinor }))),
        );
      }),
    );
  });

  it('lists every payment of a normal week, and the biggest of a huge one, counting the rest', () => {
    const many = Array.from({ length: 30 }, (_, k) =>
      payment(`P${k}`, '2026-11-19', '2026-11-19T14:00:00Z', BigInt(k + 1)),
    );
    const summary = summariseDigest(data({ payments: many }), { today: TODAY, timeZone: ZONE });
    expect(summary.payments.count).toBe(30);
    expect(summary.payments.lines).toHaveLength(DIGEST_LIST_CAP);
    expect(summary.payments.lines.map((p) => p.amountMinor).sort((a, b) => Number(a - b))[0]).toBe(6n);
    expect(summary.payments.more).toEqual({ count: 5, amounts: [{ currency: 'USD', minor: 15n }] });
    const few = summariseDigest(data({ payments: many.slice(0, 3) }), { today: TODAY, timeZone: ZONE });
    expect(few.payments.lines).toHaveLength(3);
    expect(few.payments.more).toEqual({ count: 0, amounts: [] });
  });
});
