import { useEffect, useMemo, useState } from "react";
import { api, ApiError, errorMessage, type Schemas } from "./api/client";
import { addAudience, conditionsOf, countLabel, nameProblem, newRow, operatorsFor, valueInput, type ColumnKind, type ConditionRow, type Destination } from "./audiences";
import { Card, EmptyState, ErrorNotice, Loading, Page, ResultTable } from "./ui/components";

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

  useEffect(() => {
    api.assets().then(setAssets, (e: unknown) => setError(errorMessage(e)));
  }, []);
  const kinds = useMemo(() => Object.fromEntries(columns.map((c) => [c.name, c.type])) as Record<string, ColumnKind>, [columns]);
  const conditions = useMemo(() => conditionsOf(rows, kinds), [rows, kinds]);
  const key = JSON.stringify([table, conditions, match]);

  // The count follows the conditions, a moment after the last change; an answer to older conditions is dropped.
  useEffect(() => {
    if (!table) return;
    let current = true;
    const timer = setTimeout(() => {
      api.audiencePreview({ table, conditions, match }).then((p) => {
        if (!current) return;
        setPreview(p);
        setColumns(p.columns);
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
    setPreview(null);
    setPreviewError(null);
  };
  const update = (i: number, row: ConditionRow) => setRows(rows.map((r, j) => (j === i ? row : r)));
  const asset = assets?.find((a) => a.name === table) ?? null;

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
                {rows.map((r, i) => <ConditionEditor key={i} index={i} row={r} columns={columns} onChange={(row) => update(i, row)} onRemove={() => setRows(rows.filter((_, j) => j !== i))} />)}
              </ol>
              <button type="button" className="secondary" disabled={columns.length === 0} onClick={() => setRows([...rows, newRow(columns[0].name, columns[0].type)])}>Add condition</button>
              <p aria-live="polite" data-testid="audience-count">
                {previewError ? <span className="error">{previewError}</span> : preview ? <strong>{countLabel(preview.count, preview.total)}</strong> : "Counting…"}
              </p>
            </Card>
          )}
          {preview && !previewError && (
            <Card title="Sample">
              <ResultTable caption="First rows of the audience" columns={preview.columns.map((c) => ({ name: c.name, type: c.type }))} rows={preview.sample} maxHeight={360}
                empty="No row matches these conditions." />
            </Card>
          )}
          {table && preview && !previewError && <SaveAudience asset={asset} table={table} conditions={conditions} match={match} hasPhone={"phone" in kinds} />}
        </>
      )}
    </Page>
  );
}

/** One condition: column (with its type), operator, and a value input suited to both. */
function ConditionEditor({ index, row, columns, onChange, onRemove }: {
  index: number; row: ConditionRow; columns: Schemas["ColumnView"][]; onChange: (row: ConditionRow) => void; onRemove: () => void;
}) {
  const kind = columns.find((c) => c.name === row.column)?.type;
  const ops = operatorsFor(kind);
  const input = valueInput(kind, row.op);
  const label = (what: string) => `Condition ${index + 1} ${what}`;
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
        <input aria-label={label("value")} type={input === "days" ? "number" : input} min={input === "days" ? 0 : undefined} value={row.value}
          placeholder={row.op === "in" || row.op === "not in" ? "gold, platinum" : undefined} onChange={(e) => onChange({ ...row, value: e.target.value })} />
      )}
      {input === "days" && <span>days</span>}
      <button type="button" className="secondary" aria-label={label("remove")} onClick={onRemove}>Remove</button>
    </li>
  );
}

/** Saves the audience as steps of a pipeline (the one that writes the table, by default), through the designer's save. */
function SaveAudience({ asset, table, conditions, match, hasPhone }: {
  asset: Schemas["AssetSummary"] | null; table: string; conditions: Schemas["AudienceConditionView"][]; match: "all" | "any"; hasPhone: boolean;
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
      const text = addAudience(yaml, { name, input: asset?.step ?? table, conditions, match, destination, url, hasPhone });
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
