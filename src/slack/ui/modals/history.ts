// The invoice's history modal.
import type { KnownBlock, ModalView } from '@slack/types';
import type { InvoiceView } from '../../../db/queries/invoices.js';
import type { HistoryEvent } from '../../../db/queries/views.js';
import { context, section } from '../blocks.js';
import { VIEW } from '../ids.js';
import { eventLine, invoiceHeadline } from '../phrases.js';
import { esc, literal, md, packLines } from '../text.js';
import { modal } from './shared.js';

/** The history modal keeps the newest events whose lines fit this many characters (a view is at most 250 kB). */
const MAX_HISTORY_CHARS = 60_000;

export function historyModal(p: {
  invoice: InvoiceView;
  events: readonly HistoryEvent[];
  timeZone: string;
}): ModalView {
  const lines = p.events.map((e) => eventLine(e, p.timeZone));
  let kept = 0;
  let size = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    size += (lines[i]?.length ?? 0) + 1;
    if (size > MAX_HISTORY_CHARS) break;
    kept += 1;
  }
  const earlier = lines.length - kept;
  const blocks: KnownBlock[] = [section(invoiceHeadline(p.invoice))];
  if (lines.length === 0) blocks.push(context(literal('No events yet.')));
  if (earlier > 0) {
    const ref = /^[^\s`]+$/.test(p.invoice.number) ? p.invoice.number : p.invoice.id;
    blocks.push(context(md`…and ${earlier} earlier events — \`npm run cli -- history ${esc(ref)}\``));
  }
  for (const text of packLines(lines.slice(earlier), { maxTexts: 90 })) blocks.push(section(text));
  return modal({ callbackId: VIEW.history, title: 'Invoice history', blocks, close: 'Close' });
}
