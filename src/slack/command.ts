// Reads what a person typed after /invoice. Pure: no I/O.
import { isLocalDate, type LocalDate } from '../domain/dates.js';
import type { InvoiceState } from '../domain/status.js';
import { closest } from '../domain/suggest.js';
import { stripControls } from '../domain/text.js';

/** What /invoice export writes: the book (our import format) or the history of events. */
export type ExportKind = 'invoices' | 'history';

/** What /invoice webhooks asks for: the endpoints, a new one (sent every past event with `replay`), or one removed. */
export type WebhooksRequest =
  | { action: 'list' }
  | { action: 'add'; url: string; replay: boolean }
  | { action: 'remove'; id: string };

/** What /invoice connect asks for: the state of the books' connections, to connect, disconnect or sync one now. */
export type ConnectRequest =
  | { action: 'status' }
  | { action: 'connect' | 'disconnect' | 'sync' | 'resync' | 'payments'; provider: 'xero' | 'quickbooks' };

/** What /invoice recurring asks for: the retainers (`all` with the ended ones), the form for a new one, or a change. */
export type RecurringRequest =
  | { action: 'list'; all: boolean }
  | { action: 'new' }
  | { action: 'pause' | 'resume' | 'end' | 'edit'; id: string };
/** `/invoice rates`: show them; `rates currency USD`: name the reporting currency; `rates EUR 1.08 [date]`: set one. */
export type RatesRequest =
  | { action: 'show' }
  | { action: 'currency'; currency: string }
  | { action: 'set'; currency: string; rate: string; date?: string };

export type InvoiceCommand =
  | { kind: 'help' }
  | { kind: 'new' }
  | { kind: 'list'; state?: InvoiceState; client?: string }
  | { kind: 'show'; ref: string }
  | { kind: 'client'; name: string }
  | { kind: 'paid'; ref: string; amount?: string; date?: string }
  | { kind: 'chase'; ref: string; note?: string }
  | { kind: 'settings' }
  | { kind: 'digest'; post: boolean }
  | { kind: 'share'; client: string; action: 'share' | 'new' | 'revoke' }
  | { kind: 'import' }
  | { kind: 'export'; what: ExportKind; from?: LocalDate; to?: LocalDate }
  | ({ kind: 'webhooks' } & WebhooksRequest)
  | ({ kind: 'connect' } & ConnectRequest)
  | ({ kind: 'recurring' } & RecurringRequest)
  | ({ kind: 'rates' } & RatesRequest)
  | { kind: 'missing'; command: string; what: string; example: string }
  | { kind: 'invalid'; command: string; message: string; example: string }
  | { kind: 'unknown'; word: string; suggestion?: string };

export const SUBCOMMANDS = [
  'help',
  'new',
  'list',
  'show',
  'client',
  'paid',
  'chase',
  'settings',
  'digest',
  'share',
  'import',
  'export',
  'webhooks',
  'connect',
  'recurring',
  'rates',
] as const;

const STATES: Record<string, InvoiceState> = {
  draft: 'draft',
  drafts: 'draft',
  sent: 'sent',
  due: 'due',
  overdue: 'overdue',
  late: 'overdue',
  paid: 'paid',
  credited: 'credited',
};

/** Slack sends a command's text with `&`, `<` and `>` escaped as in messages; people typed the characters. */
function unescapeCommandText(text: string): string {
  return text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
}

export function parseInvoiceCommand(raw: string): InvoiceCommand {
  // Control characters (a NUL cannot even be stored) and bidi overrides are dropped here, before any lookup.
  const trimmed = stripControls(unescapeCommandText(raw)).trim();
  if (trimmed === '') return { kind: 'help' };
  const [first = '', ...rest] = trimmed.split(/\s+/);
  const word = first.toLowerCase();
  const tail = trimmed.slice(first.length).trim();
  switch (word) {
    case 'help':
    case '?':
      return { kind: 'help' };
    case 'new':
    case 'add':
    case 'create':
      return { kind: 'new' };
    case 'list':
    case 'ls': {
      const [maybeState, ...clientWords] = rest;
      const state = maybeState ? STATES[maybeState.toLowerCase()] : undefined;
      const client = (state ? clientWords : rest).join(' ').trim();
      return { kind: 'list', ...(state ? { state } : {}), ...(client ? { client } : {}) };
    }
    case 'show': {
      // Nothing follows the number, so all of it is the number: "/invoice show INV 7" shows INV 7.
      const ref = leadingRef(tail)?.quoted ? leadingRef(tail)?.ref : tail.replace(/\s+/g, ' ');
      return ref ? { kind: 'show', ref } : missing('show', 'an invoice number', '/invoice show INV-001');
    }
    case 'client':
      return tail ? { kind: 'client', name: tail } : missing('client', 'a client name', '/invoice client Acme');
    case 'paid':
    case 'pay': {
      const lead = leadingRef(tail);
      if (!lead) return missing('paid', 'an invoice number', '/invoice paid INV-001 1,200.00 2026-11-20');
      const { ref } = lead;
      const more = lead.after.split(/\s+/).filter(Boolean);
      // The date is the last word when it looks like one; the amount is what comes before it.
      const last = more.at(-1);
      const date = last && /^\d{4}-\d{2}-\d{2}$/.test(last) ? last : undefined;
      const amount = (date ? more.slice(0, -1) : more).join(' ').trim();
      return { kind: 'paid', ref, ...(amount ? { amount } : {}), ...(date ? { date } : {}) };
    }
    case 'chase':
    case 'chased': {
      const lead = leadingRef(tail);
      if (!lead) return missing('chase', 'an invoice number', '/invoice chase INV-001 called, paying Friday');
      const { ref } = lead;
      const note = lead.after;
      return { kind: 'chase', ref, ...(note ? { note } : {}) };
    }
    case 'settings':
    case 'setup':
      return { kind: 'settings' };
    case 'digest':
      return { kind: 'digest', post: rest[0]?.toLowerCase() === 'post' };
    case 'share': {
      // "/invoice share Northwind Traders revoke": the action is the last word when it is one.
      const last = rest.at(-1)?.toLowerCase();
      const action =
        last === 'revoke' || last === 'end' ? 'revoke' : last === 'new' || last === 'rotate' ? 'new' : null;
      const client = (action ? rest.slice(0, -1) : rest).join(' ').trim();
      if (!client) return missing('share', 'a client name', '/invoice share Acme');
      return { kind: 'share', client, action: action ?? 'share' };
    }
    case 'import':
      return { kind: 'import' };
    case 'export':
      return parseExport(rest);
    case 'webhook':
    case 'webhooks':
      return parseWebhooks(tail);
    case 'connect':
      return parseConnect(rest);
    case 'recurring':
    case 'retainer':
    case 'retainers':
      return parseRecurring(rest);
    case 'rate':
    case 'rates':
      return parseRates(rest);
    default: {
      // "/invoice INV-001" shows the invoice: a bare invoice number is the most common thing to type.
      if (/\d/.test(first) && rest.length === 0) return { kind: 'show', ref: first };
      const quoted = leadingRef(trimmed);
      if (quoted?.quoted && quoted.after === '') return { kind: 'show', ref: quoted.ref };
      const suggestion = closest(word, SUBCOMMANDS);
      return { kind: 'unknown', word: first, ...(suggestion ? { suggestion } : {}) };
    }
  }
}

/** `recurring [list [all] | new | edit ID | pause ID | resume ID | end ID]`. */
function parseRecurring(words: readonly string[]): InvoiceCommand {
  const [action = 'list', id] = words.map((w) => w.toLowerCase());
  switch (action) {
    case 'list':
    case 'ls':
    case 'all':
      return { kind: 'recurring', action: 'list', all: action === 'all' || id === 'all' };
    case 'new':
    case 'add':
    case 'create':
      return { kind: 'recurring', action: 'new' };
    case 'edit':
    case 'pause':
    case 'resume':
    case 'end':
      return id
        ? { kind: 'recurring', action, id }
        : missing(`recurring ${action}`, 'the retainer’s id', `/invoice recurring ${action} 6f1c2a3b`);
    default:
      return {
        kind: 'invalid',
        command: 'recurring',
        message: `\`/invoice recurring\` lists the retainers; it also takes new, edit, pause, resume or end, not "${words[0] ?? ''}".`,
        example: '/invoice recurring pause 6f1c2a3b',
      };
  }
}

/**
 * The invoice number that starts `text`, and what follows it: one word, or a number with spaces in double quotes
 * (straight or curly, as a phone or a Mac may type them): `"INV 7" 1,200.00` → INV 7, then `1,200.00`.
 */
function leadingRef(text: string): { ref: string; after: string; quoted: boolean } | undefined {
  const quoted = /^["\u201C\u201D]([^"\u201C\u201D]*[^\s"\u201C\u201D][^"\u201C\u201D]*)["\u201C\u201D](?=\s|$)/.exec(
    text,
  );
  // Kept numbers have one space where any run was typed (services/schemas.ts), so the same here.
  if (quoted)
    return {
      ref: (quoted[1] as string).trim().replace(/\s+/g, ' '),
      after: text.slice(quoted[0].length).trim(),
      quoted: true,
    };
  const word = /^\S+/.exec(text)?.[0];
  return word ? { ref: word, after: text.slice(word.length).trim(), quoted: false } : undefined;
}

function parseRates(words: readonly string[]): InvoiceCommand {
  const [first, second, third, ...more] = words;
  if (!first) return { kind: 'rates', action: 'show' };
  if (first.toLowerCase() === 'currency' && second && !third)
    return { kind: 'rates', action: 'currency', currency: second };
  if (second && more.length === 0 && first.toLowerCase() !== 'currency') {
    return { kind: 'rates', action: 'set', currency: first, rate: second, ...(third ? { date: third } : {}) };
  }
  return {
    kind: 'invalid',
    command: 'rates',
    message:
      '`/invoice rates` takes `currency CODE` to name the reporting currency, or `CODE RATE [YYYY-MM-DD]` to set a rate.',
    example: '/invoice rates EUR 1.0842',
  };
}

function missing(command: string, what: string, example: string): InvoiceCommand {
  return { kind: 'missing', command, what, example };
}

const EXPORT_EXAMPLE = '/invoice export history from 2026-11-01 to 2026-11-30';

/** `export [invoices|history] [from YYYY-MM-DD] [to YYYY-MM-DD]`; a wrong word or date is named. */
function parseExport(words: readonly string[]): InvoiceCommand {
  const invalid = (message: string): InvoiceCommand => ({
    kind: 'invalid',
    command: 'export',
    message,
    example: EXPORT_EXAMPLE,
  });
  const first = words[0]?.toLowerCase();
  const what: ExportKind = first === 'history' ? 'history' : 'invoices';
  let i = first === 'history' || first === 'invoices' || first === 'invoice' ? 1 : 0;
  const dates: { from?: LocalDate; to?: LocalDate } = {};
  while (i < words.length) {
    const word = words[i] ?? '';
    const bound = word.toLowerCase().replace(/^--/, '');
    if (bound !== 'from' && bound !== 'to') {
      const expected = i === 0 ? ['invoices', 'history', 'from', 'to'] : ['from', 'to'];
      const suggestion = closest(word, expected);
      return invalid(
        `\`${word}\` is not something export understands${suggestion ? ` (did you mean \`${suggestion}\`?)` : ''}: ` +
          'say `invoices` or `history`, then `from` and `to` with dates like 2026-11-01.',
      );
    }
    const value = words[i + 1];
    if (value === undefined) return invalid(`\`${bound}\` needs a date after it, like 2026-11-01.`);
    if (!isLocalDate(value)) return invalid(`The \`${bound}\` date \`${value}\` is not a date like 2026-11-01.`);
    if (dates[bound] !== undefined) return invalid(`\`${bound}\` is given twice.`);
    dates[bound] = value;
    i += 2;
  }
  if (dates.from && dates.to && dates.from > dates.to) {
    return invalid(`The \`from\` date ${dates.from} is after the \`to\` date ${dates.to}.`);
  }
  return { kind: 'export', what, ...dates };
}

const WEBHOOKS_EXAMPLE = '/invoice webhooks add https://erp.example.com/hooks';

/** `webhooks`, `webhooks add <url> [replay]`, `webhooks remove <id>`. */
function parseWebhooks(text: string): InvoiceCommand {
  const invalid = (message: string): InvoiceCommand => ({
    kind: 'invalid',
    command: 'webhooks',
    message,
    example: WEBHOOKS_EXAMPLE,
  });
  const [first = '', ...rest] = text === '' ? [] : text.split(/\s+/);
  const action = first.toLowerCase();
  const after = text.slice(first.length).trim();
  if (action === '' || action === 'list' || action === 'ls') {
    return rest.length === 0
      ? { kind: 'webhooks', action: 'list' }
      : invalid(`\`/invoice webhooks\` alone lists the endpoints; \`${after}\` is not something it takes.`);
  }
  if (action === 'add' || action === 'new') {
    // Slack sends a link it recognised as <https://…> or <https://…|label>: the address is inside, before the bar.
    const link = /^<([^|>\s]*)(?:\|[^>]*)?>/.exec(after);
    const url = link ? (link[1] ?? '') : (after.split(/\s+/)[0] ?? '');
    const more = after.slice(link ? link[0].length : url.length).trim();
    if (url === '') return missing('webhooks add', 'the address to send the events to', WEBHOOKS_EXAMPLE);
    const flags = more === '' ? [] : more.split(/\s+/);
    const [flag] = flags;
    if (flags.length > 1 || (flag !== undefined && !['replay', '--replay'].includes(flag.toLowerCase()))) {
      return invalid(
        `After the address \`webhooks add\` takes only \`replay\` (send every event from the start), not \`${more}\`.`,
      );
    }
    return { kind: 'webhooks', action: 'add', url, replay: flag !== undefined };
  }
  if (action === 'remove' || action === 'rm' || action === 'delete') {
    const [id, ...extra] = rest;
    if (!id)
      return missing(
        'webhooks remove',
        'the endpoint’s id (or its first 8 characters)',
        '/invoice webhooks remove 6f1c2a3b',
      );
    if (extra.length > 0) return invalid(`\`webhooks remove\` takes one endpoint id, not \`${rest.join(' ')}\`.`);
    return { kind: 'webhooks', action: 'remove', id };
  }
  const suggestion = closest(first, ['add', 'remove', 'list']);
  return invalid(
    `\`${first}\` is not something webhooks understands${suggestion ? ` (did you mean \`${suggestion}\`?)` : ''}: ` +
      'say nothing for the list, `add` and an address, or `remove` and an endpoint’s id.',
  );
}

const CONNECT_EXAMPLE = '/invoice connect xero';
/** The ledgers by the words people use for them. */
const LEDGER_WORDS: Readonly<Record<string, 'xero' | 'quickbooks'>> = {
  xero: 'xero',
  quickbooks: 'quickbooks',
  qbo: 'quickbooks',
};

/** `connect`, `connect xero|quickbooks`, and after the ledger `disconnect`, `sync` or `resync`. */
function parseConnect(words: readonly string[]): InvoiceCommand {
  const invalid = (message: string): InvoiceCommand => ({
    kind: 'invalid',
    command: 'connect',
    message,
    example: CONNECT_EXAMPLE,
  });
  const [first, second, ...extra] = words.map((w) => w.toLowerCase());
  if (first === undefined) return { kind: 'connect', action: 'status' };
  const provider = LEDGER_WORDS[first];
  if (!provider) {
    const suggestion = closest(first, ['xero', 'quickbooks']);
    return invalid(
      `\`${words[0]}\` is not a ledger this app connects to${suggestion ? ` (did you mean \`${suggestion}\`?)` : ''}.`,
    );
  }
  if (extra.length > 0)
    return invalid(`\`connect ${provider}\` takes at most one more word, not \`${words.slice(1).join(' ')}\`.`);
  if (second === undefined) return { kind: 'connect', action: 'connect', provider };
  if (second === 'disconnect' || second === 'revoke' || second === 'remove') {
    return { kind: 'connect', action: 'disconnect', provider };
  }
  if (second === 'sync' || second === 'now') return { kind: 'connect', action: 'sync', provider };
  if (second === 'resync') return { kind: 'connect', action: 'resync', provider };
  if (second === 'payments' || second === 'payment') return { kind: 'connect', action: 'payments', provider };
  return invalid(
    `After \`connect ${provider}\` say nothing, \`sync\`, \`resync\`, \`payments\` or \`disconnect\`, not \`${words[1]}\`.`,
  );
}
