// The ledger connection's secrets: OAuth tokens sealed at rest with AES-256-GCM, the authorize link's signed
// state, and PKCE. The key comes from the environment (LEDGER_TOKEN_KEY); without it nothing is stored.
// The installable mode seals each workspace's Slack tokens with the same box, under a key of its own (SLACK_TOKEN_KEY).
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

export class TokenKeyMissingError extends Error {
  readonly code = 'LEDGER_TOKEN_KEY_MISSING';
  constructor(name = 'LEDGER_TOKEN_KEY', what = 'ledger token') {
    super(
      `${name} is not set, so no ${what}s can be stored: set it to 32 random bytes in base64 ` +
        '(openssl rand -base64 32) in the environment or .env, restart, and connect again.',
    );
  }
}

/** Which key a box is for: its variable's name, what it seals (for messages), and its own derived keys. */
export interface TokenBoxLabels {
  name: string;
  what: string;
}

const LEDGER_LABELS: TokenBoxLabels = { name: 'LEDGER_TOKEN_KEY', what: 'ledger token' };

export class SealedTokenError extends Error {
  readonly code = 'LEDGER_TOKEN_UNREADABLE';
}

export interface TokenBox {
  /** Seals a token for one place (team, provider, which token): a sealed value moved elsewhere does not open. */
  seal(plain: string, place: string): string;
  open(sealed: string, place: string): string;
  /** HMAC key for the authorize link's state, derived from the same key (never the cipher key itself). */
  stateKey: Buffer;
}

const VERSION = 'v1';

/**
 * The token box for a base64 key of 32 bytes; throws TokenKeyMissingError without one. The ledger's box (the
 * default labels) derives its keys as it always has; another key's box derives its own (info names the key).
 */
export function tokenBox(base64Key: string | undefined, labels: TokenBoxLabels = LEDGER_LABELS): TokenBox {
  if (!base64Key) throw new TokenKeyMissingError(labels.name, labels.what);
  const master = Buffer.from(base64Key, 'base64');
  if (master.length !== 32) throw new TokenKeyMissingError(labels.name, labels.what);
  const info = labels === LEDGER_LABELS ? 'receivables ledger' : `receivables ${labels.name}`;
  const cipherKey = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `${info} tokens`, 32));
  const stateKey = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `${info} oauth state`, 32));
  return {
    stateKey,
    seal(plain, place) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', cipherKey, iv);
      cipher.setAAD(Buffer.from(place, 'utf8'));
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [
        VERSION,
        iv.toString('base64url'),
        cipher.getAuthTag().toString('base64url'),
        body.toString('base64url'),
      ].join('.');
    },
    open(sealed, place) {
      const [version, iv, tag, body] = sealed.split('.');
      if (version !== VERSION || !iv || !tag || body === undefined) {
        throw new SealedTokenError(`The stored ${labels.what} is not in a form this version reads.`);
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', cipherKey, Buffer.from(iv, 'base64url'));
        decipher.setAAD(Buffer.from(place, 'utf8'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new SealedTokenError(
          labels === LEDGER_LABELS
            ? 'The stored ledger token cannot be opened with this LEDGER_TOKEN_KEY (was the key changed?): reconnect the ledger.'
            : `The stored ${labels.what} cannot be opened with this ${labels.name} (was the key changed?): install the app again.`,
        );
      }
    },
  };
}

export interface StatePayload {
  /** Team, user, provider, a nonce (single use: its hash is stored), and when it expires (unix seconds). */
  t: string;
  u: string;
  p: string;
  n: string;
  e: number;
}

/** `<base64url JSON>.<base64url HMAC-SHA256>`. */
export function signState(key: Buffer, payload: StatePayload): string {
  const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
}

/** The payload when the signature holds and the state has not expired; undefined otherwise. */
export function verifyState(key: Buffer, state: string, nowMs: number): StatePayload | undefined {
  const [body, signature, ...rest] = state.split('.');
  if (!body || !signature || rest.length > 0) return undefined;
  const expected = createHmac('sha256', key).update(body).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as StatePayload;
    if (typeof payload.e !== 'number' || payload.e * 1000 <= nowMs) return undefined;
    if (![payload.t, payload.u, payload.p, payload.n].every((v) => typeof v === 'string' && v.length > 0)) {
      return undefined;
    }
    return payload;
  } catch {
    return undefined;
  }
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** PKCE (RFC 7636): a verifier and its S256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function nonce(): string {
  return randomBytes(24).toString('base64url');
}
