import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The layers, low to high: a file may import its own layer or a lower one, never a higher one.
// domain → db (store) → services → books/webhooks/io → slack/web/cli/jobs → http.ts, main.ts
// The top layer is the interfaces: people in Slack, clients' pages over HTTP, the command line, and the jobs (the
// app speaking in Slack on a clock). Within a layer, folders may import each other only without a cycle: the
// interfaces' order is slack ← web, jobs ← cli (the page reuses Slack's wording, the jobs post with Slack's
// clients and views, the CLI previews the digest), so Slack never imports the others.
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');

const LAYERS: Record<string, number> = {
  domain: 0,
  db: 1,
  services: 2,
  books: 3,
  webhooks: 3,
  io: 3,
  slack: 4,
  web: 4,
  cli: 4,
  jobs: 4,
};

/** A file's room: its first folder under src/, or a top-level file's name (config.ts, http.ts, main.ts). */
function roomOf(file: string): string {
  return relative(src, file).split(/[\\/]/)[0] as string;
}

/** The layer of a file under src/, by its room: config.ts is the bottom, http.ts and main.ts the top. */
function layerOf(file: string): number {
  const room = roomOf(file);
  if (room.endsWith('.ts')) return room === 'main.ts' || room === 'http.ts' ? 5 : 0;
  const layer = LAYERS[room];
  if (layer === undefined) throw new Error(`src/${room}: folder ${room} has no layer; add it to LAYERS`);
  return layer;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return walk(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g;

/** Every relative import between two files under src/, as [importer, imported]. */
function imports(): [string, string][] {
  const found: [string, string][] = [];
  for (const file of walk(src)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(SPECIFIER)) {
      const spec = match[1] as string;
      if (!spec.startsWith('.')) continue;
      const target = normalize(join(dirname(file), spec)).replace(/\.js$/, '.ts');
      if (target.startsWith(src)) found.push([file, target]);
    }
  }
  return found;
}

function upward(edges: [string, string][]): string[] {
  const found = edges
    .filter(([from, to]) => layerOf(to) > layerOf(from))
    .map(([from, to]) => `${relative(src, from)} -> ${relative(src, to)}`);
  return [...new Set(found)].sort();
}

/** The cycles among the folders of one layer, each as `a -> b -> … -> a` (empty when the rooms form no cycle). */
function roomCycles(edges: [string, string][]): string[] {
  const next = new Map<string, Set<string>>();
  for (const [from, to] of edges) {
    const a = roomOf(from);
    const b = roomOf(to);
    if (a === b || layerOf(from) !== layerOf(to) || a.endsWith('.ts') || b.endsWith('.ts')) continue;
    next.set(a, (next.get(a) ?? new Set()).add(b));
  }
  const cycles = new Set<string>();
  const visit = (room: string, path: string[]) => {
    for (const to of next.get(room) ?? []) {
      const at = path.indexOf(to);
      if (at < 0) visit(to, [...path, to]);
      else {
        // Each cycle once, from its first room in order.
        const loop = path.slice(at);
        const first = loop.indexOf([...loop].sort()[0] as string);
        const turned = [...loop.slice(first), ...loop.slice(0, first)];
        cycles.add([...turned, turned[0]].join(' -> '));
      }
    }
  };
  for (const room of next.keys()) visit(room, [room]);
  return [...cycles].sort();
}

describe('layers', () => {
  const edges = imports();

  it('no lower layer imports a higher one', () => {
    expect(upward(edges)).toEqual([]);
  });

  it('the folders of one layer import each other without a cycle', () => {
    expect(roomCycles(edges)).toEqual([]);
  });

  // Interfaces read the store through named query functions (src/db/queries/), never a query of their own.
  it('the interfaces hold no inline query', () => {
    const INLINE = /\.select\(|\.selectDistinct\(|\.execute\(|\.raw\(|\bsql`|from\s*'drizzle-orm'/;
    const found = walk(src)
      .filter((file) => ['slack', 'web', 'cli', 'jobs'].includes(roomOf(file)))
      .filter((file) => INLINE.test(readFileSync(file, 'utf8').replace(/^\s*(?:\/\/|\*|\/\*).*$/gm, '')))
      .map((file) => relative(src, file));
    expect(found).toEqual([]);
  });

  it('sees an upward import and a cycle when there is one', () => {
    const at = (path: string) => join(src, path);
    expect(upward([[at('services/x.ts'), at('slack/y.ts')]])).toEqual(['services/x.ts -> slack/y.ts']);
    expect(
      roomCycles([
        [at('slack/a.ts'), at('jobs/b.ts')],
        [at('jobs/b.ts'), at('slack/c.ts')],
      ]),
    ).toEqual(['jobs -> slack -> jobs']);
  });
});
