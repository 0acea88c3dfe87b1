// One zod schema over the environment, parsed once at start. A bad or missing value stops the
// program with one message that names every problem and how to fix it. .env.sample lists every key.
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { parseNetworks } from './domain/webhook-address.js';

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

function httpUrl(fallback: string) {
  return optionalText
    .transform((v) => v ?? fallback)
    .pipe(z.url({ message: 'must be a URL like https://api.example.com' }))
    .refine((u) => /^https?:\/\//.test(u), 'must start with http:// or https://')
    .transform((u) => u.replace(/\/+$/, ''));
}

export const configSchema = z.object({
  DATABASE_URL: optionalText.pipe(
    z
      .string()
      .regex(
        /^postgres(ql)?:\/\//,
        'must start with postgres:// or postgresql:// (leave it unset for the embedded database)',
      )
      .optional(),
  ),
  DATA_DIR: z.string().trim().min(1).default('./data'),
  /** The embedded database's buffer cache: smaller saves memory, larger reads a big book faster. */
  EMBEDDED_SHARED_BUFFERS: z
    .string()
    .trim()
    .regex(/^[1-9]\d{0,5}(kB|MB|GB)$/, 'must be a size like 32MB (kB, MB or GB)')
    .default('32MB'),
  /** Connections in the PostgreSQL pool: with the database on the same small host, fewer is faster. */
  DATABASE_POOL_SIZE: z.coerce
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(100, 'must be at most 100')
    .default(10),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  SLACK_BOT_TOKEN: optionalText.pipe(
    z.string().startsWith('xoxb-', 'must be a bot token starting with xoxb- (OAuth & Permissions page)').optional(),
  ),
  SLACK_SIGNING_SECRET: optionalText,
  /**
   * The installable mode (any workspace installs it with "Add to Slack"): the app's Client ID and Client Secret
   * (Basic Information → App Credentials), a secret that signs the OAuth state, and the key that seals each
   * workspace's bot token at rest. All four, and no SLACK_BOT_TOKEN.
   */
  SLACK_CLIENT_ID: optionalText,
  SLACK_CLIENT_SECRET: optionalText,
  SLACK_STATE_SECRET: optionalText.pipe(
    z.string().min(32, 'must be at least 32 random characters (make one with: openssl rand -hex 32)').optional(),
  ),
  /** Seals each workspace's Slack tokens at rest (AES-256-GCM): 32 random bytes, base64. Not LEDGER_TOKEN_KEY. */
  SLACK_TOKEN_KEY: optionalText.pipe(
    z
      .string()
      .refine(
        (v) => /^[A-Za-z0-9+/]+={0,2}$/.test(v) && Buffer.from(v, 'base64').length === 32,
        'must be 32 random bytes in base64 (make one with: openssl rand -base64 32)',
      )
      .optional(),
  ),
  SLACK_APP_TOKEN: optionalText.pipe(
    z
      .string()
      .startsWith('xapp-', 'must be an app-level token starting with xapp- (Basic Information page)')
      .optional(),
  ),
  SLACK_API_URL: optionalText.pipe(z.url({ message: 'must be a URL like https://slack.com/api/' }).optional()),
  PORT: z.coerce.number().int().min(0).max(65535, 'must be a port number').default(3000),
  /** Where people reach this app's HTTP server (clients' status pages): https://receivables.example.com. */
  PUBLIC_URL: optionalText.pipe(
    z
      .url({ message: 'must be a URL like https://receivables.example.com' })
      .refine((u) => /^https?:\/\//.test(u), 'must start with http:// or https://')
      .transform((u) => u.replace(/\/+$/, ''))
      .optional(),
  ),
  /**
   * This replica's name, unique among the replicas running at once and kept across its restarts (with the host
   * name it names the process instance): a restarted replica takes over its own predecessor's unfinished claims
   * at once instead of waiting for them to lapse. Not needed with the embedded database (one process).
   */
  REPLICA_ID: optionalText.pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1 to 64 letters, digits, dots, dashes or underscores')
      .optional(),
  ),
  /** Seconds between sweeps that bring every posted card up to date (changes from other processes, a new day). */
  CARD_SYNC_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  /**
   * Networks besides the public internet that ledger webhooks may be sent to, in CIDR form (`10.0.0.0/8,fd00::/8`):
   * for an install whose books live on a private network. Empty (the default): public addresses only.
   */
  WEBHOOK_ALLOW_NETWORKS: z
    .string()
    .optional()
    .transform((text, ctx) => {
      const { networks, bad } = parseNetworks(text ?? '');
      if (bad.length === 0) return networks;
      ctx.addIssue({
        code: 'custom',
        message: `${bad.map((b) => `"${b.slice(0, 60)}"`).join(', ')} ${bad.length === 1 ? 'is not a network' : 'are not networks'}: write addresses or ranges like 10.0.0.0/8, 192.168.1.20 or fd00::/8, separated by commas`,
      });
      return z.NEVER;
    }),
  /** Encrypts the accounting ledgers' OAuth tokens at rest (AES-256-GCM): 32 random bytes, base64. */
  LEDGER_TOKEN_KEY: optionalText.pipe(
    z
      .string()
      .refine(
        (v) => /^[A-Za-z0-9+/]+={0,2}$/.test(v) && Buffer.from(v, 'base64').length === 32,
        'must be 32 random bytes in base64 (make one with: openssl rand -base64 32)',
      )
      .optional(),
  ),
  /** The Xero app (developer.xero.com → My Apps): its client id and secret. Both or neither. */
  XERO_CLIENT_ID: optionalText,
  XERO_CLIENT_SECRET: optionalText,
  /** The Xero app's webhook key (My Apps → your app → Webhooks): verifies x-xero-signature on /webhooks/xero. */
  XERO_WEBHOOK_KEY: optionalText,
  /** Xero's hosts; tests point them at a local fake. The HTTP client reaches only these. */
  XERO_API_URL: httpUrl('https://api.xero.com'),
  XERO_IDENTITY_URL: httpUrl('https://identity.xero.com'),
  XERO_LOGIN_URL: httpUrl('https://login.xero.com'),
  /** The Intuit app (developer.intuit.com → My Hub → App dashboard → Keys and credentials). Both or neither. */
  QUICKBOOKS_CLIENT_ID: optionalText,
  QUICKBOOKS_CLIENT_SECRET: optionalText,
  /** The Intuit app's webhook verifier token (Webhooks page): verifies intuit-signature on /webhooks/quickbooks. */
  QUICKBOOKS_WEBHOOK_VERIFIER: optionalText,
  /** Which QuickBooks companies the keys reach: `sandbox` (test companies) or `production` (the default). */
  QUICKBOOKS_ENVIRONMENT: optionalText.pipe(
    z
      .enum(['sandbox', 'production'], { message: 'must be sandbox or production' })
      .optional()
      .transform((v) => v ?? 'production'),
  ),
  /**
   * Intuit's endpoints; tests point them at a local fake. The HTTP client reaches only these. The API's default
   * follows QUICKBOOKS_ENVIRONMENT (sandbox-quickbooks.api.intuit.com or quickbooks.api.intuit.com).
   */
  QUICKBOOKS_API_URL: optionalText.pipe(
    z
      .url({ message: 'must be a URL like https://quickbooks.api.intuit.com' })
      .refine((u) => /^https?:\/\//.test(u), 'must start with http:// or https://')
      .transform((u) => u.replace(/\/+$/, ''))
      .optional(),
  ),
  QUICKBOOKS_AUTH_URL: httpUrl('https://appcenter.intuit.com/connect/oauth2'),
  QUICKBOOKS_TOKEN_URL: httpUrl('https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer'),
  QUICKBOOKS_REVOKE_URL: httpUrl('https://developer.api.intuit.com/v2/oauth2/tokens/revoke'),
  /** Minutes between syncs of each connected ledger. */
  LEDGER_SYNC_MINUTES: z.coerce.number().int().min(1).max(1440).default(10),
});

export type Config = z.infer<typeof configSchema>;

/**
 * Reads `.env` from the working folder into the environment, if there is one. What the environment
 * already has wins, so a deployment's variables are never overridden by a stray file.
 */
export function loadEnvFile(file = '.env'): void {
  if (existsSync(file)) process.loadEnvFile(file);
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
}

/** Parses the environment; throws a ConfigError whose message lists every problem at once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `  - ${issue.path.join('.') || '(environment)'}: ${issue.message}`);
  throw new ConfigError(
    `The configuration is not valid:\n${lines.join('\n')}\nFix these in the environment or in .env (see .env.sample).`,
  );
}

/** The installable mode's OAuth app: Bolt's installer runs /slack/install and /slack/oauth_redirect with these. */
export interface InstallSettings {
  clientId: string;
  clientSecret: string;
  stateSecret: string;
  /** SLACK_TOKEN_KEY, base64: seals each workspace's bot token (and refresh token) at rest. */
  tokenKey: string;
}

/**
 * The Slack half of the configuration: the single-workspace mode (one bot token) or the installable mode (an OAuth
 * app, a token per workspace); Socket Mode (appToken) or HTTP (signingSecret).
 */
export type SlackSettings = (
  | { botToken: string; install?: undefined }
  | { botToken?: undefined; install: InstallSettings }
) & {
  signingSecret: string | undefined;
  appToken: string | undefined;
  mode: 'socket' | 'http';
};

const INSTALL_KEYS = {
  SLACK_CLIENT_ID: 'the Client ID ("Basic Information" → App Credentials)',
  SLACK_CLIENT_SECRET: 'the Client Secret ("Basic Information" → App Credentials)',
  SLACK_STATE_SECRET: "a secret of your own that signs the install link's state (openssl rand -hex 32)",
  SLACK_TOKEN_KEY: "seals each workspace's bot token at rest (openssl rand -base64 32)",
} as const;

/** Which mode the settings run in, in words for the start-up log. */
export function slackModeName(settings: SlackSettings): string {
  return settings.install ? 'installable (any workspace, one token each)' : 'single-workspace (SLACK_BOT_TOKEN)';
}

/**
 * The Slack half of the configuration, with one message naming every missing or conflicting key and where to find
 * it. SLACK_BOT_TOKEN chooses the single-workspace mode; SLACK_CLIENT_ID and the rest the installable one.
 */
export function slackSettings(config: Config): SlackSettings {
  const installKeys = Object.keys(INSTALL_KEYS) as (keyof typeof INSTALL_KEYS)[];
  const given = installKeys.filter((key) => config[key] !== undefined);
  if (config.SLACK_BOT_TOKEN && given.length > 0) {
    throw new ConfigError(
      `Slack is configured for two modes at once: SLACK_BOT_TOKEN (one workspace) and ${given.join(', ')} ` +
        '(installable). Keep SLACK_BOT_TOKEN alone for one workspace, or unset it and set SLACK_CLIENT_ID, ' +
        'SLACK_CLIENT_SECRET, SLACK_STATE_SECRET and SLACK_TOKEN_KEY for any workspace to install it. ' +
        'See "Configuration" in the README.',
    );
  }
  const missing: string[] = [];
  if (given.length > 0) {
    for (const key of installKeys) {
      if (config[key] === undefined) missing.push(`  - ${key}: ${INSTALL_KEYS[key]}`);
    }
    if (config.SLACK_APP_TOKEN) {
      missing.push(
        '  - SLACK_APP_TOKEN: unset it — the installable mode runs over HTTP (its install and redirect pages need ' +
          'the public URL), not Socket Mode',
      );
    }
    if (!config.SLACK_SIGNING_SECRET) {
      missing.push('  - SLACK_SIGNING_SECRET: the Signing Secret on your app\'s "Basic Information" page');
    }
    if (missing.length > 0) {
      throw new ConfigError(
        `The installable mode is half configured:\n${missing.join('\n')}\nSee "Install it for any workspace" in the README; put them in .env.`,
      );
    }
    const { SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_STATE_SECRET, SLACK_TOKEN_KEY } = config;
    if (!SLACK_CLIENT_ID || !SLACK_CLIENT_SECRET || !SLACK_STATE_SECRET || !SLACK_TOKEN_KEY) {
      throw new ConfigError('The installable mode is half configured.');
    }
    return {
      install: {
        clientId: SLACK_CLIENT_ID,
        clientSecret: SLACK_CLIENT_SECRET,
        stateSecret: SLACK_STATE_SECRET,
        tokenKey: SLACK_TOKEN_KEY,
      },
      signingSecret: config.SLACK_SIGNING_SECRET,
      appToken: undefined,
      mode: 'http',
    };
  }
  if (!config.SLACK_BOT_TOKEN) {
    missing.push(
      '  - SLACK_BOT_TOKEN: the Bot User OAuth Token (xoxb-…), on your app\'s "OAuth & Permissions" page ' +
        '(or, for any workspace to install it, SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_STATE_SECRET and SLACK_TOKEN_KEY)',
    );
  }
  const mode = config.SLACK_APP_TOKEN ? 'socket' : 'http';
  if (mode === 'http' && !config.SLACK_SIGNING_SECRET) {
    missing.push(
      '  - SLACK_SIGNING_SECRET: the Signing Secret on your app\'s "Basic Information" page (HTTP mode), ' +
        'or set SLACK_APP_TOKEN (xapp-…, "Basic Information" → App-Level Tokens, scope connections:write) for Socket Mode',
    );
  }
  if (missing.length > 0 || !config.SLACK_BOT_TOKEN) {
    throw new ConfigError(
      `Slack is not configured:\n${missing.join('\n')}\nSee "Connect it to Slack" in the README; put them in .env.`,
    );
  }
  return {
    botToken: config.SLACK_BOT_TOKEN,
    signingSecret: config.SLACK_SIGNING_SECRET,
    appToken: config.SLACK_APP_TOKEN,
    mode,
  };
}

export interface XeroSettings {
  clientId: string;
  clientSecret: string;
  apiUrl: string;
  identityUrl: string;
  loginUrl: string;
  /** Verifies Xero's webhooks (x-xero-signature); without it /webhooks/xero is not served. */
  webhookKey?: string | undefined;
}

/** Xero, when its app is configured (both keys); undefined when neither is; a ConfigError when only one is. */
export function xeroSettings(config: Config): XeroSettings | undefined {
  const { XERO_CLIENT_ID: clientId, XERO_CLIENT_SECRET: clientSecret } = config;
  if (!clientId && !clientSecret) return undefined;
  if (!clientId || !clientSecret) {
    throw new ConfigError(
      `Xero is half configured: set both XERO_CLIENT_ID and XERO_CLIENT_SECRET (developer.xero.com → My Apps → your app → Configuration), or neither.`,
    );
  }
  return {
    clientId,
    clientSecret,
    apiUrl: config.XERO_API_URL,
    identityUrl: config.XERO_IDENTITY_URL,
    loginUrl: config.XERO_LOGIN_URL,
    webhookKey: config.XERO_WEBHOOK_KEY,
  };
}

export interface QuickBooksSettings {
  clientId: string;
  clientSecret: string;
  environment: 'sandbox' | 'production';
  /** The Accounting API's base (…/v3/company/{realmId} is under it). */
  apiUrl: string;
  /** The full authorize, token and revocation endpoints. */
  authUrl: string;
  tokenUrl: string;
  revokeUrl: string;
  /** Verifies Intuit's webhooks (intuit-signature); without it /webhooks/quickbooks is not served. */
  webhookVerifier?: string | undefined;
}

export const QUICKBOOKS_API_URLS = {
  sandbox: 'https://sandbox-quickbooks.api.intuit.com',
  production: 'https://quickbooks.api.intuit.com',
} as const;

/** QuickBooks Online, when its app is configured (both keys); undefined when neither is; a ConfigError when only one is. */
export function quickbooksSettings(config: Config): QuickBooksSettings | undefined {
  const { QUICKBOOKS_CLIENT_ID: clientId, QUICKBOOKS_CLIENT_SECRET: clientSecret } = config;
  if (!clientId && !clientSecret) return undefined;
  if (!clientId || !clientSecret) {
    throw new ConfigError(
      'QuickBooks is half configured: set both QUICKBOOKS_CLIENT_ID and QUICKBOOKS_CLIENT_SECRET (developer.intuit.com → your app → Keys and credentials), or neither.',
    );
  }
  const environment = config.QUICKBOOKS_ENVIRONMENT;
  return {
    clientId,
    clientSecret,
    environment,
    apiUrl: config.QUICKBOOKS_API_URL ?? QUICKBOOKS_API_URLS[environment],
    authUrl: config.QUICKBOOKS_AUTH_URL,
    tokenUrl: config.QUICKBOOKS_TOKEN_URL,
    revokeUrl: config.QUICKBOOKS_REVOKE_URL,
    webhookVerifier: config.QUICKBOOKS_WEBHOOK_VERIFIER,
  };
}
