// The address policy's pieces: reading IP addresses and networks, what kind an address is, and what the
// allow-list opens. The table of URLs a person might type is in test/security/webhook-urls.test.ts.
import { describe, expect, it } from 'vitest';
import {
  checkAddress,
  checkResolved,
  checkWebhookUrl,
  classifyAddress,
  parseIPv6,
  parseNetwork,
  parseNetworks,
} from '../../src/domain/webhook-address.js';

const hex = (value: bigint | undefined) => value?.toString(16);

describe('parseIPv6', () => {
  it('reads every written form of an address, a dotted quad at the end and a zone id included', () => {
    expect(hex(parseIPv6('::'))).toBe('0');
    expect(hex(parseIPv6('::1'))).toBe('1');
    expect(hex(parseIPv6('[::1]'))).toBe('1');
    expect(hex(parseIPv6('1::'))).toBe('10000000000000000000000000000');
    expect(hex(parseIPv6('1:2:3:4:5:6:7:8'))).toBe('10002000300040005000600070008');
    expect(hex(parseIPv6('::ffff:1.2.3.4'))).toBe('ffff01020304');
    expect(hex(parseIPv6('1:2:3:4:5:6:1.2.3.4'))).toBe('10002000300040005000601020304');
    expect(hex(parseIPv6('FE80::1%eth0'))).toBe('fe800000000000000000000000000001');
  });

  it('refuses what is not one address', () => {
    for (const text of [
      '1::2::3',
      ':1',
      '1:',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:7',
      '12345::',
      '::1.2.3',
      'g::1',
      '',
    ]) {
      expect(parseIPv6(text), text).toBeUndefined();
    }
  });
});

describe('parseNetwork', () => {
  it('reads a CIDR range or one address, written back from its first address', () => {
    expect(parseNetwork('10.1.2.3/8')?.cidr).toBe('10.0.0.0/8');
    expect(parseNetwork('10.0.0.5')?.cidr).toBe('10.0.0.5/32');
    expect(parseNetwork('fd00:20::1/32')?.cidr).toBe('fd00:20::/32');
    expect(parseNetwork('::1')?.cidr).toBe('::1/128');
  });

  it('refuses a prefix too long, written oddly, or an address WHATWG would read but a person might misread', () => {
    for (const text of [
      '10.0.0.0/33',
      '::/129',
      '10.0.0.0/08',
      '10.0.0.0/',
      '010.0.0.0/8',
      '0x7f000001',
      '127.1',
      'private',
    ]) {
      expect(parseNetwork(text), text).toBeUndefined();
    }
  });

  it('reads a list separated by commas or spaces, naming the entries that are not networks', () => {
    expect(parseNetworks(' 10.0.0.0/8, fd00::/8  192.168.1.20 ')).toEqual({
      networks: [parseNetwork('10.0.0.0/8'), parseNetwork('fd00::/8'), parseNetwork('192.168.1.20')],
      bad: [],
    });
    expect(parseNetworks('10.0.0.0/8,lan').bad).toEqual(['lan']);
  });
});

describe('classifyAddress', () => {
  it('judges an IPv6 address that carries an IPv4 one by that IPv4 address', () => {
    expect(classifyAddress('::ffff:10.0.0.1')).toEqual({
      kind: 'private',
      address: '::ffff:a00:1',
      embedded: '10.0.0.1',
    });
    expect(classifyAddress('::ffff:8.8.8.8')).toEqual({
      kind: 'public',
      address: '::ffff:808:808',
      embedded: '8.8.8.8',
    });
    expect(classifyAddress('64:ff9b::192.168.0.1')).toMatchObject({ kind: 'private', embedded: '192.168.0.1' });
    expect(classifyAddress('::169.254.169.254')).toMatchObject({ kind: 'metadata', embedded: '169.254.169.254' });
  });

  it('takes only global unicast IPv6 (2000::/3) as public, less its special ranges', () => {
    expect(classifyAddress('2606:4700:4700::1111')?.kind).toBe('public');
    expect(classifyAddress('2a00:1450:4001:81c::200e')?.kind).toBe('public');
    expect(classifyAddress('1:2:3:4:5:6:7:8')?.kind).toBe('reserved');
    expect(classifyAddress('4000::1')?.kind).toBe('reserved');
    expect(classifyAddress('2001:db8:1::1')?.kind).toBe('documentation');
    expect(classifyAddress('3fff::1')?.kind).toBe('documentation');
  });

  it('knows the edges of each IPv4 range', () => {
    const kinds = Object.fromEntries(
      [
        '9.255.255.255',
        '10.0.0.0',
        '11.0.0.0',
        '100.63.255.255',
        '100.64.0.0',
        '100.127.255.255',
        '100.128.0.0',
        '172.15.255.255',
        '172.16.0.0',
        '172.31.255.255',
        '172.32.0.0',
        '192.167.255.255',
        '192.168.0.0',
        '192.169.0.0',
        '198.17.255.255',
        '198.18.0.0',
        '198.19.255.255',
        '198.20.0.0',
        '223.255.255.255',
        '224.0.0.0',
        '239.255.255.255',
        '240.0.0.0',
      ].map((a) => [a, classifyAddress(a)?.kind]),
    );
    expect(kinds).toEqual({
      '9.255.255.255': 'public',
      '10.0.0.0': 'private',
      '11.0.0.0': 'public',
      '100.63.255.255': 'public',
      '100.64.0.0': 'shared',
      '100.127.255.255': 'shared',
      '100.128.0.0': 'public',
      '172.15.255.255': 'public',
      '172.16.0.0': 'private',
      '172.31.255.255': 'private',
      '172.32.0.0': 'public',
      '192.167.255.255': 'public',
      '192.168.0.0': 'private',
      '192.169.0.0': 'public',
      '198.17.255.255': 'public',
      '198.18.0.0': 'benchmarking',
      '198.19.255.255': 'benchmarking',
      '198.20.0.0': 'public',
      '223.255.255.255': 'public',
      '224.0.0.0': 'multicast',
      '239.255.255.255': 'multicast',
      '240.0.0.0': 'reserved',
    });
  });

  it('says a name or a WHATWG-only spelling is not an address (URL parsing turns those into dotted quads first)', () => {
    for (const text of ['erp.example.com', '127.1', '0x7f000001', '2130706433', '0177.0.0.1', '']) {
      expect(classifyAddress(text), text).toBeUndefined();
    }
  });
});

describe('the allow-list (WEBHOOK_ALLOW_NETWORKS)', () => {
  const allow = parseNetworks('10.20.0.0/16, 169.254.0.0/16, fd00:20::/32').networks;

  it('opens the networks it names and nothing else', () => {
    expect(checkAddress('10.20.3.4', allow)).toEqual({ ok: true, address: '10.20.3.4' });
    expect(checkAddress('::ffff:10.20.3.4', allow)).toEqual({ ok: true, address: '::ffff:a14:304' });
    expect(checkAddress('fd00:20::5', allow).ok).toBe(true);
    expect(checkAddress('10.21.0.1', allow)).toMatchObject({ ok: false, reason: '10.21.0.1 is a private address' });
    expect(checkAddress('127.0.0.1', allow)).toMatchObject({ ok: false, reason: '127.0.0.1 is a loopback address' });
    expect(checkAddress('fd00:21::5', allow).ok).toBe(false);
  });

  it('does not open a cloud metadata address with the range around it: only when it is named alone', () => {
    expect(checkAddress('169.254.1.1', allow).ok).toBe(true);
    expect(checkAddress('169.254.169.254', allow)).toMatchObject({
      ok: false,
      reason: '169.254.169.254 is a cloud metadata address',
    });
    expect(checkAddress('169.254.169.254', parseNetworks('169.254.169.254').networks).ok).toBe(true);
  });

  it('lets a local name be added when a private network is open: it is judged by what it resolves to', () => {
    expect(checkWebhookUrl('http://erp.internal/hooks').ok).toBe(false);
    expect(checkWebhookUrl('http://erp.internal/hooks', allow)).toMatchObject({
      ok: true,
      host: { type: 'name', name: 'erp.internal' },
    });
    expect(checkResolved('erp.internal', ['10.20.0.7'], allow)).toEqual({ ok: true, address: '10.20.0.7', family: 4 });
    expect(checkResolved('erp.internal', ['10.20.0.7', '10.99.0.1'], allow)).toEqual({
      ok: false,
      reason: 'refused: erp.internal resolves to a private address 10.99.0.1',
    });
  });
});

describe('checkResolved', () => {
  it('connects to the first address when every one is public, and names the family', () => {
    expect(checkResolved('erp.example.com', ['2606:4700::1111', '93.184.216.34'])).toEqual({
      ok: true,
      address: '2606:4700::1111',
      family: 6,
    });
  });

  it('refuses a name when any one of its addresses is inside, or when it has none', () => {
    expect(checkResolved('erp.example.com', ['93.184.216.34', '100.64.0.9'])).toEqual({
      ok: false,
      reason: 'refused: erp.example.com resolves to a carrier-grade NAT address 100.64.0.9',
    });
    expect(checkResolved('erp.example.com', ['0.0.0.0'])).toMatchObject({
      reason: 'refused: erp.example.com resolves to an unspecified address 0.0.0.0',
    });
    expect(checkResolved('erp.example.com', ['not-an-address'])).toMatchObject({
      reason: 'refused: erp.example.com resolves to "not-an-address", not an IP address',
    });
    expect(checkResolved('erp.example.com', [])).toEqual({ ok: false, reason: 'erp.example.com has no address' });
  });
});
