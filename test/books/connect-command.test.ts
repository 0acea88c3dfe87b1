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

  it('connects, syncs and disconnects QuickBooks Online, also called qbo', () => {
    expect(parseInvoiceCommand('connect QuickBooks')).toEqual({
      kind: 'connect',
      action: 'connect',
      provider: 'quickbooks',
    });
    expect(parseInvoiceCommand('connect qbo sync')).toEqual({
      kind: 'connect',
      action: 'sync',
      provider: 'quickbooks',
    });
    expect(parseInvoiceCommand('connect quickbooks resync')).toEqual({
      kind: 'connect',
      action: 'resync',
      provider: 'quickbooks',
    });
    expect(parseInvoiceCommand('connect quickbooks disconnect')).toEqual({
      kind: 'connect',
      action: 'disconnect',
      provider: 'quickbooks',
    });
  });

  it('suggests the ledger meant by a typo and names a stray word', () => {
    expect(parseInvoiceCommand('connect quickbook')).toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining('(did you mean `quickbooks`?)'),
    });
    expect(parseInvoiceCommand('connect quickbooks sync now')).toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining('`connect quickbooks` takes at most one more word'),
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
