import { useEffect, useMemo, useState } from "react";
import { api, ApiError, errorMessage, type Schemas } from "./api/client";
import { addAudience, audienceStartingPoints, conditionsOf, countLabel, nameProblem, newRow, operatorsFor, valueInput, type ColumnKind, type ConditionRow, type Destination } from "./audiences";
import { columnUnits, type ColumnUnit } from "./columnUnits";
import { Card, EmptyState, ErrorNotice, Loading, Page, ResultTable } from "./ui/components";
import { usePipelineCurrency } from "./usePipelineCurrency";

/** Conditions are counted this long after the last change, so that typing a value does not send a query per key. */
const DEBOUNCE_MS = 300;

/** The audience builder: a table, conditions on its columns, a live count and sample, then saved as steps of a pipeline. */
export function Audiences() {
  const [assets, setAssets] = useState<Schemas["AssetSummary"][] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [table, setTable] = useState("");
  const [rows, setRows] = useState<ConditionRow[]>([]);
  const [match, setMatch] = useState<"all" | "any">("all");
  const [preview, setPreview] = useState<Schemas["AudiencePreview"] | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [columns, setColumns] = useState<Schemas["ColumnView"][]>([]);
  // Decided once per table from its first rows (before any condition), so that a filter does not change how a column reads.
  const [units, setUnits] = useState<Record<string, ColumnUnit> | null>(null);
  const [orderColumn, setOrderColumn] = useState("");
  const [descending, setDescending] = useState(true);
  const [limit, setLimit] = useState("");

  useEffect(() => {
    api.assets().then(setAssets, (e: unknown) => setError(errorMessage(e)));
  }, []);
  const kinds = useMemo(() => Object.fromEntries(columns.map((c) => [c.name, c.type])) as Record<string, ColumnKind>, [columns]);
  const conditions = useMemo(() => conditionsOf(rows, kinds, units ?? {}), [rows, kinds, units]);
  const orderBy = orderColumn ? `${orderColumn} ${descending ? "desc" : "asc"}` : undefined;
  // A limit needs an order (which rows are first?): without one, every matching row.
  const limitN = orderBy && /^\d+$/.test(limit.trim()) && Number(limit) >= 1 ? Number(limit) : undefined;
  const key = JSON.stringify([table, conditions, match, orderBy, limitN]);
  const asset = assets?.find((a) => a.name === table) ?? null;
  const startingPoints = useMemo(() => audienceStartingPoints(assets ?? []), [assets]);
  const currency = usePipelineCurrency(asset?.pipeline ?? "");

  // The count follows the conditions, a moment after the last change; an answer to older conditions is dropped.
  useEffect(() => {
    if (!table) return;
    let current = true;
    const timer = setTimeout(() => {
      api.audiencePreview({ table, conditions, match, ...(orderBy ? { order_by: orderBy } : {}), ...(limitN ? { limit: limitN } : {}) }).then((p) => {
        if (!current) return;
        setPreview(p);
        setColumns(p.columns);
        setUnits((u) => u ?? columnUnits(p.columns, p.sample));
        setPreviewError(null);
      }, (e: unknown) => { if (current) setPreviewError(errorMessage(e)); });
    }, DEBOUNCE_MS);
    return () => { current = false; clearTimeout(timer); };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  const pick = (name: string) => {
    setTable(name);
    setRows([]);
    setColumns([]);
    setUnits(null);
    setOrderColumn("");
    setLimit("");
    setPreview(null);
    setPreviewError(null);
  };
  const update = (i: number, row: ConditionRow) => setRows(rows.map((r, j) => (j === i ? row : r)));

  return (
    <Page title="Audiences" subtitle="Pick a customer table, add conditions on its columns, watch the count, then save the audience into a pipeline with where it goes.">
      {error && <ErrorNotice>{error}</ErrorNotice>}
      {assets === null && !error ? <Loading what="Loading tables" /> : assets && assets.length === 0 ? (
        <EmptyState title="No tables yet">Run a pipeline first (a template such as customer_ltv writes customer_value): an audience selects rows of a table it made.</EmptyState>
      ) : assets && (
        <>
          <Card title="Source">
            <label>Table{" "}
              <select value={table} onChange={(e) => pick(e.target.value)} aria-label="Source table">
                <option value="">Choose a table…</option>
                {assets.map((a) => <option key={a.name} value={a.name}>{a.name}{a.pipeline ? ` (${a.pipeline})` : ""}</option>)}
              </select>
            </label>
            {!table && startingPoints.length > 0 && (
              <div className="starting-points">
                <p className="muted">Or start from a table with one row per customer:</p>
                <ul aria-label="Tables to start from">
                  {startingPoints.map((s) => (
                    <li key={s.name}><button type="button" className="link-button" onClick={() => pick(s.name)}>{s.name}</button> <span className="muted">{s.what}</span></li>
                  ))}
                </ul>
              </div>
            )}
          </Card>
          {table && (
            <Card title="Conditions" actions={
              <label>Match{" "}
                <select value={match} onChange={(e) => setMatch(e.target.value as "all" | "any")} aria-label="Match">
                  <option value="all">all conditions</option>
                  <option value="any">any condition</option>
                </select>
              </label>
            }>
              <ol className="audience-conditions">
                {rows.map((r, i) => <ConditionEditor key={i} index={i} row={r} columns={columns} unit={units?.[r.column]} currency={currency} onChange={(row) => update(i, row)} onRemove={() => setRows(rows.filter((_, j) => j !== i))} />)}
              </ol>
              <button type="button" className="secondary" disabled={columns.length === 0} onClick={() => setRows([...rows, newRow(columns[0].name, columns[0].type)])}>Add condition</button>
              <div className="toolbar">
                <label>Order by{" "}
                  <select value={orderColumn} onChange={(e) => setOrderColumn(e.target.value)} aria-label="Order by">
                    <option value="">no order (every matching row)</option>
                    {columns.filter((c) => c.type !== "other").map((c) => <option key={c.name} value={c.name}>{c.name}</option>)}
                  </select>
                </label>
                <select value={descending ? "desc" : "asc"} onChange={(e) => setDescending(e.target.value === "desc")} aria-label="Direction" disabled={!orderColumn}>
                  <option value="desc">highest first</option>
                  <option value="asc">lowest first</option>
                </select>
                <label>Limit{" "}
                  <input type="number" min={1} step={1} value={limit} onChange={(e) => setLimit(e.target.value)} aria-label="Limit" placeholder="every row" disabled={!orderColumn} size={8} />
                </label>
                {!orderColumn && <span className="muted">Order by a column to keep only the first rows.</span>}
              </div>
              <p aria-live="polite" data-testid="audience-count">
                {previewError ? <span className="error">{previewError}</span> : preview ? <strong>{countLabel(preview.count, preview.total)}</strong> : "Counting…"}
              </p>
            </Card>
          )}
          {preview && !previewError && (
            <Card title="Sample">
              <ResultTable caption="First rows of the audience" columns={preview.columns.map((c) => ({ name: c.name, type: c.type }))} rows={preview.sample} maxHeight={360}
                valueUnits={units ?? undefined} currency={currency}
                empty="No row matches these conditions." />
            </Card>
          )}
          {table && preview && !previewError && <SaveAudience asset={asset} table={table} conditions={conditions} match={match} orderBy={orderBy} limit={limitN} hasPhone={"phone" in kinds} />}
        </>
      )}
    </Page>
  );
}

/** One condition: column (with its type), operator, and a value input suited to both. */
function ConditionEditor({ index, row, columns, unit, currency, onChange, onRemove }: {
  index: number; row: ConditionRow; columns: Schemas["ColumnView"][]; unit: ColumnUnit | undefined; currency: string | null; onChange: (row: ConditionRow) => void; onRemove: () => void;
}) {
  const kind = columns.find((c) => c.name === row.column)?.type;
  const ops = operatorsFor(kind);
  const input = valueInput(kind, row.op);
  const label = (what: string) => `Condition ${index + 1} ${what}`;
  const list = row.op === "in" || row.op === "not in";
  // A share is typed as a percentage (80 for 0.8), money beside the pipeline's currency.
  const suffix = input === "days" ? "days" : unit === "share" && input !== "none" ? "%" : unit === "money" && input !== "none" ? currency : null;
  return (
    <li className="toolbar">
      <select aria-label={label("column")} value={row.column} onChange={(e) => onChange(newRow(e.target.value, columns.find((c) => c.name === e.target.value)?.type))}>
        {columns.map((c) => <option key={c.name} value={c.name}>{c.name} ({c.type})</option>)}
      </select>
      <select aria-label={label("operator")} value={row.op} onChange={(e) => onChange({ ...row, op: e.target.value })}>
        {ops.map((o) => <option key={o} value={o}>{o}</option>)}
      </select>
      {input === "boolean" ? (
        <select aria-label={label("value")} value={row.value} onChange={(e) => onChange({ ...row, value: e.target.value })}>
          <option value="true">true</option>
          <option value="false">false</option>
        </select>
      ) : input !== "none" && (
        <input aria-label={label("value")} type={input === "days" ? "number" : input} min={input === "days" ? 0 : undefined} step={input === "number" ? "any" : undefined} value={row.value}
          placeholder={list ? (kind === "text" ? "gold, \"Acme, Inc.\"" : unit === "share" ? "10, 20" : "1, 2") : unit === "share" && input === "number" ? "80" : undefined}
          title={list && kind === "text" ? "Items separated by commas; an item with a comma in double quotes." : undefined} onChange={(e) => onChange({ ...row, value: e.target.value })} />
      )}
      {suffix && <span>{suffix}</span>}
      <button type="button" className="secondary" aria-label={label("remove")} onClick={onRemove}>Remove</button>
    </li>
  );
}

/** Saves the audience as steps of a pipeline (the one that writes the table, by default), through the designer's save. */
function SaveAudience({ asset, table, conditions, match, orderBy, limit, hasPhone }: {
  asset: Schemas["AssetSummary"] | null; table: string; conditions: Schemas["AudienceConditionView"][]; match: "all" | "any"; orderBy?: string; limit?: number; hasPhone: boolean;
}) {
  const [pipelines, setPipelines] = useState<string[]>([]);
  const [pipeline, setPipeline] = useState(asset?.pipeline ?? "");
  const [name, setName] = useState("");
  const [destination, setDestination] = useState<Destination>("table");
  const [url, setUrl] = useState("");
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => { api.pipelines().then((p) => setPipelines(p.map((x) => x.name)), (e: unknown) => setStatus({ ok: false, text: errorMessage(e) })); }, []);

  const save = async () => {
    const problem = nameProblem(name);
    if (problem) return setStatus({ ok: false, text: problem });
    if (!pipeline) return setStatus({ ok: false, text: "Choose the pipeline to save the audience in." });
    try {
      const { yaml } = await api.yaml(pipeline);
      const text = addAudience(yaml, { name, input: asset?.step ?? table, conditions, match, destination, url, hasPhone, orderBy, limit });
      const { warnings } = await api.save(pipeline, text);
      setStatus({ ok: true, text: `Saved as step ${name} of ${pipeline}${warnings.length > 0 ? `, with ${warnings.length} warning${warnings.length === 1 ? "" : "s"}` : ""}. It runs with the pipeline.` });
    } catch (e) {
      const details = e instanceof ApiError && e.diagnostics.length > 0 ? `: ${e.diagnostics.map((d) => d.message).join(" ")}` : "";
      setStatus({ ok: false, text: `${errorMessage(e)}${details}` });
    }
  };
  return (
    <Card title="Save as audience">
      <div className="toolbar">
        <label>Name <input value={name} onChange={(e) => setName(e.target.value)} placeholder="top_tier_recent" aria-label="Audience name" /></label>
        <label>Pipeline{" "}
          <select value={pipeline} onChange={(e) => setPipeline(e.target.value)} aria-label="Pipeline">
            <option value="">Choose…</option>
            {pipelines.map((p) => <option key={p} value={p}>{p}</option>)}
          </select>
        </label>
        <label>Destination{" "}
          <select value={destination} onChange={(e) => setDestination(e.target.value as Destination)} aria-label="Destination">
            <option value="table">Just a table</option>
            <option value="meta">Meta custom audience file (hashed)</option>
            <option value="google">Google Customer Match file (hashed)</option>
            <option value="webhook">Webhook</option>
          </select>
        </label>
        {destination === "webhook" && <label>URL <input type="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://crm.example.com/hooks/audience" aria-label="Webhook URL" size={40} /></label>}
        <button type="button" onClick={() => void save()}>Save as audience</button>
      </div>
      {status && (status.ok ? <p role="status">{status.text} <a href={`#/designer/${encodeURIComponent(pipeline)}`}>Open {pipeline} in the designer</a></p> : <ErrorNotice>{status.text}</ErrorNotice>)}
    </Card>
  );
}
