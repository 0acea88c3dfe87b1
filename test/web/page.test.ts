// The status page's HTML, pure: everything a client or a hostile name can put in it is escaped, there is no
// script, the style block is the one the Content-Security-Policy allows, and a long history says what it leaves out.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ClientPageData, PageEvent } from '../../src/db/queries/client-page.js';
import { badgeText, html, PAGE_CSS, PAGE_CSS_HASH, renderClientPage } from '../../src/web/page.js';
import { INVOICE_ID, makeInvoice, NOW, TODAY, ZONE } from '../slack/ui/fixtures.js';

const HOSTILE = `<script>alert("x")</script> & 'quotes' <!channel>`;

function event(id: number, kind: string, details: Record<string, unknown> = {}): PageEvent {
  return { id: BigInt(id), kind, actorType: 'contact', at: new Date(NOW.getTime() - (100 - id) * 60_000), details };
}

function render(data: Partial<ClientPageData> = {}, clientName = 'Acme Corp') {
  const inv = makeInvoice({ description: HOSTILE });
  return renderClientPage(
    {
      today: TODAY,
      open: [inv],
      paid: [],
      cancelled: [],
      payments: new Map([[INVOICE_ID, [{ amountMinor: 25_000n, receivedOn: TODAY, reference: HOSTILE }]]]),
      credits: new Map(),
      events: new Map([
        [INVOICE_ID, [event(1, 'sent'), event(2, 'client_question', { reason: HOSTILE, name: HOSTILE })]],
      ]),
      earlierEvents: new Map(),
      more: false,
      sharedPromises: new Map(),
      clientDisputes: new Map(),
      ...data,
    },
    {
      workspaceName: 'Studio <North>',
      clientName,
      timeZone: ZONE,
      now: NOW,
      formToken: '1794648600000.abc',
      nonce: () => 'nonce-1',
    },
  );
}

describe('the status page HTML', () => {
  it('escapes every text that came from a person, and has no script', () => {
    const page = render({}, HOSTILE);
    expect(page).not.toContain('<script>');
    expect(page).not.toContain('<!channel>');
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39; &lt;!channel&gt;');
    expect(page).toContain('Invoices from Studio &lt;North&gt;');
    expect(page).toContain('ref &lt;script&gt;');
    expect(page).toContain('Question (&lt;script&gt;');
  });

  it('shows a credit note on an open invoice, and a credited invoice as credited in full, not paid', () => {
    const partly = render({
      credits: new Map([[INVOICE_ID, [{ number: HOSTILE, amountMinor: 25_000n, issuedOn: TODAY }]]]),
      events: new Map([[INVOICE_ID, [event(1, 'credit_note_issued', { number: 'CN-7', fullyCredited: false })]]]),
    });
    expect(partly).toContain('<h3>Credit notes</h3>');
    expect(partly).toContain(`Credit note &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;`);
    expect(partly).toContain(' · $250.00 · 2026-11-14');
    expect(partly).toContain('Credit note CN-7 issued');
    expect(partly).not.toContain('<script>');

    const credited = makeInvoice({ creditedMinor: 1_000_000n, paidOn: TODAY });
    const closed = render({
      open: [],
      paid: [credited],
      credits: new Map([[INVOICE_ID, [{ number: 'CN-8', amountMinor: 1_000_000n, issuedOn: TODAY }]]]),
      events: new Map([[INVOICE_ID, [event(1, 'credit_note_issued', { number: 'CN-8', fullyCredited: true })]]]),
    });
    expect(closed).toContain('<h2>Paid or credited recently</h2>');
    expect(closed).toContain('class="invoice state-credited"');
    expect(closed).toContain('<span class="badge">Credited on 2026-11-14</span>');
    expect(closed).toContain('credited in full');
    expect(closed).not.toContain('paid in full');
    expect(closed).toContain('Credit note CN-8 issued: nothing left to pay');
  });

  it('carries the style block the Content-Security-Policy names by hash', () => {
    const page = render();
    expect(page).toContain(`<style>${PAGE_CSS}</style>`);
    expect(PAGE_CSS_HASH).toBe(`sha256-${createHash('sha256').update(PAGE_CSS).digest('base64')}`);
    expect(page.match(/<style>/g)).toHaveLength(1);
  });

  it('shows the card’s state without its emoji, and the due date with its basis', () => {
    const inv = makeInvoice();
    expect(badgeText(inv)).toBe('Sent · due in 18 days');
    expect(render()).toContain('<dt>Due</dt><dd>2026-12-02 · net 30 from 2026-11-02</dd>');
  });

  it('says how many earlier events a long history leaves out', () => {
    expect(render({ earlierEvents: new Map([[INVOICE_ID, 7]]) })).toContain('7 earlier events not shown');
    expect(render()).not.toContain('earlier event');
  });

  it('shows a cancelled invoice as cancelled, with when, and not the team’s reason', () => {
    const voided = makeInvoice({ voidedAt: new Date('2026-11-10T15:00:00Z'), voidReason: 'INTERNAL: went bust' });
    const page = render({ open: [], cancelled: [voided] });
    expect(page).toContain('<h2>Cancelled</h2>');
    expect(page).toContain('<span class="badge">Cancelled</span>');
    expect(page).toContain('<dt>Cancelled on</dt><dd>2026-11-10</dd>');
    expect(page).not.toContain('went bust');
    expect(page).not.toContain('Answer on');
  });

  it('says when a client has more invoices than the page shows', () => {
    expect(render({ more: true })).toContain('This page shows the 200 invoices due first');
    expect(render()).not.toContain('invoices due first');
  });

  it('html() leaves plain text as it is and escapes the five characters', () => {
    expect(html('Acme Corp 2026')).toBe('Acme Corp 2026');
    expect(html(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });
});
