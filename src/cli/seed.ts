// A demo book for trying the app: a studio with a dozen clients and about forty invoices in every state.
// Everything is dated relative to the clock's today, so every state shows up whenever it is seeded, and
// every write goes through the services with the clock moved to when it happened, so the history reads true.
import type { Database } from '../db/client.js';
import { findInvoiceRows, toInvoiceView } from '../db/queries/invoices.js';
import { countInvoices, getBookSize, getWorkspaces } from '../db/queries/lookups.js';
import { addDays, type LocalDate, startOfLocalDay, todayIn } from '../domain/dates.js';
import type { Lifecycle } from '../domain/status.js';
import type { PaymentTerms } from '../domain/terms.js';
import { createClient, findClient } from '../services/clients.js';
import { type Actor, fixedClock, type LedgerContext } from '../services/context.js';
import { isLedgerError } from '../services/errors.js';
import {
  createInvoice,
  editInvoice,
  getInvoice,
  logChase,
  markSent,
  placeHold,
  recordPayment,
  releaseHold,
  voidInvoice,
} from '../services/invoices.js';
import type { Principal } from '../services/policy.js';
import { ensureWorkspace, getWorkspace, updateWorkspaceSettings } from '../services/workspaces.js';

export const DEMO_TEAM_ID = 'T0DEMO';
export const DEMO_TIME_ZONE = 'America/New_York';

/** The people of the demo studio (Slack user ids). Priya handles the money. */
export const DEMO_PEOPLE = {
  priya: { type: 'user', id: 'U0PRIYA' },
  marcus: { type: 'user', id: 'U0MARCUS' },
  elena: { type: 'user', id: 'U0ELENA' },
} as const satisfies Record<string, Actor>;

const { priya, marcus, elena } = DEMO_PEOPLE;

/**
 * The seed is run by the machine's operator (as the CLI is), who may do anything; it writes the demo's history
 * as the demo people did it, so each step is done with the operator's rights under that person's name.
 */
function demoPrincipal(teamId: string, person: Actor): Principal {
  return { type: 'user', id: person.id, teamId, role: 'finance_admin' };
}

export interface SeedOptions {
  teamId?: string;
  timeZone?: string;
}

export interface SeedResult {
  /** False when the workspace already had invoices and nothing was written. */
  seeded: boolean;
  teamId: string;
  workspaceName: string;
  /** Today in the workspace time zone, by the clock the seed was given. */
  today: LocalDate;
  clients: number;
  invoices: number;
  /** Invoices per state today (void included). */
  byState: Record<Lifecycle, number>;
}

type ChaseMethod = 'email' | 'call' | 'slack' | 'meeting' | 'other';

/** Something that happened to an invoice after it was issued, `day` days from today (negative: in the past). */
type Beat = { day: number; time?: string; by?: Actor } & (
  | { do: 'send' }
  | {
      do: 'chase';
      method: ChaseMethod;
      note?: string;
      /** What the client said. */
      said?: string;
      /** The day they promised to pay by. */
      promised?: number;
      followUp?: number;
    }
  | { do: 'pay'; amount?: string; method?: string; reference?: string }
  | { do: 'hold' | 'dispute'; reason: string }
  | { do: 'release'; note?: string }
  | { do: 'void'; reason: string }
  | { do: 'edit'; total: string; description?: string }
);

interface InvoicePlan {
  client: string;
  currency: 'USD' | 'EUR' | 'GBP' | 'JPY';
  total: string;
  /** Day of issue, relative to today. */
  issued: number;
  /** The client's terms unless given; 'fixed' is given as days from today. */
  terms?: Exclude<PaymentTerms, { kind: 'fixed' }> | { kind: 'fixed'; day: number };
  /** Terms run from this day instead of the issue date (e.g. delivery). */
  basis?: { day: number; label: string };
  description: string;
  owner: Actor;
  /** Sent the day it was issued unless a beat sends it later or it stays a draft. */
  draft?: boolean;
  beats?: Beat[];
}

interface ClientPlan {
  name: string;
  contactName: string;
  contactEmail: string;
  terms: { kind: 'net' | 'eom' | 'receipt'; days: number };
  notes?: string;
}

const CLIENTS: readonly ClientPlan[] = [
  {
    name: 'Northwind Traders',
    contactName: 'Nancy Davolio',
    contactEmail: 'ap@northwind.example',
    terms: { kind: 'net', days: 30 },
    notes: 'Pays by ACH in their Friday payment run.',
  },
  {
    name: 'Globex',
    contactName: 'Hank Scorpio',
    contactEmail: 'payables@globex.example',
    terms: { kind: 'net', days: 45 },
    notes: 'Slow payer: every invoice needs a PO number and two approvals.',
  },
  {
    name: 'Initech',
    contactName: 'Bill Lumbergh',
    contactEmail: 'accounts@initech.example',
    terms: { kind: 'net', days: 30 },
  },
  {
    name: 'Umbrella Health',
    contactName: 'Alice Abernathy',
    contactEmail: 'finance@umbrella-health.example',
    terms: { kind: 'net', days: 60 },
  },
  {
    name: 'Stark Ventures',
    contactName: 'Pepper Potts',
    contactEmail: 'ap@starkventures.example',
    terms: { kind: 'net', days: 15 },
  },
  {
    name: 'Wayne Enterprises',
    contactName: 'Lucius Fox',
    contactEmail: 'vendors@wayne.example',
    terms: { kind: 'eom', days: 15 },
  },
  {
    name: 'Brandt & Vogel GmbH',
    contactName: 'Klara Vogel',
    contactEmail: 'buchhaltung@brandt-vogel.example',
    terms: { kind: 'net', days: 30 },
    notes: 'Invoices in EUR; they pay by SEPA transfer.',
  },
  {
    name: 'Maison Lumière',
    contactName: 'Sophie Laurent',
    contactEmail: 'compta@maison-lumiere.example',
    terms: { kind: 'net', days: 45 },
  },
  {
    name: 'Thames & Co',
    contactName: 'Oliver Hughes',
    contactEmail: 'ap@thames.example',
    terms: { kind: 'net', days: 30 },
  },
  {
    name: 'Kensington Media',
    contactName: 'Grace Patel',
    contactEmail: 'finance@kensington.example',
    terms: { kind: 'receipt', days: 0 },
    notes: 'Needs their PO number on every invoice.',
  },
  {
    name: 'Tanaka Robotics',
    contactName: 'Kenji Tanaka',
    contactEmail: 'keiri@tanaka-robotics.example',
    terms: { kind: 'eom', days: 30 },
  },
  {
    name: 'Soylent Foods',
    contactName: 'Sol Roth',
    contactEmail: 'ap@soylent.example',
    terms: { kind: 'net', days: 30 },
  },
];

/**
 * The book. Days are relative to today; numbers are given in order of issue when seeding. The comment on
 * an invoice says where it stands today (test/cli/seed.test.ts holds the counts per state).
 */
const PLANS: readonly InvoicePlan[] = [
  {
    // Paid 55 days late, in two parts.
    client: 'Globex',
    currency: 'USD',
    total: '11,000.00',
    issued: -160,
    description: 'Brand refresh: discovery and moodboards',
    owner: marcus,
    beats: [
      {
        day: -110,
        do: 'chase',
        method: 'email',
        note: 'Sent a reminder with the invoice attached',
        said: 'Awaiting PO approval',
      },
      { day: -90, do: 'pay', by: priya, amount: '5,000.00', method: 'ACH', reference: 'GLX-20417' },
      { day: -75, do: 'chase', method: 'call', note: 'Asked about the balance', said: 'Second approval is pending' },
      { day: -60, do: 'pay', by: priya, method: 'ACH', reference: 'GLX-20655' },
    ],
  },
  {
    // Overdue 120 days: a broken promise long ago, chased last a month ago (stale).
    client: 'Initech',
    currency: 'USD',
    total: '12,500.00',
    issued: -150,
    description: 'TPS report redesign, phase 1',
    owner: elena,
    beats: [
      { day: -115, do: 'chase', method: 'email', note: 'Friendly reminder; no reply' },
      {
        day: -100,
        time: '15:10',
        do: 'chase',
        method: 'call',
        note: 'Called Bill',
        said: 'It is with accounts payable; should go out by the end of the month',
        promised: -85,
      },
      { day: -60, do: 'chase', method: 'email', note: 'Second reminder, copied their CFO; no reply' },
      {
        day: -30,
        do: 'chase',
        method: 'call',
        note: 'Left a voicemail for Bill',
        followUp: -23,
      },
    ],
  },
  {
    client: 'Umbrella Health',
    currency: 'USD',
    total: '9,800.00',
    issued: -140,
    description: 'Patient portal usability study',
    owner: elena,
    beats: [{ day: -70, do: 'pay', by: priya, method: 'wire', reference: 'UH-88812' }],
  },
  {
    client: 'Northwind Traders',
    currency: 'USD',
    total: '3,900.00',
    issued: -130,
    description: 'Catalogue photography, spring range',
    owner: marcus,
    beats: [{ day: -98, do: 'pay', by: priya, method: 'ACH' }],
  },
  {
    client: 'Wayne Enterprises',
    currency: 'USD',
    total: '22,000.00',
    issued: -130,
    description: 'Annual report design and print management',
    owner: marcus,
    beats: [{ day: -80, do: 'pay', by: priya, method: 'wire', reference: 'WE-4471' }],
  },
  {
    // Paid in full, late.
    client: 'Tanaka Robotics',
    currency: 'JPY',
    total: '2,400,000',
    issued: -120,
    description: 'Trade show booth graphics',
    owner: elena,
    beats: [{ day: -45, do: 'pay', by: priya, method: 'wire', reference: 'TR-0571' }],
  },
  {
    // Overdue 75 days, part paid, a broken promise, and a live one since this week.
    client: 'Globex',
    currency: 'USD',
    total: '8,750.00',
    issued: -120,
    description: 'Brand refresh: identity system',
    owner: marcus,
    beats: [
      { day: -70, do: 'chase', method: 'email', note: 'Reminder with statement', said: 'PO still being approved' },
      {
        day: -50,
        do: 'chase',
        method: 'call',
        note: 'Spoke to Hank',
        said: 'Approved; will pay by the 10th',
        promised: -40,
      },
      { day: -40, do: 'pay', by: priya, amount: '3,000.00', method: 'ACH', reference: 'GLX-20701' },
      { day: -20, do: 'chase', method: 'email', note: 'Asked for the balance of $5,750', said: 'Next payment run' },
      {
        day: -3,
        time: '11:20',
        do: 'chase',
        method: 'call',
        note: 'Called Hank again',
        said: 'Balance is scheduled; confirmed the amount',
        promised: 4,
        followUp: 5,
      },
    ],
  },
  {
    // Paid 40 days late, after a promise it broke.
    client: 'Globex',
    currency: 'USD',
    total: '4,500.00',
    issued: -110,
    description: 'Social launch assets',
    owner: marcus,
    beats: [
      {
        day: -55,
        do: 'chase',
        method: 'email',
        note: 'Reminder',
        said: 'Will pay with the identity invoice',
        promised: -45,
      },
      { day: -30, do: 'chase', method: 'call', note: 'Promise missed; called Hank', said: 'Paying this week' },
      { day: -25, do: 'pay', by: priya, method: 'ACH', reference: 'GLX-20843' },
    ],
  },
  {
    // Overdue 45 days and disputed.
    client: 'Umbrella Health',
    currency: 'USD',
    total: '18,200.00',
    issued: -105,
    description: 'Clinic app design sprint (March)',
    owner: elena,
    beats: [
      {
        day: -40,
        do: 'dispute',
        by: priya,
        reason: 'Disputes 42 of the hours billed for the March sprint; wants a breakdown by task',
      },
      {
        day: -38,
        do: 'chase',
        method: 'email',
        note: 'Sent the timesheet breakdown by task',
        said: 'Will review with the project lead',
      },
    ],
  },
  {
    client: 'Maison Lumière',
    currency: 'EUR',
    total: '3,400.00',
    issued: -95,
    description: 'Packaging illustrations',
    owner: elena,
    beats: [
      { day: -60, do: 'hold', by: priya, reason: 'Their new vendor number is needed before they can pay' },
      { day: -52, do: 'release', by: priya, note: 'Vendor number received; invoice resent' },
      { day: -47, do: 'pay', by: priya, method: 'SEPA' },
    ],
  },
  {
    // Cancelled before kickoff.
    client: 'Initech',
    currency: 'USD',
    total: '5,000.00',
    issued: -92,
    description: 'Intranet migration, deposit',
    owner: elena,
    draft: true,
    beats: [{ day: -90, do: 'void', by: priya, reason: 'Project cancelled before kickoff' }],
  },
  {
    client: 'Northwind Traders',
    currency: 'USD',
    total: '2,200.00',
    issued: -100,
    description: 'Email templates',
    owner: marcus,
    beats: [{ day: -72, do: 'pay', by: priya, method: 'ACH' }],
  },
  {
    // Overdue (end of month + 30): part paid, the rest still owed.
    client: 'Tanaka Robotics',
    currency: 'JPY',
    total: '1,850,000',
    issued: -80,
    description: 'Product launch video',
    owner: elena,
    beats: [
      { day: -15, do: 'pay', by: priya, amount: '850,000', method: 'wire', reference: 'TR-0633' },
      {
        day: -14,
        do: 'chase',
        method: 'email',
        note: 'Thanked them for the first part; asked when the rest follows',
        said: 'The remainder needs sign-off from head office',
      },
    ],
  },
  {
    client: 'Stark Ventures',
    currency: 'USD',
    total: '14,500.00',
    issued: -80,
    description: 'Investor deck and data room design',
    owner: marcus,
    beats: [{ day: -66, do: 'pay', by: priya, method: 'wire' }],
  },
  {
    client: 'Brandt & Vogel GmbH',
    currency: 'EUR',
    total: '7,250.00',
    issued: -75,
    description: 'Website localisation (DE)',
    owner: elena,
    beats: [{ day: -44, do: 'pay', by: priya, method: 'SEPA', reference: 'BV-2291' }],
  },
  {
    client: 'Northwind Traders',
    currency: 'USD',
    total: '6,000.00',
    issued: -70,
    description: 'Trade catalogue layout',
    owner: marcus,
    beats: [{ day: -38, do: 'pay', by: priya, method: 'ACH' }],
  },
  {
    // Overdue (end of month + 15), never chased: stale.
    client: 'Wayne Enterprises',
    currency: 'USD',
    total: '16,400.00',
    issued: -62,
    description: 'Foundation gala identity and signage',
    owner: marcus,
  },
  {
    client: 'Soylent Foods',
    currency: 'USD',
    total: '980.00',
    issued: -60,
    description: 'Menu card redesign',
    owner: elena,
    beats: [{ day: -29, do: 'pay', by: priya, method: 'card' }],
  },
  {
    // Overdue 25 days; its promise broke and the chase since got no answer.
    client: 'Thames & Co',
    currency: 'GBP',
    total: '3,250.00',
    issued: -55,
    description: 'Podcast artwork series',
    owner: elena,
    beats: [
      {
        day: -20,
        do: 'chase',
        method: 'call',
        note: 'Called Oliver',
        said: 'Will pay by the end of next week',
        promised: -14,
      },
      { day: -3, do: 'chase', method: 'email', note: 'Promise missed; sent a reminder, no reply yet' },
    ],
  },
  {
    // Paid on the day it promised.
    client: 'Thames & Co',
    currency: 'GBP',
    total: '1,900.00',
    issued: -50,
    description: 'Event posters',
    owner: elena,
    beats: [
      {
        day: -16,
        do: 'chase',
        method: 'email',
        note: 'Reminder',
        said: 'Paying on the 11th with the others',
        promised: -12,
      },
      { day: -12, do: 'pay', by: priya, method: 'BACS' },
    ],
  },
  {
    client: 'Soylent Foods',
    currency: 'USD',
    total: '1,450.00',
    issued: -50,
    description: 'Catering menu printing',
    owner: elena,
    beats: [{ day: -48, time: '16:05', do: 'void', by: priya, reason: 'Billed twice for the same print order' }],
  },
  {
    // Paid 10 days late, on the day it promised.
    client: 'Stark Ventures',
    currency: 'USD',
    total: '27,000.00',
    issued: -45,
    description: 'Product film: pre-production and shoot',
    owner: marcus,
    beats: [
      {
        day: -25,
        do: 'chase',
        method: 'slack',
        note: 'Pinged Pepper in our shared channel',
        said: 'Paying on Friday',
        promised: -20,
      },
      { day: -20, do: 'pay', by: priya, method: 'wire', reference: 'SV-10092' },
    ],
  },
  {
    // Due today, with a promise for today.
    client: 'Maison Lumière',
    currency: 'EUR',
    total: '6,200.00',
    issued: -45,
    description: 'Seasonal lookbook',
    owner: elena,
    beats: [
      {
        day: -2,
        do: 'chase',
        method: 'email',
        note: 'Checked it is in their next run',
        said: "Sophie confirmed it is in today's payment run",
        promised: 0,
      },
    ],
  },
  {
    // Overdue 10 days: chased nine days ago, no answer since (a stale chase).
    client: 'Brandt & Vogel GmbH',
    currency: 'EUR',
    total: '9,400.00',
    issued: -40,
    description: 'E-commerce checkout redesign',
    owner: elena,
    beats: [{ day: -9, do: 'chase', method: 'email', note: 'Reminder the day after the due date; no reply since' }],
  },
  {
    // Overdue 4 days, promised for the day after tomorrow.
    client: 'Northwind Traders',
    currency: 'USD',
    total: '4,800.00',
    issued: -34,
    description: 'Warehouse signage',
    owner: marcus,
    beats: [
      {
        day: -2,
        do: 'chase',
        method: 'email',
        note: 'Reminder',
        said: 'Missed last Friday’s run; it goes in the next one',
        promised: 2,
      },
    ],
  },
  {
    // Overdue 1 day (it became overdue today).
    client: 'Soylent Foods',
    currency: 'USD',
    total: '650.00',
    issued: -31,
    description: 'Label artwork corrections',
    owner: elena,
  },
  {
    // Due today.
    client: 'Northwind Traders',
    currency: 'USD',
    total: '3,150.00',
    issued: -30,
    description: 'Spring campaign banners',
    owner: marcus,
  },
  {
    client: 'Kensington Media',
    currency: 'GBP',
    total: '600.00',
    issued: -28,
    description: 'Newsletter template',
    owner: elena,
    beats: [{ day: -26, do: 'pay', by: priya, method: 'BACS' }],
  },
  {
    // Overdue (due on receipt) and on hold.
    client: 'Kensington Media',
    currency: 'GBP',
    total: '1,200.00',
    issued: -20,
    description: 'Show titles and lower thirds',
    owner: elena,
    beats: [
      {
        day: -18,
        do: 'hold',
        by: priya,
        reason: 'Their PO number was missing; we reissue once procurement sends it',
      },
    ],
  },
  {
    // Sent; the terms run from delivery, not from the invoice date.
    client: 'Umbrella Health',
    currency: 'USD',
    total: '7,300.00',
    issued: -20,
    basis: { day: -12, label: 'delivery' },
    terms: { kind: 'net', days: 60 },
    description: 'Printed patient guides (delivered)',
    owner: elena,
  },
  {
    // Sent, with a deposit paid.
    client: 'Brandt & Vogel GmbH',
    currency: 'EUR',
    total: '4,100.00',
    issued: -15,
    description: 'Checkout A/B test design',
    owner: elena,
    beats: [{ day: -8, do: 'pay', by: priya, amount: '1,000.00', method: 'SEPA', reference: 'BV-2377' }],
  },
  {
    client: 'Northwind Traders',
    currency: 'USD',
    total: '5,600.00',
    issued: -12,
    description: 'Autumn catalogue layout',
    owner: marcus,
  },
  {
    client: 'Globex',
    currency: 'USD',
    total: '15,600.00',
    issued: -10,
    description: 'Brand guidelines book',
    owner: marcus,
  },
  {
    client: 'Thames & Co',
    currency: 'GBP',
    total: '2,750.00',
    issued: -6,
    description: 'Podcast season 2 artwork',
    owner: elena,
  },
  {
    // Drafted, then sent the next day.
    client: 'Stark Ventures',
    currency: 'USD',
    total: '42,000.00',
    issued: -6,
    description: 'Product film: edit, grade and sound',
    owner: marcus,
    beats: [{ day: -5, time: '09:05', do: 'send' }],
  },
  {
    client: 'Tanaka Robotics',
    currency: 'JPY',
    total: '640,000',
    issued: -2,
    terms: { kind: 'fixed', day: 28 },
    description: 'Exhibition banner reprint',
    owner: elena,
  },
  {
    client: 'Kensington Media',
    currency: 'GBP',
    total: '850.00',
    issued: -2,
    description: 'Channel idents (awaiting their PO number)',
    owner: elena,
    draft: true,
  },
  {
    client: 'Stark Ventures',
    currency: 'USD',
    total: '16,500.00',
    issued: -1,
    description: 'Phase 2: design sprint',
    owner: marcus,
    draft: true,
    beats: [
      { day: 0, time: '08:40', do: 'edit', total: '18,000.00', description: 'Phase 2: design sprint (scope +1 week)' },
    ],
  },
  {
    client: 'Soylent Foods',
    currency: 'USD',
    total: '1,200.00',
    issued: -1,
    description: 'Seasonal menu artwork',
    owner: elena,
  },
  {
    client: 'Initech',
    currency: 'USD',
    total: '3,300.00',
    issued: 0,
    description: 'TPS report redesign, phase 2 (pending the phase 1 payment)',
    owner: elena,
    draft: true,
  },
  {
    client: 'Maison Lumière',
    currency: 'EUR',
    total: '2,900.00',
    issued: 0,
    description: 'Store window displays',
    owner: elena,
    draft: true,
  },
];

interface Step {
  at: Date;
  run: (ctx: LedgerContext) => Promise<unknown>;
}

/**
 * Seeds the demo book into `options.teamId` (T0DEMO). Does nothing when that workspace already has invoices.
 * All of it is one transaction: a failure leaves the database as it was.
 */
export async function seedDemoBook(ctx: LedgerContext, options: SeedOptions = {}): Promise<SeedResult> {
  const teamId = options.teamId ?? DEMO_TEAM_ID;
  const end = ctx.clock.now();

  return ctx.db.transaction(async (tx) => {
    const db = tx as unknown as Database;
    if ((await countInvoices(db, { teamId })) > 0) {
      const workspace = await getWorkspace({ db, clock: ctx.clock }, teamId);
      return {
        ...(await summarize(db, teamId, end)),
        seeded: false,
        teamId,
        workspaceName: workspace.name,
        today: todayIn(workspace.timeZone, end),
      };
    }

    // Creating the workspace reads no clock; an existing one keeps its own time zone, and the book follows it.
    const workspace = await ensureWorkspace(
      { db, clock: ctx.clock },
      { teamId, name: 'Demo Studio', timeZone: options.timeZone ?? DEMO_TIME_ZONE },
    );
    const { timeZone } = workspace;
    const today = todayIn(timeZone, end);
    // The seed's own clock starts half a year back and walks forward to the caller's now.
    const clock = fixedClock(localTime(today, -200, '09:00', timeZone));
    const seedCtx: LedgerContext = { db, clock };
    await updateWorkspaceSettings(seedCtx, teamId, demoPrincipal(teamId, priya), {
      staleDays: 7,
      financeAdmins: [priya.id],
      alertTime: '09:00',
      digestWeekday: 1,
      digestTime: '09:00',
    });

    const clientIds = new Map<string, string>();
    for (const [index, plan] of CLIENTS.entries()) {
      clock.set(localTime(today, -200, `09:${String(10 + index).padStart(2, '0')}`, timeZone));
      clientIds.set(plan.name, await addClient(seedCtx, teamId, plan));
    }

    // Numbers follow the order of issue, as they would in a real book.
    const byIssue = [...PLANS].sort((a, b) => a.issued - b.issued);
    const steps: Step[] = [];
    for (const [index, plan] of byIssue.entries()) {
      const clientId = clientIds.get(plan.client);
      if (!clientId) throw new Error(`The demo plan names an unknown client: ${plan.client}`);
      const number = `INV-${String(index + 1).padStart(3, '0')}`;
      steps.push(...stepsFor(plan, number, { teamId, clientId, today, timeZone, index }));
    }
    // Stable: steps at the same instant keep the order they were planned in.
    steps.sort((a, b) => a.at.getTime() - b.at.getTime());
    for (const step of steps) {
      // Something planned for later today than now happens now instead.
      clock.set(step.at.getTime() > end.getTime() ? end : step.at);
      await step.run(seedCtx);
    }
    clock.set(end);
    return { ...(await summarize(db, teamId, end)), seeded: true, teamId, workspaceName: workspace.name, today };
  });
}

async function addClient(ctx: LedgerContext, teamId: string, plan: ClientPlan): Promise<string> {
  try {
    const { result } = await createClient(ctx, teamId, demoPrincipal(teamId, marcus), {
      name: plan.name,
      contactName: plan.contactName,
      contactEmail: plan.contactEmail,
      terms: plan.terms,
      notes: plan.notes,
    });
    return result.id;
  } catch (error) {
    // A workspace that has the client but no invoices yet: use it as it is.
    if (!isLedgerError(error, 'DUPLICATE_CLIENT')) throw error;
    const existing = await findClient(ctx, teamId, plan.name);
    if (!existing) throw error;
    return existing.id;
  }
}

function stepsFor(
  plan: InvoicePlan,
  number: string,
  where: { teamId: string; clientId: string; today: LocalDate; timeZone: string; index: number },
): Step[] {
  const { teamId, clientId, today, timeZone } = where;
  const day = (offset: number) => addDays(today, offset);
  const at = (offset: number, time: string) => localTime(today, offset, time, timeZone);
  const sentLater = plan.beats?.some((beat) => beat.do === 'send') ?? false;
  const terms: PaymentTerms | undefined =
    plan.terms?.kind === 'fixed' ? { kind: 'fixed', dueDate: day(plan.terms.day) } : plan.terms;

  const created = at(plan.issued, pick(ISSUE_TIMES, where.index));
  const steps: Step[] = [
    {
      at: created,
      run: (ctx) =>
        createInvoice(ctx, teamId, demoPrincipal(teamId, plan.owner), {
          number,
          clientId,
          currency: plan.currency,
          total: plan.total,
          issueDate: day(plan.issued),
          terms,
          basisDate: plan.basis ? day(plan.basis.day) : undefined,
          basisLabel: plan.basis?.label,
          description: plan.description,
          status: plan.draft || sentLater ? 'draft' : 'sent',
        }),
    },
  ];
  for (const beat of plan.beats ?? []) {
    const by = beat.by ?? plan.owner;
    const invoice = number;
    steps.push({
      // Nothing happens to an invoice before it exists, even on the day it was issued.
      at: maxDate(at(beat.day, beat.time ?? defaultTime(beat, where.index)), new Date(created.getTime() + 300_000)),
      run: async (ctx) => {
        switch (beat.do) {
          case 'send':
            return markSent(ctx, teamId, demoPrincipal(teamId, by), { invoice });
          case 'chase':
            return logChase(ctx, teamId, demoPrincipal(teamId, by), {
              invoice,
              method: beat.method,
              note: beat.note,
              response: beat.said,
              promisedDate: beat.promised === undefined ? undefined : day(beat.promised),
              nextFollowUp: beat.followUp === undefined ? undefined : day(beat.followUp),
            });
          case 'pay':
            return recordPayment(ctx, teamId, demoPrincipal(teamId, by), {
              invoice,
              amount: beat.amount,
              method: beat.method,
              reference: beat.reference,
            });
          case 'hold':
          case 'dispute':
            return placeHold(ctx, teamId, demoPrincipal(teamId, by), { invoice, kind: beat.do, reason: beat.reason });
          case 'release':
            return releaseHold(ctx, teamId, demoPrincipal(teamId, by), { invoice, note: beat.note });
          case 'void':
            return voidInvoice(ctx, teamId, demoPrincipal(teamId, by), { invoice, reason: beat.reason });
          case 'edit': {
            const current = await getInvoice(ctx, teamId, invoice);
            return editInvoice(ctx, teamId, demoPrincipal(teamId, by), {
              invoice,
              expectedVersion: current.version,
              changes: { total: beat.total, description: beat.description },
            });
          }
        }
      },
    });
  }
  return steps;
}

// Things happen at different hours of the day, picked by the day and the invoice so the seed stays the same.
const CHASE_TIMES = ['09:40', '10:55', '14:20', '15:35', '16:10', '11:25', '13:05'] as const;
const PAY_TIMES = ['11:05', '13:50', '10:20', '15:45', '09:55'] as const;
const ISSUE_TIMES = ['09:30', '10:10', '11:45', '14:05', '16:20', '09:05'] as const;

function pick(times: readonly string[], n: number): string {
  return times[Math.abs(n) % times.length] ?? '10:00';
}

function defaultTime(beat: Beat, index: number): string {
  switch (beat.do) {
    case 'chase':
      return pick(CHASE_TIMES, beat.day + index);
    case 'pay':
      return pick(PAY_TIMES, beat.day + index);
    case 'send':
      return '09:45';
    case 'edit':
      return '08:40';
    case 'release':
      return '10:15';
    default:
      return '16:30';
  }
}

function maxDate(a: Date, b: Date): Date {
  return a.getTime() >= b.getTime() ? a : b;
}

/** The instant of `time` (HH:MM) on the day `offset` days from `today`, in the workspace time zone. */
function localTime(today: LocalDate, offset: number, time: string, timeZone: string): Date {
  const [hours = 0, minutes = 0] = time.split(':').map(Number);
  const start = startOfLocalDay(addDays(today, offset), timeZone);
  return new Date(start.getTime() + (hours * 60 + minutes) * 60_000);
}

async function summarize(db: Database, teamId: string, now: Date) {
  const [workspace] = await getWorkspaces(db, { teamId });
  const size = await getBookSize(db, { teamId });
  const byState: Record<Lifecycle, number> = { overdue: 0, due: 0, sent: 0, draft: 0, paid: 0, credited: 0, void: 0 };
  if (workspace) {
    const rows = await findInvoiceRows(db, { teamId, ids: size.invoiceIds });
    for (const { invoice, clientName } of rows) {
      byState[toInvoiceView(invoice, clientName, workspace, now).status.lifecycle] += 1;
    }
  }
  return { clients: size.clients, invoices: size.invoiceIds.length, byState };
}
