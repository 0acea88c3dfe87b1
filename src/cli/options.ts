// Options of the commands that read their own (`--name value`, `--name=value`, bare `--flag`), and the shape of a
// command that runs without a workspace picked first (`workspace`, `import` into a new database).
import type { LedgerContext } from '../services/context.js';
import type { Out } from './commands.js';
import type { Style } from './table.js';

export interface Parsed {
  positional: string[];
  flags: Map<string, string | true>;
}

/** `--name value`, `--name=value` and bare `--name` for the names that take no value. */
export function parseOptions(
  args: readonly string[],
  spec: { valued: readonly string[]; bare: readonly string[] },
): Parsed | string {
  const parsed: Parsed = { positional: [], flags: new Map() };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (!arg.startsWith('--')) {
      parsed.positional.push(arg);
      continue;
    }
    const [name = '', inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (spec.bare.includes(name)) {
      if (inline !== undefined) return `--${name} takes no value`;
      parsed.flags.set(name, true);
    } else if (spec.valued.includes(name)) {
      const value = inline ?? args[++i];
      if (value === undefined || value === '' || value.startsWith('--')) return `--${name} needs a value`;
      parsed.flags.set(name, value);
    } else {
      return `Unknown option --${name}`;
    }
  }
  return parsed;
}

export function text(flags: Parsed['flags'], name: string): string | undefined {
  const value = flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

/** A command that picks (or makes) its workspace itself; `workspace` is the --workspace option, if given. */
export type StandaloneCommand = (
  ctx: LedgerContext,
  args: readonly string[],
  out: Out,
  options: { workspace: string | undefined; style?: Style },
) => Promise<number>;
