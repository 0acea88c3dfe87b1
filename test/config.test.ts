import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  loadConfig,
  loadEnvFile,
  quickbooksSettings,
  slackModeName,
  slackSettings,
} from '../src/config.js';

describe('the configuration', () => {
  it('has defaults that run the embedded database with nothing set', () => {
    expect(loadConfig({})).toEqual({
      DATABASE_URL: undefined,
      DATA_DIR: './data',
      EMBEDDED_SHARED_BUFFERS: '32MB',
      DATABASE_POOL_SIZE: 10,
      LOG_LEVEL: 'info',
      SLACK_BOT_TOKEN: undefined,
      SLACK_SIGNING_SECRET: undefined,
      SLACK_APP_TOKEN: undefined,
      SLACK_API_URL: undefined,
      PORT: 3000,
      CARD_SYNC_SECONDS: 30,
      WEBHOOK_ALLOW_NETWORKS: [],
      LEDGER_TOKEN_KEY: undefined,
      XERO_CLIENT_ID: undefined,
      XERO_CLIENT_SECRET: undefined,
      XERO_WEBHOOK_KEY: undefined,
      XERO_API_URL: 'https://api.xero.com',
      XERO_IDENTITY_URL: 'https://identity.xero.com',
      XERO_LOGIN_URL: 'https://login.xero.com',
      QUICKBOOKS_CLIENT_ID: undefined,
      QUICKBOOKS_CLIENT_SECRET: undefined,
      QUICKBOOKS_WEBHOOK_VERIFIER: undefined,
      QUICKBOOKS_ENVIRONMENT: 'production',
      QUICKBOOKS_API_URL: undefined,
      QUICKBOOKS_AUTH_URL: 'https://appcenter.intuit.com/connect/oauth2',
      QUICKBOOKS_TOKEN_URL: 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer',
      QUICKBOOKS_REVOKE_URL: 'https://developer.api.intuit.com/v2/oauth2/tokens/revoke',
      LEDGER_SYNC_MINUTES: 10,
    });
  });

  it('names every problem at once, with how to fix it', () => {
    let message = '';
    try {
      loadConfig({
        DATABASE_URL: 'mysql://x',
        DATABASE_POOL_SIZE: '0',
        SLACK_BOT_TOKEN: 'xapp-wrong',
        PORT: '99999',
        LOG_LEVEL: 'loud',
        EMBEDDED_SHARED_BUFFERS: '32 megabytes',
      });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toContain('DATABASE_URL: must start with postgres:// or postgresql://');
    expect(message).toContain('DATABASE_POOL_SIZE: must be at least 1');
    expect(message).toContain('SLACK_BOT_TOKEN: must be a bot token starting with xoxb-');
    expect(message).toContain('PORT: must be a port number');
    expect(message).toContain('LOG_LEVEL:');
    expect(message).toContain('EMBEDDED_SHARED_BUFFERS: must be a size like 32MB (kB, MB or GB)');
    expect(message).toContain('see .env.sample');
  });

  it('reads the networks ledger webhooks may reach besides public ones, and names an entry that is not one', () => {
    expect(
      loadConfig({ WEBHOOK_ALLOW_NETWORKS: ' 10.20.0.0/16, 192.168.1.20 fd00:20::/32 ' }).WEBHOOK_ALLOW_NETWORKS,
    ).toEqual([
      { family: 4, base: 0x0a140000n, prefix: 16, cidr: '10.20.0.0/16' },
      { family: 4, base: 0xc0a80114n, prefix: 32, cidr: '192.168.1.20/32' },
      { family: 6, base: 0xfd000020n << 96n, prefix: 32, cidr: 'fd00:20::/32' },
    ]);
    expect(loadConfig({ WEBHOOK_ALLOW_NETWORKS: '' }).WEBHOOK_ALLOW_NETWORKS).toEqual([]);
    expect(() => loadConfig({ WEBHOOK_ALLOW_NETWORKS: '10.0.0.0/8,private,10.0.0.0/33' })).toThrow(
      '  - WEBHOOK_ALLOW_NETWORKS: "private", "10.0.0.0/33" are not networks: write addresses or ranges like 10.0.0.0/8, 192.168.1.20 or fd00::/8, separated by commas',
    );
  });

  it('chooses Socket Mode with an app token, HTTP otherwise, and says which tokens are missing', () => {
    expect(slackSettings(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' })).mode).toBe('socket');
    expect(slackSettings(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' })).mode).toBe('http');
    expect(() => slackSettings(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1' }))).toThrow(
      /SLACK_SIGNING_SECRET: the Signing Secret/,
    );
    expect(() => slackSettings(loadConfig({}))).toThrow(/SLACK_BOT_TOKEN: the Bot User OAuth Token/);
  });

  describe('the installable mode', () => {
    const KEY = Buffer.alloc(32, 7).toString('base64');
    const full = {
      SLACK_CLIENT_ID: '111.222',
      SLACK_CLIENT_SECRET: 'secret',
      SLACK_STATE_SECRET: 'x'.repeat(32),
      SLACK_TOKEN_KEY: KEY,
      SLACK_SIGNING_SECRET: 's',
    };

    it('runs with the client id and secret, a state secret and a token key, over HTTP, and says so', () => {
      const settings = slackSettings(loadConfig(full));
      expect(settings).toMatchObject({
        install: { clientId: '111.222', clientSecret: 'secret', tokenKey: KEY },
        mode: 'http',
      });
      expect(settings.botToken).toBeUndefined();
      expect(slackModeName(settings)).toBe('installable (any workspace, one token each)');
      expect(slackModeName(slackSettings(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' })))).toBe(
        'single-workspace (SLACK_BOT_TOKEN)',
      );
    });

    it('refuses half of it in one message naming each missing key', () => {
      let message = '';
      try {
        slackSettings(loadConfig({ SLACK_CLIENT_ID: '111.222', SLACK_APP_TOKEN: 'xapp-1' }));
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        message = (error as Error).message;
      }
      expect(message).toContain('The installable mode is half configured:');
      for (const key of ['SLACK_CLIENT_SECRET', 'SLACK_STATE_SECRET', 'SLACK_TOKEN_KEY', 'SLACK_SIGNING_SECRET']) {
        expect(message).toContain(`  - ${key}: `);
      }
      expect(message).toContain('SLACK_APP_TOKEN: unset it');
      expect(message).not.toContain('  - SLACK_CLIENT_ID');
    });

    it('refuses both modes at once, and a weak state secret or a bad key when read', () => {
      expect(() => slackSettings(loadConfig({ ...full, SLACK_BOT_TOKEN: 'xoxb-1' }))).toThrow(
        /two modes at once: SLACK_BOT_TOKEN \(one workspace\) and SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_STATE_SECRET, SLACK_TOKEN_KEY/,
      );
      expect(() => loadConfig({ ...full, SLACK_STATE_SECRET: 'short', SLACK_TOKEN_KEY: 'abc' })).toThrow(
        /SLACK_STATE_SECRET: must be at least 32 random characters[\s\S]*SLACK_TOKEN_KEY: must be 32 random bytes in base64/,
      );
    });
  });

  it('reads .env, without overriding what the environment already says', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'rb-env-')), '.env');
    writeFileSync(file, 'RB_TEST_FROM_FILE=file\nRB_TEST_SET_ALREADY=file\n');
    process.env.RB_TEST_SET_ALREADY = 'environment';
    try {
      loadEnvFile(file);
      expect(process.env.RB_TEST_FROM_FILE).toBe('file');
      expect(process.env.RB_TEST_SET_ALREADY).toBe('environment');
    } finally {
      delete process.env.RB_TEST_FROM_FILE;
      delete process.env.RB_TEST_SET_ALREADY;
    }
  });

  it('sets up QuickBooks Online with both keys, its API host chosen by the environment, and names what is wrong', () => {
    expect(quickbooksSettings(loadConfig({}))).toBeUndefined();
    const keys = { QUICKBOOKS_CLIENT_ID: 'ABc123', QUICKBOOKS_CLIENT_SECRET: 's3cret' };
    expect(quickbooksSettings(loadConfig(keys))).toMatchObject({
      environment: 'production',
      apiUrl: 'https://quickbooks.api.intuit.com',
      tokenUrl: 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer',
    });
    expect(quickbooksSettings(loadConfig({ ...keys, QUICKBOOKS_ENVIRONMENT: 'sandbox' }))?.apiUrl).toBe(
      'https://sandbox-quickbooks.api.intuit.com',
    );
    expect(
      quickbooksSettings(
        loadConfig({ ...keys, QUICKBOOKS_API_URL: 'http://127.0.0.1:4010/', QUICKBOOKS_ENVIRONMENT: 'sandbox' }),
      )?.apiUrl,
    ).toBe('http://127.0.0.1:4010');
    expect(() => quickbooksSettings(loadConfig({ QUICKBOOKS_CLIENT_ID: 'ABc123' }))).toThrow(
      /QuickBooks is half configured: set both QUICKBOOKS_CLIENT_ID and QUICKBOOKS_CLIENT_SECRET/,
    );
    expect(() => loadConfig({ QUICKBOOKS_ENVIRONMENT: 'staging' })).toThrow(
      /QUICKBOOKS_ENVIRONMENT: must be sandbox or production/,
    );
    expect(() => loadConfig({ QUICKBOOKS_API_URL: 'not a url' })).toThrow(/QUICKBOOKS_API_URL: must be a URL/);
  });
});
