// Plain-text tables with aligned columns, and the few colours the terminal output uses.

/** Colours for a terminal; `plainStyle` leaves text alone (pipes, files, tests, NO_COLOR). */
export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
  cyan(text: string): string;
}

const keep = (text: string) => text;

export const plainStyle: Style = { bold: keep, dim: keep, red: keep, yellow: keep, green: keep, cyan: keep };

const ansi =
  (open: number, close: number) =>
  (text: string): string =>
    text === '' ? text : `\u001b[${open}m${text}\u001b[${close}m`;

export const colorStyle: Style = {
  bold: ansi(1, 22),
  dim: ansi(2, 22),
  red: ansi(31, 39),
  yellow: ansi(33, 39),
  green: ansi(32, 39),
  cyan: ansi(36, 39),
};

/** Colour only for a person at a terminal who has not asked for none (https://no-color.org). */
export function styleFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Style {
  return stream.isTTY && !env.NO_COLOR ? colorStyle : plainStyle;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching the terminal's escape sequences is the point.
const ANSI_PATTERN = /\u001b\[[0-9;]*m/g;

/** The columns a string takes on screen: escape sequences take none, each code point one. */
export function visibleWidth(text: string): number {
  return [...text.replace(ANSI_PATTERN, '')].length;
}

/** Cuts text to at most `width` columns, ending it with an ellipsis when cut. Plain text only. */
export function truncate(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

export interface Column {
  header: string;
  align?: 'left' | 'right';
}

/**
 * Lines of a table: a header, then one line per row, columns two spaces apart and padded to the widest cell.
 * A cell may carry colour; widths are counted on what shows. Trailing spaces are trimmed.
 */
export function table(
  allColumns: readonly Column[],
  allRows: readonly (readonly string[])[],
  options: { indent?: string; style?: Style; hideEmptyColumns?: boolean } = {},
): string[] {
  const indent = options.indent ?? '';
  const style = options.style ?? plainStyle;
  // A column nobody has anything in (no notes on any row) only takes room.
  const kept = allColumns
    .map((_, i) => i)
    .filter((i) => !options.hideEmptyColumns || allRows.some((row) => (row[i] ?? '') !== ''));
  const columns = kept.map((i) => allColumns[i] as Column);
  const rows = allRows.map((row) => kept.map((i) => row[i] ?? ''));
  const widths = columns.map((column, i) =>
    Math.max(visibleWidth(column.header), ...rows.map((row) => visibleWidth(row[i] ?? ''))),
  );
  const line = (cells: readonly string[], header: boolean) =>
    (
      indent +
      columns
        .map((column, i) => {
          const cell = header ? style.dim(cells[i] ?? '') : (cells[i] ?? '');
          const pad = ' '.repeat((widths[i] ?? 0) - visibleWidth(cell));
          return column.align === 'right' ? pad + cell : cell + pad;
        })
        .join('  ')
    ).trimEnd();
  return [
    line(
      columns.map((c) => c.header),
      true,
    ),
    ...rows.map((row) => line(row, false)),
  ];
}
