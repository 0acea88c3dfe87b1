// Invoice views, overviews and events for the Block Kit builder tests: fixed dates, fixed ids, and the
// status derived by the real engine, so a fixture always means what the app would show.
import type { InvoiceView } from '../../../src/db/queries/invoices.js';
import type { ClientRecord, HistoryEvent, Overview, StateTotal } from '../../../src/db/queries/views.js';
import type { WorkspaceRow } from '../../../src/db/schema.js';
import { addDays } from '../../../src/domain/dates.js';
import { deriveStatus, type HoldFacts, type InvoiceState, type LastAction } from '../../../src/domain/status.js';
import { describeDueBasis, dueDateFor, type PaymentTerms } from '../../../src/domain/terms.js';

export const ZONE = 'Europe/London';
/** 09:30 in London (GMT in November). */
export const NOW = new Date('2026-11-14T09:30:00Z');
export const NOW_UNIX = 1794648600;
export const TODAY = '2026-11-14';
export const TEAM = 'T0TEAM';
export const INVOICE_ID = '7f1c1a52-3d7e-4c0b-9a51-2d9a4c6e8b10';
export const CLIENT_ID = '2b3c4d5e-6f70-4812-9a3b-4c5d6e7f8091';
export const ALICE = 'U0ALICE';
export const BOB = 'U0BOB';

/** What a test may set; everything else is a sent $10,000.00 invoice due 2026-12-02 (net 30 from 2026-11-02). */
export interface InvoiceFixture
  extends Partial<Omit<InvoiceView, 'status' | 'dueBasis' | 'dueDate' | 'basisDate' | 'terms'>> {
  terms?: PaymentTerms;
  basisDate?: string;
  hold?: HoldFacts | null;
  lastAction?: LastAction | null;
  today?: string;
  staleDays?: number;
}

export function makeInvoice(o: InvoiceFixture = {}): InvoiceView {
  const { hold = null, today = TODAY, staleDays = 7, ...fields } = o;
  const lastAction =
    o.lastAction === undefined ? { kind: 'sent', at: new Date('2026-11-02T10:00:00Z'), by: ALICE } : o.lastAction;
  const issueDate = fields.issueDate ?? '2026-11-02';
  const terms = fields.terms ?? { kind: 'net', days: 30 };
  const basisDate = fields.basisDate ?? issueDate;
  const basisLabel = fields.basisLabel ?? null;
  const dueDate = dueDateFor(terms, basisDate);
  const base = {
    id: INVOICE_ID,
    teamId: TEAM,
    number: 'INV-0042',
    clientId: CLIENT_ID,
    clientName: 'Acme Corp',
    currency: 'USD',
    totalMinor: 1_000_000n,
    paidMinor: 0n,
    creditedMinor: 0n,
    issueDate,
    terms,
    basisDate,
    basisLabel,
    dueDate,
    dueBasis: describeDueBasis(terms, basisDate, basisLabel),
    ownerUserId: ALICE,
    description: 'Website redesign, phase 2',
    sentAt: new Date(`${issueDate}T10:00:00Z`),
    voidedAt: null,
    voidReason: null,
    promisedDate: null,
    nextFollowUp: null,
    paidOn: null,
    version: 1,
    createdAt: new Date(`${issueDate}T09:00:00Z`),
  };
  const view = { ...base, ...fields, issueDate, terms, basisDate, basisLabel, dueDate };
  const status = deriveStatus(
    {
      totalMinor: view.totalMinor,
      paidMinor: view.paidMinor,
      creditedMinor: view.creditedMinor,
      dueDate,
      sentAt: view.sentAt,
      voidedAt: view.voidedAt,
      hold,
      promisedDate: view.promisedDate,
      lastAction,
    },
    { today, timeZone: ZONE, staleDays },
  );
  return { ...view, status };
}

/** Sent, not yet due: due in 18 days. */
export function sentInvoice(): InvoiceView {
  return makeInvoice();
}

/** Overdue 25 days, $4,000.00 paid, in dispute, a promise to pay by 2026-11-06 broken, chased by Bob 3 days ago. */
export function overdueDisputedInvoice(): InvoiceView {
  return makeInvoice({
    issueDate: '2026-09-15',
    basisDate: '2026-09-20',
    basisLabel: 'delivery',
    paidMinor: 400_000n,
    description: null,
    promisedDate: '2026-11-06',
    nextFollowUp: '2026-11-17',
    hold: {
      kind: 'dispute',
      reason: 'Says milestone 2 is not delivered',
      since: new Date('2026-11-08T12:00:00Z'),
      by: BOB,
    },
    lastAction: { kind: 'chased', at: new Date('2026-11-11T15:00:00Z'), by: BOB },
  });
}

/** Paid in full on 2026-11-10, recorded by Bob. */
export function paidInvoice(): InvoiceView {
  return makeInvoice({
    paidMinor: 1_000_000n,
    paidOn: '2026-11-10',
    lastAction: { kind: 'paid', at: new Date('2026-11-10T14:00:00Z'), by: BOB },
  });
}

/** An invoice in `state`, number `n`, for lists. */
export function invoiceIn(state: InvoiceState, n: number, overrides: InvoiceFixture = {}): InvoiceView {
  const id = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const number = `INV-${String(n).padStart(5, '0')}`;
  const common = { id, number, ...overrides };
  switch (state) {
    case 'overdue':
      return makeInvoice({ issueDate: addDays(TODAY, -31 - (n % 90)), ...common });
    case 'due':
      return makeInvoice({ issueDate: addDays(TODAY, -30), ...common });
    case 'sent':
      return makeInvoice({ issueDate: addDays(TODAY, -(n % 29)), ...common });
    case 'draft':
      return makeInvoice({ issueDate: TODAY, sentAt: null, lastAction: null, ...common });
    case 'paid':
      return makeInvoice({
        paidMinor: overrides.totalMinor ?? 1_000_000n,
        paidOn: addDays(TODAY, -(n % 30)),
        ...common,
      });
    case 'credited':
      return makeInvoice({
        creditedMinor: overrides.totalMinor ?? 1_000_000n,
        paidOn: addDays(TODAY, -(n % 30)),
        ...common,
      });
  }
}

const STATES: readonly InvoiceState[] = ['overdue', 'due', 'sent', 'draft', 'paid'];

/** An overview holding `perState` invoices in every state (all listed), in three currencies. */
export function makeOverview(
  perState: number,
  overrides: (state: InvoiceState, n: number) => InvoiceFixture = () => ({}),
): Overview {
  const currencies = ['USD', 'EUR', 'JPY'];
  const invoices = {} as Overview['invoices'];
  const counts = {} as Overview['counts'];
  const totals: StateTotal[] = [];
  let n = 0;
  for (const state of STATES) {
    invoices[state] = [];
    for (let i = 0; i < perState; i++) {
      n += 1;
      const currency = currencies[n % currencies.length] ?? 'USD';
      invoices[state].push(invoiceIn(state, n, { currency, ...overrides(state, n) }));
    }
    counts[state] = perState;
    for (const currency of currencies) {
      const mine = invoices[state].filter((inv) => inv.currency === currency);
      if (mine.length === 0) continue;
      totals.push({
        state,
        currency,
        count: mine.length,
        totalMinor: mine.reduce((sum, inv) => sum + inv.totalMinor, 0n),
        dueMinor: mine.reduce((sum, inv) => sum + inv.status.amountDueMinor, 0n),
      });
    }
  }
  // No credited invoices unless a test adds them (the Home and lists show that section only when there are some).
  invoices.credited = [];
  counts.credited = 0;
  const all = STATES.flatMap((s) => invoices[s]);
  return {
    totals,
    invoices,
    counts,
    needsAction: {
      overdue: counts.overdue,
      due: counts.due,
      promisesBroken: all.filter((inv) => inv.status.promiseBroken).length,
      stale: all.filter((inv) => inv.status.stale).length,
    },
  };
}

export function makeEvent(
  id: number,
  kind: string,
  details: Record<string, unknown>,
  o: Partial<HistoryEvent> = {},
): HistoryEvent {
  return {
    id: BigInt(id),
    invoiceId: INVOICE_ID,
    invoiceNumber: 'INV-0042',
    clientId: CLIENT_ID,
    clientName: 'Acme Corp',
    kind,
    actorType: 'user',
    actorId: BOB,
    at: new Date('2026-11-02T14:05:00Z'),
    details,
    visibility: 'internal',
    ...o,
  };
}

export function makeClientRecord(o: Partial<ClientRecord> = {}): ClientRecord {
  return {
    client: {
      id: CLIENT_ID,
      name: 'Acme Corp',
      contactName: 'Jane Doe',
      contactEmail: 'ap@acme.example',
      terms: 'net 30',
      notes: null,
      archived: false,
    },
    balances: [{ currency: 'USD', outstandingMinor: 1_600_000n, overdueMinor: 600_000n, openCount: 2 }],
    invoices: [overdueDisputedInvoice(), sentInvoice()],
    invoiceCount: 2,
    payment: { paidCount: 4, averageDaysLate: 12, averageDaysToPay: 42 },
    history: [makeEvent(1, 'chased', { method: 'call', response: 'Paying Friday', promisedDate: '2026-11-06' })],
    ...o,
  };
}

export function makeWorkspace(o: Partial<WorkspaceRow> = {}): WorkspaceRow {
  return {
    teamId: TEAM,
    name: 'Example Co',
    timeZone: ZONE,
    financeChannel: 'C0FINANCE',
    alertTime: '09:00',
    digestWeekday: 1,
    digestTime: '08:30',
    staleDays: 7,
    workingDays: [1, 2, 3, 4, 5],
    financeAdmins: [ALICE],
    financeAdminGroup: null,
    holidayCountry: null,
    holidayRegion: null,
    setupStartedAt: null,
    reportingCurrency: null,
    createdAt: new Date('2026-01-01T00:00:00Z'),
    version: 3,
    ...o,
  };
}
