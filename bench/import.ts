// A team's first import at scale: a Xero sales invoice export of 20,000 invoices (or --invoices, if fewer) over 2,000
// contacts — a quarter of them with two lines, paid, part paid, drafts and voids among them — checked (the dry run),
// imported, and imported again (nothing to change), on each database. Beside it the baseline: the very rows the
// import wrote (clients, invoices, payments, events), read back and inserted into another workspace in one transaction,
// 5,000 rows a statement as one JSON parameter each (src/db/bulk.ts; faster than VALUES lists on both databases): as
// fast as those rows go in through the same driver, with no file to read and nothing to check. Reports seconds, the ratio to the
// baseline, and the process's peak memory (run one database per process to read it per database).
import { cpus, loadavg } from 'node:os';
import { asc, eq } from 'drizzle-orm';
import { insertMany } from '../src/db/bulk.js';
import {
  type ClientRow,
  clients,
  events,
  type InvoiceRow,
  invoices,
  type PaymentRow,
  payments,
} from '../src/db/schema.js';
import { fixedClock } from '../src/services/context.js';
import { type ImportReport, importInvoices } from '../src/services/import.js';
import { operatorPrincipal } from '../src/services/policy.js';
import { ensureWorkspace } from '../src/services/workspaces.js';
import { type BenchOptions, type DatabaseKind, type Logger, openBenchDatabase } from './run.js';

export const IMPORT_DATABASE = 'receivables_bench_import';
/** The case: a team's first import of 20,000 invoices. */
export const IMPORT_MAX_INVOICES = 20_000;
const NOW = '2026-11-23T15:00:00Z';
const TEAM = 'T0IMPORTBENCH';
const BASELINE_TEAM = 'T0IMPORTBASE';

export interface ImportBenchResult {
  database: DatabaseKind;
  lines: number;
  invoices: number;
  dryRunSeconds: number;
  importSeconds: number;
  againSeconds: number;
  baselineSeconds: number;
  rows: { clients: number; invoices: number; payments: number; events: number };
  report: Pick<ImportReport, 'created' | 'payments' | 'voided' | 'clientsCreated' | 'unchanged'> & { errors: number };
  /** The process's peak resident memory so far, MB (ru_maxrss). */
  peakMb: number;
  load: { before: number; after: number };
}

/** A Xero sales invoice export: one line per invoice line, the invoice's own columns repeated on each. */
export function xeroExport(count: number): { csv: string; lines: number } {
  const header =
    'ContactName,EmailAddress,InvoiceNumber,Reference,InvoiceDate,DueDate,Total,TaxTotal,InvoiceAmountPaid,' +
    'InvoiceAmountDue,Description,Quantity,UnitAmount,LineAmount,TaxAmount,Currency,Type,Status';
  const out = [header];
  const contacts = Math.max(1, Math.floor(count / 10));
  for (let i = 1; i <= count; i++) {
    const contact = `Contact ${String(i % contacts).padStart(5, '0')} Ltd`;
    const email = `ap${i % contacts}@contact.example`;
    // Spread over the last year and a bit: day i of 400 before 2026-11-20.
    const issued = new Date(Date.UTC(2026, 10, 20) - (i % 400) * 86_400_000);
    const due = new Date(issued.getTime() + 30 * 86_400_000);
    const dmy = (d: Date) =>
      `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`;
    const two = i % 4 === 0;
    const lineAmounts = two ? [100 + (i % 900), 50 + (i % 300)] : [200 + (i % 1_800)];
    const total = lineAmounts.reduce((a, b) => a + b, 0);
    const kind = i % 20;
    // 5% drafts, 5% voided, 30% paid, 10% part paid, the rest owed.
    const status = kind === 0 ? 'DRAFT' : kind === 1 ? 'VOIDED' : kind < 8 ? 'PAID' : 'AUTHORISED';
    const paid = status === 'PAID' ? total : status === 'AUTHORISED' && kind < 10 ? Math.floor(total / 2) : 0;
    for (const [n, amount] of lineAmounts.entries()) {
      out.push(
        [
          contact,
          email,
          `INV-${String(i).padStart(6, '0')}`,
          `PO ${i}`,
          dmy(issued),
          dmy(due),
          `${total}.00`,
          '0.00',
          `${paid}.00`,
          `${total - paid}.00`,
          `"Work, part ${n + 1}"`,
          '1.0000',
          `${amount}.00`,
          `${amount}.00`,
          '0.00',
          'NZD',
          'Sales invoice',
          status,
        ].join(','),
      );
    }
  }
  return { csv: `${out.join('\n')}\n`, lines: out.length - 1 };
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = performance.now();
  const value = await fn();
  return { value, seconds: (performance.now() - started) / 1000 };
}

async function benchImport(kind: DatabaseKind, options: BenchOptions, log: Logger): Promise<ImportBenchResult> {
  const count = Math.min(options.invoices, IMPORT_MAX_INVOICES);
  const opened = await openBenchDatabase(kind, { ...options, reuse: false }, log, IMPORT_DATABASE);
  try {
    const db = opened.handle.db;
    const ledger = { db, clock: fixedClock(NOW) };
    for (const teamId of [TEAM, BASELINE_TEAM]) {
      await ensureWorkspace(ledger, { teamId, name: 'Import bench', timeZone: 'Pacific/Auckland' });
    }
    const { csv, lines } = xeroExport(count);
    const principal = operatorPrincipal('import');
    const before = loadavg()[0] ?? 0;
    log(`import (${kind}): ${count.toLocaleString('en-US')} invoices on ${lines.toLocaleString('en-US')} lines…`);
    const dry = await timed(() => importInvoices(ledger, TEAM, principal, csv, { dryRun: true }));
    log(`  dry run ${dry.seconds.toFixed(1)} s`);
    const real = await timed(() => importInvoices(ledger, TEAM, principal, csv));
    log(`  import ${real.seconds.toFixed(1)} s`);
    const again = await timed(() => importInvoices(ledger, TEAM, principal, csv));
    log(`  again ${again.seconds.toFixed(1)} s`);
    if (!real.value.written || again.value.unchanged !== real.value.created) {
      throw new Error(
        `the import did not go as planned: ${JSON.stringify({ ...real.value, notes: [] }).slice(0, 500)}`,
      );
    }

    // The baseline: the same rows, read back, inserted into another workspace in one transaction.
    const rows = {
      clients: await db.select().from(clients).where(eq(clients.teamId, TEAM)),
      invoices: await db.select().from(invoices).where(eq(invoices.teamId, TEAM)),
      payments: await db.select().from(payments).where(eq(payments.teamId, TEAM)),
      events: await db.select().from(events).where(eq(events.teamId, TEAM)).orderBy(asc(events.id)),
    };
    const moved = <T extends { teamId: string }>(list: T[]) => list.map((row) => ({ ...row, teamId: BASELINE_TEAM }));
    const baseline = await timed(() =>
      db.transaction(async (tx) => {
        await insertMany(tx, clients, moved<ClientRow>(rows.clients));
        await insertMany(tx, invoices, moved<InvoiceRow>(rows.invoices));
        await insertMany(tx, payments, moved<PaymentRow>(rows.payments));
        await insertMany(
          tx,
          events,
          rows.events.map(({ id: _id, ...rest }) => ({ ...rest, teamId: BASELINE_TEAM })),
        );
      }),
    );
    log(`  baseline ${baseline.seconds.toFixed(1)} s`);
    return {
      database: kind,
      lines,
      invoices: count,
      dryRunSeconds: dry.seconds,
      importSeconds: real.seconds,
      againSeconds: again.seconds,
      baselineSeconds: baseline.seconds,
      rows: {
        clients: rows.clients.length,
        invoices: rows.invoices.length,
        payments: rows.payments.length,
        events: rows.events.length,
      },
      report: {
        created: real.value.created,
        payments: real.value.payments,
        voided: real.value.voided,
        clientsCreated: real.value.clientsCreated,
        unchanged: again.value.unchanged,
        errors: real.value.errors.length,
      },
      peakMb: process.resourceUsage().maxRSS / 1024,
      load: { before, after: loadavg()[0] ?? 0 },
    };
  } finally {
    await opened.close();
  }
}

export async function runImportSuite(options: BenchOptions, log: Logger = () => {}): Promise<ImportBenchResult[]> {
  const results: ImportBenchResult[] = [];
  for (const kind of options.databases) results.push(await benchImport(kind, options, log));
  return results;
}

export function formatImportReport(results: readonly ImportBenchResult[]): string {
  const lines = ['\n## Import: a first import of a Xero export, beside a multi-row insert of the same rows\n'];
  lines.push(
    `Load average on ${cpus().length} CPUs while importing: ` +
      results.map((r) => `${r.load.before.toFixed(1)} → ${r.load.after.toFixed(1)} (${r.database})`).join(', '),
  );
  lines.push('');
  lines.push(
    '| database | invoices (lines) | rows written (clients / invoices / payments / events) | dry run s | import s | again s | baseline s | import ÷ baseline | peak MB |',
  );
  lines.push('|---|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const r of results) {
    lines.push(
      `| ${r.database} | ${r.invoices} (${r.lines}) | ${r.rows.clients} / ${r.rows.invoices} / ${r.rows.payments} / ` +
        `${r.rows.events} | ${r.dryRunSeconds.toFixed(1)} | ${r.importSeconds.toFixed(1)} | ${r.againSeconds.toFixed(1)} | ` +
        `${r.baselineSeconds.toFixed(2)} | ${(r.importSeconds / r.baselineSeconds).toFixed(1)}× | ${r.peakMb.toFixed(0)} |`,
    );
  }
  return lines.join('\n');
}
