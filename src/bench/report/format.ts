/** Number formatting for the table, the charts and the docs. */

/** 3 significant digits with k/M suffixes: 412k, 1.23M, 87.5. */
export function compact(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${trim(value / 1e6)}M`;
  if (abs >= 1e4) return `${trim(value / 1e3)}k`;
  if (abs >= 100) return Math.round(value).toString();
  return trim(value);
}

function trim(value: number): string {
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return value.toFixed(digits);
}

export function ratio(value: number | null): string {
  return value === null ? '-' : `${value.toFixed(2)}x`;
}

export function arrow(better: 'higher' | 'lower'): string {
  return better === 'higher' ? '(higher is better)' : '(lower is better)';
}

/** Pads cells to column widths, left-aligning the first `left` columns. */
export function layout(rows: string[][], left = 2): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) =>
          i < left ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
