import { describe, expect, it } from 'vitest';
import { closest, parseInvoiceCommand } from '../../src/slack/command.js';

describe('reading /invoice', () => {
  it.each([
    ['', { kind: 'help' }],
    ['help', { kind: 'help' }],
    ['new', { kind: 'new' }],
    ['list', { kind: 'list' }],
    ['list overdue', { kind: 'list', state: 'overdue' }],
    ['list overdue Acme Corp', { kind: 'list', state: 'overdue', client: 'Acme Corp' }],
    ['list Acme', { kind: 'list', client: 'Acme' }],
    ['show INV-001', { kind: 'show', ref: 'INV-001' }],
    ['INV-001', { kind: 'show', ref: 'INV-001' }],
    ['client Umbrella Health', { kind: 'client', name: 'Umbrella Health' }],
    ['paid INV-001', { kind: 'paid', ref: 'INV-001' }],
    ['paid INV-001 1,200.00', { kind: 'paid', ref: 'INV-001', amount: '1,200.00' }],
    ['paid INV-001 $1,200.00 2026-11-20', { kind: 'paid', ref: 'INV-001', amount: '$1,200.00', date: '2026-11-20' }],
    ['paid INV-001 2026-11-20', { kind: 'paid', ref: 'INV-001', date: '2026-11-20' }],
    ['chase INV-001 called AP, paying Friday', { kind: 'chase', ref: 'INV-001', note: 'called AP, paying Friday' }],
    ['settings', { kind: 'settings' }],
    ['import', { kind: 'import' }],
    ['export', { kind: 'export', what: 'invoices' }],
    ['export invoices', { kind: 'export', what: 'invoices' }],
    ['export History', { kind: 'export', what: 'history' }],
    ['export history from 2026-11-01', { kind: 'export', what: 'history', from: '2026-11-01' }],
    [
      'export from 2026-01-01 to 2026-06-30',
      { kind: 'export', what: 'invoices', from: '2026-01-01', to: '2026-06-30' },
    ],
    ['export history --to 2026-11-30', { kind: 'export', what: 'history', to: '2026-11-30' }],
  ])('reads "%s"', (text, expected) => {
    expect(parseInvoiceCommand(text)).toEqual(expected);
  });

  it('says what is missing, with an example', () => {
    expect(parseInvoiceCommand('show')).toEqual({
      kind: 'missing',
      command: 'show',
      what: 'an invoice number',
      example: '/invoice show INV-001',
    });
  });

  it('suggests the subcommand that was probably meant, and nothing when nothing is close', () => {
    expect(parseInvoiceCommand('lsit')).toEqual({ kind: 'unknown', word: 'lsit', suggestion: 'list' });
    expect(parseInvoiceCommand('chse INV-1')).toEqual({ kind: 'unknown', word: 'chse', suggestion: 'chase' });
    expect(parseInvoiceCommand('banana')).toEqual({ kind: 'unknown', word: 'banana' });
  });

  it('names what is wrong in an export: the word, the date, or the order of the dates', () => {
    const message = (text: string) => {
      const parsed = parseInvoiceCommand(text);
      expect(parsed).toMatchObject({ kind: 'invalid', command: 'export' });
      return parsed.kind === 'invalid' ? parsed.message : '';
    };
    expect(message('export history from 2026-02-30')).toBe(
      'The `from` date `2026-02-30` is not a date like 2026-11-01.',
    );
    expect(message('export history to')).toBe('`to` needs a date after it, like 2026-11-01.');
    expect(message('export from 2026-11-02 to 2026-11-01')).toBe(
      'The `from` date 2026-11-02 is after the `to` date 2026-11-01.',
    );
    expect(message('export from 2026-11-01 from 2026-11-02')).toBe('`from` is given twice.');
    expect(message('export histroy')).toContain('(did you mean `history`?)');
    expect(message('export history since 2026-11-01')).toContain('`since` is not something export understands');
  });

  it('suggests the closest invoice number', () => {
    expect(closest('INV-0O12', ['INV-0012', 'INV-0013', 'INV-0100'])).toBe('INV-0012');
    expect(closest('XYZ-1', ['INV-0012'])).toBeUndefined();
  });
});

describe('text as Slack sends it', () => {
  it('reads &amp;, &lt; and &gt; as the characters the person typed', () => {
    expect(parseInvoiceCommand('client Tom &amp; Jerry')).toEqual({ kind: 'client', name: 'Tom & Jerry' });
    expect(parseInvoiceCommand('share A&amp;B &lt;Ltd&gt; revoke')).toEqual({
      kind: 'share',
      client: 'A&B <Ltd>',
      action: 'revoke',
    });
    expect(parseInvoiceCommand('share Northwind Traders')).toEqual({
      kind: 'share',
      client: 'Northwind Traders',
      action: 'share',
    });
    expect(parseInvoiceCommand('share')).toMatchObject({ kind: 'missing', command: 'share' });
  });
});
