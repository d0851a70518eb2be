import { useEffect, useMemo, useRef, useState } from "react";
import { api, ApiError, errorMessage, type Schemas } from "./api/client";
import { csvObjectUrl } from "./csv";
import {
  describeFailure, errorPointer, exploreLink, findTable, groupBySchema, readRecent, rememberQuery, resultCsv, resultNotices, resultSummary, rowsLabel,
  searchTables, shownResult, shownRowCap, storageKeys, tableQuery, gridCell, gridFormats, type ShownResult, type TableLink,
} from "./explore";
import { Card, DataTable, EmptyState, ErrorNotice, Loading, Page } from "./ui/components";
import { formatCount, formatDuration, isNumericKind } from "./ui/format";

const stored = (key: string) => { try { return localStorage.getItem(key); } catch { return null; } };
const store = (key: string, value: string) => { try { localStorage.setItem(key, value); } catch { /* private mode: the page still works, without memory */ } };

const engineNames: Record<string, string> = { duckdb: "DuckDB", postgres: "PostgreSQL" };

interface Failure { title: string; message: string; pointer: { line: number; column: number; text: string } | null }

/**
 * Explore: the warehouse's tables by schema with their row counts and columns on the left; on the right, read-only SQL on
 * them (POST /api/query, which refuses any change), its result with the engine's column types, notices when rows were left
 * out, a CSV of what is shown, and the last ten queries. The SQL in the editor and the recent ones are kept in localStorage.
 * A link to a table (`link`, from the Assets and run pages) selects it on load and runs its first rows.
 */
export function Explore({ link = null }: { link?: TableLink | null }) {
  const [catalog, setCatalog] = useState<Schemas["WarehouseCatalogView"] | null>(null);
  const [catalogError, setCatalogError] = useState<string | null>(null);
  const [search, setSearch] = useState("");
  const [sql, setSql] = useState(() => stored(storageKeys.sql) ?? "");
  const [recent, setRecent] = useState(() => readRecent(stored(storageKeys.recent)));
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<{ shown: ShownResult; elapsed: number } | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [selected, setSelected] = useState<{ schema: string; name: string } | null>(null);
  const [missing, setMissing] = useState<string | null>(null);
  const editor = useRef<HTMLTextAreaElement>(null);
  // Only the latest run's answer is shown, whatever order the answers come back in.
  const latest = useRef(0);

  useEffect(() => { api.tables().then(setCatalog, (e: unknown) => setCatalogError(errorMessage(e))); }, []);
  useEffect(() => { store(storageKeys.sql, sql); }, [sql]);

  const run = (text: string) => {
    if (!text.trim()) return;
    const id = ++latest.current;
    const started = performance.now();
    setRunning(true);
    setFailure(null);
    const next = rememberQuery(recent, text);
    setRecent(next);
    store(storageKeys.recent, JSON.stringify(next));
    api.query(text, shownRowCap + 1).then((answer) => {
      if (id !== latest.current) return;
      setResult({ shown: shownResult(answer), elapsed: performance.now() - started });
    }, (e: unknown) => {
      if (id !== latest.current) return;
      const described = describeFailure(errorMessage(e));
      setResult(null);
      setFailure({ ...described, pointer: e instanceof ApiError ? errorPointer(text, e.problem?.position) : null });
    }).finally(() => { if (id === latest.current) setRunning(false); });
  };

  const pick = (t: Schemas["WarehouseTableView"], focus = true) => {
    const text = tableQuery(t.schema, t.name);
    setSelected({ schema: t.schema, name: t.name });
    setMissing(null);
    // The address names the selected table, so that a reload or a shared link selects it again (replaceState: no new page).
    if (catalog) window.history.replaceState(null, "", exploreLink(t.name, t.schema === catalog.current_schema ? null : t.schema));
    setSql(text);
    if (focus) editor.current?.focus();
    run(text);
  };

  // A link selects its table once the list has come, and brings it into view.
  const linkSchema = link?.schema ?? null;
  const linkName = link?.name ?? null;
  useEffect(() => {
    if (!catalog || linkName === null) return;
    const t = findTable(catalog.tables, catalog.current_schema, { schema: linkSchema, name: linkName });
    if (!t) { setSelected(null); setMissing(linkSchema === null ? linkName : `${linkSchema}.${linkName}`); return; }
    pick(t, false);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once per link and list, not on every run
  }, [catalog, linkSchema, linkName]);
  // The address names a table while the editor holds its query: once the SQL is another, a reload must keep that SQL.
  useEffect(() => {
    if (selected && sql !== tableQuery(selected.schema, selected.name)) {
      setSelected(null);
      window.history.replaceState(null, "", "#/explore");
    }
  }, [sql, selected]);
  const selectedItem = useRef<HTMLLIElement>(null);
  useEffect(() => { selectedItem.current?.scrollIntoView?.({ block: "nearest" }); }, [selected]);

  const groups = catalog ? groupBySchema(searchTables(catalog.tables, search), catalog.current_schema) : [];
  const engine = catalog ? engineNames[catalog.engine] ?? catalog.engine : null;
  return (
    <Page title="Explore" subtitle={`The warehouse's tables, and read-only SQL on them${engine ? ` (${engine} SQL)` : ""}: nothing on this page can change data.`}>
      <div className="explore">
        <aside className="card explore-tables" aria-label="Tables">
          <h2>Tables</h2>
          <label className="field">Find a table <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="table, schema or column" /></label>
          {catalogError && <ErrorNotice>{catalogError}</ErrorNotice>}
          {missing && <div className="notice warning" role="status">The warehouse has no table “{missing}”: no run has written it yet, or it was dropped.</div>}
          {catalog === null ? (catalogError ? null : <Loading what="Loading tables" />) :
           catalog.tables.length === 0 ? <EmptyState title="No tables yet">Load data (trib demo-data) or run a pipeline, and its tables appear here.</EmptyState> :
           groups.length === 0 ? <EmptyState title="No table matches">No table, schema or column contains “{search.trim()}”.</EmptyState> :
           groups.map((g) => (
             <details key={g.schema} open className="explore-schema">
               <summary>{g.schema} <span className="muted">{g.schema === catalog.current_schema ? "· pipelines' schema · " : "· "}{formatCount(g.tables.length)} {g.tables.length === 1 ? "table" : "tables"}</span></summary>
               <ul aria-label={`Tables in ${g.schema}`}>
                 {g.tables.map((t) => {
                   const isSelected = selected?.schema === t.schema && selected.name === t.name;
                   const rows = rowsLabel(t);
                   return (
                   <li key={t.name} ref={isSelected ? selectedItem : undefined} className={isSelected ? "selected" : undefined} aria-current={isSelected ? "true" : undefined}>
                     <div className="explore-table">
                       <button type="button" className="link-button" title={`Run ${tableQuery(t.schema, t.name)}`} onClick={() => pick(t)}>{t.name}</button>
                       <span className="muted num" title={rows.title ?? undefined}>{rows.text}</span>
                     </div>
                     <details className="explore-columns" open={isSelected || undefined}>
                       <summary className="muted">{formatCount(t.columns.length)} {t.columns.length === 1 ? "column" : "columns"}</summary>
                       <ul>{t.columns.map((c) => <li key={c.name}>{c.name} <span className="muted">{c.sql_type}</span></li>)}</ul>
                     </details>
                   </li>
                   );
                 })}
               </ul>
             </details>
           ))}
        </aside>
        <div className="explore-main">
          <Card title="SQL" actions={<span className="muted">Ctrl+Enter (⌘+Enter) runs it</span>}>
            <textarea ref={editor} className="sql-editor" aria-label="SQL" rows={8} spellCheck={false} value={sql} placeholder="SELECT * FROM customers LIMIT 100"
              onChange={(e) => setSql(e.target.value)}
              onKeyDown={(e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(sql); } }} />
            <div className="toolbar">
              <button type="button" onClick={() => run(sql)} disabled={running || !sql.trim()}>{running ? "Running…" : "Run"}</button>
              {recent.length > 0 && (
                <label>Recent
                  <select value="" onChange={(e) => { if (e.target.value) setSql(e.target.value); }}>
                    <option value="">{recent.length === 1 ? "1 recent query" : `${formatCount(recent.length)} recent queries`}…</option>
                    {recent.map((q) => <option key={q} value={q}>{q.length > 60 ? `${q.slice(0, 60)}…` : q}</option>)}
                  </select>
                </label>
              )}
            </div>
          </Card>
          {failure && <QueryFailure failure={failure} />}
          {running && !result && <Loading what="Running the query" />}
          {result && <QueryResult shown={result.shown} elapsed={result.elapsed} />}
        </div>
      </div>
    </Page>
  );
}

function QueryFailure({ failure }: { failure: Failure }) {
  return (
    <ErrorNotice>
      <strong>{failure.title}</strong>
      <pre className="error-text">{failure.message}</pre>
      {failure.pointer && (
        <pre className="error-text" aria-label={`Where: line ${failure.pointer.line}, column ${failure.pointer.column}`}>
          {`LINE ${failure.pointer.line}: ${failure.pointer.text}\n${" ".repeat(`LINE ${failure.pointer.line}: `.length + failure.pointer.column - 1)}^`}
        </pre>
      )}
    </ErrorNotice>
  );
}

function QueryResult({ shown, elapsed }: { shown: ShownResult; elapsed: number }) {
  const [href, setHref] = useState<string | null>(null);
  useEffect(() => {
    const url = csvObjectUrl(resultCsv(shown));
    setHref(url);
    return () => URL.revokeObjectURL(url);
  }, [shown]);
  const notices = resultNotices(shown);
  const formats = useMemo(() => gridFormats(shown.columns, shown.rows), [shown]);
  return (
    <Card title="Result" actions={<>
      <span className="muted" role="status">{resultSummary(shown, formatDuration(elapsed))}</span>
      {href && shown.columns.length > 0 && <a className="button secondary" href={href} download="query.csv">Download CSV</a>}
    </>}>
      {notices.map((n) => <div key={n} className="notice warning" role="status">{n}</div>)}
      {shown.rowsChanged !== null && <p>{formatCount(shown.rowsChanged)} rows changed.</p>}
      {shown.columns.length === 0 ? <p className="muted">The statement returned no columns.</p> : (
        <DataTable caption="Query result" rows={shown.rows} rowKey={(_, i) => String(i)} empty="The query returned no rows."
          columns={shown.columns.map((c, j) => ({
            key: `${j}:${c.name}`,
            numeric: isNumericKind(c.type),
            header: <>{c.name} <span className="col-type">{c.sql_type ?? c.type}</span></>,
            cell: (r: unknown[]) => {
              const v = gridCell(r[j], formats[j]);
              // The exact value stays a hover away (and in the CSV download).
              return v.isNull ? <span className="null">NULL</span> : v.exact ? <span title={v.exact}>{v.text}</span> : v.text;
            },
          }))} />
      )}
    </Card>
  );
}
