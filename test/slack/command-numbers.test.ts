// Invoice numbers with spaces and `< > &` in what a person types after /invoice: `show` takes all that follows,
// `paid` and `chase` take one in double quotes (straight or curly), and Slack's escaping of & < > is undone first.
import { describe, expect, it } from 'vitest';
import { parseInvoiceCommand } from '../../src/slack/command.js';

describe('reading invoice numbers with spaces and < > &', () => {
  it.each([
    ['show INV 2026/11 #7', { kind: 'show', ref: 'INV 2026/11 #7' }],
    ['show "INV 7"', { kind: 'show', ref: 'INV 7' }],
    ['show INV   7', { kind: 'show', ref: 'INV 7' }],
    ['paid " INV  7 " 5', { kind: 'paid', ref: 'INV 7', amount: '5' }],
    ['show A&lt;B&gt;&amp;C 7', { kind: 'show', ref: 'A<B>&C 7' }],
    ['"INV 7"', { kind: 'show', ref: 'INV 7' }],
    ['\u201CINV 7\u201D', { kind: 'show', ref: 'INV 7' }],
    ['paid "INV 7" 1,200.00 2026-11-20', { kind: 'paid', ref: 'INV 7', amount: '1,200.00', date: '2026-11-20' }],
    ['paid \u201CA&lt;B&gt; 7\u201D 10', { kind: 'paid', ref: 'A<B> 7', amount: '10' }],
    ['paid "INV 7"', { kind: 'paid', ref: 'INV 7' }],
    ['chase "INV 7" called AP, paying Friday', { kind: 'chase', ref: 'INV 7', note: 'called AP, paying Friday' }],
    ['paid INV-7 10', { kind: 'paid', ref: 'INV-7', amount: '10' }],
  ])('reads %j', (text, expected) => {
    expect(parseInvoiceCommand(text)).toEqual(expected);
  });

  it('takes an unclosed quote as part of a one-word number, and an empty pair as no number', () => {
    expect(parseInvoiceCommand('paid "INV-7 10')).toEqual({ kind: 'paid', ref: '"INV-7', amount: '10' });
    expect(parseInvoiceCommand('paid "" 10')).toEqual({ kind: 'paid', ref: '""', amount: '10' });
  });
});
