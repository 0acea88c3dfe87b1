import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Who writes the store (README, "The rules the code keeps"): the services change the book; besides them only the
// modules below write, each a table of the machinery's own bookkeeping that no person changes and no event records.
// An interface (slack, web, cli, jobs, http.ts, main.ts) writes nothing itself, and imports one of these modules
// only where `by` lists it.
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');

const WRITERS: Record<string, { why: string; by: string[] }> = {
  'db/deliveries.ts': {
    why: 'the delivery ledger: messages decided once, claimed, renewed, marked delivered or retried',
    by: ['jobs/plan.ts', 'jobs/post.ts', 'jobs/scheduler.ts', 'slack/digest.ts', 'slack/listeners/actions.ts'],
  },
  'db/cards.ts': {
    why: 'where each card was posted and what it showed, and who opened the App Home: what Slack shows',
    by: ['jobs/post.ts', 'slack/live.ts', 'slack/listeners/events.ts'],
  },
  'db/plans.ts': { why: "each workspace's next planning time, for the scheduler", by: ['jobs/scheduler.ts'] },
  'db/totals.ts': { why: 'the running totals checked against a recount and rebuilt', by: ['cli/totals.ts'] },
  'db/copy.ts': { why: 'the whole book into another, empty database (npm run db:copy)', by: ['cli/db-copy.ts'] },
  'db/bulk.ts': { why: "many rows in a few statements: the services' own writes", by: [] },
  'webhooks/deliver.ts': {
    why: "each webhook endpoint's cursor and failures, as deliveries go out",
    by: ['jobs/scheduler.ts'],
  },
  'books/connections.ts': {
    why: "the ledgers' connections: sealed tokens, OAuth states, the grants waiting for a choice",
    by: [],
  },
  'books/push.ts': { why: 'the payments outbox to the ledgers (ledger_pushes) and the links it makes', by: [] },
  'books/sync.ts': { why: "the links between our invoices and the ledger's, as the sync takes them in", by: [] },
};

const INTERFACES = new Set(['slack', 'web', 'cli', 'jobs', 'http.ts', 'main.ts']);

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return walk(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

const TABLES = [...readFileSync(join(src, 'db/schema.ts'), 'utf8').matchAll(/export const (\w+) = pgTable/g)].map(
  (m) => m[1] as string,
);
/** drizzle's insert/update/delete on a table of the schema, or SQL that writes. */
const WRITE = new RegExp(
  `\\.(?:insert|update|delete)\\(\\s*(?:${TABLES.join('|')})\\b|\\b(?:insert\\s+into|update\\s+"?[a-z_]+"?\\s+set|delete\\s+from|truncate\\s+table)\\b`,
  'i',
);

/** The code of a file without its comments' lines. */
function code(file: string): string {
  return readFileSync(file, 'utf8').replace(/^\s*(?:\/\/|\*|\/\*).*$/gm, '');
}

/** The functions of a module that write, directly or through another of its functions. */
function writeFunctions(file: string): Set<string> {
  const text = code(file);
  const bodies = new Map<string, string>();
  for (const m of text.matchAll(/^(?:export\s+)?(?:async\s+)?function\s+(\w+)[\s\S]*?^}/gm)) {
    bodies.set(m[1] as string, m[0]);
  }
  const writing = new Set([...bodies].filter(([, body]) => WRITE.test(body)).map(([name]) => name));
  for (let grew = true; grew; ) {
    grew = false;
    for (const [name, body] of bodies) {
      if (!writing.has(name) && [...writing].some((w) => new RegExp(`\\b${w}\\(`).test(body))) {
        writing.add(name);
        grew = true;
      }
    }
  }
  return writing;
}

const IMPORT = /import\s+(type\s+)?\{([^}]*)\}\s*from\s*'(\.[^']+)'/g;

describe('who writes the store', () => {
  const files = walk(src);
  const rel = (file: string) => relative(src, file).split(/[\\/]/).join('/');

  it('only the services and the named modules write a table', () => {
    const writers = files.filter((file) => WRITE.test(code(file))).map(rel);
    expect(writers.filter((f) => !f.startsWith('services/') && !(f in WRITERS))).toEqual([]);
    // A module that no longer writes leaves the list.
    expect(Object.keys(WRITERS).filter((f) => !writers.includes(f))).toEqual([]);
  });

  it("an interface imports a module's write functions only where that module's entry names it", () => {
    const found: string[] = [];
    for (const file of files) {
      const from = rel(file);
      if (!INTERFACES.has(from.split('/')[0] as string)) continue;
      for (const [, typeOnly, names, spec] of readFileSync(file, 'utf8').matchAll(IMPORT)) {
        const target = normalize(join(dirname(file), spec as string)).replace(/\.js$/, '.ts');
        const entry = WRITERS[rel(target)];
        if (!entry || typeOnly || entry.by.includes(from)) continue;
        const writes = writeFunctions(target);
        const used = (names as string).split(',').map((n) => n.trim().split(/\s+as\s+/)[0] as string);
        for (const name of used) if (writes.has(name)) found.push(`${from} -> ${rel(target)}: ${name}`);
      }
    }
    expect(found.sort()).toEqual([]);
  });

  it('the modules named write through these functions (what the interfaces may call)', () => {
    expect(writeFunctions(join(src, 'db/cards.ts'))).toEqual(
      new Set(['rememberCard', 'markRendered', 'forgetCard', 'rememberHomeViewer']),
    );
  });

  it('sees a write', () => {
    expect(WRITE.test('await tx.insert(invoices).values(row)')).toBe(true);
    expect(WRITE.test('sql`delete from posted_messages where team_id = $1`')).toBe(true);
    expect(WRITE.test('truncate(text, 40)')).toBe(false);
  });
});
