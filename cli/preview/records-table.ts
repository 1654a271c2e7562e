export interface TableOptions {
  rows: number;
  /** Longest cell, in characters; longer values end in "…". */
  cellWidth: number;
  /** Most columns; the rest are counted in a last line. */
  columns: number;
}

const DEFAULTS: TableOptions = { rows: 5, cellWidth: 24, columns: 8 };

/** The first records as a text table of their top-level fields, values truncated. */
export function recordsTable(records: readonly unknown[], options: Partial<TableOptions> = {}): string[] {
  const { rows, cellWidth, columns } = { ...DEFAULTS, ...options };
  const shown = records
    .slice(0, rows)
    .map((record) =>
      typeof record === 'object' && record !== null && !Array.isArray(record)
        ? (record as Record<string, unknown>)
        : { $: record },
    );
  if (shown.length === 0) return [];
  const keys = [...new Set(shown.flatMap((record) => Object.keys(record)))];
  const visible = keys.slice(0, columns);
  const table = [visible, ...shown.map((record) => visible.map((key) => cell(record[key], cellWidth)))];
  const widths = visible.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
  const lines = table.map((row) =>
    row
      .map((text, column) => text.padEnd(widths[column]!))
      .join('  ')
      .trimEnd(),
  );
  if (keys.length > visible.length) {
    lines.push(`(${keys.length - visible.length} more field(s): ${keys.slice(columns).join(', ')})`);
  }
  return lines;
}

function cell(value: unknown, width: number): string {
  const text = value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
}
