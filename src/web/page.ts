// The client's status page, as HTML: pure (data in, a string out), no JavaScript, its own CSS.
// It shows exactly what Slack shows of each invoice — state, due date and its basis, total, payments,
// amount due — through the same phrases, and the client's three ways to answer.
import { createHash } from 'node:crypto';
import {
  type ClientPageData,
  MAX_INVOICES,
  type PageCredit,
  type PageEvent,
  type PagePayment,
} from '../db/queries/client-page.js';
import type { InvoiceView } from '../db/queries/invoices.js';
import { addDays } from '../domain/dates.js';
import { stripBidiControls } from '../domain/text.js';
import { MAX_SCHEDULE_DAYS } from '../services/sharing.js';
import { statusText } from '../slack/ui/phrases.js';
import { localDateTime, money, plural, STATE_MARK } from '../slack/ui/text.js';

/**
 * Escapes text for HTML content and quoted attribute values, and drops bidirectional controls (a right-to-left
 * override in a name or a note, stored before they were refused, cannot turn the page's words around).
 */
export function html(text: string): string {
  const s = BIDI.test(text) ? stripBidiControls(text) : text;
  if (!/[&<>"']/.test(s)) return s;
  return s
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const BIDI = /\p{Bidi_Control}/u;

export const PAGE_CSS = `
:root{color-scheme:light;--ink:#1d1d1f;--muted:#5f6368;--line:#e3e3e8;--bg:#f6f6f8;--card:#fff;--accent:#1f5fbf;
--overdue:#b3261e;--due:#8a5a00;--sent:#1f5fbf;--paid:#1e7b34;--credited:#5b4a8a}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:46rem;margin:0 auto;padding:1rem}
header{margin:.5rem 0 1rem}
h1{font-size:1.6rem;margin:.1rem 0}
h2{font-size:1.15rem;margin:0;display:flex;flex-wrap:wrap;gap:.5rem;align-items:baseline}
h3{font-size:.95rem;margin:1rem 0 .25rem;color:var(--muted)}
.from,.summary,.asof,footer{color:var(--muted);margin:0}
.notice{background:#e8f3ea;border:1px solid #b7dcc0;padding:.75rem 1rem;border-radius:.5rem;margin:0 0 1rem}
.problem{background:#fdecea;border:1px solid #f3b8b2;padding:.75rem 1rem;border-radius:.5rem;margin:0 0 1rem}
.invoice{background:var(--card);border:1px solid var(--line);border-radius:.75rem;padding:1rem;margin:0 0 1rem}
.badge{font-size:.85rem;font-weight:600;padding:.1rem .5rem;border-radius:1rem;background:#eef2fa;color:var(--sent)}
.state-overdue .badge{background:#fdecea;color:var(--overdue)}
.state-due .badge{background:#fff4dc;color:var(--due)}
.state-paid .badge{background:#e8f3ea;color:var(--paid)}
.state-credited .badge{background:#efeaf7;color:var(--credited)}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:.75rem 0 0}
dt{color:var(--muted)}dd{margin:0}
.amount{font-size:1.25rem;font-weight:700}
.flag{color:var(--overdue);font-weight:600}
ul,ol{margin:0;padding-left:1.2rem}
details{border-top:1px solid var(--line);padding:.5rem 0}
summary{cursor:pointer;color:var(--accent);font-weight:600}
form{display:grid;gap:.5rem;margin:.5rem 0 0}
label{display:grid;gap:.2rem;font-size:.95rem}
fieldset{border:0;padding:0;margin:0;display:flex;gap:1rem}
input[type=text],input[type=date],textarea{font:inherit;padding:.5rem;border:1px solid #c7c7cc;border-radius:.4rem;width:100%}
textarea{min-height:5rem}
button{font:inherit;font-weight:600;padding:.6rem 1rem;border:0;border-radius:.4rem;background:var(--accent);color:#fff;cursor:pointer;justify-self:start}
.error{color:var(--overdue);font-size:.9rem}
footer{font-size:.85rem;margin:2rem 0 1rem}
@media (max-width:30rem){dl{grid-template-columns:1fr}dt{margin-top:.4rem}}
`;

/** For the Content-Security-Policy: the page's one style block, by hash (no inline script exists). */
export const PAGE_CSS_HASH = `sha256-${createHash('sha256').update(PAGE_CSS).digest('base64')}`;

export type AnswerKindField = 'approved' | 'scheduled' | 'question' | 'dispute';

/** A form that came back with problems: which invoice and answer, the values typed, and each field's message. */
export interface FormProblem {
  invoiceId: string;
  kind: AnswerKindField;
  values: Record<string, string>;
  fieldErrors: Record<string, string>;
  message?: string;
}

export interface PageOptions {
  workspaceName: string;
  clientName: string;
  timeZone: string;
  now: Date;
  /** The form token every form carries (see services/sharing formToken). */
  formToken: string;
  /** A fresh value per form: a double submit records once. */
  nonce: () => string;
  /** "Thank you" after an answer was recorded. */
  notice?: string;
  problem?: FormProblem;
}

export function renderClientPage(data: ClientPageData, opts: PageOptions): string {
  const dueByCurrency = new Map<string, bigint>();
  for (const inv of data.open) {
    dueByCurrency.set(inv.currency, (dueByCurrency.get(inv.currency) ?? 0n) + inv.status.amountDueMinor);
  }
  const owed = [...dueByCurrency].map(([currency, minor]) => money(minor, currency)).join(' + ');
  const summary =
    data.open.length === 0
      ? 'Nothing is open: thank you.'
      : `${plural(data.open.length, 'open invoice')} · ${html(owed)} to pay`;
  const problemBanner =
    opts.problem?.message && Object.keys(opts.problem.fieldErrors).length === 0
      ? `<p class="problem" role="alert">${html(opts.problem.message)}</p>`
      : '';
  const body = [
    `<header><p class="from">Invoices from ${html(opts.workspaceName)}</p><h1>${html(opts.clientName)}</h1>`,
    `<p class="summary">${summary}</p>`,
    `<p class="asof">As of ${html(localDateTime(opts.now, opts.timeZone))} (${html(opts.timeZone)})</p></header>`,
    opts.notice ? `<p class="notice" role="status">${html(opts.notice)}</p>` : '',
    data.more
      ? `<p class="asof">This page shows the ${MAX_INVOICES} invoices due first; ask ${html(opts.workspaceName)} for a statement of the rest.</p>`
      : '',
    problemBanner,
    accountCreditSection(data),
    data.open.length > 0
      ? `<section aria-label="Open invoices">${data.open.map((inv) => invoiceArticle(inv, data, opts, true)).join('')}</section>`
      : '',
    data.cancelled.length > 0
      ? `<section aria-label="Cancelled"><h2>Cancelled</h2>${data.cancelled.map((inv) => cancelledArticle(inv, opts)).join('')}</section>`
      : '',
    data.paid.length > 0
      ? `<section aria-label="${closedTitle(data)}"><h2>${closedTitle(data)}</h2>${data.paid
          .map((inv) => invoiceArticle(inv, data, opts, false))
          .join('')}</section>`
      : '',
    `<footer>This page is private to ${html(opts.clientName)}: anyone with its address can see it and answer on it, so please do not forward it. Answers here go straight to ${html(opts.workspaceName)}'s finance team.</footer>`,
  ];
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width,initial-scale=1">',
    '<meta name="robots" content="noindex,nofollow">',
    `<title>${html(opts.clientName)} · invoices from ${html(opts.workspaceName)}</title>`,
    `<style>${PAGE_CSS}</style></head>`,
    `<body><main>${body.join('')}</main></body></html>`,
  ].join('\n');
}

/** The same plain page for a missing, bad, revoked or replaced link: nothing about anyone. */
export function notFoundPage(): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">',
    '<meta name="robots" content="noindex,nofollow"><title>Not found</title>',
    `<style>${PAGE_CSS}</style></head>`,
    '<body><main><h1>Not found</h1><p>This link does not work. If someone sent it to you, ask them for a new one.</p></main></body></html>',
  ].join('\n');
}

/** A short page with a title, a sentence and, when given, a link (back to the client's page, say). */
export function messagePage(title: string, text: string, link?: { href: string; text: string }): string {
  const back = link ? `<p><a href="${html(link.href)}">${html(link.text)}</a></p>` : '';
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">',
    `<meta name="robots" content="noindex,nofollow"><title>${html(title)}</title>`,
    `<style>${PAGE_CSS}</style></head>`,
    `<body><main><h1>${html(title)}</h1><p>${html(text)}</p>${back}</main></body></html>`,
  ].join('\n');
}

function invoiceArticle(inv: InvoiceView, data: ClientPageData, opts: PageOptions, open: boolean): string {
  const { status } = inv;
  const rows: [string, string][] = [];
  if (open) {
    rows.push(['Amount due', `<span class="amount">${html(money(status.amountDueMinor, inv.currency))}</span>`]);
    rows.push(['Total', html(money(inv.totalMinor, inv.currency))]);
    if (inv.creditedMinor > 0n) rows.push(['Credited', html(money(inv.creditedMinor, inv.currency))]);
  } else if (status.state === 'credited') {
    rows.push(['Total', `<span class="amount">${html(money(inv.totalMinor, inv.currency))}</span> credited in full`]);
  } else {
    const credited = inv.creditedMinor > 0n ? ` (${html(money(inv.creditedMinor, inv.currency))} of it credited)` : '';
    rows.push([
      'Total',
      `<span class="amount">${html(money(inv.totalMinor, inv.currency))}</span> paid in full${credited}`,
    ]);
  }
  rows.push(['Due', `${html(inv.dueDate)} · ${html(inv.dueBasis)}`]);
  rows.push(['Invoice date', html(inv.issueDate)]);
  if (open && status.hold?.kind === 'dispute') {
    // The client's own reason; a dispute the team recorded shows as a dispute, without the team's words.
    const reason = data.clientDisputes.get(inv.id);
    rows.push(['In dispute', `<span class="flag">${reason ? html(reason) : 'yes'}</span>`]);
  }
  // A scheduled date only when the client gave it on this page or the team shared it, never an internal note's.
  if (open && status.promisedDate && data.sharedPromises.get(inv.id) === status.promisedDate) {
    rows.push([
      'Payment scheduled',
      `${html(status.promisedDate)}${status.promiseBroken ? ' <span class="flag">(date passed)</span>' : ''}`,
    ]);
  }
  const payments = data.payments.get(inv.id) ?? [];
  const credits = data.credits.get(inv.id) ?? [];
  const events = data.events.get(inv.id) ?? [];
  return [
    `<article class="invoice state-${status.lifecycle}" id="inv-${html(inv.id)}">`,
    `<h2>${html(inv.number)} <span class="badge">${html(badgeText(inv))}</span></h2>`,
    `<dl>${rows.map(([k, v]) => `<dt>${html(k)}</dt><dd>${v}</dd>`).join('')}</dl>`,
    inv.description?.trim() ? `<p>${html(inv.description.trim())}</p>` : '',
    payments.length > 0
      ? `<h3>Payments received</h3><ul>${payments.map((p) => `<li>${paymentLine(p, inv.currency)}</li>`).join('')}</ul>`
      : '',
    credits.length > 0
      ? `<h3>Credit notes</h3><ul>${credits.map((c) => `<li>${creditLine(c, inv.currency)}</li>`).join('')}</ul>`
      : '',
    events.length > 0
      ? `<h3>History</h3>${earlierNote(data.earlierEvents.get(inv.id) ?? 0)}<ol>${events.map((e) => `<li>${html(localDateTime(e.at, opts.timeZone))} · ${html(pageEventText(e, opts.workspaceName))}</li>`).join('')}</ol>`
      : '',
    open ? answerForms(inv, data.today, opts) : '',
    '</article>',
  ].join('');
}

/** The card's status words without its emoji mark (the badge's colour says it; not every device has the font). */
export function badgeText(inv: InvoiceView): string {
  const text = statusText(inv);
  const mark = `${STATE_MARK[inv.status.lifecycle]} `;
  return text.startsWith(mark) ? text.slice(mark.length) : text;
}

/** A cancelled invoice: what it was and when it was cancelled (the reason is the team's own note, not shown). */
function cancelledArticle(inv: InvoiceView, opts: PageOptions): string {
  const on = inv.voidedAt ? localDateTime(inv.voidedAt, opts.timeZone).slice(0, 10) : '';
  return [
    `<article class="invoice state-void" id="inv-${html(inv.id)}">`,
    `<h2>${html(inv.number)} <span class="badge">Cancelled</span></h2>`,
    `<dl><dt>Total</dt><dd><s>${html(money(inv.totalMinor, inv.currency))}</s> nothing to pay</dd>`,
    `<dt>Invoice date</dt><dd>${html(inv.issueDate)}</dd>`,
    on ? `<dt>Cancelled on</dt><dd>${html(on)}</dd>` : '',
    '</dl></article>',
  ].join('');
}

function earlierNote(earlier: number): string {
  return earlier > 0
    ? `<p class="asof">${html(plural(earlier, 'earlier event'))} not shown; the latest are below.</p>`
    : '';
}

function paymentLine(p: PagePayment, currency: string): string {
  const ref = p.reference ? ` · ref ${html(p.reference)}` : '';
  return `${html(money(p.amountMinor, currency))} received ${html(p.receivedOn)}${ref}`;
}

/** "Credit note CN-0001 · €250.00 · 2026-11-20". */
function creditLine(c: PageCredit, currency: string): string {
  return `Credit note ${html(c.number)} · ${html(money(c.amountMinor, currency))} · ${html(c.issuedOn)}`;
}

/** Credit on the client's account, when there is or was some: the balance, and what was refunded of it. */
function accountCreditSection(data: ClientPageData): string {
  if (!data.accountCredit) return '';
  const { balances, refunds } = data.accountCredit;
  const held = [...balances].filter(([, minor]) => minor > 0n);
  if (held.length === 0 && refunds.length === 0) return '';
  const balance =
    held.length > 0 ? held.map(([currency, minor]) => html(money(minor, currency))).join(' + ') : 'none left';
  const lines = refunds.map(
    (r) => `<li>${html(money(r.amountMinor, r.currency))} refunded to you on ${html(r.refundedOn)}</li>`,
  );
  const how = held.length > 0 ? ': taken off a later invoice, or refunded to you' : '';
  return `<section aria-label="Credit on your account"><h2>Credit on your account</h2><p>${balance}${how}</p>${
    lines.length > 0 ? `<ul>${lines.join('')}</ul>` : ''
  }</section>`;
}

/** "Paid recently", or "Paid or credited recently" when a credited invoice is among them. */
function closedTitle(data: ClientPageData): string {
  return data.paid.some((inv) => inv.status.state === 'credited') ? 'Paid or credited recently' : 'Paid recently';
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/** An event as the client reads it: what happened, in their terms. */
export function pageEventText(e: PageEvent, workspaceName: string): string {
  const d = e.details;
  const by = text(d.name) ? ` (${text(d.name)})` : '';
  switch (e.kind) {
    case 'sent':
      return 'Invoice sent';
    case 'paid':
    case 'part_paid':
      return e.kind === 'paid' ? 'Payment received: paid in full' : 'Part payment received';
    case 'payment_reversed':
      return `A payment recorded on ${text(d.receivedOn) ?? 'an earlier date'} was taken back: it had been recorded by mistake`;
    case 'credit_note_issued': {
      const kept = amountOf(d, 'keptOnAccountMinor');
      const onAccount = kept ? `; ${kept} kept as credit on your account` : '';
      return `Credit note ${text(d.number) ?? ''} issued${d.fullyCredited === true ? ': nothing left to pay' : ''}${onAccount}`;
    }
    case 'account_credit_applied':
      return `${amountOf(d, 'amountMinor') ?? 'Credit'} of the credit on your account taken off this invoice`;
    case 'refunded':
      return `${amountOf(d, 'amountMinor') ?? 'An overpayment'} refunded to you on ${text(d.refundedOn) ?? 'a date'}`;
    case 'credit_note_withdrawn':
      return `Credit note ${text(d.number) ?? ''} was withdrawn: it no longer counts against this invoice`;
    case 'client_approved':
      return `Approved for payment${by}`;
    case 'client_scheduled': {
      const ref = text(d.reference) ? `, reference ${text(d.reference)}` : '';
      return `Payment scheduled for ${text(d.date) ?? 'a date'}${ref}${by}`;
    }
    case 'client_question':
      return `Question${by}: ${text(d.reason) ?? ''}`;
    case 'client_disputed':
      return `Disputed${by}: ${text(d.reason) ?? ''}`;
    case 'released':
      return 'Dispute resolved';
    case 'chased': {
      const note = text(d.note);
      return note ? `Note from ${workspaceName}: ${note}` : `${workspaceName} got in touch`;
    }
    default:
      return e.kind.replaceAll('_', ' ');
  }
}

function hidden(name: string, value: string): string {
  return `<input type="hidden" name="${name}" value="${html(value)}">`;
}

function answerForms(inv: InvoiceView, today: string, opts: PageOptions): string {
  const problem = opts.problem?.invoiceId === inv.id ? opts.problem : undefined;
  const typed = (kind: AnswerKindField, field: string) =>
    problem?.kind === kind ? html(problem.values[field] ?? '') : '';
  const errorOf = (kind: AnswerKindField, field: string) => {
    const message = problem?.kind === kind ? problem.fieldErrors[field] : undefined;
    return message ? `<span class="error" id="err-${inv.id}-${kind}-${field}">${html(message)}</span>` : '';
  };
  const describedBy = (kind: AnswerKindField, field: string) =>
    problem?.kind === kind && problem.fieldErrors[field] ? ` aria-describedby="err-${inv.id}-${kind}-${field}"` : '';
  const common = (kind: AnswerKindField) =>
    hidden('invoice', inv.id) + hidden('kind', kind) + hidden('form', opts.formToken) + hidden('nonce', opts.nonce());
  const open = (kind: AnswerKindField | AnswerKindField[]) =>
    problem && (Array.isArray(kind) ? kind.includes(problem.kind) : problem.kind === kind) ? ' open' : '';
  const formProblem = (kinds: AnswerKindField[]) =>
    problem && kinds.includes(problem.kind) && problem.message && Object.keys(problem.fieldErrors).length > 0
      ? `<p class="error" role="alert">${html(problem.message)}</p>`
      : '';
  const latest = addDays(today, MAX_SCHEDULE_DAYS);
  const questionKind = problem?.kind === 'dispute' ? 'dispute' : 'question';
  const number = html(inv.number);

  const approved = `<details${open('approved')}><summary>It is approved for payment</summary>
<form method="post">${common('approved')}${formProblem(['approved'])}
<label>Approved by (your name)<input type="text" name="name" required maxlength="120" autocomplete="name" value="${typed('approved', 'name')}"${describedBy('approved', 'name')}></label>${errorOf('approved', 'name')}
<button type="submit">Confirm ${number} is approved</button></form></details>`;

  const scheduled = `<details${open('scheduled')}><summary>Payment is scheduled</summary>
<form method="post">${common('scheduled')}${formProblem(['scheduled'])}
<label>Payment date<input type="date" name="date" required min="${html(today)}" max="${html(latest)}" value="${typed('scheduled', 'date')}"${describedBy('scheduled', 'date')}></label>${errorOf('scheduled', 'date')}
<label>Reference (optional)<input type="text" name="reference" maxlength="120" value="${typed('scheduled', 'reference')}"></label>
<label>Your name (optional)<input type="text" name="name" maxlength="120" autocomplete="name" value="${typed('scheduled', 'name')}"></label>
<button type="submit">Tell us the date</button></form></details>`;

  const reason =
    problem && (problem.kind === 'question' || problem.kind === 'dispute') ? typed(problem.kind, 'reason') : '';
  const nameBack =
    problem && (problem.kind === 'question' || problem.kind === 'dispute') ? typed(problem.kind, 'name') : '';
  const reasonError = errorOf('question', 'reason') || errorOf('dispute', 'reason');
  const question = `<details${open(['question', 'dispute'])}><summary>We have a question or a dispute</summary>
<form method="post">${hidden('invoice', inv.id)}${hidden('form', opts.formToken)}${hidden('nonce', opts.nonce())}${formProblem(['question', 'dispute'])}
<fieldset><label><input type="radio" name="kind" value="question"${questionKind === 'question' ? ' checked' : ''}> A question</label>
<label><input type="radio" name="kind" value="dispute"${questionKind === 'dispute' ? ' checked' : ''}> We dispute it</label></fieldset>
<label>What is it about?<textarea name="reason" required maxlength="2000">${reason}</textarea></label>${reasonError}
<label>Your name (optional)<input type="text" name="name" maxlength="120" autocomplete="name" value="${nameBack}"></label>
<button type="submit">Send</button></form></details>`;

  return `<h3>Answer on ${number}</h3>${approved}${scheduled}${question}`;
}

/** An amount in an event's details ({ $bigint } or a string of minor units) in its currency, or null. */
function amountOf(d: Record<string, unknown>, key: string): string | null {
  const raw = d[key];
  const value =
    typeof raw === 'object' && raw !== null && '$bigint' in raw
      ? String((raw as { $bigint: unknown }).$bigint)
      : typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'bigint'
        ? String(raw)
        : null;
  const currency = text(d.currency);
  if (value === null || !/^-?\d+$/.test(value) || !currency) return null;
  return money(BigInt(value), currency);
}
