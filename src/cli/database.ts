// Opening the configured database for the command-line scripts, and turning their failures into one clear line.
import path from 'node:path';
import { type Config, ConfigError, loadConfig, loadEnvFile } from '../config.js';
import { type DatabaseHandle, openDatabase, redact } from '../db/client.js';

export interface OpenedDatabase {
  handle: DatabaseHandle;
  /** Which database this is, for people: "PostgreSQL at postgres://app:***@db/receivables". */
  description: string;
  config: Config;
}

/** Reads the environment and opens its database: PostgreSQL when DATABASE_URL is set, else PGlite in DATA_DIR. */
export async function openConfiguredDatabase(
  options: { migrate?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<OpenedDatabase> {
  if (!options.env) loadEnvFile();
  const config = loadConfig(options.env);
  const handle = await openDatabase({
    url: config.DATABASE_URL,
    dataDir: config.DATABASE_URL ? undefined : config.DATA_DIR,
    migrate: options.migrate ?? true,
    maxConnections: 2,
    sharedBuffers: config.EMBEDDED_SHARED_BUFFERS,
  });
  return { handle, description: describeDatabase(config), config };
}

export function describeDatabase(config: Config): string {
  return config.DATABASE_URL
    ? `PostgreSQL at ${redact(config.DATABASE_URL)}`
    : `the embedded database in ${path.resolve(config.DATA_DIR)}`;
}

/** One line (or the config's list of problems) a person can act on, whatever went wrong. */
export function describeFailure(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  if (error instanceof Error) {
    // drizzle wraps driver errors ("Failed query: …"); the cause says what the database objected to.
    const cause = (error as { cause?: unknown }).cause;
    const reason = cause instanceof Error && cause.message ? `: ${cause.message}` : '';
    return `${error.message.split('\n')[0]}${reason}`;
  }
  return String(error);
}

/** Runs a script's body, printing a failure as one line on stderr with exit code 1. */
export async function runScript(body: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await body();
  } catch (error) {
    process.stderr.write(`${describeFailure(error)}\n`);
    process.exitCode = 1;
  }
}
