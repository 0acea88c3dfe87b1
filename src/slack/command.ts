// Reads what a person typed after /invoice. Pure: no I/O.
import type { InvoiceState } from '../domain/status.js';

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
  | { kind: 'missing'; command: string; what: string; example: string }
  | { kind: 'unknown'; word: string; suggestion?: string };

export const SUBCOMMANDS = ['help', 'new', 'list', 'show', 'client', 'paid', 'chase', 'settings', 'digest'] as const;

const STATES: Record<string, InvoiceState> = {
  draft: 'draft',
  drafts: 'draft',
  sent: 'sent',
  due: 'due',
  overdue: 'overdue',
  late: 'overdue',
  paid: 'paid',
};

export function parseInvoiceCommand(text: string): InvoiceCommand {
  const trimmed = text.trim();
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
    case 'show':
      return rest[0] ? { kind: 'show', ref: rest[0] } : missing('show', 'an invoice number', '/invoice show INV-001');
    case 'client':
      return tail ? { kind: 'client', name: tail } : missing('client', 'a client name', '/invoice client Acme');
    case 'paid':
    case 'pay': {
      const [ref, ...more] = rest;
      if (!ref) return missing('paid', 'an invoice number', '/invoice paid INV-001 1,200.00 2026-11-20');
      // The date is the last word when it looks like one; the amount is what comes before it.
      const last = more.at(-1);
      const date = last && /^\d{4}-\d{2}-\d{2}$/.test(last) ? last : undefined;
      const amount = (date ? more.slice(0, -1) : more).join(' ').trim();
      return { kind: 'paid', ref, ...(amount ? { amount } : {}), ...(date ? { date } : {}) };
    }
    case 'chase':
    case 'chased': {
      const [ref] = rest;
      if (!ref) return missing('chase', 'an invoice number', '/invoice chase INV-001 called, paying Friday');
      const note = tail.slice(ref.length).trim();
      return { kind: 'chase', ref, ...(note ? { note } : {}) };
    }
    case 'settings':
    case 'setup':
      return { kind: 'settings' };
    case 'digest':
      return { kind: 'digest', post: rest[0]?.toLowerCase() === 'post' };
    default: {
      // "/invoice INV-001" shows the invoice: a bare invoice number is the most common thing to type.
      if (/\d/.test(first) && rest.length === 0) return { kind: 'show', ref: first };
      const suggestion = closest(word, SUBCOMMANDS);
      return { kind: 'unknown', word: first, ...(suggestion ? { suggestion } : {}) };
    }
  }
}

function missing(command: string, what: string, example: string): InvoiceCommand {
  return { kind: 'missing', command, what, example };
}

/** The closest candidate by edit distance, if it is close enough to be what was meant. */
export function closest(text: string, candidates: readonly string[]): string | undefined {
  const target = text.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(target, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const allowed = Math.max(1, Math.floor(target.length / 3));
  return best !== undefined && bestDistance <= allowed && bestDistance > 0 ? best : undefined;
}

/** Edit distance where swapping two neighbouring letters counts as one edit (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = Array.from({ length: rows * cols }, (_, k) => (k < cols ? k : k % cols === 0 ? k / cols : 0));
  const at = (i: number, j: number) => d[i * cols + j] ?? 0;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i * cols + j] = best;
    }
  }
  return at(a.length, b.length);
}
