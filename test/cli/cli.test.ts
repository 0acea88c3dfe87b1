// The command line on the demo book, read as a person reads it: what each command prints and its exit code.
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { seedDemoBook } from '../../src/cli/seed.js';
import { ensureWorkspace } from '../../src/services/workspaces.js';
import { describeEachDatabase } from '../helpers/db.js';

// Monday 2026-11-23, 10:00 in New York (the demo workspace's zone).
const NOW = '2026-11-23T15:00:00Z';

describeEachDatabase('the command line on the demo book', NOW, (get) => {
  async function cli(...argv: string[]) {
    const lines: string[] = [];
    const code = await runCli(argv, {
      out: (line) => lines.push(line),
      open: async () => ({ ctx: get().ctx, close: async () => {} }),
    });
    return { code, lines, text: lines.join('\n') };
  }

  async function seeded() {
    return seedDemoBook(get().ctx);
  }

  describe('overview', () => {
    it('shows all five states with their counts, most urgent first, and what needs action', async () => {
      await seeded();
      const { code, text, lines } = await cli('overview');
      expect(code).toBe(0);
      expect(lines[0]).toBe('Demo Studio — receivables on Mon 23 Nov 2026, 10:00 (America/New_York)');
      expect(text).toContain('Needs action: 10 overdue, 2 due today, 2 promises broken, 6 stale');
      expect(text).toMatch(/^STATE\s+COUNT\s+USD\s+GBP\s+EUR\s+JPY$/m);
      expect(text).toMatch(/^Overdue\s+10\s+\$58,300\.00\s+£4,450\.00\s+€9,400\.00\s+¥1,000,000$/m);
      expect(text).toMatch(/^Due today\s+2\s+\$3,150\.00\s+–\s+€6,200\.00\s+–$/m);
      expect(text).toMatch(/^Sent\s+8\s+\$71,700\.00\s+£2,750\.00\s+€3,100\.00\s+¥640,000$/m);
      expect(text).toMatch(/^Draft\s+4\s+\$21,300\.00\s+£850\.00\s+€2,900\.00\s+–$/m);
      expect(text).toMatch(/^Paid \(last 30 days\)\s+5\s+\$32,480\.00\s+£2,500\.00\s+–\s+–$/m);
      const sections = ['OVERDUE (10)', 'DUE TODAY (2)', 'SENT (8)', 'DRAFT (4)', 'PAID IN THE LAST 30 DAYS (5)'];
      const at = sections.map((title) => lines.indexOf(title));
      expect(at.every((i) => i > 0)).toBe(true);
      expect([...at].sort((a, b) => a - b)).toEqual(at);
    });

    it('lists each invoice with its amount due, due date and basis, lateness, last action and markers', async () => {
      await seeded();
      const { text } = await cli('overview');
      expect(text).toMatch(
        /INV-002 +Initech +\$12,500\.00 +2026-07-26 +net 30 +120 days late +chased 2026-10-24 +promise broken \(2026-08-30\); stale: last action 30 days ago$/m,
      );
      expect(text).toMatch(
        /INV-007 +Globex +\$5,750\.00 of \$8,750\.00 +2026-09-09 +net 45 +75 days late .*promised 2026-11-27$/m,
      );
      expect(text).toMatch(
        /INV-009 +Umbrella Health +\$18,200\.00 .* 45 days late .*DISPUTED: Disputes 42 of the hours/m,
      );
      expect(text).toMatch(
        /INV-029 +Kensington Media +£1,200\.00 .*due on receipt .*put on hold 2026-11-05 +ON HOLD: /m,
      );
      expect(text).toMatch(
        /INV-013 +Tanaka Robotics +¥1,000,000 of ¥1,850,000 +2026-10-30 +end of month \+ 30 +24 days late/m,
      );
      expect(text).toMatch(/INV-026 +Soylent Foods +\$650\.00 .* 1 day late .*stale: never chased, sent 31 days ago$/m);
      expect(text).toMatch(
        /INV-030 +Umbrella Health +\$7,300\.00 +2027-01-10 +net 60 from 2026-11-11 \(delivery\) +in 48 days/m,
      );
      expect(text).toMatch(/INV-036 +Tanaka Robotics +¥640,000 +2026-12-21 +fixed date +in 28 days/m);
      expect(text).toMatch(/INV-038 +Stark Ventures +\$18,000\.00 +2026-11-22 +net 15 +Phase 2: design sprint/m);
      expect(text).toMatch(/INV-022 +Stark Ventures +\$27,000\.00 +2026-11-03 +2026-10-24 +10 days late$/m);
    });
  });

  describe('client', () => {
    it('shows the contact, terms, what they owe and how late they usually pay', async () => {
      await seeded();
      const { code, text, lines } = await cli('client', 'globex');
      expect(code).toBe(0);
      expect(lines[0]).toBe('Globex — Demo Studio, Mon 23 Nov 2026');
      expect(text).toMatch(/Contact +Hank Scorpio <payables@globex\.example>/);
      expect(text).toMatch(/Terms +net 45/);
      expect(text).toMatch(/Owes +\$21,350\.00 on 2 invoices, \$5,750\.00 overdue/);
      expect(text).toMatch(
        /Pays +48 days late on average, paying 93 days after the invoice date \(over 2 invoices paid in full\)/,
      );
      expect(text).toMatch(/INV-001 +Paid +\$11,000\.00 +2026-07-31 +net 45 +55 days late +paid 2026-09-24/);
      expect(text).toContain(
        'Chased by phone: Called Hank again. They said: "Balance is scheduled; confirmed the amount"',
      );
    });

    it('finds a client by the start of its name', async () => {
      await seeded();
      const { code, text } = await cli('client', 'kensington');
      expect(code).toBe(0);
      expect(text).toMatch(/Owes +£1,200\.00 on 1 invoice, £1,200\.00 overdue/);
      expect(text).toMatch(/Pays +2 days late on average/);
    });

    it('says when a client is unknown, suggesting the close name', async () => {
      await seeded();
      expect(await cli('client', 'Globox')).toMatchObject({
        code: 1,
        text: 'There is no client "Globox" in Demo Studio. Did you mean "Globex"?',
      });
      const far = await cli('client', 'Zorg');
      expect(far.code).toBe(1);
      expect(far.text).toContain('There is no client "Zorg" in Demo Studio. Clients: Brandt & Vogel GmbH, Globex,');
      expect((await cli('client')).code).toBe(2);
    });
  });

  it('aging: what is owed per currency in each bucket, with counts and a total', async () => {
    await seeded();
    const { code, text } = await cli('aging');
    expect(code).toBe(0);
    expect(text).toMatch(/CURRENCY +NOT YET DUE +1–30 DAYS +31–60 DAYS +61–90 DAYS +OVER 90 DAYS +TOTAL/);
    expect(text).toMatch(
      /USD +\$74,850\.00 \(6\) +\$5,450\.00 \(2\) +\$34,600\.00 \(2\) +\$5,750\.00 \(1\) +\$12,500\.00 \(1\) +\$133,150\.00 \(12\)/,
    );
    expect(text).toMatch(/EUR +€9,300\.00 \(2\) +€9,400\.00 \(1\) +– +– +– +€18,700\.00 \(3\)/);
    expect(text).toMatch(/JPY +¥640,000 \(1\) +¥1,000,000 \(1\) +– +– +– +¥1,640,000 \(2\)/);
  });

  describe('history', () => {
    it("lists an invoice's events oldest first, in the workspace's time, in words", async () => {
      await seeded();
      const { code, lines } = await cli('history', 'inv-007');
      expect(code).toBe(0);
      expect(lines[0]).toBe(
        'INV-007 · Globex · $5,750.00 of $8,750.00 · Overdue (75 days late) · due 2026-09-09, net 45',
      );
      const events = lines.filter((line) => /^\d{4}-\d{2}-\d{2} \d{2}:\d{2} /.test(line));
      expect(events.map((line) => line.replace(/ {2,}/g, ' | '))).toEqual([
        '2026-07-26 09:30 | U0MARCUS | Created for $8,750.00, dated 2026-07-26, due 2026-09-09 (net 45)',
        '2026-07-26 09:30 | U0MARCUS | Marked sent to the client',
        '2026-09-14 10:55 | U0MARCUS | Chased by email: Reminder with statement. They said: "PO still being approved"',
        '2026-10-04 14:20 | U0MARCUS | Chased by phone: Spoke to Hank. They said: "Approved; will pay by the 10th". Promised to pay by 2026-10-14',
        '2026-10-14 09:55 | U0PRIYA | Part payment of $3,000.00 received 2026-10-14 (by ACH, ref GLX-20701); $5,750.00 still due',
        '2026-11-03 09:40 | U0MARCUS | Chased by email: Asked for the balance of $5,750. They said: "Next payment run"',
        '2026-11-20 11:20 | U0MARCUS | Chased by phone: Called Hank again. They said: "Balance is scheduled; confirmed the amount". Promised to pay by 2026-11-27. Follow up on 2026-11-28',
      ]);
      expect(lines.at(-1)).toBe('7 events, oldest first; times in America/New_York.');
    });

    it('shows edits, holds and voids in words', async () => {
      await seeded();
      expect((await cli('history', 'INV-038')).text).toContain(
        'Edited: total $16,500.00 → $18,000.00, description "Phase 2: design sprint" → "Phase 2: design sprint (scope +1 week)"',
      );
      const held = (await cli('history', 'INV-011')).text;
      expect(held).toContain('Put on hold: Their new vendor number is needed before they can pay');
      expect(held).toContain('Released the hold: Vendor number received; invoice resent');
      expect((await cli('history', 'INV-012')).text).toContain('Voided: Project cancelled before kickoff');
    });

    it('says when an invoice is unknown, suggesting the close number', async () => {
      await seeded();
      expect(await cli('history', 'INV-0O7')).toMatchObject({
        code: 1,
        text: 'There is no invoice INV-0O7 in Demo Studio. Did you mean INV-007?',
      });
      expect((await cli('history', 'inv 7')).text).toContain('Did you mean INV-007?');
      expect((await cli('history', 'INV-999')).text).toBe(
        'There is no invoice INV-999 in Demo Studio. The overview lists them: npm run cli -- overview',
      );
    });
  });

  it('day-changes: what became due and overdue today, and what went stale', async () => {
    await seeded();
    const { code, text } = await cli('day-changes');
    expect(code).toBe(0);
    expect(text).toMatch(/Became due today \(2\)\n.*\n +INV-023 +Maison Lumière +€6,200\.00/);
    expect(text).toMatch(/Became overdue \(1\)\n.*\n +INV-026 +Soylent Foods +\$650\.00 +2026-11-22/);
    expect(text).toMatch(/Promises broken \(0\)\n +none/);
    expect(text).toMatch(/Went stale \(1\)\n.*\n +INV-027 +Northwind Traders .*never chased, sent 30 days ago/);
    const past = await cli('day-changes', '2026-11-10');
    expect(past.text).toMatch(/Promises broken \(1\)\n.*\n +INV-019 +Thames & Co .*promised 2026-11-09/);
    expect((await cli('day-changes', '23/11/2026')).code).toBe(2);
  });

  describe('the workspace', () => {
    it('asks which one when the database holds several, and uses the one named', async () => {
      await seeded();
      await ensureWorkspace(get().ctx, { teamId: 'T0OTHER', name: 'Other Studio', timeZone: 'Europe/London' });
      const unnamed = await cli('aging');
      expect(unnamed.code).toBe(2);
      expect(unnamed.lines).toEqual([
        'This database holds 2 workspaces; pick one with --workspace:',
        '  T0DEMO  Demo Studio (America/New_York)',
        '  T0OTHER  Other Studio (Europe/London)',
      ]);
      expect((await cli('aging', '--workspace', 'T0DEMO')).code).toBe(0);
      expect((await cli('--workspace=t0other', 'aging')).text).toContain('Nothing is owed.');
      expect((await cli('aging', '--workspace', 'T0NONE')).code).toBe(1);
    });

    it('says so when there is none yet', async () => {
      const { code, text } = await cli('overview');
      expect(code).toBe(1);
      expect(text).toContain('This database has no workspace yet');
    });
  });

  it('seeding twice adds nothing', async () => {
    const { handle } = get();
    const first = await seeded();
    const counts = () =>
      handle.raw(
        `select (select count(*) from invoices)::int as invoices, (select count(*) from clients)::int as clients,
           (select count(*) from events)::int as events, (select count(*) from payments)::int as payments`,
        [],
      );
    const before = await counts();
    const second = await seeded();
    expect(first.seeded).toBe(true);
    expect(second).toMatchObject({ seeded: false, invoices: 41, clients: 12, byState: first.byState });
    expect(await counts()).toEqual(before);
  });
});

describe('the command line without a database', () => {
  const noDatabase = async () => {
    throw new Error('the database should not be opened');
  };

  async function cli(...argv: string[]) {
    const lines: string[] = [];
    const code = await runCli(argv, { out: (line) => lines.push(line), open: noDatabase });
    return { code, text: lines.join('\n') };
  }

  it('answers an unknown command with the list of commands and exit code 2', async () => {
    expect(await cli('overveiw')).toEqual({
      code: 2,
      text:
        'Unknown command "overveiw". Commands: overview, client, aging, history, day-changes, digest, workspace, import, export, rates, credit, webhooks, retainers, totals, help.\n' +
        'Run `npm run cli -- help` for what each does.',
    });
  });

  it('prints help for help, --help and nothing at all', async () => {
    for (const argv of [['help'], ['--help'], []]) {
      const { code, text } = await cli(...argv);
      expect(code).toBe(0);
      expect(text).toContain('Usage: npm run cli -- <command> [arguments] [--workspace T0123ABCD]');
      expect(text).toContain('day-changes [YYYY-MM-DD]');
      expect(text).toContain('import FILE [options]');
      expect(text).toMatch(/--dry-run +check every line/);
      expect(text).toMatch(
        /--currency USD +the currency of a file without a Currency column, or of its blank Currency/,
      );
      expect(text).toMatch(/--date-order dmy\|mdy +how to read dates like 03\/04\/2026/);
    }
  });

  it('refuses an unknown option', async () => {
    expect(await cli('overview', '--all')).toMatchObject({
      code: 2,
      text: expect.stringContaining('Unknown option --all'),
    });
    expect((await cli('overview', '--workspace')).code).toBe(2);
  });
});
