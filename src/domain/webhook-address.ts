// Where a ledger webhook may send: a pure policy over the URL and the addresses its host resolves to. By default
// only public addresses; loopback, private, link-local, metadata and every other special-purpose range are
// refused, unless the installation allows a network of its own (WEBHOOK_ALLOW_NETWORKS). No I/O here: the
// caller resolves the host and passes the addresses in.

/** Longer addresses are refused: no real endpoint needs more, and every list and error shows the address. */
export const MAX_WEBHOOK_URL_LENGTH = 2_048;

/** A range of addresses in CIDR form, as the allow-list holds it. */
export interface Network {
  family: 4 | 6;
  /** The first address of the range (as a 32- or 128-bit number). */
  base: bigint;
  prefix: number;
  /** As written back: `10.0.0.0/8`. */
  cidr: string;
}

/** What an address is, by the special-purpose registries (RFC 6890 and its updates). */
export type AddressKind =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'shared'
  | 'link-local'
  | 'metadata'
  | 'multicast'
  | 'broadcast'
  | 'documentation'
  | 'benchmarking'
  | 'reserved';

export interface AddressClass {
  kind: AddressKind;
  /** The address as read (IPv6 in its canonical short form, without brackets). */
  address: string;
  /** For an IPv6 address that carries an IPv4 one (mapped, compatible, NAT64), the IPv4 address it was judged by. */
  embedded?: string;
}

/** "a loopback" address, as a reason reads. */
const KIND_WORDS: Readonly<Record<AddressKind, string>> = {
  public: 'a public',
  unspecified: 'an unspecified',
  loopback: 'a loopback',
  private: 'a private',
  shared: 'a carrier-grade NAT',
  'link-local': 'a link-local',
  metadata: 'a cloud metadata',
  multicast: 'a multicast',
  broadcast: 'the broadcast',
  documentation: 'a documentation',
  benchmarking: 'a benchmarking',
  reserved: 'a reserved',
};

interface Range {
  network: Network;
  kind: Exclude<AddressKind, 'public'>;
}

function range(cidr: string, kind: Exclude<AddressKind, 'public'>): Range {
  const network = parseNetwork(cidr);
  if (!network) throw new Error(`bad built-in range ${cidr}`);
  return { network, kind };
}

// Most specific first: the first range that holds an address decides its kind.
const IPV4_RANGES: readonly Range[] = [
  range('169.254.169.254/32', 'metadata'), // AWS, GCP, Azure, OpenStack…
  range('169.254.170.2/32', 'metadata'), // AWS ECS task credentials
  range('100.100.100.200/32', 'metadata'), // Alibaba Cloud
  range('168.63.129.16/32', 'metadata'), // Azure's platform endpoint (a public-looking address)
  range('255.255.255.255/32', 'broadcast'),
  range('0.0.0.0/8', 'unspecified'),
  range('10.0.0.0/8', 'private'),
  range('100.64.0.0/10', 'shared'),
  range('127.0.0.0/8', 'loopback'),
  range('169.254.0.0/16', 'link-local'),
  range('172.16.0.0/12', 'private'),
  range('192.0.0.0/24', 'reserved'), // IETF protocol assignments (DS-Lite, NAT64 discovery…)
  range('192.0.2.0/24', 'documentation'),
  range('192.31.196.0/24', 'reserved'), // AS112
  range('192.52.193.0/24', 'reserved'), // AMT
  range('192.88.99.0/24', 'reserved'), // 6to4 relays
  range('192.168.0.0/16', 'private'),
  range('192.175.48.0/24', 'reserved'), // AS112 direct delegation
  range('198.18.0.0/15', 'benchmarking'),
  range('198.51.100.0/24', 'documentation'),
  range('203.0.113.0/24', 'documentation'),
  range('224.0.0.0/4', 'multicast'),
  range('240.0.0.0/4', 'reserved'),
];

const IPV6_RANGES: readonly Range[] = [
  range('fd00:ec2::254/128', 'metadata'), // AWS's IPv6 metadata service
  range('::/128', 'unspecified'),
  range('::1/128', 'loopback'),
  range('64:ff9b:1::/48', 'private'), // local-use NAT64
  range('100::/64', 'reserved'), // discard-only
  range('2001::/23', 'reserved'), // IETF protocol assignments: Teredo, benchmarking, ORCHID…
  range('2001:db8::/32', 'documentation'),
  range('2002::/16', 'reserved'), // 6to4: an IPv4 address inside, reached through a relay
  range('3fff::/20', 'documentation'),
  range('5f00::/16', 'reserved'), // SRv6 segment ids
  range('fc00::/7', 'private'), // unique local
  range('fe80::/10', 'link-local'),
  range('fec0::/10', 'private'), // site-local (deprecated)
  range('ff00::/8', 'multicast'),
];

/** IPv6 forms that carry an IPv4 address in their last 32 bits: judged by that address. */
const EMBEDDING_IPV4: readonly Network[] = ['::ffff:0:0/96', '::/96', '64:ff9b::/96'].map((cidr) => {
  const network = parseNetwork(cidr);
  if (!network) throw new Error(`bad built-in range ${cidr}`);
  return network;
});

const GLOBAL_UNICAST = parseNetwork('2000::/3') as Network;

/** A dotted-quad IPv4 address as a number; undefined for anything else (no octal, hex or short forms). */
export function parseIPv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

/** An IPv6 address (optionally with a trailing dotted quad; a zone id is dropped) as a number, or undefined. */
export function parseIPv6(text: string): bigint | undefined {
  let s = text.replace(/%.*$/, '');
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  if (!/^[0-9a-f:.]+$/i.test(s) || s.length > 45) return undefined;
  // "::ffff:1.2.3.4": the dotted quad is the last two groups.
  const lastColon = s.lastIndexOf(':');
  if (lastColon === -1) return undefined;
  const last = s.slice(lastColon + 1);
  if (last.includes('.')) {
    const v4 = parseIPv4(last);
    if (v4 === undefined) return undefined;
    s = `${s.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const read = (half: string | undefined): bigint[] | undefined => {
    if (!half) return [];
    const groups = half.split(':');
    if (!groups.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return undefined;
    return groups.map((g) => BigInt(`0x${g}`));
  };
  const head = read(halves[0]);
  const rest = halves.length === 2 ? read(halves[1]) : [];
  if (!head || !rest) return undefined;
  const given = head.length + rest.length;
  if (halves.length === 2 ? given > 7 : given !== 8) return undefined;
  const groups = [...head, ...Array<bigint>(8 - given).fill(0n), ...rest];
  return groups.reduce((value, g) => (value << 16n) | g, 0n);
}

function formatIPv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

/** The canonical short form (RFC 5952): lower case, the longest run of zero groups as "::". */
function formatIPv6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length && j - i > 1) best = { start: i, length: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.start === -1) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}

function contains(network: Network, family: 4 | 6, value: bigint): boolean {
  if (network.family !== family) return false;
  const bits = BigInt((family === 4 ? 32 : 128) - network.prefix);
  return value >> bits === network.base >> bits;
}

/** `10.0.0.0/8`, `fd00::/8`, or one address (`10.1.2.3`, a /32 or /128); undefined when not one. */
export function parseNetwork(text: string): Network | undefined {
  const [address = '', prefixText, ...extra] = text.trim().split('/');
  if (extra.length > 0) return undefined;
  const v4 = parseIPv4(address);
  const v6 = v4 === undefined ? parseIPv6(address) : undefined;
  if (v4 === undefined && v6 === undefined) return undefined;
  const family = v4 !== undefined ? 4 : 6;
  const width = family === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^(0|[1-9]\d{0,2})$/.test(prefixText)) return undefined;
  const prefix = prefixText === undefined ? width : Number(prefixText);
  if (prefix > width) return undefined;
  const bits = BigInt(width - prefix);
  const base = ((v4 ?? v6 ?? 0n) >> bits) << bits;
  const shown = family === 4 ? formatIPv4(base) : formatIPv6(base);
  return { family, base, prefix, cidr: `${shown}/${prefix}` };
}

/**
 * A comma- or space-separated allow-list (`10.0.0.0/8, fd00::/8`) as networks, or the entries that are not
 * networks (for a message naming them).
 */
export function parseNetworks(text: string): { networks: Network[]; bad: string[] } {
  const entries = text.split(/[\s,]+/).filter((e) => e !== '');
  const networks: Network[] = [];
  const bad: string[] = [];
  for (const entry of entries) {
    const network = parseNetwork(entry);
    if (network) networks.push(network);
    else bad.push(entry);
  }
  return { networks, bad };
}

/** What an IP address is; undefined when `text` is not an IP address. */
export function classifyAddress(text: string): AddressClass | undefined {
  const v4 = parseIPv4(text);
  if (v4 !== undefined) return classifyIPv4(v4);
  const v6 = parseIPv6(text);
  if (v6 === undefined) return undefined;
  const address = formatIPv6(v6);
  // ::ffff:a.b.c.d, ::a.b.c.d and 64:ff9b::a.b.c.d reach (or stand for) the IPv4 address inside: judge that.
  if (v6 > 1n && EMBEDDING_IPV4.some((n) => contains(n, 6, v6))) {
    const inner = classifyIPv4(v6 & 0xffffffffn);
    return { kind: inner.kind, address, embedded: inner.address };
  }
  const special = IPV6_RANGES.find((r) => contains(r.network, 6, v6));
  if (special) return { kind: special.kind, address };
  // Everything outside 2000::/3 is unassigned or special-purpose.
  return { kind: contains(GLOBAL_UNICAST, 6, v6) ? 'public' : 'reserved', address };
}

function classifyIPv4(value: bigint): AddressClass {
  const special = IPV4_RANGES.find((r) => contains(r.network, 4, value));
  return { kind: special?.kind ?? 'public', address: formatIPv4(value) };
}

/** Whether the allow-list lets deliveries reach this address (metadata only when named exactly). */
function allowedBy(found: AddressClass, allow: readonly Network[]): Network | undefined {
  const address = found.embedded ?? found.address;
  const family = found.embedded || parseIPv4(address) !== undefined ? 4 : 6;
  const value = family === 4 ? parseIPv4(address) : parseIPv6(address);
  if (value === undefined) return undefined;
  // A range opened for a private network does not open the cloud's credentials with it: name that address alone.
  const exact = found.kind === 'metadata';
  return allow.find((n) => contains(n, family, value) && (!exact || n.prefix === (family === 4 ? 32 : 128)));
}

export type AddressVerdict = { ok: true; address: string } | { ok: false; reason: string; found?: AddressClass };

/**
 * Whether a delivery may go to this IP address: a public one, or one inside a network the installation allows.
 * The reason reads after the address: "10.0.0.5 is a private address".
 */
export function checkAddress(text: string, allow: readonly Network[] = []): AddressVerdict {
  const found = classifyAddress(text);
  if (!found) return { ok: false, reason: `"${clip(text)}" is not an IP address` };
  if (found.kind === 'public' || allowedBy(found, allow)) return { ok: true, address: found.address };
  return { ok: false, reason: describeAddress(found), found };
}

/** "127.0.0.1 is a loopback address", "::ffff:7f00:1 is a loopback address (127.0.0.1 in IPv6 form)". */
export function describeAddress(found: AddressClass): string {
  const inner = found.embedded ? ` (${found.embedded} in IPv6 form)` : '';
  return `${found.address} is ${KIND_WORDS[found.kind]} address${inner}`;
}

/** Names that never leave the machine or the local network (RFC 6761, 6762, 8375 and common private suffixes). */
const LOCAL_SUFFIXES = ['localhost', 'local', 'localdomain', 'internal', 'intranet', 'lan', 'home.arpa', 'corp'];

export type WebhookHost = { type: 'ip'; address: string } | { type: 'name'; name: string };

export type WebhookUrlVerdict = { ok: true; url: URL; host: WebhookHost } | { ok: false; reason: string };

const NOT_PUBLIC_HINT =
  'webhooks go to public addresses only (whoever runs the app can allow a private network with WEBHOOK_ALLOW_NETWORKS)';

/** A parsed URL's host: an IP address in its canonical form, or a name in lower case without a trailing dot. */
export function webhookHost(url: URL): WebhookHost {
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const found = classifyAddress(hostname);
  return found
    ? { type: 'ip', address: found.address }
    : { type: 'name', name: hostname.replace(/\.$/, '').toLowerCase() };
}

/**
 * The URL as written, if it may be a webhook's at all: a full http(s) URL of at most MAX_WEBHOOK_URL_LENGTH
 * characters with no user info. Says nothing yet about where it points (checkWebhookUrl, checkResolved).
 */
export function parseWebhookUrl(input: string): { ok: true; url: URL } | { ok: false; reason: string } {
  const text = input.trim();
  const max = MAX_WEBHOOK_URL_LENGTH.toLocaleString('en-US');
  if (text.length > MAX_WEBHOOK_URL_LENGTH) {
    return {
      ok: false,
      reason: `it is ${text.length.toLocaleString('en-US')} characters long; a webhook address may be at most ${max}`,
    };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: `"${clip(text)}" is not a URL; write it in full, like https://example.com/hooks` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, reason: `webhooks go over https (or http); "${clip(url.protocol)}" is not supported` };
  }
  // fetch refuses them, and the address shows in errors people see: put a secret in the path or a query.
  if (url.username || url.password) {
    return { ok: false, reason: 'must not hold a user name or password (user:pw@); each request is signed instead' };
  }
  if (url.href.length > MAX_WEBHOOK_URL_LENGTH) {
    const long = url.href.length.toLocaleString('en-US');
    return {
      ok: false,
      reason: `written out in full it is ${long} characters long; a webhook address may be at most ${max}`,
    };
  }
  return { ok: true, url };
}

/**
 * Whether an address typed by a person may be a webhook endpoint: parseWebhookUrl's rules, and a host that is a
 * public IP address or a name that is not a local one. WHATWG URL parsing turns 2130706433, 0x7f.1, 0177.0.0.1
 * and 127.1 into 127.0.0.1 first, so every spelling of an address is judged as the address it is. A name is
 * judged again by what it resolves to each time a delivery is sent (checkResolved).
 */
export function checkWebhookUrl(input: string, allow: readonly Network[] = []): WebhookUrlVerdict {
  const parsed = parseWebhookUrl(input);
  if (!parsed.ok) return parsed;
  const url = parsed.url;
  const host = webhookHost(url);
  if (host.type === 'ip') {
    const verdict = checkAddress(host.address, allow);
    if (!verdict.ok)
      return { ok: false, reason: `it points inside the network: ${verdict.reason}; ${NOT_PUBLIC_HINT}` };
    return { ok: true, url, host };
  }
  const name = host.name;
  // With a private network allowed, a local name is checked by what it resolves to when a delivery goes out.
  if (allow.length === 0) {
    const local = LOCAL_SUFFIXES.find((suffix) => name === suffix || name.endsWith(`.${suffix}`));
    if (local === 'localhost') {
      return { ok: false, reason: `it points inside the network: ${clip(name)} is this machine; ${NOT_PUBLIC_HINT}` };
    }
    if (local || !name.includes('.')) {
      return {
        ok: false,
        reason: `it points inside the network: ${clip(name)} is a name on the local network, not a public one; ${NOT_PUBLIC_HINT}`,
      };
    }
  }
  return { ok: true, url, host: { type: 'name', name } };
}

/**
 * Whether a delivery may go to a host that resolved to these addresses: every one of them must be allowed (a name
 * with one private address among public ones is refused), and there must be one. The first is the one to connect to.
 */
export function checkResolved(
  name: string,
  addresses: readonly string[],
  allow: readonly Network[] = [],
): { ok: true; address: string; family: 4 | 6 } | { ok: false; reason: string } {
  const [first] = addresses;
  if (first === undefined) return { ok: false, reason: `${clip(name)} has no address` };
  for (const address of addresses) {
    const verdict = checkAddress(address, allow);
    if (verdict.ok) continue;
    const found = verdict.found;
    if (!found)
      return { ok: false, reason: `refused: ${clip(name)} resolves to "${clip(address)}", not an IP address` };
    const inner = found.embedded ? ` (${found.embedded})` : '';
    return {
      ok: false,
      reason: `refused: ${clip(name)} resolves to ${KIND_WORDS[found.kind]} address ${found.address}${inner}`,
    };
  }
  return { ok: true, address: first, family: parseIPv4(first) !== undefined ? 4 : 6 };
}

function clip(text: string): string {
  return text.length > 100 ? `${text.slice(0, 99)}…` : text;
}
