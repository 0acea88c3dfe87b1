// The weekly digest's content, pure: the facts the store reads (DigestData) and what they add up to, in the
// order people read them (DigestSummary). Nothing here knows about Slack; `today` and the zone are passed in.
import { AGING_BUCKETS, type AgingBucket } from './aging.js';
import { daysBetween, type LocalDate, localDateOf } from './dates.js';
import type { OwnerNumbers } from './numbers.js';

/** The four states an open invoice can be in, most urgent first. */
export type OpenState = 'overdue' | 'due' | 'sent' | 'draft';

export const OPEN_STATES: readonly OpenState[] = ['overdue', 'due', 'sent', 'draft'];

/** One open invoice (not void, something still due), as the digest's thread lists it. */
export interface DigestInvoice {
  id: string;
  number: string;
  clientName: string;
  currency: string;
  amountDueMinor: bigint;
  dueDate: LocalDate;
  state: OpenState;
  /** today − due date when overdue, else 0. */
  daysOverdue: number;
  ownerUserId: string | null;
  lastAction: { kind: string; at: Date } | null;
  hold: { kind: 'hold' | 'dispute'; reason: string } | null;
  promisedDate: LocalDate | null;
  /** Sent, still owed, and the promised date has passed (status.ts THE RULES). */
  promiseBroken: boolean;
  /** Due or overdue, no hold, no live promise, no action for the workspace's stale days. */
  stale: boolean;
}

/** Per currency, over the open book. Outstanding is what was sent and is unpaid; drafts are apart. */
export interface CurrencyTotals {
  currency: string;
  outstandingCount: number;
  outstandingMinor: bigint;
  overdueCount: number;
  overdueMinor: bigint;
  dueTodayCount: number;
  dueTodayMinor: bigint;
  draftCount: number;
  draftMinor: bigint;
}

/** An invoice named by a change. */
export interface ChangedInvoice {
  invoiceId: string;
  number: string;
  clientName: string;
  currency: string;
  /** The invoice total for a new invoice; what is due now for every other change. */
  amountMinor: bigint;
  /** The due date (newly overdue) or the promised date (promises); null otherwise. */
  date: LocalDate | null;
  ownerUserId: string | null;
}

export interface DigestChanges {
  /** Invoices created since (kind 'created'), unless voided since. */
  newInvoices: ChangedInvoice[];
  /** Payments recorded since ('paid' and 'part_paid' events), summed per currency. */
  received: { currency: string; count: number; amountMinor: bigint }[];
  /** Open and sent, and the due date fell in [since's local date, today): it went overdue after the last digest. */
  newlyOverdue: ChangedInvoice[];
  /** Chases since that recorded a promised date, one per chase. */
  promisesMade: ChangedInvoice[];
  /** Open and sent, and the promised date fell in [since's local date, today). */
  promisesBroken: ChangedInvoice[];
  /** 'disputed' events since. */
  disputesOpened: ChangedInvoice[];
  /** 'released' events since that ended a dispute. */
  disputesClosed: ChangedInvoice[];
}

/** A payment recorded since the last digest. */
export interface DigestPayment {
  paymentId: string;
  invoiceId: string;
  number: string;
  clientName: string;
  currency: string;
  amountMinor: bigint;
  receivedOn: LocalDate;
  recordedBy: string;
  recordedAt: Date;
}

/** How much one owner (null: nobody) has that needs action. An invoice may count under several heads. */
export interface OwnerWork {
  ownerUserId: string | null;
  overdue: number;
  due: number;
  promisesBroken: number;
  stale: number;
  /** Distinct invoices needing action (overdue, due, broken promise or stale). */
  needsAction: number;
}

export interface DigestData {
  today: LocalDate;
  since: Date;
  /** `since` as a date in the workspace's time zone. */
  sinceDate: LocalDate;
  /**
   * The open invoices, most urgent state first, then soonest due. Either every one (`open` absent), or — from
   * the store — only the candidates for naming with a list cap up to `candidatesFor` (see pickWorthNaming),
   * with `open` counting them all.
   */
  invoices: DigestInvoice[];
  /** Every open invoice counted per state and currency; absent when `invoices` is the whole open book. */
  open?: OpenTally[];
  /** The largest list cap `invoices` holds the candidates for; absent when it is the whole open book. */
  candidatesFor?: number;
  /** Per currency, alphabetical. */
  totals: CurrencyTotals[];
  /** What is owed by how late it is, per currency (getAging). */
  aging: { currency: string; bucket: AgingBucket; count: number; dueMinor: bigint }[];
  changes: DigestChanges;
  /** Payments recorded since, by received date. */
  payments: DigestPayment[];
  /** Owners with something that needs action, most first. */
  owners: OwnerWork[];
}

/** Open invoices in one state and currency: how many, and how much is due on them. */
export interface OpenTally {
  state: OpenState;
  currency: string;
  count: number;
  dueMinor: bigint;
}

/** An amount in one currency. */
export interface CurrencyAmount {
  currency: string;
  minor: bigint;
}

/** How many, and how much per currency (currencies alphabetical, zero amounts left out). */
export interface CountedAmounts {
  count: number;
  amounts: CurrencyAmount[];
}

/** A change: how many, how much, and the invoices it names, in display order. */
export interface ChangeSummary extends CountedAmounts {
  invoices: ChangedInvoice[];
}

/** An open invoice as a line: the facts plus the days since its last action, in the workspace's zone. */
export interface DigestLine extends DigestInvoice {
  daysSinceLastAction: number | null;
}

export interface DigestStateSection extends CountedAmounts {
  state: OpenState;
  /** The lines listed (at most the list cap), most urgent first. */
  invoices: DigestLine[];
  /** The state's invoices not listed, counted: "and 40 more, $12,000.00". */
  more: CountedAmounts;
}

export interface DigestSummary {
  today: LocalDate;
  since: Date;
  sinceDate: LocalDate;
  /** Sent and unpaid, per currency. */
  outstanding: CountedAmounts;
  overdue: CountedAmounts;
  dueToday: CountedAmounts;
  /** Not sent yet: not receivable, shown apart. */
  drafts: CountedAmounts;
  /** All five buckets, youngest first, each with its amount per currency. */
  aging: ({ bucket: AgingBucket } & CountedAmounts)[];
  changes: {
    newInvoices: ChangeSummary;
    /** count = payments recorded. */
    received: CountedAmounts;
    newlyOverdue: ChangeSummary;
    promisesMade: ChangeSummary;
    promisesBroken: ChangeSummary;
    disputesOpened: ChangeSummary;
    disputesClosed: ChangeSummary;
    /** True when nothing at all changed. */
    none: boolean;
  };
  /** Owners with something to do, most first; invoices nobody owns last. */
  people: OwnerWork[];
  /**
   * One per open state that has invoices, most urgent first; every open invoice is counted in exactly one,
   * and listed there or counted in its `more`.
   */
  sections: DigestStateSection[];
  /** Payments recorded since the last digest: all counted, the listed ones by received date, the rest in `more`. */
  payments: CountedAmounts & { lines: DigestPayment[]; more: CountedAmounts };
  /** Open invoices in all (drafts included). */
  openCount: number;
  /** The owner's numbers (DSO, collected, expected in), the digest's headline; absent when not read. */
  numbers?: OwnerNumbers;
}

export interface SummariseOptions {
  today: LocalDate;
  timeZone: string;
  /** Lines listed per state, and payments listed; DIGEST_LIST_CAP unless given. */
  listCap?: number;
}

/**
 * Lines a state lists, and payments listed, at most: a ten-minute read at any size (a big book's digest names
 * what matters and counts the rest; a small book's lists everything, as a state rarely has more).
 */
export const DIGEST_LIST_CAP = 25;

/**
 * The items worth naming when there are more than `cap`: first those that need attention (`urgent`, taken in
 * `order`), then the biggest amounts (ties taken in `order`). Amounts in different currencies are not comparable
 * without rates, so the biggest are taken in turn from each currency: its largest, then the next largest of
 * each, and so on. `order` defaults to the given order. Returns the chosen items in their given order, and the
 * rest.
 *
 * With a total `order`, the choice depends only on each item's own facts, never on which other items are given:
 * so the store can hand over just the candidates (per state, the first `cap` urgent items in `order` and, per
 * currency, the first 2 × `cap` by amount then `order`) and the same items are named as from the whole book.
 */
export function pickWorthNaming<T extends { currency: string }>(
  items: readonly T[],
  cap: number,
  amount: (item: T) => bigint,
  urgent: (item: T) => boolean = () => false,
  order?: (a: T, b: T) => number,
): { named: T[]; rest: T[] } {
  if (items.length <= cap) return { named: [...items], rest: [] };
  const position = new Map(items.map((item, i) => [item, i]));
  const inOrder = order ?? ((a: T, b: T) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
  const chosen = new Set<T>();
  for (const item of items.filter(urgent).sort(inOrder)) {
    if (chosen.size >= cap) break;
    chosen.add(item);
  }
  const byCurrency = new Map<string, T[]>();
  for (const item of items) {
    if (chosen.has(item)) continue;
    const list = byCurrency.get(item.currency) ?? [];
    list.push(item);
    byCurrency.set(item.currency, list);
  }
  const queues = [...byCurrency]
    .sort(([a], [b]) => compareText(a, b))
    .map(([, list]) => list.sort((a, b) => (amount(b) > amount(a) ? 1 : amount(b) < amount(a) ? -1 : inOrder(a, b))));
  for (let rank = 0; chosen.size < cap; rank++) {
    let any = false;
    for (const queue of queues) {
      const item = queue[rank];
      if (item === undefined) continue;
      any = true;
      if (chosen.size < cap) chosen.add(item);
    }
    if (!any) break;
  }
  return { named: items.filter((i) => chosen.has(i)), rest: items.filter((i) => !chosen.has(i)) };
}

/**
 * The order in which a state's invoices are considered for naming, and which the store's candidate query
 * (src/db/queries/digest.ts) mirrors: the oldest due date first, then the biggest amount, then the id (code
 * units, as SQL's `collate "C"` orders it).
 */
export function compareForNaming(a: DigestInvoice, b: DigestInvoice): number {
  return (
    compareText(a.dueDate, b.dueDate) ||
    (b.amountDueMinor > a.amountDueMinor ? 1 : b.amountDueMinor < a.amountDueMinor ? -1 : 0) ||
    compareText(a.id, b.id)
  );
}

/** Broken promises, stale chases and disputes: named before the biggest amounts. */
export function needsNaming(invoice: DigestInvoice): boolean {
  return invoice.promiseBroken || invoice.stale || invoice.hold?.kind === 'dispute';
}

/** Every open invoice counted per state and currency: from the store, or tallied from a full list. */
function openTallies(data: DigestData): OpenTally[] {
  if (data.open) return data.open;
  const tallies = new Map<string, OpenTally>();
  for (const inv of data.invoices) {
    const key = `${inv.state} ${inv.currency}`;
    const tally = tallies.get(key) ?? { state: inv.state, currency: inv.currency, count: 0, dueMinor: 0n };
    tally.count += 1;
    tally.dueMinor += inv.amountDueMinor;
    tallies.set(key, tally);
  }
  return [...tallies.values()];
}

/** Code-unit order, for dates, codes and ids: never dependent on a database collation. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// Invoice numbers as people count them: INV-2 before INV-10.
const numberOrder = new Intl.Collator('en-US', { numeric: true });

/** Sums per currency, alphabetical, dropping currencies whose sum is zero. */
export function amountsByCurrency(items: readonly { currency: string; minor: bigint }[]): CurrencyAmount[] {
  const sums = new Map<string, bigint>();
  for (const item of items) sums.set(item.currency, (sums.get(item.currency) ?? 0n) + item.minor);
  return [...sums]
    .filter(([, minor]) => minor !== 0n)
    .sort(([a], [b]) => compareText(a, b))
    .map(([currency, minor]) => ({ currency, minor }));
}

function counted(count: number, items: readonly { currency: string; minor: bigint }[]): CountedAmounts {
  return { count, amounts: amountsByCurrency(items) };
}

function change(invoices: readonly ChangedInvoice[]): ChangeSummary {
  return {
    ...counted(
      invoices.length,
      invoices.map((i) => ({ currency: i.currency, minor: i.amountMinor })),
    ),
    invoices: [...invoices],
  };
}

const STATE_RANK: Readonly<Record<OpenState, number>> = { overdue: 0, due: 1, sent: 2, draft: 3 };

/** Most urgent first: state, then the earliest due date (the most days overdue, or the soonest due). */
export function compareLines(a: DigestInvoice, b: DigestInvoice): number {
  return (
    STATE_RANK[a.state] - STATE_RANK[b.state] ||
    compareText(a.dueDate, b.dueDate) ||
    numberOrder.compare(a.number, b.number) ||
    compareText(a.number, b.number) ||
    compareText(a.id, b.id)
  );
}

/** Most to do first; nobody's invoices last. */
function comparePeople(a: OwnerWork, b: OwnerWork): number {
  if ((a.ownerUserId === null) !== (b.ownerUserId === null)) return a.ownerUserId === null ? 1 : -1;
  return (
    b.needsAction - a.needsAction ||
    b.overdue - a.overdue ||
    b.promisesBroken - a.promisesBroken ||
    compareText(a.ownerUserId ?? '', b.ownerUserId ?? '')
  );
}

/** What the digest says, in the order it says it. */
export function summariseDigest(data: DigestData, opts: SummariseOptions): DigestSummary {
  const { today, timeZone } = opts;
  const cap = Math.max(1, Math.floor(opts.listCap ?? DIGEST_LIST_CAP));
  const totals = (count: (t: CurrencyTotals) => number, minor: (t: CurrencyTotals) => bigint): CountedAmounts =>
    counted(
      data.totals.reduce((n, t) => n + count(t), 0),
      data.totals.map((t) => ({ currency: t.currency, minor: minor(t) })),
    );

  const lines: DigestLine[] = data.invoices
    .map((inv) => ({
      ...inv,
      daysSinceLastAction: inv.lastAction ? daysBetween(localDateOf(inv.lastAction.at, timeZone), today) : null,
    }))
    .sort(compareLines);
  if (data.candidatesFor !== undefined && cap > data.candidatesFor) {
    throw new Error(`The digest's data holds the candidates for lists of ${data.candidatesFor}, not ${cap}.`);
  }
  const tallies = openTallies(data);
  const owed = (i: DigestLine) => ({ currency: i.currency, minor: i.amountDueMinor });
  const sections: DigestStateSection[] = OPEN_STATES.map((state) => {
    const invoices = lines.filter((l) => l.state === state);
    const all = tallies.filter((t) => t.state === state);
    const count = all.reduce((n, t) => n + t.count, 0);
    // Broken promises, stale chases and disputes are named first, then the biggest amounts.
    const { named } = pickWorthNaming(invoices, cap, (l) => l.amountDueMinor, needsNaming, compareForNaming);
    const namedMinor = amountsByCurrency(named.map(owed));
    const rest = all.map((t) => ({
      currency: t.currency,
      minor: t.dueMinor - (namedMinor.find((a) => a.currency === t.currency)?.minor ?? 0n),
    }));
    return {
      state,
      ...counted(
        count,
        all.map((t) => ({ currency: t.currency, minor: t.dueMinor })),
      ),
      invoices: named,
      more: counted(count - named.length, rest),
    };
  }).filter((s) => s.count > 0);

  const aging = AGING_BUCKETS.map((bucket) => {
    const rows = data.aging.filter((a) => a.bucket === bucket);
    return {
      bucket,
      ...counted(
        rows.reduce((n, r) => n + r.count, 0),
        rows.map((r) => ({ currency: r.currency, minor: r.dueMinor })),
      ),
    };
  });

  const c = data.changes;
  const received = counted(
    c.received.reduce((n, r) => n + r.count, 0),
    c.received.map((r) => ({ currency: r.currency, minor: r.amountMinor })),
  );
  const changes = {
    newInvoices: change(c.newInvoices),
    received,
    newlyOverdue: change([...c.newlyOverdue].sort((a, b) => compareText(a.date ?? '', b.date ?? ''))),
    promisesMade: change(c.promisesMade),
    promisesBroken: change([...c.promisesBroken].sort((a, b) => compareText(a.date ?? '', b.date ?? ''))),
    disputesOpened: change(c.disputesOpened),
    disputesClosed: change(c.disputesClosed),
  };
  const none =
    received.count === 0 &&
    [
      changes.newInvoices,
      changes.newlyOverdue,
      changes.promisesMade,
      changes.promisesBroken,
      changes.disputesOpened,
      changes.disputesClosed,
    ].every((g) => g.count === 0);

  const allPayments = [...data.payments].sort(
    (a, b) =>
      compareText(a.receivedOn, b.receivedOn) ||
      a.recordedAt.getTime() - b.recordedAt.getTime() ||
      compareText(a.paymentId, b.paymentId),
  );
  const paid = (p: DigestPayment) => ({ currency: p.currency, minor: p.amountMinor });
  const payments = pickWorthNaming(allPayments, cap, (p) => p.amountMinor);

  return {
    today,
    since: data.since,
    sinceDate: data.sinceDate,
    outstanding: totals(
      (t) => t.outstandingCount,
      (t) => t.outstandingMinor,
    ),
    overdue: totals(
      (t) => t.overdueCount,
      (t) => t.overdueMinor,
    ),
    dueToday: totals(
      (t) => t.dueTodayCount,
      (t) => t.dueTodayMinor,
    ),
    drafts: totals(
      (t) => t.draftCount,
      (t) => t.draftMinor,
    ),
    aging,
    changes: { ...changes, none },
    people: data.owners.filter((o) => o.needsAction > 0).sort(comparePeople),
    sections,
    payments: {
      ...counted(allPayments.length, allPayments.map(paid)),
      lines: payments.named,
      more: counted(payments.rest.length, payments.rest.map(paid)),
    },
    openCount: tallies.reduce((n, t) => n + t.count, 0),
  };
}
