/** CSV files the UI writes itself (a list as the screen shows it), in the same form as the server's downloads. */

/**
 * A cell: dates as ISO 8601 (yyyy-MM-dd), timestamps as ISO 8601 in UTC with Z (the warehouse's timestamps are UTC and the
 * API sends them without a zone), other values as text; quoted when it holds a comma, quote or newline.
 */
export function csvCell(value: unknown, kind?: string): string {
  if (value === null || value === undefined) return "";
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (kind === "date") text = text.slice(0, 10);
  else if (kind === "timestamp" && /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)) text = `${text.replace(" ", "T")}Z`;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A whole file: the header, then one line per row (values in column order), each line ending in \n. */
export function toCsv(columns: readonly { name: string; type?: string }[], rows: readonly (readonly unknown[])[]): string {
  return [columns.map((c) => csvCell(c.name)), ...rows.map((r) => columns.map((c, i) => csvCell(r[i], c.type)))].map((l) => `${l.join(",")}\n`).join("");
}

/** An object URL of a CSV text, for a download link; the caller revokes it. */
export const csvObjectUrl = (text: string) => URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
