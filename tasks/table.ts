// The tasks' tables: each column as wide as its widest cell, header included, so a value wider
// than its header pushes the columns after it right on every line, not only on its own.

/** Spaces between two columns: values may hold single spaces ("re-executed by EXECUTE"). */
const COLUMN_GAP = "  ";

/**
 * `header` and `rows` as lines of aligned columns (left-aligned, two spaces apart, no trailing
 * spaces). A row shorter than the header leaves its last columns empty.
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    widths
      .map((width, i) => (cells[i] ?? "").padEnd(width))
      .join(COLUMN_GAP)
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
