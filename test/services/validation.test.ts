// Every field has a range and a message naming it: odd bytes, invisible text and dates no one means are
// refused at the service (nothing written), so no interface can let them through or fail with a 500.
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/services/clients.js';
import { isLedgerError, type LedgerError } from '../../src/services/errors.js';
import { importInvoices } from '../../src/services/import.js';
import {
  createInvoice,
  editInvoice,
  getInvoice,
  logChase,
  placeHold,
  recordPayment,
  voidInvoice,
} from '../../src/services/invoices.js';
import { cleanText, optionalText, requiredText, visibleText } from '../../src/services/schemas.js';
import { describeEachDatabase } from '../helpers/db.js';
import { ALICE, asAdmin, invoice, workspaceWithClient } from '../helpers/ledger.js';

async function refusal(promise: Promise<unknown>): Promise<LedgerError> {
  try {
    await promise;
  } catch (error) {
    if (isLedgerError(error)) return error;
    throw error;
  }
  throw new Error('expected the service to refuse');
}

describe('the text helpers every service uses', () => {
  it('refuses a NUL or any other control character, naming it', () => {
    const name = requiredText(200);
    for (const [typed, shown] of [
      ['Acme\u0000', 'U+0000'],
      ['Acme \u001b[2J', 'U+001B'],
      ['Acme\u007f', 'U+007F'],
      ['Acme\u0085', 'U+0085'],
    ] as const) {
      const parsed = name.safeParse(typed);
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues.map((i) => i.message)).toEqual([
        `contains a control character (${shown}) that cannot be saved; remove it`,
      ]);
    }
    expect(optionalText(200).safeParse('note\u0000').success).toBe(false);
  });

  it('takes a text of only zero-width characters, joiners, a BOM or bidi marks as empty', () => {
    const reason = requiredText(2000, { multiline: true });
    for (const typed of ['\u200B\u200B', '\u200D', '\uFEFF', '\u200E\u200F', '\u202E\u202C', ' \u2060 \n ']) {
      expect(reason.safeParse(typed).error?.issues.map((i) => i.message)).toEqual(['is required']);
      expect(optionalText(200).parse(typed)).toBeNull();
    }
  });

  it('strips bidi overrides and keeps line breaks only where a text may have several lines', () => {
    expect(requiredText(200).parse('\u202EAcme\u202C\r\nCorp')).toBe('Acme Corp');
    expect(requiredText(2000, { multiline: true }).parse('Called.\r\n\u2067They\u2069 will pay')).toBe(
      'Called.\nThey will pay',
    );
  });

  it('counts the length after cleaning', () => {
    expect(requiredText(5).safeParse('\u202Eabcde\u202C').success).toBe(true);
    expect(requiredText(5).safeParse('abcdef').error?.issues[0]?.message).toBe('must be at most 5 characters');
  });

  it('exports cleanText and visibleText for the status page forms', () => {
    expect(cleanText(' a\u202Eb ')).toBe('ab');
    expect(visibleText('\u200B')).toBe('');
  });
});

// 2026-09-10 14:00 in New York: today is 2026-09-10 there.
describeEachDatabase('what services refuse, field by field', '2026-09-10T18:00:00Z', (get) => {
  async function counts() {
    const [row] = await get().handle.raw(
      `select (select count(*) from invoices)::int as invoices, (select count(*) from clients)::int as clients,
        (select count(*) from payments)::int as payments, (select count(*) from events)::int as events,
        (select coalesce(max(version), 0) from invoices)::int as version`,
      [],
    );
    return row;
  }

  /** Refused with `field` named, and not a row or event more. */
  async function expectRefused(action: () => Promise<unknown>, field: string, message?: RegExp) {
    const before = await counts();
    const error = await refusal(action());
    expect(error.code).toBe('VALIDATION');
    expect(error.issues.map((i) => i.field.replace(/^changes\./, ''))).toContain(field);
    if (message) expect(error.issues.map((i) => i.message).join(' | ')).toMatch(message);
    expect(await counts()).toEqual(before);
    return error;
  }

  async function book() {
    const { ctx } = get();
    const { teamId, client } = await workspaceWithClient(ctx);
    const inv = await invoice(ctx, teamId, client.id, { number: 'INV-1' });
    return { ctx, teamId, client, inv };
  }

  const newInvoice = (clientId: string, over: Record<string, unknown>) => ({
    number: 'INV-2',
    clientId,
    currency: 'USD',
    total: '100.00',
    issueDate: '2026-09-01',
    terms: 'net 30',
    ...over,
  });

  describe('an invoice date', () => {
    for (const [issueDate, message] of [
      ['0001-01-01', /between 1900 and 2199/],
      ['1970-01-01', /too early: it must be on or after 2016-09-10/],
      ['2200-01-01', /between 1900 and 2199/],
      ['9999-12-31', /between 1900 and 2199/],
      ['2016-09-09', /too early/],
      ['2027-09-11', /too late: it must be on or before 2027-09-10/],
    ] as const) {
      it(`refuses ${issueDate} on a new invoice, naming issueDate`, async () => {
        const { ctx, teamId, client } = await book();
        await expectRefused(
          () => createInvoice(ctx, teamId, asAdmin(ALICE, teamId), newInvoice(client.id, { issueDate })),
          'issueDate',
          message,
        );
      });
    }

    it('takes the first and last days of the window: ten years back and one ahead', async () => {
      const { ctx, teamId, client } = await book();
      await createInvoice(
        ctx,
        teamId,
        asAdmin(ALICE, teamId),
        newInvoice(client.id, { number: 'OLD', issueDate: '2016-09-10' }),
      );
      await createInvoice(
        ctx,
        teamId,
        asAdmin(ALICE, teamId),
        newInvoice(client.id, { number: 'NEW', issueDate: '2027-09-10' }),
      );
      expect((await getInvoice(ctx, teamId, 'NEW')).dueDate).toBe('2027-10-10');
    });

    it('reads the window in the workspace zone: at 20:00 on 9 September in Honolulu it is still the 9th there', async () => {
      const { ctx } = get();
      const { teamId, client } = await workspaceWithClient(ctx, { timeZone: 'Pacific/Honolulu' });
      ctx.clock.set('2026-09-10T06:00:00Z');
      await expectRefused(
        () => createInvoice(ctx, teamId, asAdmin(ALICE, teamId), newInvoice(client.id, { issueDate: '2027-09-10' })),
        'issueDate',
        /on or before 2027-09-09/,
      );
    });

    it('refuses a far date on an edit too, and leaves the invoice as it was', async () => {
      const { ctx, teamId, inv } = await book();
      for (const issueDate of ['1970-01-01', '9999-12-31']) {
        await expectRefused(
          () =>
            editInvoice(ctx, teamId, asAdmin(ALICE, teamId), {
              invoice: inv.id,
              expectedVersion: inv.version,
              changes: { issueDate },
            }),
          'issueDate',
        );
      }
      expect((await getInvoice(ctx, teamId, inv.id)).issueDate).toBe('2026-09-01');
    });

    it('still lets an invoice older than the window be edited in what the edit changes', async () => {
      const { ctx, teamId, inv } = await book();
      ctx.clock.set('2037-01-10T18:00:00Z');
      const { result } = await editInvoice(ctx, teamId, asAdmin(ALICE, teamId), {
        invoice: inv.id,
        expectedVersion: inv.version,
        changes: { description: 'Retainer' },
      });
      expect(result.description).toBe('Retainer');
      expect(result.issueDate).toBe('2026-09-01');
    });
  });

  describe('basis and due dates', () => {
    it('refuses a basis date more than a year from the invoice date', async () => {
      const { ctx, teamId, client } = await book();
      await expectRefused(
        () => createInvoice(ctx, teamId, asAdmin(ALICE, teamId), newInvoice(client.id, { basisDate: '2027-09-02' })),
        'basisDate',
        /within 1 year of the invoice date 2026-09-01/,
      );
      await expectRefused(
        () => createInvoice(ctx, teamId, asAdmin(ALICE, teamId), newInvoice(client.id, { basisDate: '1970-01-01' })),
        'basisDate',
      );
    });

    it('refuses a fixed due date more than five years after the invoice date, or in year 9999', async () => {
      const { ctx, teamId, client } = await book();
      await expectRefused(
        () => createInvoice(ctx, teamId, asAdmin(ALICE, teamId), newInvoice(client.id, { terms: '2031-09-02' })),
        'terms',
        /at most 5 years after it/,
      );
      await expectRefused(
        () =>
          createInvoice(
            ctx,
            teamId,
            asAdmin(ALICE, teamId),
            newInvoice(client.id, { terms: { kind: 'fixed', dueDate: '9999-12-31' } }),
          ),
        'terms.dueDate',
      );
      const { result } = await createInvoice(
        ctx,
        teamId,
        asAdmin(ALICE, teamId),
        newInvoice(client.id, { terms: '2031-09-01' }),
      );
      expect(result.dueDate).toBe('2031-09-01');
    });
  });

  describe('payment, promise and follow-up dates', () => {
    it('refuses a payment dated in year 9999, in 1970, or more than ten years ago', async () => {
      const { ctx, teamId, inv } = await book();
      await expectRefused(
        () => recordPayment(ctx, teamId, asAdmin(ALICE, teamId), { invoice: inv.id, receivedOn: '9999-12-31' }),
        'receivedOn',
      );
      await expectRefused(
        () => recordPayment(ctx, teamId, asAdmin(ALICE, teamId), { invoice: inv.id, receivedOn: '1970-01-01' }),
        'receivedOn',
      );
      ctx.clock.set('2036-09-15T18:00:00Z');
      await expectRefused(
        () => recordPayment(ctx, teamId, asAdmin(ALICE, teamId), { invoice: inv.id, receivedOn: '2026-09-05' }),
        'receivedOn',
        /on or after 2026-09-15/,
      );
    });

    it('refuses a promise or a follow-up more than two years ahead', async () => {
      const { ctx, teamId, inv } = await book();
      await expectRefused(
        () =>
          logChase(ctx, teamId, asAdmin(ALICE, teamId), {
            invoice: inv.id,
            method: 'call',
            promisedDate: '2028-09-11',
          }),
        'promisedDate',
        /on or before 2028-09-10/,
      );
      await expectRefused(
        () =>
          logChase(ctx, teamId, asAdmin(ALICE, teamId), {
            invoice: inv.id,
            method: 'call',
            nextFollowUp: '2200-01-01',
          }),
        'nextFollowUp',
      );
      const { result } = await logChase(ctx, teamId, asAdmin(ALICE, teamId), {
        invoice: inv.id,
        method: 'call',
        promisedDate: '2028-09-10',
      });
      expect(result.promisedDate).toBe('2028-09-10');
    });
  });

  describe('odd bytes in every text', () => {
    const NUL = 'x\u0000y';
    const fields: [string, string, (ctx: Awaited<ReturnType<typeof book>>) => Promise<unknown>][] = [
      [
        'number',
        'an invoice number',
        (b) =>
          createInvoice(b.ctx, b.teamId, asAdmin(ALICE, b.teamId), newInvoice(b.client.id, { number: `INV\u0000` })),
      ],
      [
        'clientName',
        "a new client's name",
        (b) =>
          createInvoice(b.ctx, b.teamId, asAdmin(ALICE, b.teamId), {
            ...newInvoice(b.client.id, {}),
            clientId: undefined,
            clientName: NUL,
          }),
      ],
      [
        'basisLabel',
        'a basis label',
        (b) => createInvoice(b.ctx, b.teamId, asAdmin(ALICE, b.teamId), newInvoice(b.client.id, { basisLabel: NUL })),
      ],
      [
        'description',
        'a description',
        (b) => createInvoice(b.ctx, b.teamId, asAdmin(ALICE, b.teamId), newInvoice(b.client.id, { description: NUL })),
      ],
      [
        'total',
        'a total',
        (b) =>
          createInvoice(b.ctx, b.teamId, asAdmin(ALICE, b.teamId), newInvoice(b.client.id, { total: '100\u0000' })),
      ],
      [
        'description',
        'an edited description',
        (b) =>
          editInvoice(b.ctx, b.teamId, asAdmin(ALICE, b.teamId), {
            invoice: b.inv.id,
            expectedVersion: b.inv.version,
            changes: { description: NUL },
          }),
      ],
      [
        'reference',
        'a payment reference',
        (b) => recordPayment(b.ctx, b.teamId, asAdmin(ALICE, b.teamId), { invoice: b.inv.id, reference: NUL }),
      ],
      [
        'method',
        'a payment method',
        (b) => recordPayment(b.ctx, b.teamId, asAdmin(ALICE, b.teamId), { invoice: b.inv.id, method: NUL }),
      ],
      [
        'amount',
        'a payment amount',
        (b) => recordPayment(b.ctx, b.teamId, asAdmin(ALICE, b.teamId), { invoice: b.inv.id, amount: '\u202E10' }),
      ],
      [
        'note',
        'a chase note',
        (b) => logChase(b.ctx, b.teamId, asAdmin(ALICE, b.teamId), { invoice: b.inv.id, method: 'call', note: NUL }),
      ],
      [
        'response',
        "the client's response",
        (b) =>
          logChase(b.ctx, b.teamId, asAdmin(ALICE, b.teamId), { invoice: b.inv.id, method: 'call', response: NUL }),
      ],
      [
        'reason',
        'a hold reason',
        (b) => placeHold(b.ctx, b.teamId, asAdmin(ALICE, b.teamId), { invoice: b.inv.id, kind: 'hold', reason: NUL }),
      ],
      [
        'reason',
        'a void reason',
        (b) => voidInvoice(b.ctx, b.teamId, asAdmin(ALICE, b.teamId), { invoice: b.inv.id, reason: 'a\u009bb' }),
      ],
      [
        'invoice',
        'an invoice reference',
        (b) => voidInvoice(b.ctx, b.teamId, asAdmin(ALICE, b.teamId), { invoice: 'INV-1\u0000', reason: 'x' }),
      ],
      ['name', "a client's name", (b) => createClient(b.ctx, b.teamId, asAdmin(ALICE, b.teamId), { name: NUL })],
      [
        'notes',
        "a client's notes",
        (b) => createClient(b.ctx, b.teamId, asAdmin(ALICE, b.teamId), { name: 'Globex', notes: NUL }),
      ],
      [
        'contactName',
        "a client's contact",
        (b) => createClient(b.ctx, b.teamId, asAdmin(ALICE, b.teamId), { name: 'Globex', contactName: NUL }),
      ],
    ];
    for (const [field, what, act] of fields) {
      it(`refuses a NUL in ${what}, naming ${field}, and writes nothing`, async () => {
        const b = await book();
        await expectRefused(() => act(b), field);
      });
    }

    it('refuses a reason made only of zero-width characters as empty', async () => {
      const b = await book();
      await expectRefused(
        () =>
          placeHold(b.ctx, b.teamId, asAdmin(ALICE, b.teamId), {
            invoice: b.inv.id,
            kind: 'dispute',
            reason: '\u200B\u200C\u200D\uFEFF',
          }),
        'reason',
        /is required/,
      );
      await expectRefused(
        () => createClient(b.ctx, b.teamId, asAdmin(ALICE, b.teamId), { name: '\u202E\u200B' }),
        'name',
        /is required/,
      );
    });

    it('keeps what was meant: bidi overrides stripped, lines kept in a note, a name on one line', async () => {
      const { ctx, teamId, client, inv } = await book();
      const { result } = await createInvoice(
        ctx,
        teamId,
        asAdmin(ALICE, teamId),
        newInvoice(client.id, { description: 'Design\r\n\u202Eexe.fdp\u202C work' }),
      );
      expect(result.description).toBe('Design\nexe.fdp work');
      const { result: globex } = await createClient(ctx, teamId, asAdmin(ALICE, teamId), {
        name: ' Globex\n\u2066Ltd\u2069 ',
      });
      expect(globex.name).toBe('Globex Ltd');
      const held = await placeHold(ctx, teamId, asAdmin(ALICE, teamId), {
        invoice: inv.id,
        kind: 'hold',
        reason: 'Waiting\n\ton PO',
      });
      expect(held.result.status.hold?.reason).toBe('Waiting\n\ton PO');
    });
  });

  describe('the CSV importer', () => {
    it('reports each bad line with its column, for dates out of range and NUL bytes, and writes nothing', async () => {
      const { ctx } = get();
      const { teamId } = await workspaceWithClient(ctx);
      const before = await counts();
      const csv = [
        'number,client,currency,total,issue_date,description',
        'INV-10,Initech,USD,100.00,2026-09-01,fine',
        'INV-11,Initech,USD,100.00,1970-01-01,too old',
        'INV-12,Initech,USD,100.00,9999-12-31,far future',
        'INV-13,Init\u0000ech,USD,100.00,2026-09-01,nul in the name',
        'INV-14,Initech,USD,100.00,2026-09-01,nul in the\u0000 description',
        'INV-15,Initech,USD,1\u0000.00,2026-09-01,nul in the total',
      ].join('\n');
      const report = await importInvoices(ctx, teamId, asAdmin(ALICE, teamId), csv);
      expect(report.written).toBe(false);
      const byLine = [...report.errors].sort((x, y) => x.line - y.line);
      expect(byLine.map((e) => [e.line, e.number, e.field])).toEqual([
        [3, 'INV-11', 'issue_date'],
        [4, 'INV-12', 'issue_date'],
        [5, 'INV-13', 'client'],
        [6, 'INV-14', 'description'],
        [7, 'INV-15', 'total'],
      ]);
      expect(byLine[0]?.message).toMatch(/1970-01-01 is too early/);
      expect(byLine[1]?.message).toMatch(/not a plausible date/);
      expect(byLine[2]?.message).toMatch(/control character \(U\+0000\)/);
      for (const e of report.errors) expect(e.message).not.toContain('\u0000');
      expect(await counts()).toEqual(before);
    });
  });
});
