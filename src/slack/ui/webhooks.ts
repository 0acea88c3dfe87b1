import type { AddedWebhookEndpoint } from '../../services/webhooks.js';
import type { WebhookEndpointState } from '../../webhooks/endpoints.js';
import { webhookDisplayUrl } from '../../webhooks/endpoints.js';
import { context, linesMessage, section } from './blocks.js';
import {
  asOf,
  esc,
  inline,
  joinMd,
  literal,
  localDateTime,
  type Mrkdwn,
  md,
  packLines,
  plural,
  type SlackMessage,
  slackDate,
} from './text.js';

/**
 * Sections of endpoint lines, each at most 3,000 characters: with the heading and the closing line a list stays
 * under about 10,000 characters of block text (Slack refuses a message from about 13,000).
 */
const LIST_SECTIONS = 3;

const ADD_EXAMPLE = literal('`/invoice webhooks add https://erp.example.com/hooks`');

/** Where an endpoint sends, as anyone may see it: host and path, never credentials or the query. */
function endpointName(url: string): Mrkdwn {
  return md`*${inline(webhookDisplayUrl(url), 120)}*`;
}

/** An endpoint id as typed (or as stored), shown as code. */
function idCode(id: string): Mrkdwn {
  return md`\`${inline(id.replaceAll('`', "'"), 40)}\``;
}

function isFailing(e: WebhookEndpointState): boolean {
  return e.active && e.consecutiveFailures > 0;
}

/** The CLI's `webhooks` table as lines: state, events pending, last delivery, next try and last error. */
export function webhookListMessage(p: {
  endpoints: readonly WebhookEndpointState[];
  now: Date;
  timeZone: string;
}): SlackMessage {
  if (p.endpoints.length === 0) {
    const text = literal('There are no ledger webhooks yet.');
    return linesMessage([
      md`${text} ${ADD_EXAMPLE} adds one: every event in the ledger then goes to it as a signed POST.`,
    ]);
  }
  const at = (date: Date) => slackDate(date, localDateTime(date, p.timeZone), '{date_short_pretty} at {time}');
  const failing = p.endpoints.filter(isFailing).length;
  const summary = md`${plural(p.endpoints.length, 'endpoint')}${failing > 0 ? md`, ${failing} FAILING` : literal(', all ok')}`;
  const lines = p.endpoints.map((e) => {
    const state = !e.active
      ? literal('⏸ off')
      : isFailing(e)
        ? md`⚠️ *FAILING* (${plural(e.consecutiveFailures, 'failed try', 'failed tries')})`
        : literal('✅ ok');
    const pending = e.pendingCapped ? md`${e.pending}+ events` : plural(e.pending, 'event');
    const facts = [
      state,
      md`${pending} pending`,
      e.lastSuccessAt ? md`last delivery ${at(e.lastSuccessAt)}` : literal('no delivery yet'),
      isFailing(e)
        ? e.nextAttemptAt > p.now
          ? md`next try ${at(e.nextAttemptAt)}`
          : literal('next try any moment')
        : null,
      isFailing(e) && e.lastError?.trim() ? md`last error '${inline(e.lastError, 200)}'` : null,
      md`id ${idCode(e.id)}`,
    ].filter((fact): fact is Mrkdwn => fact !== null);
    return md`• ${endpointName(e.url)} — ${joinMd(facts, ' · ')}`;
  });
  const texts = packLines(lines, {
    maxTexts: LIST_SECTIONS,
    more: (hidden) => md`_…and ${plural(hidden, 'more endpoint')}_`,
  });
  return {
    text: md`Ledger webhooks: ${summary}.`,
    blocks: [
      section(md`*Ledger webhooks* — ${summary}`),
      ...texts.map(section),
      context(
        md`\`/invoice webhooks remove ID\` stops one (the first 8 characters of its id are enough) · ${ADD_EXAMPLE} adds one · ${asOf(p.now, p.timeZone)}`,
      ),
    ],
  };
}

/** The new endpoint and its signing secret, for the person who added it: the only time the secret is shown. */
export function webhookAddedMessage(p: { added: AddedWebhookEndpoint; replay: boolean }): SlackMessage {
  const from = p.replay ? literal('every event from the start, oldest first') : literal('every event from now on');
  return linesMessage([
    md`🔗 Added the ledger webhook ${endpointName(p.added.url)} (id ${idCode(p.added.id)}): it will receive ${from}.`,
    md`*Signing secret* — only you can see this, and it is shown only now; keep it with the receiver:\n\`${esc(p.added.secret)}\``,
    literal(
      'Each request is signed: `X-Receivables-Signature` is `v1=` and the hex HMAC-SHA256 of `v1:{X-Receivables-Timestamp}:{raw body}` with this secret. Check it on the raw bytes before parsing, and refuse a timestamp more than 5 minutes from your clock. Delivery is at least once: deduplicate on the event id. The README’s *Ledger webhooks* section has the payload, the headers and `verifyWebhookSignature` (in `src/webhooks/payload.ts`), which does the check.',
    ),
  ]);
}

/** The address was refused (not a URL, not http(s), too long, or inside the network): why, and that nothing was added. */
export function webhookUrlRefusedMessage(reason: string): SlackMessage {
  return linesMessage([
    md`⚠️ That address cannot be a ledger webhook: ${inline(reason, 600)}. Nothing was added. For example ${ADD_EXAMPLE}.`,
  ]);
}

export function webhookRemovedMessage(p: { id: string; url: string }): SlackMessage {
  return linesMessage([
    md`🗑️ Removed the ledger webhook ${endpointName(p.url)} (id ${idCode(p.id)}): nothing more is sent to it.`,
  ]);
}

/** Nothing matches what was typed as an endpoint id, or it is too short or not an id at all. */
export function webhookNotFoundMessage(ref: string, reason: 'none' | 'malformed'): SlackMessage {
  const why =
    reason === 'malformed'
      ? md`${idCode(ref)} is not an endpoint id: give the id, or at least its first 8 characters.`
      : md`There is no ledger webhook with the id ${idCode(ref)}.`;
  return linesMessage([md`${why} \`/invoice webhooks\` lists them with their ids. Nothing was removed.`]);
}

/** More than one endpoint's id starts with what was typed. */
export function webhookAmbiguousMessage(ref: string, matches: readonly { id: string; url: string }[]): SlackMessage {
  const which = joinMd(
    matches.slice(0, 10).map((m) => md`${endpointName(m.url)} (${idCode(m.id)})`),
    ', ',
  );
  return linesMessage([
    md`${idCode(ref)} starts the id of ${plural(matches.length, 'ledger webhook')}: ${which}. Give more of the id. Nothing was removed.`,
  ]);
}
