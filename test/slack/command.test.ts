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

  it('suggests the closest invoice number', () => {
    expect(closest('INV-0O12', ['INV-0012', 'INV-0013', 'INV-0100'])).toBe('INV-0012');
    expect(closest('XYZ-1', ['INV-0012'])).toBeUndefined();
  });
});
