import { useEffect, useState } from "react";
import { api, csvUrl, errorMessage, type Schemas } from "./api/client";
import { DownloadButton } from "./ui/DownloadButton";
import { Card, DataTable, EmptyState, ErrorNotice, Loading, Page, StatusBadge } from "./ui/components";
import { ServerTable } from "./ui/ServerTable";
import { checkResult } from "./RunDetail";
import { formatCount, formatDateTime } from "./ui/format";
import { groupByStep, isInternal, roleDescriptions, searchAssets } from "./sideTables";
import { ExploreLink } from "./ui/ExploreLink";
import { ownership, type Ownership, type Writer } from "./ownership";

const assetLink = (name: string) => `#/asset/${encodeURIComponent(name)}`;

/**
 * Every table with its last materialization, grouped under the step that declared it (its main output first, then its
 * side outputs with their roles), as the server declares them; internal tables (a source's files ledger) show only on
 * request. An asset's page previews its rows and shows its row count over time.
 */
export function Assets() {
  const [assets, setAssets] = useState<Schemas["AssetSummary"][] | null>(null);
  const [internal, setInternal] = useState(false);
  const [search, setSearch] = useState("");
  const [error, setError] = useState<string | null>(null);
  // Internal tables are asked for too, so that the checkbox can count them; the server's role says which they are.
  useEffect(() => { api.assets(true).then(setAssets, (e: unknown) => setError(errorMessage(e))); }, []);
  const hidden = assets?.filter(isInternal).length ?? 0;
  const shown = searchAssets(assets?.filter((a) => internal || !isInternal(a)) ?? [], search);
  const rows = groupByStep(shown)
    .flatMap((g) => g.tables.map((a, i) => ({ ...a, first: i === 0, group: g.step })));
  return (
    <Page title="Assets" subtitle="The warehouse's tables, under the pipeline step that declared them, and when a run last wrote them."
      actions={<div className="toolbar">
        <label>Search <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="table, step or pipeline" size={28} /></label>
        <label><input type="checkbox" checked={internal} onChange={(e) => setInternal(e.target.checked)} />Show internal tables ({formatCount(hidden)})</label>
      </div>}>
      {error && <ErrorNotice>{error}</ErrorNotice>}
      {assets === null ? (error ? null : <Loading what="Loading assets" />) : (
        <DataTable caption="Assets by step" rows={rows} rowKey={(a) => a.name}
          empty={search.trim() && assets && assets.length > 0
            ? <EmptyState title="No table matches">No table, step or pipeline contains “{search.trim()}”.</EmptyState>
            : <EmptyState title="No tables yet">Load data (trib demo-data) or run a pipeline, and its tables appear here.</EmptyState>}
          columns={[
            { key: "step", wide: true, header: "Step", cell: (a) => (!a.first ? "" : a.group === null ? <span className="muted">not declared by a step</span> : <strong>{a.group}</strong>) },
            { key: "pipeline", wide: true, header: "Pipeline (last run)", cell: (a) => (!a.pipeline ? <span className="muted">loaded from outside</span> : a.pipeline) },
            { key: "output", wide: true, header: "Output", cell: (a) => (a.output === null ? "" : <>{a.output} {a.role && a.role !== "main" && <span className="badge role" title={roleDescriptions[a.role]}>{a.role}</span>}</>) },
            { key: "name", header: "Table", cell: (a) => <a href={assetLink(a.name)}>{a.name}</a> },
            { key: "at", wide: true, header: "Last materialized", cell: (a) => (a.last_materialized ? formatDateTime(a.last_materialized) : <span className="muted">not by a pipeline</span>) },
            { key: "rows", header: "Rows", numeric: true, cell: (a) => (a.rows === null || a.rows === undefined ? "" : formatCount(a.rows)) },
            { key: "explore", header: <span className="sr-only">Explore</span>, cell: (a) => <ExploreLink table={a.name} /> },
          ]} />
      )}
    </Page>
  );
}

const pageSize = 25;

export function AssetDetail({ name }: { name: string }) {
  const [data, setData] = useState<Schemas["AssetPreview"] | null>(null);
  const [history, setHistory] = useState<Schemas["MaterializationView"][] | null>(null);
  const [lineage, setLineage] = useState<Schemas["AssetLineage"][]>([]);
  const [partitions, setPartitions] = useState<Schemas["AssetPartitionView"][]>([]);
  const [partitionTotal, setPartitionTotal] = useState(0);
  const [checks, setChecks] = useState<Schemas["CheckView"][]>([]);
  const [lastWriter, setLastWriter] = useState<{ pipeline: string; runId: string } | null>(null);
  const [errors, setErrors] = useState<string[]>([]);
  const fail = (e: unknown) => setErrors((all) => [...all, errorMessage(e)]);
  // The row count and columns for the heading; the rows themselves are the table's own pages.
  useEffect(() => { api.asset(name, 1).then(setData, fail); }, [name]);
  useEffect(() => {
    api.history(name).then((h) => {
      setHistory(h);
      // The checks of the latest materialization.
      if (h.length > 0) api.runDetail(h[h.length - 1].run_id).then((d) => {
        setChecks(d.checks.filter((c) => c.asset === name));
        setLastWriter({ pipeline: d.run.pipeline, runId: d.run.run_id });
      }, fail);
    }, fail);
    api.lineage(name).then((l) => {
      setLineage(l);
      const partitioned = l.find((x) => x.partitioned);
      if (partitioned) api.partitions(partitioned.pipeline)
        .then((page) => { setPartitionTotal(page.total); setPartitions(page.items.filter((p) => p.asset === name)); }, fail);
    }, fail);
  }, [name]);
  if (!data) return errors.length > 0 ? <Page title={name}>{errors.map((e, i) => <ErrorNotice key={i}>{e}</ErrorNotice>)}</Page> : <Loading what={`Loading ${name}`} />;
  return (
    <Page title={name} subtitle={`${formatCount(data.total)} rows · ${formatCount(data.columns.length)} columns`}
      actions={<>
        <ExploreLink table={name} className="button secondary" />
        <DownloadButton url={csvUrl(name)} fileName={`${name}.csv`}>Download {name}.csv</DownloadButton>
      </>}>
      {errors.map((e, i) => <ErrorNotice key={i}>{e}</ErrorNotice>)}
      <Owner ownership={ownership(lineage)} lastWriter={lastWriter} />
      {lineage.length > 0 && (
        <Card title="Lineage">
          {lineage.map((l) => (
            <p key={l.pipeline}>In <a href={`#/designer/${encodeURIComponent(l.pipeline)}`}>{l.pipeline}</a> ({l.type}){l.step !== name && <>, written by step <strong>{l.step}</strong> as its target</>}: {l.step !== name ? "that step " : ""}reads {l.upstream.map((u, i) => <span key={u}>{i > 0 && ", "}<a href={assetLink(u)}>{u}</a></span>)}{l.upstream.length === 0 && "no asset"}; read by {l.downstream.map((d, i) => <span key={d}>{i > 0 && ", "}<a href={assetLink(d)}>{d}</a></span>)}{l.downstream.length === 0 && "nothing"}.</p>
          ))}
        </Card>
      )}
      {partitions.length > 0 && (
        <Card title="Partitions">
          <ol className="partition-bar" aria-label="Partition status">
            {partitions.map((p) => <li key={p.partition} className={`partition ${p.state}`} title={`${p.partition}: ${p.state}`}><span className="sr-only">{p.partition}: {p.state}</span></li>)}
          </ol>
          <p className="muted">{["materialized", "stale", "failed", "missing"].map((s) => `${formatCount(partitions.filter((p) => p.state === s).length)} ${s}`).join(" · ")}
            {partitionTotal > partitions.length && ` (the first ${formatCount(partitions.length)} of ${formatCount(partitionTotal)} partitions)`}</p>
        </Card>
      )}
      {checks.length > 0 && (
        <Card title="Checks (latest materialization)">
          <ul className="checks">{checks.map((c, i) => <li key={i}><StatusBadge status={checkResult(c)} /> {c.check} <span className="muted">{c.detail}</span></li>)}</ul>
        </Card>
      )}
      <Card title="Rows">
        <ServerTable table={name} pageSize={pageSize} caption={`Rows of ${name}`} />
      </Card>
      <Card title="Materialization history">
        {history === null ? <Loading /> : (
          <DataTable caption="Materialization history" rows={[...history].reverse()} rowKey={(h, i) => `${h.run_id}-${i}`}
            empty="No pipeline has written this table; it was loaded from outside."
            columns={[
              { key: "at", header: "When", cell: (h) => formatDateTime(h.at) },
              { key: "rows", header: "Rows", numeric: true, cell: (h) => formatCount(h.row_count) },
              { key: "run", header: "Run", cell: (h) => <a href={`#/run/${encodeURIComponent(h.run_id)}`}>{h.run_id}</a> },
            ]} />
        )}
      </Card>
    </Page>
  );
}

const designerLink = (pipeline: string) => `#/designer/${encodeURIComponent(pipeline)}`;

function Writers({ writers }: { writers: readonly Writer[] }) {
  return <>{writers.map((w, i) => <span key={w.pipeline}>{i === 0 ? "" : i === writers.length - 1 ? " and " : ", "}<a href={designerLink(w.pipeline)}>{w.pipeline}</a> (<code>{w.at}</code>)</span>)}</>;
}

/** Which pipeline owns the table: one; several that write the same rows; or several that replace each other's, none owning it. */
export function Owner({ ownership: owner, lastWriter }: { ownership: Ownership | null; lastWriter: { pipeline: string; runId: string } | null }) {
  if (!owner) return null;
  if (owner.kind === "owned")
    return <p data-testid="asset-owner">Owned by <a href={designerLink(owner.writer.pipeline)}>{owner.writer.pipeline}</a>, which writes it at <code>{owner.writer.at}</code>.</p>;
  if (owner.kind === "shared")
    return <p data-testid="asset-owner">Shared by <Writers writers={owner.writers} />: they define it alike down to its sources, so each one's run writes the same rows.</p>;
  const cdp = owner.writers.some((w) => w.pipeline === "full_cdp");
  return (
    <p className="notice warning" role="alert" data-testid="asset-owner">
      <strong>No single owner (TRIB0209):</strong> <Writers writers={owner.writers} /> define this table differently and each writes it, so whichever runs last
      replaces the others' rows{lastWriter && <>; these are {lastWriter.pipeline}'s, from run <a href={`#/run/${encodeURIComponent(lastWriter.runId)}`}>{lastWriter.runId}</a></>}.
      {" "}{cdp ? "full_cdp is the whole platform in one pipeline: keep it or the single templates, not both, or give one of them other ids." : "Give one of them another id, or remove one."}
    </p>
  );
}
