import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pkcePair, signState, tokenBox, verifyState } from '../../src/books/crypto.js';

const KEY = randomBytes(32).toString('base64');

describe('the ledger tokens at rest', () => {
  it('refuses to work without a key, saying how to make one', () => {
    expect(() => tokenBox(undefined)).toThrow(/LEDGER_TOKEN_KEY is not set.*openssl rand -base64 32/);
    expect(() => tokenBox(Buffer.alloc(16).toString('base64'))).toThrow(/LEDGER_TOKEN_KEY/);
  });

  it('seals a token so the stored text does not contain it, and opens it in the same place', () => {
    const box = tokenBox(KEY);
    const sealed = box.seal('secret-refresh-token', 'T1/xero/refresh');
    expect(sealed).not.toContain('secret-refresh-token');
    expect(sealed).not.toBe(box.seal('secret-refresh-token', 'T1/xero/refresh'));
    expect(box.open(sealed, 'T1/xero/refresh')).toBe('secret-refresh-token');
  });

  it('does not open a token moved to another workspace, a tampered one, or one sealed with another key', () => {
    const box = tokenBox(KEY);
    const sealed = box.seal('secret', 'T1/xero/refresh');
    expect(() => box.open(sealed, 'T2/xero/refresh')).toThrow(/cannot be opened/);
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => box.open(parts.join('.'), 'T1/xero/refresh')).toThrow(/cannot be opened/);
    expect(() => tokenBox(randomBytes(32).toString('base64')).open(sealed, 'T1/xero/refresh')).toThrow(
      /cannot be opened/,
    );
  });
});

describe('the authorize link state', () => {
  const key = tokenBox(KEY).stateKey;
  const payload = { t: 'T1', u: 'U1', p: 'xero', n: 'abc', e: 1_800_000_600 };

  it('holds until it expires', () => {
    const state = signState(key, payload);
    expect(verifyState(key, state, 1_800_000_000_000)).toEqual(payload);
    expect(verifyState(key, state, 1_800_000_600_000)).toBeUndefined();
  });

  it('is refused when forged or altered', () => {
    const state = signState(key, payload);
    const [body] = state.split('.');
    const altered = Buffer.from(JSON.stringify({ ...payload, t: 'T2' })).toString('base64url');
    expect(verifyState(key, `${altered}.${state.split('.')[1]}`, 1_800_000_000_000)).toBeUndefined();
    expect(verifyState(key, `${body}.AAAA`, 1_800_000_000_000)).toBeUndefined();
    expect(verifyState(randomBytes(32), state, 1_800_000_000_000)).toBeUndefined();
  });

  it('comes with a PKCE verifier and its S256 challenge', () => {
    const { verifier, challenge } = pkcePair();
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
