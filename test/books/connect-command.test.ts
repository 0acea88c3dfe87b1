import { describe, expect, it } from 'vitest';
import { parseInvoiceCommand } from '../../src/slack/command.js';

describe('reading /invoice connect', () => {
  it('shows the state with no provider, connects, syncs and disconnects Xero', () => {
    expect(parseInvoiceCommand('connect')).toEqual({ kind: 'connect', action: 'status' });
    expect(parseInvoiceCommand('connect Xero')).toEqual({ kind: 'connect', action: 'connect', provider: 'xero' });
    expect(parseInvoiceCommand('connect xero sync')).toEqual({ kind: 'connect', action: 'sync', provider: 'xero' });
    expect(parseInvoiceCommand('connect xero resync')).toEqual({ kind: 'connect', action: 'resync', provider: 'xero' });
    expect(parseInvoiceCommand('connect xero disconnect')).toEqual({
      kind: 'connect',
      action: 'disconnect',
      provider: 'xero',
    });
  });

  it('says QuickBooks is not there yet, suggests xero for a typo, and names a stray word', () => {
    expect(parseInvoiceCommand('connect quickbooks')).toMatchObject({
      kind: 'invalid',
      message: 'QuickBooks Online cannot be connected yet; Xero can.',
    });
    expect(parseInvoiceCommand('connect xeor')).toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining('(did you mean `xero`?)'),
    });
    expect(parseInvoiceCommand('connect xero now please')).toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining('`now please`'),
    });
  });
});
