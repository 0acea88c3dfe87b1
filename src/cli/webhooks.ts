// `webhooks`: the workspace's webhook endpoints and how their deliveries stand; `add URL` and `remove ID`.
import { isLedgerError } from '../services/errors.js';
import { operatorPrincipal } from '../services/policy.js';
import { addWebhookEndpoint, removeWebhookEndpoint } from '../services/webhooks.js';
import { listWebhookEndpoints } from '../webhooks/endpoints.js';
import type { Command } from './commands.js';
import { dateTime, plural } from './format.js';
import { table } from './table.js';

const USAGE = 'webhooks [add URL [--replay] | remove ID]';
/** The machine's operator, who may manage every workspace's webhooks (services/policy.ts). */
const CLI_OPERATOR = operatorPrincipal('cli');

export const webhooksCommand: Command = async (ctx, workspace, args, out, options = {}) => {
  const tz = workspace.timeZone;
  const [action, target, ...rest] = args.filter((a) => a !== '--replay');
  const replay = args.includes('--replay');
  if (rest.length > 0 || (replay && action !== 'add')) return usage(out, `Too many arguments: ${args.join(' ')}`);

  if (action === 'add') {
    if (!target) return usage(out, 'webhooks add needs the URL to send to.');
    try {
      const added = await addWebhookEndpoint(ctx, workspace.teamId, CLI_OPERATOR, { url: target, replay });
      out(`Added webhook ${added.id} → ${added.url}`);
      out(`Signing secret (shown only now; keep it with the receiver): ${added.secret}`);
      out(replay ? 'It will receive every event from the start.' : 'It will receive the events from now on.');
      return 0;
    } catch (error) {
      if (isLedgerError(error, 'VALIDATION')) return usage(out, error.message);
      throw error;
    }
  }
  if (action === 'remove') {
    if (!target) return usage(out, 'webhooks remove needs the endpoint id (see `webhooks`).');
    if (await removeWebhookEndpoint(ctx.db, workspace.teamId, CLI_OPERATOR, target)) {
      out(`Removed webhook ${target}; nothing more is sent to it.`);
      return 0;
    }
    out(`There is no webhook ${target} in ${workspace.name}. Run \`npm run cli -- webhooks\` for the list.`);
    return 1;
  }
  if (action !== undefined) return usage(out, `Unknown webhooks action "${action}".`);

  const endpoints = await listWebhookEndpoints(ctx.db, workspace.teamId);
  if (endpoints.length === 0) {
    out(`${workspace.name} has no webhooks. Add one with: npm run cli -- webhooks add https://example.com/hooks`);
    return 0;
  }
  const now = ctx.clock.now();
  const rows = endpoints.map((e) => [
    e.id,
    e.url,
    !e.active ? 'off' : e.consecutiveFailures > 0 ? `FAILING (${plural(e.consecutiveFailures, 'try', 'tries')})` : 'ok',
    String(e.pending),
    e.lastSuccessAt ? dateTime(e.lastSuccessAt, tz) : 'never',
    e.consecutiveFailures > 0 && e.nextAttemptAt > now ? dateTime(e.nextAttemptAt, tz) : '',
    e.consecutiveFailures > 0 ? (e.lastError ?? '') : '',
  ]);
  const columns = [
    { header: 'ID' },
    { header: 'URL' },
    { header: 'STATE' },
    { header: 'PENDING', align: 'right' as const },
    { header: 'LAST DELIVERED' },
    { header: 'NEXT TRY' },
    { header: 'LAST ERROR' },
  ];
  for (const line of table(columns, rows, { style: options.style, hideEmptyColumns: true })) out(line);
  return 0;
};

function usage(out: (line: string) => void, message: string): number {
  out(message);
  out(`Usage: npm run cli -- ${USAGE}`);
  return 2;
}
