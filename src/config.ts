// One zod schema over the environment, parsed once at start. A bad or missing value stops the
// program with one message that names every problem and how to fix it. .env.sample lists every key.
import { z } from 'zod';

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

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
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});

export type Config = z.infer<typeof configSchema>;

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
