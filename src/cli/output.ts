// Machine-readable output goes to standard output alone; everything for people goes to stderr.
import { stringify } from 'csv-stringify/sync';

export type OutputFormat = 'table' | 'json' | 'csv';

export function parseFormat(value: string | undefined, json?: boolean): OutputFormat {
  if (json) return 'json';
  if (value === undefined) return 'table';
  if (value === 'table' || value === 'json' || value === 'csv') return value;
  throw new Error(`--format must be table, json or csv, got "${value}"`);
}

export function printRows(
  rows: readonly Record<string, unknown>[],
  columns: readonly string[],
  format: OutputFormat,
) {
  if (format === 'json') {
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
  } else if (format === 'csv') {
    process.stdout.write(
      stringify(
        rows.map((r) => columns.map((c) => cell(r[c]))),
        { header: true, columns: [...columns] },
      ),
    );
  } else {
    process.stdout.write(table(rows, columns));
  }
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function table(rows: readonly Record<string, unknown>[], columns: readonly string[]): string {
  const cells = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd() + '\n';
  return line([...columns]) + line(widths.map((w) => '-'.repeat(w))) + cells.map(line).join('');
}

/** A message for people (stderr). */
export function say(message: string): void {
  process.stderr.write(message + '\n');
}
