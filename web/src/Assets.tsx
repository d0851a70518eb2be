import { useEffect, useState } from "react";
import { api, csvUrl, errorMessage, type Schemas } from "./api/client";

const assetLink = (name: string) => `#/asset/${encodeURIComponent(name)}`;

/**
 * Every table with its last materialization, grouped under the step that declared it (its role beside it); a source's
 * internal files ledger shows only on request. An asset's page previews its rows and shows its row count over time.
 */
export function Assets() {
  const [assets, setAssets] = useState<Schemas["AssetSummary"][]>([]);
  const [internal, setInternal] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => { api.assets(internal).then(setAssets, (e: unknown) => setError(errorMessage(e))); }, [internal]);
  return (
    <section>
      <h1>Assets</h1>
      {error && <p role="alert">{error}</p>}
      <label><input type="checkbox" checked={internal} onChange={(e) => setInternal(e.target.checked)} /> Show internal tables</label>
      <table>
        <thead><tr><th scope="col">Step</th><th scope="col">Asset</th><th scope="col">Role</th><th scope="col">Last materialized</th><th scope="col">Rows</th></tr></thead>
        <tbody>{assets.map((a, i) => (
          <tr key={a.name}>
            <th scope="row">{a.step !== assets[i - 1]?.step || i === 0 ? a.step ?? "" : ""}</th>
            <td><a href={assetLink(a.name)}>{a.name}</a></td><td>{a.role ?? ""}</td>
            <td>{a.last_materialized ? new Date(a.last_materialized).toLocaleString() : "—"}</td><td>{a.rows ?? ""}</td>
          </tr>
        ))}</tbody>
      </table>
    </section>
  );
}

export function AssetDetail({ name }: { name: string }) {
  const [data, setData] = useState<Schemas["AssetPreview"] | null>(null);
  const [history, setHistory] = useState<Schemas["MaterializationView"][]>([]);
  const [page, setPage] = useState(0);
  const [lineage, setLineage] = useState<Schemas["AssetLineage"][]>([]);
  const [partitions, setPartitions] = useState<Schemas["AssetPartitionView"][]>([]);
  const [partitionTotal, setPartitionTotal] = useState(0);
  const [checks, setChecks] = useState<Schemas["CheckView"][]>([]);
  const [errors, setErrors] = useState<string[]>([]);
  useEffect(() => {
    const fail = (e: unknown) => setErrors((all) => [...all, errorMessage(e)]);
    api.asset(name, 1000).then(setData, fail);
    api.history(name).then((h) => {
      setHistory(h);
      // The checks of the latest materialization.
      if (h.length > 0) api.runDetail(h[h.length - 1].run_id).then((d) => setChecks(d.checks.filter((c) => c.asset === name)), fail);
    }, fail);
    api.lineage(name).then((l) => {
      setLineage(l);
      const partitioned = l.find((x) => x.partitioned);
      if (partitioned) api.partitions(partitioned.pipeline)
        .then((page) => { setPartitionTotal(page.total); setPartitions(page.items.filter((p) => p.asset === name)); }, fail);
    }, fail);
  }, [name]);
  if (!data) return errors.length > 0 ? <>{errors.map((e, i) => <p key={i} role="alert">{e}</p>)}</> : <p>Loading…</p>;
  const size = 25;
  return (
    <section>
      <h1>{name}</h1>
      {errors.map((e, i) => <p key={i} role="alert">{e}</p>)}
      <p><a href={csvUrl(name)} download>Download {name}.csv</a></p>
      {lineage.map((l) => (
        <p key={l.pipeline}>In <a href={`#/designer/${encodeURIComponent(l.pipeline)}`}>{l.pipeline}</a> ({l.type}): reads {l.upstream.map((u) => <a key={u} href={assetLink(u)}>{u} </a>)}{l.upstream.length === 0 && "no asset"}; read by {l.downstream.map((d) => <a key={d} href={assetLink(d)}>{d} </a>)}{l.downstream.length === 0 && "nothing"}.</p>
      ))}
      {partitions.length > 0 && (
        <>
          <h2>Partitions</h2>
          <ol className="partition-bar" aria-label="Partition status">
            {partitions.map((p) => <li key={p.partition} className={`partition ${p.state}`} title={`${p.partition}: ${p.state}`}><span className="sr-only">{p.partition}: {p.state}</span></li>)}
          </ol>
          <p className="muted">{["materialized", "stale", "failed", "missing"].map((s) => `${partitions.filter((p) => p.state === s).length} ${s}`).join(" · ")}
            {partitionTotal > partitions.length && ` (the first ${partitions.length} of ${partitionTotal} partitions)`}</p>
        </>
      )}
      {checks.length > 0 && (
        <>
          <h2>Checks (latest materialization)</h2>
          <ul>{checks.map((c, i) => <li key={i} className={c.passed ? "ok" : "bad"}>{c.check}: {c.passed ? "passed" : "failed"} ({c.detail})</li>)}</ul>
        </>
      )}
      <h2>Columns</h2>
      <p>{data.columns.map((c) => `${c.name} (${c.type})`).join(", ")}</p>
      <h2>Rows</h2>
      <div className="toolbar">
        <button onClick={() => setPage(Math.max(0, page - 1))} disabled={page === 0}>Previous</button>
        <span>rows {page * size + 1}–{Math.min(data.rows.length, (page + 1) * size)} of {data.rows.length}{data.rows.length === 1000 ? "+" : ""}</span>
        <button onClick={() => setPage(page + 1)} disabled={(page + 1) * size >= data.rows.length}>Next</button>
      </div>
      <div className="table-wrap"><table>
        <thead><tr>{data.columns.map((c) => <th key={c.name} scope="col">{c.name}</th>)}</tr></thead>
        <tbody>{data.rows.slice(page * size, (page + 1) * size).map((r, i) => <tr key={i}>{r.map((v, j) => <td key={j}>{v === null ? "" : String(v)}</td>)}</tr>)}</tbody>
      </table></div>
      <h2>Materialization history</h2>
      <ol>{history.map((h, i) => <li key={i}>{new Date(h.at).toLocaleString()}: {h.row_count} rows (<a href={`#/run/${encodeURIComponent(h.run_id)}`}>{h.run_id}</a>)</li>)}</ol>
    </section>
  );
}
