// The bulk import says and writes exactly what the services one invoice at a time would: the same report (counts,
// errors by line and column, notes) and the same rows and events, for every file teams bring and for lines made to
// trip each rule. Two workspaces in one database: the bulk path imports into one, the one-by-one path the other.
import { readdirSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { type ImportOptions, type ImportProgress, importInvoices } from '../../src/services/import.js';
import { operatorPrincipal, type Principal } from '../../src/services/policy.js';
import { ensureWorkspace } from '../../src/services/workspaces.js';
import { describeEachDatabase, type TestLedger } from '../helpers/db.js';

const FIXTURES = new URL('../fixtures/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8');
const IMPORT: Principal = operatorPrincipal('import');
const BULK = 'T0BULK';
const ONE_BY_ONE = 'T0ONEBYONE';

const HEADER = 'number,client,client_email,currency,total,issue_date,terms,due_date,status,amount_paid,paid_on';

/** Lines that each trip a rule of createClient, createInvoice, recordPayment or voidInvoice, among good ones. */
const TRICKY = [
  HEADER,
  // A new client whose email is refused, then the same client on a later line with a good one: that line creates it.
  'T-1,Harbour Co,not-an-email,NZD,100.00,2026-10-01,net 30,,sent,,',
  'T-2,harbour co,ap@harbour.example,NZD,200.00,2026-10-02,net 30,,sent,,',
  'T-3,HARBOUR CO,,NZD,300.00,2026-10-03,,,draft,,',
  // An invoice refused after its client was planned: the client is not created by it.
  'T-4,Orphan Ltd,ap@orphan.example,NZD,0.00,2026-10-04,net 30,,sent,,',
  'T-5,Orphan Ltd,,NZD,50.00,2026-10-05,net 30,,sent,,',
  // More paid than the total, a payment dated before the invoice, a payment dated ahead, a void with a payment.
  'T-6,Kauri,,NZD,100.00,2026-10-06,net 30,,sent,150.00,2026-10-20',
  'T-7,Kauri,,NZD,100.00,2026-10-07,net 30,,sent,100.00,2026-09-01',
  'T-8,Kauri,,NZD,100.00,2026-10-08,net 30,,paid,100.00,2026-12-30',
  'T-9,Kauri,,NZD,100.00,2026-10-09,net 30,,void,40.00,2026-10-10',
  // Part paid with no date (its due date, or today), paid in full, voided, a draft, due on receipt, eom terms.
  'T-10,Kauri,,NZD,100.00,2026-10-10,net 30,,sent,40.00,',
  'T-11,Kauri,,NZD,100.00,2026-11-20,net 30,,sent,40.00,',
  'T-12,Rimu,,AUD,250.50,2026-09-15,due on receipt,,paid,250.50,2026-09-20',
  'T-13,Rimu,,AUD,80.00,2026-09-16,,2026-10-16,void,,',
  'T-14,Rimu,,AUD,80.00,2026-11-16,eom+15,,draft,,',
  // A due date before the invoice date; an invoice dated ten years ago; an unknown currency; terms in words.
  'T-15,Rimu,,AUD,80.00,2026-11-16,,2026-11-01,sent,,',
  'T-16,Rimu,,AUD,80.00,2016-11-16,net 30,,sent,,',
  'T-17,Rimu,,XYZ,80.00,2026-11-16,net 30,,sent,,',
  'T-18,Rimu,,AUD,80.00,2026-11-16,net 45,,sent,,',
].join('\n');

describeEachDatabase('the bulk import beside the services one invoice at a time', '2026-11-23T15:00:00Z', (get) => {
  async function both(csv: string, options: ImportOptions = {}) {
    const ctx = get().ctx;
    const bulk = await importInvoices(ctx, BULK, IMPORT, csv, options);
    const oneByOne = await importInvoices(ctx, ONE_BY_ONE, IMPORT, csv, { ...options, oneByOne: true });
    return { bulk, oneByOne };
  }

  async function workspaces() {
    for (const teamId of [BULK, ONE_BY_ONE]) {
      await ensureWorkspace(get().ctx, { teamId, name: 'Harbourside Studio', timeZone: 'Pacific/Auckland' });
    }
  }

  const files = readdirSync(FIXTURES).filter((name) => name.endsWith('.csv'));

  it('reports and writes the same for every fixture file', async () => {
    await workspaces();
    // For real (a dry run is the same report, and the next test checks one); files with errors write nothing.
    for (const name of files) {
      const { bulk, oneByOne } = await both(fixture(name), { defaultCurrency: 'NZD' });
      expect({ name, ...bulk }).toEqual({ name, ...oneByOne });
    }
    expect(await book(get(), BULK)).toEqual(await book(get(), ONE_BY_ONE));
    const [{ n } = { n: 0 }] = await get().handle.raw(
      `select count(*)::int as n from invoices where team_id = '${BULK}'`,
      [],
    );
    expect(n).toBeGreaterThan(20);
  });

  it('refuses the same lines with the same words, and creates the same clients from what is left', async () => {
    await workspaces();
    const dry = await both(TRICKY, { dryRun: true });
    expect(dry.bulk).toEqual(dry.oneByOne);
    expect(dry.bulk.errors.map((e) => e.number)).toEqual([
      'T-1',
      'T-4',
      'T-6',
      'T-7',
      'T-8',
      'T-9',
      'T-15',
      'T-16',
      'T-17',
    ]);
    // Without the refused lines the file imports, the same way on both paths.
    const refused = new Set(dry.bulk.errors.map((e) => e.line));
    const good = TRICKY.split('\n')
      .filter((_, index) => !refused.has(index + 1))
      .join('\n');
    const real = await both(good);
    expect(real.bulk).toEqual(real.oneByOne);
    expect(real.bulk).toMatchObject({ written: true, created: 9, payments: 3, voided: 1, clientsCreated: 4 });
    expect(await book(get(), BULK)).toEqual(await book(get(), ONE_BY_ONE));
  });

  it('says how far it has got: checking the invoices, then writing the rows', async () => {
    await workspaces();
    const lines = [HEADER];
    for (let i = 1; i <= 600; i++) lines.push(`P-${i},Client ${i % 40},,NZD,${i}.00,2026-10-01,net 30,,sent,,`);
    const seen: ImportProgress[] = [];
    const report = await importInvoices(get().ctx, BULK, IMPORT, lines.join('\n'), {
      onProgress: (p) => seen.push(p),
    });
    expect(report).toMatchObject({ written: true, created: 600, clientsCreated: 40, errors: [] });
    expect(seen.filter((p) => p.phase === 'checking').map((p) => p.done)).toEqual([0, 500, 600]);
    const writing = seen.filter((p) => p.phase === 'writing');
    // 40 clients, 600 invoices, and 40 + 600 × 3 events (created, sent, imported).
    expect(writing.at(-1)).toEqual({ phase: 'writing', done: 2_480, total: 2_480 });
    expect(seen.at(-1)).toEqual({ phase: 'updating', done: 0, total: 0 });
  });
});

/** A workspace's book without its ids: what a person could see of it, in the order it was recorded. */
async function book({ handle }: TestLedger, teamId: string) {
  const q = (text: string) => handle.raw(text, [teamId]);
  return {
    clients: await q(
      `select name, contact_name, contact_email, terms_kind, terms_days, archived, version, created_at
       from clients where team_id = $1 order by lower(name)`,
    ),
    invoices: await q(
      `select i.number, c.name as client, i.currency, i.total_minor::text, i.issue_date::text, i.terms_kind,
         i.terms_days, i.terms_basis_date::text, i.terms_basis_label, i.due_date::text, i.owner_user_id, i.description,
         i.sent_at, i.voided_at, i.void_reason, i.paid_minor::text, i.credited_minor::text, i.paid_on::text,
         i.last_action_kind, i.last_action_at, i.last_action_by, i.created_at, i.version
       from invoices i join clients c on c.team_id = i.team_id and c.id = i.client_id
       where i.team_id = $1 order by i.number`,
    ),
    payments: await q(
      `select i.number, p.amount_minor::text, p.received_on::text, p.reference, p.method, p.overpayment, p.recorded_by
       from payments p join invoices i on i.team_id = p.team_id and i.id = p.invoice_id
       where p.team_id = $1 order by i.number, p.received_on`,
    ),
    // Each invoice's and each client's history in order; ids inside details (a payment's) are left out.
    events: await q(
      `select coalesce(i.number, '') as invoice, c.name as client, e.kind, e.actor_type, e.actor_id, e.at,
         e.visibility, e.details - 'paymentId' as details
       from events e left join invoices i on i.team_id = e.team_id and i.id = e.invoice_id
         left join clients c on c.team_id = e.team_id and c.id = e.client_id
       where e.team_id = $1 order by coalesce(i.number, ''), c.name, e.id`,
    ),
  };
}
