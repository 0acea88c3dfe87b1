import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, type LocalDate, todayIn } from '../../src/domain/dates.js';
import {
  deriveStatus,
  type HoldFacts,
  type InvoiceFacts,
  type InvoiceState,
  isClosed,
  isOpen,
  type LastAction,
  STATE_LABEL,
  STATE_ORDER,
  type StatusContext,
} from '../../src/domain/status.js';

const at = (iso: string) => new Date(iso);
const DUE = '2026-10-15';
const ZONE = 'Europe/London';

const reminder = (iso: string): LastAction => ({ kind: 'reminder', at: at(iso), by: 'U0REMIND' });
const hold: HoldFacts = {
  kind: 'hold',
  reason: 'Waiting for a PO number',
  since: at('2026-10-01T09:00:00Z'),
  by: 'U0ALICE',
};
const dispute: HoldFacts = { kind: 'dispute', reason: 'Wrong quantity', since: at('2026-10-02T09:00:00Z'), by: null };

/** A sent invoice for 1,000.00 due on 2026-10-15, last chased the day before it fell due. */
function invoice(overrides: Partial<InvoiceFacts> = {}): InvoiceFacts {
  return {
    totalMinor: 100_000n,
    paidMinor: 0n,
    creditedMinor: 0n,
    dueDate: DUE,
    sentAt: at('2026-09-15T16:00:00Z'),
    voidedAt: null,
    hold: null,
    promisedDate: null,
    lastAction: reminder('2026-10-14T16:00:00Z'),
    ...overrides,
  };
}

const on = (today: LocalDate, overrides: Partial<StatusContext> = {}): StatusContext => ({
  today,
  timeZone: ZONE,
  staleDays: 7,
  ...overrides,
});

describe('deriveStatus: state around the due date', () => {
  it('marks a sent invoice Sent the day before its due date', () => {
    const status = deriveStatus(invoice(), on('2026-10-14'));
    expect(status).toMatchObject({ lifecycle: 'sent', state: 'sent', daysUntilDue: 1, daysOverdue: 0 });
    expect(status.needsAction).toBe(false);
  });

  it('marks a sent invoice Due on its due date, and it needs action', () => {
    const status = deriveStatus(invoice(), on(DUE));
    expect(status).toMatchObject({ lifecycle: 'due', state: 'due', daysUntilDue: 0, daysOverdue: 0 });
    expect(status.needsAction).toBe(true);
  });

  it('marks a sent invoice Overdue the day after its due date, one day overdue', () => {
    const status = deriveStatus(invoice(), on('2026-10-16'));
    expect(status).toMatchObject({ lifecycle: 'overdue', state: 'overdue', daysUntilDue: -1, daysOverdue: 1 });
    expect(status.needsAction).toBe(true);
  });

  it('counts days overdue in calendar days, across the end of British Summer Time', () => {
    expect(deriveStatus(invoice(), on('2026-10-26')).daysOverdue).toBe(11);
  });

  it('marks an invoice Overdue the day after its due date in Auckland while it is still due in Honolulu', () => {
    const now = at('2026-10-15T12:00:00Z'); // 01:00 on the 16th in Auckland, 02:00 on the 15th in Honolulu
    const auckland = deriveStatus(invoice(), on(todayIn('Pacific/Auckland', now), { timeZone: 'Pacific/Auckland' }));
    const honolulu = deriveStatus(invoice(), on(todayIn('Pacific/Honolulu', now), { timeZone: 'Pacific/Honolulu' }));
    expect(auckland.state).toBe('overdue');
    expect(honolulu.state).toBe('due');
  });

  it('keeps an unsent invoice a Draft, even long after its due date, and asks nothing of anyone', () => {
    const status = deriveStatus(invoice({ sentAt: null, lastAction: null }), on('2026-12-01'));
    expect(status).toMatchObject({ lifecycle: 'draft', state: 'draft', daysOverdue: 0, daysUntilDue: -47 });
    expect(status.stale).toBe(false);
    expect(status.needsAction).toBe(false);
  });
});

describe('deriveStatus: payments', () => {
  it('leaves the rest due after a partial payment, and the invoice stays Overdue', () => {
    const status = deriveStatus(invoice({ paidMinor: 40_000n }), on('2026-10-20'));
    expect(status).toMatchObject({ state: 'overdue', amountDueMinor: 60_000n, overpaidMinor: 0n });
  });

  it('marks an invoice Paid once the payments reach the total, even when it was paid late', () => {
    const status = deriveStatus(invoice({ paidMinor: 100_000n }), on('2026-11-30'));
    expect(status).toMatchObject({
      lifecycle: 'paid',
      state: 'paid',
      amountDueMinor: 0n,
      overpaidMinor: 0n,
      daysOverdue: 0,
      needsAction: false,
      stale: false,
    });
  });

  it('marks an overpaid invoice Paid and reports how much too much was paid', () => {
    const status = deriveStatus(invoice({ paidMinor: 120_000n }), on(DUE));
    expect(status).toMatchObject({ state: 'paid', amountDueMinor: 0n, overpaidMinor: 20_000n });
  });

  it('marks an invoice Paid even before it was sent, because payment comes before draft', () => {
    expect(deriveStatus(invoice({ sentAt: null, paidMinor: 100_000n }), on('2026-10-01')).state).toBe('paid');
  });

  it('does not count an invoice for zero as paid', () => {
    const status = deriveStatus(invoice({ totalMinor: 0n }), on('2026-10-01'));
    expect(status).toMatchObject({ state: 'sent', amountDueMinor: 0n });
  });

  it('drops the hold once the invoice is paid', () => {
    expect(deriveStatus(invoice({ paidMinor: 100_000n, hold }), on(DUE)).hold).toBeNull();
  });
});

describe('deriveStatus: credit notes and reversed payments', () => {
  it('takes a partial credit off what is due and leaves the invoice Overdue', () => {
    const status = deriveStatus(invoice({ creditedMinor: 30_000n }), on('2026-10-20'));
    expect(status).toMatchObject({ state: 'overdue', amountDueMinor: 70_000n, needsAction: true });
  });

  it('closes a fully credited invoice as Credited, not Paid, with nothing due and no action asked', () => {
    const status = deriveStatus(invoice({ creditedMinor: 100_000n, hold }), on('2026-10-20'));
    expect(status).toMatchObject({
      lifecycle: 'credited',
      state: 'credited',
      amountDueMinor: 0n,
      overpaidMinor: 0n,
      daysOverdue: 0,
      hold: null,
      needsAction: false,
    });
    expect(isClosed(status.state)).toBe(true);
  });

  it('calls an invoice Paid when payments settle what the credit left', () => {
    const status = deriveStatus(invoice({ paidMinor: 60_000n, creditedMinor: 40_000n }), on('2026-10-20'));
    expect(status).toMatchObject({ state: 'paid', amountDueMinor: 0n, overpaidMinor: 0n });
  });

  it('reopens an invoice whose payment was reversed: the facts without it are Overdue again', () => {
    const paid = deriveStatus(invoice({ paidMinor: 100_000n }), on('2026-10-20'));
    const reversed = deriveStatus(invoice({ paidMinor: 0n }), on('2026-10-20'));
    expect(paid.state).toBe('paid');
    expect(reversed).toMatchObject({ state: 'overdue', amountDueMinor: 100_000n, daysOverdue: 5 });
    expect(isOpen(reversed.state)).toBe(true);
  });
});

describe('deriveStatus: void', () => {
  const voidedAt = at('2026-10-20T10:00:00Z');

  it('marks a voided invoice Void, with nothing due and nothing to do, however overdue it was', () => {
    const status = deriveStatus(
      invoice({ voidedAt, hold, promisedDate: '2026-10-18', lastAction: null }),
      on('2026-12-01'),
    );
    expect(status).toMatchObject({
      lifecycle: 'void',
      state: null,
      amountDueMinor: 0n,
      daysOverdue: 0,
      hold: null,
      promiseBroken: false,
      stale: false,
      needsAction: false,
    });
  });

  it('puts void before paid and before draft', () => {
    expect(deriveStatus(invoice({ voidedAt, paidMinor: 100_000n }), on(DUE)).lifecycle).toBe('void');
    expect(deriveStatus(invoice({ voidedAt, sentAt: null }), on(DUE)).lifecycle).toBe('void');
  });
});

describe('deriveStatus: promises to pay', () => {
  const promised = invoice({ promisedDate: '2026-10-20', lastAction: reminder('2026-10-01T09:00:00Z') });

  it('treats a promise as live before the promised date: not broken and not stale', () => {
    const status = deriveStatus(promised, on('2026-10-19'));
    expect(status).toMatchObject({ state: 'overdue', promisedDate: '2026-10-20', promiseBroken: false, stale: false });
  });

  it('treats a promise as live on the promised date itself', () => {
    expect(deriveStatus(promised, on('2026-10-20'))).toMatchObject({ promiseBroken: false, stale: false });
  });

  it('breaks a promise the day after the promised date, and the invoice goes stale again', () => {
    const status = deriveStatus(promised, on('2026-10-21'));
    expect(status).toMatchObject({ promiseBroken: true, stale: true, needsAction: true });
  });

  it('counts a promise as kept when the invoice is paid in full', () => {
    const status = deriveStatus({ ...promised, paidMinor: 100_000n }, on('2026-10-25'));
    expect(status).toMatchObject({ state: 'paid', promiseBroken: false, needsAction: false });
  });

  it('still counts a promise as broken after a partial payment', () => {
    const status = deriveStatus({ ...promised, paidMinor: 50_000n }, on('2026-10-21'));
    expect(status).toMatchObject({ amountDueMinor: 50_000n, promiseBroken: true });
  });

  it('asks for action when a promise made before the due date is broken', () => {
    const early = invoice({ promisedDate: '2026-10-05' });
    const status = deriveStatus(early, on('2026-10-06'));
    expect(status).toMatchObject({ state: 'sent', promiseBroken: true, stale: false, needsAction: true });
  });
});

describe('deriveStatus: stale', () => {
  it('is not stale six days after the last action when stale means seven', () => {
    const status = deriveStatus(invoice({ lastAction: reminder('2026-10-14T09:00:00Z') }), on('2026-10-20'));
    expect(status).toMatchObject({ daysSinceLastAction: 6, stale: false });
  });

  it('goes stale seven days after the last action when stale means seven', () => {
    const status = deriveStatus(invoice({ lastAction: reminder('2026-10-14T09:00:00Z') }), on('2026-10-21'));
    expect(status).toMatchObject({ daysSinceLastAction: 7, stale: true, needsAction: true });
  });

  it('is stale on the due date when nobody has ever acted on the invoice', () => {
    const status = deriveStatus(invoice({ lastAction: null }), on(DUE));
    expect(status).toMatchObject({ daysSinceLastAction: null, lastAction: null, stale: true });
  });

  it('is never stale before the due date', () => {
    expect(deriveStatus(invoice({ lastAction: null }), on('2026-10-14')).stale).toBe(false);
  });

  it('is not stale while on hold or in dispute, though an overdue invoice still needs action', () => {
    for (const h of [hold, dispute]) {
      const status = deriveStatus(invoice({ hold: h, lastAction: null }), on('2026-11-30'));
      expect(status).toMatchObject({ state: 'overdue', hold: h, stale: false, needsAction: true });
    }
  });

  it('dates the last action in the workspace time zone', () => {
    const late = invoice({ lastAction: reminder('2026-10-13T11:30:00Z') }); // 00:30 on the 14th in Auckland
    const today = '2026-10-20';
    expect(deriveStatus(late, on(today, { timeZone: 'Pacific/Auckland' }))).toMatchObject({
      daysSinceLastAction: 6,
      stale: false,
    });
    expect(deriveStatus(late, on(today, { timeZone: 'Pacific/Honolulu' }))).toMatchObject({
      daysSinceLastAction: 7,
      stale: true,
    });
  });
});

describe('STATE_ORDER and STATE_LABEL', () => {
  it('orders states most urgent first', () => {
    expect(STATE_ORDER).toEqual(['overdue', 'due', 'sent', 'draft', 'paid', 'credited']);
  });

  it('labels every lifecycle for people', () => {
    expect(STATE_LABEL).toEqual({
      overdue: 'Overdue',
      due: 'Due today',
      sent: 'Sent',
      draft: 'Draft',
      paid: 'Paid',
      credited: 'Credited',
      void: 'Void',
    });
  });
});

describe('deriveStatus: properties', () => {
  const day = fc.integer({ min: -400, max: 400 }).map((n) => addDays(DUE, n));
  const minor = fc.bigInt({ min: 0n, max: 10_000_000n });
  const instant = fc.date({ min: at('2025-06-01T00:00:00Z'), max: at('2027-06-01T00:00:00Z'), noInvalidDate: true });
  const anyFacts = fc.record({
    totalMinor: minor,
    paidMinor: minor,
    creditedMinor: fc.oneof(fc.constant(0n), minor),
    dueDate: day,
    sentAt: fc.option(instant, { nil: null }),
    voidedAt: fc.constant(null),
    hold: fc.constantFrom(null, hold, dispute),
    promisedDate: fc.option(day, { nil: null }),
    lastAction: fc.option(
      instant.map((t) => reminder(t.toISOString())),
      { nil: null },
    ),
  });
  const anyContext = fc.record({
    today: day,
    timeZone: fc.constantFrom('UTC', 'Pacific/Honolulu', 'Pacific/Auckland', 'America/New_York'),
    staleDays: fc.integer({ min: 1, max: 60 }),
  });
  const STATES: readonly InvoiceState[] = ['draft', 'sent', 'due', 'overdue', 'paid', 'credited'];

  it('gives every invoice that is not void exactly one of the six states', () => {
    fc.assert(
      fc.property(anyFacts, anyContext, (facts, ctx) => {
        const status = deriveStatus(facts, ctx);
        expect(STATES.filter((s) => s === status.state)).toHaveLength(1);
        expect(status.lifecycle).toBe(status.state);
      }),
      { numRuns: 500 },
    );
  });

  it('never leaves less due than the total minus what was paid and credited', () => {
    fc.assert(
      fc.property(anyFacts, anyContext, (facts, ctx) => {
        const status = deriveStatus(facts, ctx);
        const settled = facts.paidMinor + facts.creditedMinor;
        expect(status.amountDueMinor + settled >= facts.totalMinor).toBe(true);
        expect(status.amountDueMinor >= 0n && status.overpaidMinor >= 0n).toBe(true);
        expect(status.amountDueMinor - status.overpaidMinor).toBe(facts.totalMinor - settled);
      }),
      { numRuns: 500 },
    );
  });

  it('counts days overdue only when overdue, and asks for action whenever an invoice is stale', () => {
    fc.assert(
      fc.property(anyFacts, anyContext, (facts, ctx) => {
        const status = deriveStatus(facts, ctx);
        expect(status.daysOverdue > 0).toBe(status.state === 'overdue');
        if (status.stale) expect(status.needsAction).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('makes any invoice with voidedAt Void, with nothing due and nothing to do', () => {
    fc.assert(
      fc.property(anyFacts, anyContext, instant, (facts, ctx, voidedAt) => {
        const status = deriveStatus({ ...facts, voidedAt }, ctx);
        expect(status).toMatchObject({ lifecycle: 'void', state: null, amountDueMinor: 0n, needsAction: false });
      }),
    );
  });
});
