import { describe, expect, it } from 'vitest';
import { parseInvoiceCommand } from '../../src/slack/command.js';

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
    ['webhooks', { kind: 'webhooks', action: 'list' }],
    ['Webhooks list', { kind: 'webhooks', action: 'list' }],
    [
      'webhooks add https://erp.example.com/hooks',
      { kind: 'webhooks', action: 'add', url: 'https://erp.example.com/hooks', replay: false },
    ],
    [
      'webhooks add https://erp.example.com/hooks replay',
      { kind: 'webhooks', action: 'add', url: 'https://erp.example.com/hooks', replay: true },
    ],
    [
      'webhooks add https://erp.example.com/hooks --replay',
      { kind: 'webhooks', action: 'add', url: 'https://erp.example.com/hooks', replay: true },
    ],
    ['webhooks remove 6f1c2a3b', { kind: 'webhooks', action: 'remove', id: '6f1c2a3b' }],
    ['webhook rm 6F1C2A3B-0000', { kind: 'webhooks', action: 'remove', id: '6F1C2A3B-0000' }],
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

  it('says what is wrong in webhooks: no address, no id, a word it does not take', () => {
    expect(parseInvoiceCommand('webhooks add')).toEqual({
      kind: 'missing',
      command: 'webhooks add',
      what: 'the address to send the events to',
      example: '/invoice webhooks add https://erp.example.com/hooks',
    });
    expect(parseInvoiceCommand('webhooks remove')).toMatchObject({ kind: 'missing', command: 'webhooks remove' });
    const message = (text: string) => {
      const parsed = parseInvoiceCommand(text);
      expect(parsed).toMatchObject({ kind: 'invalid', command: 'webhooks' });
      return parsed.kind === 'invalid' ? parsed.message : '';
    };
    expect(message('webhooks add https://erp.example.com/hooks now')).toBe(
      'After the address `webhooks add` takes only `replay` (send every event from the start), not `now`.',
    );
    expect(message('webhooks remove 6f1c2a3b 7a2d3e4f')).toBe(
      '`webhooks remove` takes one endpoint id, not `6f1c2a3b 7a2d3e4f`.',
    );
    expect(message('webhooks rmove 6f1c2a3b')).toContain(
      '`rmove` is not something webhooks understands (did you mean `remove`?)',
    );
    expect(message('webhooks list everything')).toBe(
      '`/invoice webhooks` alone lists the endpoints; `everything` is not something it takes.',
    );
    expect(message('webhooks everything')).toBe(
      '`everything` is not something webhooks understands: say nothing for the list, `add` and an address, ' +
        'or `remove` and an endpoint’s id.',
    );
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

  it('takes the address out of the link Slack makes of it: <https://…> or <https://…|label>, escaped or not', () => {
    const added = (url: string, replay = false) => ({ kind: 'webhooks', action: 'add', url, replay });
    expect(parseInvoiceCommand('webhooks add <https://erp.example.com/hooks>')).toEqual(
      added('https://erp.example.com/hooks'),
    );
    expect(parseInvoiceCommand('webhooks add <https://erp.example.com/hooks|erp.example.com/hooks> replay')).toEqual(
      added('https://erp.example.com/hooks', true),
    );
    expect(
      parseInvoiceCommand('webhooks add &lt;https://erp.example.com/hooks?a=1&amp;b=2|our ERP&gt; replay'),
    ).toEqual(added('https://erp.example.com/hooks?a=1&b=2', true));
    expect(parseInvoiceCommand('webhooks add https://erp.example.com/hooks?a=1&amp;b=2')).toEqual(
      added('https://erp.example.com/hooks?a=1&b=2'),
    );
    expect(parseInvoiceCommand('webhooks add <>')).toMatchObject({ kind: 'missing', command: 'webhooks add' });
  });
});
