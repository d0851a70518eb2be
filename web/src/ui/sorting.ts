/** A table's order: one column, ascending or descending. */
export interface Sort {
  column: string;
  direction: "asc" | "desc";
}

/**
 * The order after a click on a column's header: the same column flips; another column starts from the end a reader
 * wants first, the highest values of a number (who is worth most) and A to Z of text.
 */
export function nextSort(current: Sort | null, column: string, numeric: boolean): Sort {
  if (current?.column === column) return { column, direction: current.direction === "asc" ? "desc" : "asc" };
  return { column, direction: numeric ? "desc" : "asc" };
}

/** The header's aria-sort: how assistive technology announces the column's order. */
export function ariaSort(sort: Sort | null | undefined, column: string): "ascending" | "descending" | "none" {
  if (sort?.column !== column) return "none";
  return sort.direction === "asc" ? "ascending" : "descending";
}
