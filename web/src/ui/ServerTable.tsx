import { useEffect, useState, type ReactNode } from "react";
import { api, errorMessage, type Schemas } from "../api/client";
import { ErrorNotice, Loading, Pager, ResultTable } from "./components";
import { formatCount } from "./format";
import type { Sort } from "./sorting";

/**
 * A warehouse table a page at a time, sorted by a click on a header and narrowed by a search box; both are done by the
 * server over the whole table (ORDER BY and a text match in SQL), so the top of a sorted table is the table's top, not
 * the page's. The search matches the table's text columns.
 */
export function ServerTable({ table, pageSize, caption, maxHeight, units, initialSort = null, onLoad, note }: {
  table: string; pageSize: number; caption: string; maxHeight?: number; units?: Record<string, string>; initialSort?: Sort | null;
  onLoad?: (page: Schemas["AssetPreview"]) => void; note?: ReactNode;
}) {
  const [sort, setSort] = useState<Sort | null>(initialSort);
  const [typed, setTyped] = useState("");
  const [search, setSearch] = useState("");
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<Schemas["AssetPreview"] | null>(null);
  const [error, setError] = useState<string | null>(null);
  // A search is asked for once typing pauses, not at every key; only a changed one goes back to the first page.
  useEffect(() => {
    const next = typed.trim();
    if (next === search) return;
    const timer = setTimeout(() => { setSearch(next); setOffset(0); }, 300);
    return () => clearTimeout(timer);
  }, [typed, search]);
  useEffect(() => {
    let live = true;
    api.asset(table, pageSize, offset, { sort: sort ?? undefined, search }).then((p) => {
      if (!live) return;
      setPage(p);
      setError(null);
      onLoad?.(p);
    }, (e: unknown) => { if (live) setError(errorMessage(e)); });
    return () => { live = false; };
    // onLoad is a callback of the caller's render, not an input of the request.
  }, [table, pageSize, offset, sort, search]);
  const text = page?.columns.some((c) => c.type === "text") ?? false;
  return (
    <>
      <div className="table-tools">
        {text ? (
          <label className="toolbar">Search
            <input type="search" value={typed} onChange={(e) => setTyped(e.target.value)} placeholder="text in any column" aria-label={`Search ${table}`} />
          </label>
        ) : <span />}
        {page && <Pager offset={offset} size={pageSize} total={page.matched} onChange={setOffset} />}
      </div>
      {page && search && <p className="muted" role="status">{formatCount(page.matched)} of {formatCount(page.total)} rows contain “{search}”.</p>}
      {note}
      {error && <ErrorNotice>{error}</ErrorNotice>}
      {!page && !error ? <Loading /> : page && (
        <ResultTable caption={caption} columns={page.columns} rows={page.rows} maxHeight={maxHeight} units={units}
          sort={sort} onSort={(s) => { setSort(s); setOffset(0); }} empty={search ? `No row contains “${search}”.` : undefined} />
      )}
      {sort && <p className="muted">Sorted by {sort.column}, {sort.direction === "desc" ? "descending" : "ascending"}, over all {formatCount(page?.matched ?? 0)} rows.</p>}
    </>
  );
}
