// Before Slack: a fresh database gets its workspace from the command line (team id, name, zone chosen — never a
// silent UTC), and `import` works on it from the first command, its dry run included.
import path from 'node:path';
import { expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { getWorkspace, setupGaps, timeZoneChosen } from '../../src/services/workspaces.js';
import { describeEachDatabase } from '../helpers/db.js';

const XERO = path.join(new URL('../fixtures/', import.meta.url).pathname, 'xero-sales-invoices.csv');
const XERO_WITH_ERRORS = path.join(
  new URL('../fixtures/', import.meta.url).pathname,
  'xero-sales-invoices-with-errors.csv',
);

describeEachDatabase('setting a workspace up from the command line', '2026-11-23T15:00:00Z', (get) => {
  async function cli(...argv: string[]) {
    const lines: string[] = [];
    const code = await runCli(argv, {
      out: (line) => lines.push(line),
      open: async () => ({ ctx: get().ctx, close: async () => {} }),
    });
    return { code, lines, text: lines.join('\n') };
  }

  async function count(table: 'workspaces' | 'invoices') {
    const [row] = await get().handle.raw(`select count(*)::int as n from ${table}`, []);
    return row?.n;
  }

  it('sets a workspace up with its zone chosen, shows it, and refuses to set it up twice', async () => {
    const init = await cli(
      'workspace',
      'init',
      '--team',
      't0acme',
      '--name',
      'Acme Studio',
      '--zone',
      'Europe/Paris',
      '--holidays',
      'fr',
      '--admins',
      'U0ALICE',
    );
    expect(init.code).toBe(0);
    expect(init.lines).toEqual([
      'Set up workspace T0ACME (Acme Studio).',
      '  Time zone:        Europe/Paris (UTC+01:00)',
      '  Finance channel:  not set',
      '  Finance admins:   U0ALICE',
      '  Alerts:           09:00 on Mon Tue Wed Thu Fri',
      '  Public holidays:  France (FR)',
      '  Weekly digest:    Mon 09:00',
      '  Still to choose:  finance channel — in Slack, /invoice settings (or the setup message).',
    ]);
    const { ctx } = get();
    expect(await timeZoneChosen(ctx.db, 'T0ACME')).toBe(true);
    expect(await setupGaps(ctx, await getWorkspace(ctx, 'T0ACME'))).toEqual({
      timeZone: false,
      financeChannel: true,
      financeAdmins: false,
    });
    expect((await cli('workspace', 'list')).lines).toEqual([
      'T0ACME  Acme Studio  Europe/Paris (UTC+01:00)  — not set: finance channel',
    ]);
    expect((await cli('workspace', 'show')).lines[0]).toBe('T0ACME  Acme Studio');
    const again = await cli('workspace', 'init', '--team', 'T0ACME', '--name', 'Other', '--zone', 'UTC');
    expect(again.code).toBe(1);
    expect(again.text).toBe(
      'Workspace T0ACME (Acme Studio) is already set up; change its settings in Slack (/invoice settings).',
    );
  });

  it('refuses a zone that does not exist, suggesting the ones meant, and sets nothing up', async () => {
    const wrong = await cli('workspace', 'init', '--team', 'T0ACME', '--name', 'Acme', '--zone', 'Kathmandu');
    expect(wrong.code).toBe(2);
    expect(wrong.lines).toEqual([
      'The workspace was not set up: timeZone: must be an IANA time zone like America/New_York or Europe/London',
      'Did you mean Asia/Kathmandu?',
    ]);
    expect(await count('workspaces')).toBe(0);
    const missing = await cli('workspace', 'init', '--team', 'T0ACME');
    expect(missing.code).toBe(2);
    expect(missing.lines[0]).toBe(
      'workspace init needs --team (the Slack team id, T…), --name and --zone (an IANA zone).',
    );
  });

  it('checks a file on a fresh database with a dry run, writing nothing — not even a workspace', async () => {
    const { code, lines } = await cli('import', XERO, '--dry-run');
    expect(code).toBe(0);
    expect(lines[0]).toBe('No workspace yet: checked as an import into a new, empty one (time zone UTC).');
    expect(lines[1]).toBe(`${XERO}: Xero sales invoice export, 9 lines, 5 invoices.`);
    expect(lines[2]).toBe('  5 to create, 0 to update, 0 unchanged, 2 payments, 1 voided, 3 new clients.');
    expect(lines.at(-2)).toBe('Dry run: nothing was written. Run it again without --dry-run to import.');
    expect(lines.at(-1)).toBe(
      `To import, say which workspace to set up: npm run cli -- import ${XERO} --team T0123ABCD --name "Your team" --zone Europe/Paris`,
    );
    expect([await count('workspaces'), await count('invoices')]).toEqual([0, 0]);
  });

  it('refuses a real import on a fresh database until it knows the workspace, then sets it up and imports', async () => {
    const refused = await cli('import', XERO);
    expect(refused.code).toBe(1);
    expect(refused.lines[0]).toBe('This database has no workspace yet. Set it up as you import, all in one go:');
    expect(await count('workspaces')).toBe(0);
    const done = await cli('import', XERO, '--team', 'T0ACME', '--name', 'Harbourside', '--zone', 'Pacific/Auckland');
    expect(done.code).toBe(0);
    expect(done.lines).toContain('Imported.');
    expect(done.lines.at(-1)).toBe(
      'Set up workspace T0ACME (Harbourside) in Pacific/Auckland: see `npm run cli -- workspace show`.',
    );
    expect([await count('workspaces'), await count('invoices')]).toEqual([1, 5]);
    // From then on it is the database's workspace: a plain import finds it.
    const again = await cli('import', XERO);
    expect(again.code).toBe(0);
    expect(again.lines[1]).toBe('  0 created, 0 updated, 5 unchanged, 0 payments, 0 voided, 0 new clients.');
  });

  it('leaves no workspace behind when the file it was set up for has errors', async () => {
    const { code, text } = await cli(
      'import',
      XERO_WITH_ERRORS,
      '--team',
      'T0ACME',
      '--name',
      'Harbourside',
      '--zone',
      'Pacific/Auckland',
    );
    expect(code).toBe(1);
    expect(text).toContain('nothing was written');
    expect(text).toContain('The workspace T0ACME was not set up either.');
    expect([await count('workspaces'), await count('invoices')]).toEqual([0, 0]);
  });
});
