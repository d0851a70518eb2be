import { useEffect, useState } from "react";
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from "recharts";
import { api, csvUrl, errorMessage, type Schemas } from "./api/client";
import { outputTable, panels, type Panel } from "./dashboards";
import { toGraph } from "./pipelineGraph";

const colors = ["#2563eb", "#16a34a", "#d97706", "#dc2626", "#7c3aed", "#0891b2", "#be185d", "#4d7c0f", "#9a3412", "#334155"];

/** A pipeline's results: one chart per component with a registered panel, its table beneath and a CSV download. */
export function Dashboard({ pipeline }: { pipeline: string }) {
  const [items, setItems] = useState<{ id: string; panel: Panel }[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.yaml(pipeline).then(({ yaml }) =>
      setItems(toGraph(yaml).components.filter((c) => panels[c.type]).map((c) => ({ id: c.id, panel: panels[c.type] }))), (e: unknown) => setError(errorMessage(e)));
  }, [pipeline]);
  if (error) return <p role="alert">{error}</p>;
  if (!items) return <p>Loading…</p>;
  return (
    <section>
      <h1>{pipeline}: results</h1>
      {items.length === 0 && <p>This pipeline has no result panels yet.</p>}
      {items.map((i) => <PanelView key={i.id} id={i.id} panel={i.panel} />)}
    </section>
  );
}

function PanelView({ id, panel }: { id: string; panel: Panel }) {
  const [table, setTable] = useState<string | null>(null);
  const [data, setData] = useState<Schemas["AssetPreview"] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.assets().then((assets) => {
      const found = outputTable(assets, id, panel.output);
      if (!found) throw new Error(`${id} has not written its ${panel.output} output yet`);
      setTable(found);
      return api.asset(found, 10_000).then(setData);
    }).catch((e: unknown) => setError(errorMessage(e)));
  }, [id, panel.output]);
  if (error) return <article className="panel"><h2>{panel.title}</h2><p>{error} (run the pipeline first)</p></article>;
  if (!data || !table) return null;
  const objects = data.rows.map((r) => Object.fromEntries(data.columns.map((c, k) => [c.name, r[k]])));
  const bars = panel.bars(objects);
  const series = [...new Set(bars.flatMap((b) => Object.keys(b.series)))];
  return (
    <article className="panel" aria-label={panel.title}>
      <h2>{panel.title}</h2>
      <BarChart width={760} height={280} data={bars.map((b) => ({ x: b.x, ...b.series }))} role="img" aria-label={`${panel.title} chart`}>
        <CartesianGrid strokeDasharray="3 3" /><XAxis dataKey="x" /><YAxis /><Tooltip /><Legend />
        {series.map((s, k) => <Bar key={s} dataKey={s} fill={colors[k % colors.length]} isAnimationActive={false} />)}
      </BarChart>
      <p><a href={csvUrl(table)} download>Download {table}.csv</a></p>
      <div className="table-wrap">
        <table>
          <caption>{table} (first {Math.min(data.rows.length, 20)} rows)</caption>
          <thead><tr>{data.columns.map((c) => <th key={c.name} scope="col">{c.name}</th>)}</tr></thead>
          <tbody>{data.rows.slice(0, 20).map((r, k) => <tr key={k}>{r.map((v, j) => <td key={j}>{format(v)}</td>)}</tr>)}</tbody>
        </table>
      </div>
    </article>
  );
}

function format(v: unknown): string {
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toFixed(3);
  return v === null || v === undefined ? "" : String(v);
}
