// "Did you mean": the one way the CLI and Slack find what a person probably meant — a client's name, an invoice
// number, a subcommand — so the same typo gets the same suggestion wherever it is typed. Pure.

// Characters people mistake for each other when reading a number off a page cost half a typo. A different
// digit is a different invoice, not a typo: INV-009 is no suggestion for INV-999, nor INV-024 for INV-042. Two
// letters typed the wrong way round (IVN, histroy) are one typo.
const LOOKALIKES = new Set(['o0', '0o', 'l1', '1l', 'i1', '1i']);
const isDigit = (c: string) => c >= '0' && c <= '9';
const indel = (c: string) => (isDigit(c) ? 1.5 : 1);

function substitution(x: string, y: string): number {
  if (x === y) return 0;
  if (LOOKALIKES.has(x + y)) return 0.5;
  return isDigit(x) && isDigit(y) ? 3 : 1;
}

/**
 * Edit distance, case-insensitive, weighted for what people mistype (see above): optimal string alignment over
 * code points, so a swap of two neighbours costs 1.
 */
export function editDistance(a: string, b: string): number {
  const s = [...a.toLowerCase()];
  const t = [...b.toLowerCase()];
  let before: number[] = [];
  let previous = [0];
  for (let j = 1; j <= t.length; j++) previous[j] = (previous[j - 1] ?? 0) + indel(t[j - 1] ?? '');
  for (let i = 1; i <= s.length; i++) {
    const x = s[i - 1] ?? '';
    const current = [(previous[0] ?? 0) + indel(x)];
    for (let j = 1; j <= t.length; j++) {
      const y = t[j - 1] ?? '';
      let best = Math.min(
        (previous[j] ?? 0) + indel(x),
        (current[j - 1] ?? 0) + indel(y),
        (previous[j - 1] ?? 0) + substitution(x, y),
      );
      const swapped = i > 1 && j > 1 && x !== y && x === t[j - 2] && s[i - 2] === y;
      if (swapped && !(isDigit(x) && isDigit(y))) best = Math.min(best, (before[j - 2] ?? 0) + 1);
      current[j] = best;
    }
    before = previous;
    previous = current;
  }
  return previous[t.length] ?? 0;
}

/** A number as written without its punctuation and padding: 'INV-007' and 'inv 7' both read 'inv7'. */
function bare(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .replace(/(^|[^0-9])0+(?=[0-9])/g, '$1');
}

/**
 * The candidates close to `typed`, best first (at most `max`): the same once punctuation and zero padding
 * are ignored, a few typos away from the whole name or from its start, or starting one of its words. Only the
 * closest are given: INV-0O2 suggests INV-002, not every number one typo away.
 */
export function suggest(typed: string, candidates: readonly string[], max = 3): string[] {
  const query = typed.trim().toLowerCase();
  if (query === '') return [];
  const allowed = Math.max(1, Math.floor(query.length / 3));
  const scored: { name: string; score: number }[] = [];
  for (const name of candidates) {
    const lower = name.toLowerCase();
    const whole = editDistance(query, lower);
    const start = editDistance(query, lower.slice(0, query.length)) + 0.5;
    const word = lower.split(/[\s&,.-]+/).some((w) => w.length > 0 && w.startsWith(query))
      ? 1
      : Number.POSITIVE_INFINITY;
    const same = bare(query) !== '' && bare(query) === bare(lower) ? 0.25 : Number.POSITIVE_INFINITY;
    const score = Math.min(same, whole, start, word);
    if (score <= allowed) scored.push({ name, score });
  }
  scored.sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));
  const best = scored[0]?.score ?? 0;
  return scored
    .filter((s) => s.score <= best)
    .slice(0, max)
    .map((s) => s.name);
}

/** The one candidate `text` most likely meant (never `text` itself), or undefined when none is close. */
export function closest(text: string, candidates: readonly string[]): string | undefined {
  const typed = text.trim().toLowerCase();
  return suggest(
    text,
    candidates.filter((c) => c.toLowerCase() !== typed),
    1,
  )[0];
}

/** 'A', 'A or B', 'A, B or C'. */
export function orList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}
