// Slack end to end: /invoice export sends the CLI's CSV as a file to the person's DM; /invoice import checks a
// file from a modal's file input (a dry run, every bad line by number) and imports it only when confirmed, once.
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { type ImportReport, importInvoices } from '../../src/services/import.js';
import { createInvoice, recordPayment } from '../../src/services/invoices.js';
import type { Principal } from '../../src/services/policy.js';
import { FIELD, VIEW } from '../../src/slack/ui/ids.js';
import { importReportView, REPORT_ERROR_SECTIONS } from '../../src/slack/ui/io.js';
import { useTestBot } from '../helpers/bot.js';
import type { Args } from '../helpers/fake-slack.js';
import { stateValue } from '../helpers/signed.js';

const TEAM = 'T0TEAM';
const ADMIN = 'U0ADMIN';
const BOB = 'U0BOB';
/** The fake answers conversations.open with D + the user id. */
const dm = (userId: string) => `D${userId}`;
const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

// Each test starts on Monday 23 November 2026, 10:00 in New York.
const t = useTestBot({
  workspace: { teamId: TEAM, name: 'Acme', timeZone: 'America/New_York' },
  settings: { financeAdmins: [ADMIN] },
});

const json = (value: unknown) => JSON.stringify(value ?? null);

async function counts() {
  const [row] = await t.handle.raw(
    `select (select count(*) from invoices)::int as invoices, (select count(*) from clients)::int as clients,
      (select count(*) from payments)::int as payments,
      -- The ledger's events; the workspace's setup (its settings saved before each test) is not the import's.
      (select count(*) from events where kind <> 'settings_changed')::int as events`,
    [],
  );
  return row;
}
const EMPTY = { invoices: 0, clients: 0, payments: 0, events: 0 };

/** The one file the app shared in a channel, as a person would open it: its name and its CSV rows. */
function sharedCsv(channel: string): { name: string; comment: string; rows: Record<string, string>[] } {
  const shared = t.fake.messages(channel).filter((m) => m.files && m.files.length > 0);
  expect(shared).toHaveLength(1);
  const [message] = shared;
  const [file] = message?.files ?? [];
  const stored = t.fake.file(String(file?.id));
  expect(stored?.bytes).toBeDefined();
  const rows = parse(stored?.bytes?.toString('utf8') ?? '', { columns: true, bom: true }) as Record<string, string>[];
  return { name: stored?.name ?? '', comment: message?.text ?? '', rows };
}

function sentBy(userId: string): Principal {
  return { type: 'user', id: userId, teamId: TEAM, role: 'finance_admin' };
}

describe('/invoice export', () => {
  it('acks at once, then sends the whole book as a CSV file to the person in their DM', async () => {
    const { result: acme } = await createInvoice(t.ledger, TEAM, sentBy(ADMIN), {
      number: 'INV-1',
      clientName: 'Acme Corp',
      currency: 'USD',
      total: '1,200.00',
      issueDate: '2026-10-01',
      terms: 'net 30',
      status: 'sent',
    });
    await recordPayment(t.ledger, TEAM, sentBy(ADMIN), { invoice: acme.id, amount: '200', receivedOn: '2026-11-20' });
    await createInvoice(t.ledger, TEAM, sentBy(ADMIN), {
      number: 'INV-2',
      clientName: 'Globex',
      currency: 'EUR',
      total: '€800.00',
      issueDate: '2026-11-02',
      terms: 'net 60',
      status: 'draft',
    });
    t.fake.reset();

    // Anyone in the workspace may export, like /invoice list.
    const response = await t.as(BOB).slashCommand({ text: 'export' });
    expect(response.body).toEqual({ response_type: 'ephemeral', text: 'Preparing your export…' });
    await t.bot.idle();

    expect(t.fake.last('conversations.open')?.args.users).toBe(BOB);
    expect(t.fake.last('files.completeUploadExternal')?.args.channel_id).toBe(dm(BOB));
    const { name, comment, rows } = sharedCsv(dm(BOB));
    expect(name).toBe('invoices-2026-11-23.csv');
    expect(comment).toContain('Every invoice in the book as of 2026-11-23');
    expect(
      rows.map((r) => [r.number, r.client, r.currency, r.total, r.status, r.amount_paid, r.amount_due, r.state]),
    ).toEqual([
      ['INV-1', 'Acme Corp', 'USD', '1200.00', 'sent', '200.00', '1000.00', 'overdue'],
      ['INV-2', 'Globex', 'EUR', '800.00', 'draft', '0.00', '800.00', 'draft'],
    ]);
    expect(rows[0]).toMatchObject({ issue_date: '2026-10-01', terms: 'net 30', due_date: '2026-10-31' });
    const done = await t.fake.waitFor('response_url');
    expect(done.args.text).toContain('invoices-2026-11-23.csv');
    expect(done.args.text).toContain('direct messages');

    // It is the CLI's own format: the file imports back without changing anything.
    const csv = t.fake.file(String(t.fake.last('files.completeUploadExternal')?.args.files[0].id))?.bytes?.toString();
    const again = await importInvoices(t.ledger, TEAM, sentBy(ADMIN), csv ?? '', { dryRun: true });
    expect(again).toMatchObject({ errors: [], created: 0, updated: 0, unchanged: 2 });
  });

  it("sends the history of the current month in the workspace's time zone", async () => {
    const invoiceAt = async (at: string, number: string) => {
      t.clock.set(at);
      await createInvoice(t.ledger, TEAM, sentBy(ADMIN), {
        number,
        clientName: 'Initech',
        currency: 'USD',
        total: '500',
        issueDate: '2026-10-30',
        terms: 'net 30',
        status: 'sent',
      });
    };
    await invoiceAt('2026-10-30T15:00:00Z', 'OCT-1');
    // 1 November in London, still 31 October in New York: not this month's.
    await invoiceAt('2026-11-01T02:00:00Z', 'OCT-2');
    await invoiceAt('2026-11-05T15:00:00Z', 'NOV-1');
    t.clock.set('2026-11-23T15:00:00Z');
    t.fake.reset();

    await t.as(BOB).slashCommand({ text: 'export history' });
    await t.bot.idle();

    const { name, comment, rows } = sharedCsv(dm(BOB));
    expect(name).toBe('history-2026-11-01-to-2026-11-30.csv');
    expect(comment).toContain('from 2026-11-01 to 2026-11-30 (America/New_York)');
    expect(rows.map((r) => [r.invoice_number, r.kind, r.at_local, r.time_zone, r.amount, r.currency])).toEqual([
      // The workspace's own setup this month (its finance admin named) is history too.
      ['', 'settings_changed', '2026-11-23 10:00:00', 'America/New_York', '', ''],
      ['NOV-1', 'created', '2026-11-05 10:00:00', 'America/New_York', '500.00', 'USD'],
      ['NOV-1', 'sent', '2026-11-05 10:00:00', 'America/New_York', '', ''],
    ]);
  });

  it('exports the invoices dated in a period, given with from and to', async () => {
    for (const [number, issueDate] of [
      ['A-1', '2026-09-30'],
      ['A-2', '2026-10-01'],
      ['A-3', '2026-10-31'],
      ['A-4', '2026-11-01'],
    ] as const) {
      await createInvoice(t.ledger, TEAM, sentBy(ADMIN), {
        number,
        clientName: 'Umbrella',
        currency: 'USD',
        total: '100',
        issueDate,
        terms: 'net 30',
        status: 'sent',
      });
    }
    t.fake.reset();
    await t.as(BOB).slashCommand({ text: 'export invoices from 2026-10-01 to 2026-10-31' });
    await t.bot.idle();
    const { name, rows } = sharedCsv(dm(BOB));
    expect(name).toBe('invoices-2026-10-01-to-2026-10-31.csv');
    expect(rows.map((r) => r.number)).toEqual(['A-2', 'A-3']);
  });

  it.each([
    ['export history from 2026-13-01', 'The `from` date `2026-13-01` is not a date like 2026-11-01.'],
    ['export invoices to 31/10/2026', 'The `to` date `31/10/2026` is not a date like 2026-11-01.'],
    ['export history from 2026-11-30 to 2026-11-01', 'The `from` date 2026-11-30 is after the `to` date 2026-11-01.'],
    ['export history from', '`from` needs a date after it'],
    ['export histroy', 'did you mean `history`?'],
  ])('answers "%s" with what was wrong, and sends nothing', async (text, expected) => {
    const response = await t.as(BOB).slashCommand({ text });
    expect(response.body).toBe('');
    const answer = await t.fake.waitFor('response_url');
    expect(answer.args.response_type).toBe('ephemeral');
    expect(answer.args.text).toContain(expected);
    expect(answer.args.text).toContain('/invoice export history from 2026-11-01 to 2026-11-30');
    await t.bot.idle();
    expect(t.fake.calls('files.getUploadURLExternal')).toEqual([]);
  });
});

describe('/invoice import', () => {
  /** Opens the import modal as `userId`; returns the opened view (its id is the fake's). */
  async function openModal(userId = ADMIN): Promise<Args> {
    await t.as(userId).slashCommand({ text: 'import' });
    const opened = await t.fake.waitFor('views.open');
    return opened.response?.view as Args;
  }

  function fileValues(file: Args, options: { currency?: string; dateOrder?: string } = {}) {
    return {
      [FIELD.importFile]: { [FIELD.importFile]: { type: 'file_input', files: [file] } },
      [FIELD.importCurrency]: { [FIELD.importCurrency]: options.currency ?? null },
      [FIELD.importDateOrder]: { [FIELD.importDateOrder]: stateValue.radio(options.dateOrder ?? 'auto') },
    };
  }

  /** Submits the form with `file`; returns the ack and, after the dry run, the report the modal shows. */
  async function check(view: Args, file: Args, options: { currency?: string; dateOrder?: string } = {}) {
    const before = t.fake.calls('views.update').length;
    const ack = await t.as(ADMIN).viewSubmission({
      view_id: view.id,
      callback_id: VIEW.importFile,
      values: fileValues(file, options),
    });
    await t.bot.idle();
    const updates = t.fake.calls('views.update');
    expect(updates).toHaveLength(before + 1);
    return { ack: ack.body, report: updates.at(-1)?.args.view as Args };
  }

  function confirm(view: Args, report: Args, userId = ADMIN) {
    return t.as(userId).viewSubmission({
      view_id: view.id,
      callback_id: VIEW.importReport,
      private_metadata: report.private_metadata,
    });
  }

  it('opens a form with a CSV file input, a currency and the date order, as the CLI has them', async () => {
    const view = await openModal();
    expect(view.callback_id).toBe(VIEW.importFile);
    const blocks = view.blocks as Args[];
    const block = (id: string) => blocks.find((b) => b.block_id === id);
    expect(block(FIELD.importFile)).toMatchObject({
      type: 'input',
      element: { type: 'file_input', action_id: FIELD.importFile, filetypes: ['csv'], max_files: 1 },
    });
    expect(block(FIELD.importCurrency)).toMatchObject({ optional: true, element: { type: 'plain_text_input' } });
    expect(block(FIELD.importDateOrder)?.element.options.map((o: Args) => o.value)).toEqual(['auto', 'dmy', 'mdy']);
    expect(view.submit.text).toBe('Check file');
  });

  it('refuses someone who may not handle money, at the command and at each submit, and writes nothing', async () => {
    await t.as(BOB).slashCommand({ text: 'import' });
    const answer = await t.fake.waitFor('response_url');
    expect(answer.args.text).toContain('Only the people named in `/invoice settings` can import invoices');
    expect(t.fake.calls('views.open')).toEqual([]);

    // A form submitted anyway (an admin's modal left open after they were removed, a forged request).
    const file = t.fake.addFile({ name: 'xero.csv', content: fixture('xero-sales-invoices.csv'), user: BOB });
    const form = await t.as(BOB).viewSubmission({ callback_id: VIEW.importFile, values: fileValues(file) });
    expect(form.body).toMatchObject({ response_action: 'errors' });
    expect(form.body.errors[FIELD.importFile]).toContain('Only the people named in /invoice settings');
    const metadata = JSON.stringify({ key: 'k-1', fileId: file.id, fileName: 'xero.csv' });
    const submit = await t.as(BOB).viewSubmission({ callback_id: VIEW.importReport, private_metadata: metadata });
    expect(submit.body).toMatchObject({ response_action: 'update' });
    expect(json(submit.body.view.blocks)).toContain('Only the people named in /invoice settings');
    await t.bot.idle();
    expect(t.fake.calls('file_download')).toEqual([]);
    expect(await counts()).toEqual(EMPTY);
  });

  it('reports every bad line of a Xero file by its line number, and writes nothing', async () => {
    const view = await openModal();
    const file = t.fake.addFile({
      name: 'xero-sales-invoices-with-errors.csv',
      content: fixture('xero-sales-invoices-with-errors.csv'),
      user: ADMIN,
    });
    const { ack, report } = await check(view, file);

    expect(ack).toMatchObject({ response_action: 'update' });
    expect(json(ack.view.blocks)).toContain('Checking *xero-sales-invoices-with-errors.csv*');
    // The file came from Slack with the bot token.
    expect(t.fake.last('files.info')?.args.file).toBe(file.id);
    expect(t.fake.last('file_download')?.token).toBe('xoxb-test');

    const text = json(report.blocks);
    expect(text).toContain('Xero sales invoice export');
    expect(text).toContain('6 errors');
    for (const [line, number, column] of [
      [2, 'INV-0201', 'Total'],
      [3, 'INV-0202', 'InvoiceDate'],
      [4, 'INV-0203', 'Currency'],
      [5, 'INV-0204', 'DueDate'],
      [6, 'INV-0205', 'ContactName'],
      [8, 'INV-0206', 'InvoiceDate'],
    ] as const) {
      expect(text).toContain(`*Line ${line}* · ${number} · ${column}: `);
    }
    expect(report.submit ?? null).toBeNull();
    expect(report.callback_id).toBe(VIEW.importStatus);
    expect(await counts()).toEqual(EMPTY);
  });

  it("reads Xero's import template saved as UTF-16, asks for the base currency, then says what it inferred", async () => {
    const view = await openModal();
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(fixture('xero-invoice-import-template.csv'), 'utf16le'),
    ]);
    const file = t.fake.addFile({ name: 'template.csv', content: utf16, user: ADMIN });
    const blank = await check(view, file);
    const refused = json(blank.report.blocks);
    expect(refused).toContain('Xero sales invoice import template');
    expect(refused).toContain('say which it is (--currency NZD, or Currency in the import form)');
    expect(blank.report.submit ?? null).toBeNull();

    const { report } = await check(view, file, { currency: 'NZD' });
    expect(report.submit.text).toBe('Import 2 invoices');
    const text = json(report.blocks);
    expect(text).toContain('Worked out from the file, not read from it:');
    expect(text).toContain(
      '*Line 2* · INV-0301: no status in the file: taken as sent, since it is due 2026-10-31 with NZD 4255.00 owed',
    );
    expect(await counts()).toEqual(EMPTY);
  });

  it('imports a good file on "Import 5 invoices", once, however often that submit arrives', async () => {
    const view = await openModal();
    const file = t.fake.addFile({ name: 'xero.csv', content: fixture('xero-sales-invoices.csv'), user: ADMIN });
    const { report } = await check(view, file);
    expect(report.callback_id).toBe(VIEW.importReport);
    expect(report.submit.text).toBe('Import 5 invoices');
    expect(json(report.blocks)).toContain('*To create*\\n5');
    expect(await counts()).toEqual(EMPTY);

    const first = await confirm(view, report);
    expect(first.body).toMatchObject({ response_action: 'update' });
    expect(json(first.body.view.blocks)).toContain('Importing *xero.csv*');
    await t.bot.idle();
    const result = t.fake.last('views.update')?.args.view as Args;
    expect(json(result.blocks)).toContain('Imported *xero.csv*');
    expect(json(result.blocks)).toContain('*Created*\\n5');
    const imported = await counts();
    expect(imported).toEqual({ invoices: 5, clients: 3, payments: 2, events: expect.any(Number) });
    const actors = await t.handle.raw(
      "select distinct actor_type, actor_id from events where kind <> 'settings_changed'",
      [],
    );
    expect(actors).toEqual([{ actor_type: 'user', actor_id: ADMIN }]);
    const note = t.fake.messages(dm(ADMIN));
    expect(note).toHaveLength(1);
    expect(note[0]?.text).toContain('Imported 5 invoices from *xero.csv*');

    // Slack sends the same submission again (a retry, a double click): nothing is written twice.
    const again = await confirm(view, report);
    expect(again.body).toMatchObject({ response_action: 'update' });
    await t.bot.idle();
    expect(await counts()).toEqual(imported);
    expect(json(t.fake.last('views.update')?.args.view.blocks)).toContain('*Created*\\n5');
    expect(t.fake.messages(dm(ADMIN))).toHaveLength(1);
  });

  it('reads a QuickBooks list without a Currency column in the currency the form gives', async () => {
    const view = await openModal();
    const file = t.fake.addFile({ name: 'qbo.csv', content: fixture('quickbooks-invoice-list.csv'), user: ADMIN });
    const without = await check(view, file);
    expect(json(without.report.blocks)).toContain('no Currency column');
    expect(without.report.submit ?? null).toBeNull();

    const { report } = await check(view, file, { currency: 'usd' });
    expect(report.submit.text).toMatch(/^Import \d+ invoices$/);
    expect(JSON.parse(report.private_metadata)).toMatchObject({ fileId: file.id, currency: 'USD' });
  });

  it('refuses a currency that is not a code on its field', async () => {
    const view = await openModal();
    const file = t.fake.addFile({ name: 'qbo.csv', content: fixture('quickbooks-invoice-list.csv'), user: ADMIN });
    const response = await t.as(ADMIN).viewSubmission({
      view_id: view.id,
      callback_id: VIEW.importFile,
      values: fileValues(file, { currency: 'dollars' }),
    });
    expect(response.body).toEqual({
      response_action: 'errors',
      errors: { [FIELD.importCurrency]: 'DOLLARS is not a currency code such as USD, EUR or GBP.' },
    });
  });

  it('says in the modal when Slack will not hand the file over', async () => {
    const view = await openModal();
    const file = t.fake.addFile({ name: 'xero.csv', content: fixture('xero-sales-invoices.csv'), user: ADMIN });
    t.fake.failNext('files.info', { error: 'missing_scope', extra: { needed: 'files:read', provided: 'commands' } });
    const { report } = await check(view, file);
    expect(json(report.blocks)).toContain('missing a Slack permission it needs (files:read)');
    expect(await counts()).toEqual(EMPTY);
  });
});

describe('the import report', () => {
  it("lists as many bad lines as fit in Slack's limits and says how many more there are", () => {
    const errors = Array.from({ length: 2000 }, (_, i) => ({
      line: i + 2,
      number: `INV-${i}`,
      field: 'Total',
      message: `"${'1,2'.repeat(40)}" is not an amount <script>`,
    }));
    const report: ImportReport = {
      format: 'ledger',
      formatName: 'receivables-bot invoice CSV',
      dryRun: true,
      written: false,
      rows: 2000,
      invoices: 2000,
      created: 0,
      updated: 0,
      unchanged: 0,
      payments: 0,
      voided: 0,
      clientsCreated: 0,
      skipped: [],
      errors,
      notes: [],
    };
    const view = importReportView({ report, metadata: { key: 'k', fileId: 'F1', fileName: 'big.csv' } });
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    const texts = (view.blocks as Args[]).flatMap((b) => (b.type === 'section' && b.text ? [String(b.text.text)] : []));
    for (const text of texts) expect(text.length).toBeLessThanOrEqual(3000);
    const listed = texts.join('\n').match(/\*Line \d+\*/g) ?? [];
    const more = /…and ([\d,]+) more errors not shown here/.exec(texts.join('\n'));
    expect(listed.length).toBeGreaterThan(50);
    expect(listed.length + Number(more?.[1]?.replace(',', ''))).toBe(2000);
    expect(texts.filter((text) => text.includes('*Line ')).length).toBeLessThanOrEqual(REPORT_ERROR_SECTIONS);
    expect(json(view.blocks)).not.toContain('<script>');
    expect(JSON.stringify(view).length).toBeLessThan(250_000);
  });
});
