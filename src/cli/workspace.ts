// `workspace init|list|show`: setting a workspace up before anyone opens Slack, and seeing how each is set up.
// Exit codes as elsewhere in the CLI: 0 done, 1 refused or not found, 2 used wrongly.
import type { WorkspaceRow } from '../db/schema.js';
import { formatOffset, offsetMinutes, RENAMED_ZONES, searchZones } from '../domain/zones.js';
import type { LedgerContext } from '../services/context.js';
import { isLedgerError } from '../services/errors.js';
import { holidayPlaceLabel } from '../services/holidays.js';
import { operatorPrincipal } from '../services/policy.js';
import { initWorkspace, listWorkspaces, type SetupGaps, setupGaps } from '../services/workspaces.js';
import type { Out } from './commands.js';
import { workspaceDelete } from './erase.js';
import { parseOptions, type StandaloneCommand, text } from './options.js';

export const WORKSPACE_USAGE =
  'workspace init --team T0123ABCD --name NAME --zone Europe/Paris [--channel C…] [--admins U…,U…] [--holidays GB[-SCT]] | list | show [T…] | delete --team T… [--yes]';

/** What the CLI's own settings are recorded as: the operator, named `cli`. */
const CLI_OPERATOR = operatorPrincipal('cli');

function usage(out: Out, message: string): number {
  out(message);
  out(`Usage: npm run cli -- ${WORKSPACE_USAGE}`);
  return 2;
}

/** 'GB' or 'GB-SCT' (also 'GB/SCT', 'gb sct') as the settings' country and region. */
export function parseHolidays(value: string): { holidayCountry: string; holidayRegion: string | null } | undefined {
  const match = /^([A-Za-z]{2})(?:[-/ :]([A-Za-z0-9]{1,6}))?$/.exec(value.trim());
  if (!match?.[1]) return undefined;
  return { holidayCountry: match[1].toUpperCase(), holidayRegion: match[2]?.toUpperCase() ?? null };
}

export const workspaceCommand: StandaloneCommand = async (ctx, args, out, options) => {
  const parsed = parseOptions(args, {
    valued: ['team', 'name', 'zone', 'channel', 'admins', 'holidays'],
    bare: ['yes'],
  });
  if (typeof parsed === 'string') return usage(out, parsed);
  const [action = 'list', ...rest] = parsed.positional;
  if (action === 'list') {
    if (rest.length > 0) return usage(out, 'workspace list takes no arguments.');
    return list(ctx, out);
  }
  if (action === 'show') {
    if (rest.length > 1) return usage(out, 'Show which workspace? Give one team id.');
    return show(ctx, out, rest[0] ?? text(parsed.flags, 'team') ?? options.workspace);
  }
  if (action === 'delete') {
    if (rest.length > 0) return usage(out, `Unexpected ${rest.join(' ')}: give the team with --team T….`);
    return workspaceDelete(ctx, text(parsed.flags, 'team'), parsed.flags.get('yes') === true, out);
  }
  if (parsed.flags.has('yes')) return usage(out, '--yes is for workspace delete only.');
  if (action !== 'init') return usage(out, `Unknown workspace action "${action}": init, list, show or delete.`);
  if (rest.length > 0) return usage(out, `Unexpected ${rest.join(' ')}: give the name with --name "…".`);
  const team = text(parsed.flags, 'team') ?? options.workspace;
  const name = text(parsed.flags, 'name');
  const zone = text(parsed.flags, 'zone');
  if (!team || !name || !zone) {
    return usage(out, 'workspace init needs --team (the Slack team id, T…), --name and --zone (an IANA zone).');
  }
  const holidays = text(parsed.flags, 'holidays');
  const place = holidays === undefined ? undefined : parseHolidays(holidays);
  if (holidays !== undefined && !place) {
    return usage(out, `--holidays ${holidays} is not a country code like US or GB, or a region like GB-SCT.`);
  }
  const channel = text(parsed.flags, 'channel');
  const admins = text(parsed.flags, 'admins');
  try {
    const created = await initWorkspace(ctx, CLI_OPERATOR, {
      teamId: team.toUpperCase(),
      name,
      timeZone: RENAMED_ZONES[zone] ?? zone,
      ...(channel ? { financeChannel: channel.toUpperCase() } : {}),
      ...(admins ? { financeAdmins: admins.split(/[\s,]+/).filter(Boolean) } : {}),
      ...(place ?? {}),
    });
    out(`Set up workspace ${created.teamId} (${created.name}).`);
    for (const line of await describe(ctx, created)) out(line);
    return 0;
  } catch (error) {
    if (!isLedgerError(error)) throw error;
    if (error.code === 'WORKSPACE_EXISTS') {
      out(error.message);
      return 1;
    }
    out(`The workspace was not set up: ${error.message}`);
    const zoneIssue = error.issues.some((i) => i.field === 'timeZone');
    const near = zoneIssue ? searchZones(zone, ctx.clock.now(), 3) : [];
    if (near.length > 0) out(`Did you mean ${near.map((z) => z.id).join(', ')}?`);
    return zoneIssue || error.issues.length > 0 ? 2 : 1;
  }
};

async function list(ctx: LedgerContext, out: Out): Promise<number> {
  const all = await listWorkspaces(ctx);
  if (all.length === 0) {
    out('No workspace yet. Set one up:');
    out('  npm run cli -- workspace init --team T0123ABCD --name "Your team" --zone Europe/Paris');
    return 0;
  }
  for (const w of all) {
    const gaps = await setupGaps(ctx, w);
    const missing = missingWords(gaps);
    out(
      `${w.teamId}  ${w.name}  ${zoneText(w, gaps, ctx.clock.now())}${missing.length > 0 ? `  — not set: ${missing.join(', ')}` : ''}`,
    );
  }
  return 0;
}

async function show(ctx: LedgerContext, out: Out, requested: string | undefined): Promise<number> {
  const all = await listWorkspaces(ctx);
  const found = requested
    ? all.find((w) => w.teamId.toUpperCase() === requested.trim().toUpperCase())
    : all.length === 1
      ? all[0]
      : undefined;
  if (!found) {
    if (all.length === 0) out('No workspace yet: set one up with `npm run cli -- workspace init`.');
    else if (requested)
      out(`There is no workspace ${requested} in this database. See \`npm run cli -- workspace list\`.`);
    else out(`This database holds ${all.length} workspaces; say which: workspace show T…`);
    return 1;
  }
  out(`${found.teamId}  ${found.name}`);
  for (const line of await describe(ctx, found)) out(line);
  return 0;
}

function missingWords(gaps: SetupGaps): string[] {
  return [
    gaps.timeZone ? 'time zone' : null,
    gaps.financeChannel ? 'finance channel' : null,
    gaps.financeAdmins ? 'finance admins' : null,
  ].filter((w): w is string => w !== null);
}

function zoneText(w: WorkspaceRow, gaps: SetupGaps, now: Date): string {
  const zone = `${w.timeZone} (${formatOffset(offsetMinutes(w.timeZone, now))})`;
  return gaps.timeZone ? `${zone}, not chosen yet` : zone;
}

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Each setting on a line, and what is still not set. */
async function describe(ctx: LedgerContext, w: WorkspaceRow): Promise<string[]> {
  const gaps = await setupGaps(ctx, w);
  const days = [1, 2, 3, 4, 5, 6, 0].filter((d) => w.workingDays.includes(d)).map((d) => DAY_NAMES[d]);
  const admins = [...w.financeAdmins, ...(w.financeAdminGroup ? [`group ${w.financeAdminGroup}`] : [])];
  const holidays = w.holidayCountry
    ? `${await holidayPlaceLabel(w.holidayCountry, w.holidayRegion)} (${[w.holidayCountry, w.holidayRegion].filter(Boolean).join('-')})`
    : 'none';
  const lines = [
    `  Time zone:        ${zoneText(w, gaps, ctx.clock.now())}`,
    `  Finance channel:  ${w.financeChannel ?? 'not set'}`,
    `  Finance admins:   ${admins.length > 0 ? admins.join(', ') : 'none yet'}`,
    `  Alerts:           ${w.alertTime} on ${days.join(' ')}`,
    `  Public holidays:  ${holidays}`,
    `  Weekly digest:    ${DAY_NAMES[w.digestWeekday] ?? w.digestWeekday} ${w.digestTime}`,
  ];
  const missing = missingWords(gaps);
  if (missing.length > 0) {
    lines.push(`  Still to choose:  ${missing.join(', ')} — in Slack, /invoice settings (or the setup message).`);
  }
  return lines;
}
