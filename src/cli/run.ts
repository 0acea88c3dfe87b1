// The command line without the process: reading the arguments, picking the workspace, running a command.
// main.ts gives it the real database and stdout; tests give it theirs.
import { getWorkspaces } from '../db/queries/lookups.js';
import type { WorkspaceRow } from '../db/schema.js';
import type { LedgerContext } from '../services/context.js';
import { aging, type Command, client, dayChanges, history, type Out, overview } from './commands.js';
import { creditCommand } from './credit.js';
import { digest } from './digest.js';
import { exportCommand, importEntry } from './io.js';
import { ratesCommand } from './numbers.js';
import type { StandaloneCommand } from './options.js';
import { RETAINER_EDIT_OPTIONS, RETAINERS_USAGE, retainersCommand } from './retainers.js';
import { plainStyle, type Style } from './table.js';
import { totalsCommand } from './totals.js';
import { webhooksCommand } from './webhooks.js';
import { workspaceCommand } from './workspace.js';

type CommandSpec = {
  usage: string;
  summary: string;
  /** Long options the command reads itself; any other option is refused. */
  options?: readonly string[];
  /** With --all: runs once for every workspace instead (no --workspace needed). */
  runAll?: (ctx: LedgerContext, args: readonly string[], out: Out) => Promise<number>;
} & (
  | { run: Command; standalone?: undefined }
  /** Picks (or makes) its workspace itself: works on a database that has none yet. */
  | { standalone: StandaloneCommand; run?: undefined }
);

export const COMMANDS: Readonly<Record<string, CommandSpec>> = {
  overview: {
    usage: 'overview',
    summary: 'the five states with counts and money per currency, then the invoices in each, most urgent first',
    run: overview,
  },
  client: {
    usage: 'client NAME',
    summary: "a client's contact, terms, balance, how late they pay, invoices and recent history",
    run: client,
  },
  aging: { usage: 'aging', summary: 'what is owed per currency by days past due', run: aging },
  history: { usage: 'history INVOICE', summary: "an invoice's events, oldest first", run: history },
  'day-changes': {
    usage: 'day-changes [YYYY-MM-DD]',
    summary: 'what became due or overdue, promises broken and chases gone stale on a day (default today)',
    run: dayChanges,
  },
  digest: {
    usage: 'digest',
    summary: 'the weekly digest as it would be posted now: totals, aging, what changed, who must act, every invoice',
    run: digest,
  },
  workspace: {
    usage: 'workspace init|list|show|delete',
    summary:
      'set a workspace up before Slack (--team T…, --name, --zone; see below), list them, show one, or delete one on request',
    standalone: workspaceCommand,
    options: ['--team', '--name', '--zone', '--channel', '--admins', '--holidays', '--yes'],
  },
  import: {
    usage: 'import FILE [options]',
    summary: 'invoices from a CSV (Xero, QuickBooks Online, a plain sheet or ours): all of the file or none of it',
    standalone: importEntry,
    options: ['--dry-run', '--currency', '--date-order', '--team', '--name', '--zone'],
  },
  export: {
    usage: 'export invoices|history',
    summary: 'the invoices (in our import format) or the history as CSV; --from/--to YYYY-MM-DD, --out FILE',
    run: exportCommand,
    options: ['--from', '--to', '--out'],
  },
  rates: {
    usage: 'rates [currency CODE | CODE RATE [YYYY-MM-DD]]',
    summary: 'the reporting currency and the exchange rates into it (each with its date); name it or set a rate',
    run: ratesCommand,
  },
  credit: {
    usage: 'credit note|withdraw|apply|refund|show …',
    summary:
      'credit notes (keep the excess on account with --keep-on-account), withdraw one, apply credit on account, refund; --reason required',
    run: creditCommand,
    options: ['--reason', '--date', '--method', '--reference', '--client', '--currency', '--keep-on-account'],
  },
  webhooks: {
    usage: 'webhooks [add URL [--replay] | remove ID]',
    summary: 'the ledger webhooks and how their deliveries stand; add one (prints its secret once) or remove one',
    run: webhooksCommand,
    options: ['--replay'],
  },
  retainers: {
    usage: RETAINERS_USAGE,
    summary:
      'the recurring invoices: list them (--all with the ended), show one with what it made, pause, resume, end or edit one (see below)',
    run: retainersCommand,
    options: ['--all', ...RETAINER_EDIT_OPTIONS],
  },
  totals: {
    usage: 'totals check|rebuild [--all]',
    summary: 'the running totals the overview and aging read: check them against a recount, or rebuild them',
    run: (ctx, workspace, args, out) => totalsCommand(ctx, workspace.teamId, args, out),
    runAll: (ctx, args, out) => totalsCommand(ctx, undefined, args, out),
    options: ['--all'],
  },
};

const COMMAND_NAMES = [...Object.keys(COMMANDS), 'help'];

export function helpLines(): string[] {
  const width = Math.max(...Object.values(COMMANDS).map((c) => c.usage.length));
  return [
    'receivables-bot — read the invoice ledger from a terminal.',
    '',
    'Usage: npm run cli -- <command> [arguments] [--workspace T0123ABCD]',
    '',
    'Commands:',
    ...Object.values(COMMANDS).map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`),
    `  ${'help'.padEnd(width)}  this list`,
    '',
    'Options:',
    '  --workspace T…   which workspace, when the database holds more than one',
    '  --no-color       plain text even at a terminal (so does NO_COLOR=1)',
    '',
    'Import options:',
    '  --dry-run             check every line and say what would change; write nothing',
    "  --currency USD        the currency of a file without a Currency column, or of its blank Currency cells (as Xero's",
    "                        import template leaves them for the organisation's base currency)",
    '  --date-order dmy|mdy  how to read dates like 03/04/2026 when no date in the file tells: dmy is 3 April, mdy 4 March',
    '  --team T… --name NAME --zone Europe/Paris',
    '                        on a database without that workspace: set it up and import, all or nothing',
    '',
    'Setting a workspace up before Slack:',
    '  workspace init --team T0123ABCD --name "Acme Studio" --zone Europe/Paris',
    '                 [--channel C0123ABCD] [--admins U0123ABCD,U0456EFGH] [--holidays GB-SCT]',
    '  workspace list · workspace show [T…]   how each is set up, and what is still not chosen',
    '  workspace delete --team T… [--yes]     every row of a workspace, on request (counted without --yes)',
    '',
    'Editing a retainer (the change applies to the invoices not made yet; a new day or cadence applies from today,',
    'never billing a month — or a quarter — twice; what was due before the edit is made first):',
    '  retainers edit ID [--amount 5,500] [--currency EUR] [--terms "net 30"] [--description TEXT|none]',
    '                    [--owner U0123ABCD|none] [--cadence monthly|quarterly] [--day 1-31|last]',
    '                    [--end YYYY-MM-DD|none] [--count N|none] [--as draft|sent]',
    '',
    'The database is DATABASE_URL when set, else the embedded one in DATA_DIR (default ./data).',
    'Examples: npm run cli -- client northwind   ·   npm run cli -- history INV-001',
  ];
}

export interface ParsedArgs {
  command: string | undefined;
  args: string[];
  workspace: string | undefined;
  help: boolean;
  color: boolean;
}

export function parseArgs(argv: readonly string[]): ParsedArgs | { error: string } {
  const parsed: ParsedArgs = { command: undefined, args: [], workspace: undefined, help: false, color: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') parsed.help = true;
    else if (arg === '--no-color') parsed.color = false;
    else if (arg === '--workspace' || arg === '-w') {
      const value = argv[++i];
      if (!value || value.startsWith('-'))
        return { error: '--workspace needs a Slack team id, like --workspace T0DEMO' };
      parsed.workspace = value;
    } else if (arg.startsWith('--workspace=')) parsed.workspace = arg.slice('--workspace='.length);
    else if (arg.startsWith('-') && arg.length > 1 && !/^-\d/.test(arg)) {
      const spec = parsed.command === undefined ? undefined : COMMANDS[parsed.command];
      if (spec?.options?.includes(arg.split('=')[0] ?? '')) parsed.args.push(arg);
      else return { error: `Unknown option ${arg}` };
    } else if (parsed.command === undefined) parsed.command = arg;
    else parsed.args.push(arg);
  }
  return parsed;
}

/** The workspace to read: the one named, or the only one. Otherwise an exit code, having said why. */
export async function resolveWorkspace(
  ctx: LedgerContext,
  requested: string | undefined,
  out: Out,
): Promise<WorkspaceRow | number> {
  const all = await getWorkspaces(ctx.db);
  const list = () => {
    for (const w of all) out(`  ${w.teamId}  ${w.name} (${w.timeZone})`);
  };
  if (requested !== undefined) {
    const match = all.find((w) => w.teamId.toUpperCase() === requested.trim().toUpperCase());
    if (match) return match;
    out(`There is no workspace ${requested} in this database.${all.length > 0 ? ' It has:' : ''}`);
    list();
    return 1;
  }
  if (all.length === 1 && all[0]) return all[0];
  if (all.length === 0) {
    out('This database has no workspace yet. Set one up with `npm run cli -- workspace init --team T0123ABCD');
    out('--name "Your team" --zone Europe/Paris`, seed a demo book with `npm run db:seed`, or open the app in Slack.');
    return 1;
  }
  out(`This database holds ${all.length} workspaces; pick one with --workspace:`);
  list();
  return 2;
}

export interface LedgerSession {
  ctx: LedgerContext;
  close(): Promise<void>;
}

/**
 * Runs one command line. `open` is called only when the command needs the database, so `help` and
 * mistakes in the arguments are answered without one.
 */
export async function runCli(
  argv: readonly string[],
  io: { out: Out; open: () => Promise<LedgerSession>; style?: Style },
): Promise<number> {
  const { out } = io;
  const parsed = parseArgs(argv);
  if ('error' in parsed) {
    out(parsed.error);
    out('Run `npm run cli -- help` for the commands and options.');
    return 2;
  }
  if (parsed.help || parsed.command === undefined || parsed.command === 'help') {
    for (const line of helpLines()) out(line);
    return 0;
  }
  const spec = COMMANDS[parsed.command];
  if (!spec) {
    out(`Unknown command "${parsed.command}". Commands: ${COMMAND_NAMES.join(', ')}.`);
    out('Run `npm run cli -- help` for what each does.');
    return 2;
  }
  const style = parsed.color ? (io.style ?? plainStyle) : plainStyle;
  const session = await io.open();
  try {
    if (spec.standalone)
      return await spec.standalone(session.ctx, parsed.args, out, { workspace: parsed.workspace, style });
    if (spec.runAll && parsed.args.includes('--all')) return await spec.runAll(session.ctx, parsed.args, out);
    const workspace = await resolveWorkspace(session.ctx, parsed.workspace, out);
    if (typeof workspace === 'number') return workspace;
    return await spec.run(session.ctx, workspace, parsed.args, out, { style });
  } finally {
    await session.close();
  }
}
