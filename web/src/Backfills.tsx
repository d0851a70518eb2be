import { useEffect, useState } from "react";
import { api, errorMessage, type Schemas } from "./api/client";
import { anyRunning, backfillTargets, keyExamples, partitionsText, progressSegments, progressText } from "./backfills";
import { Card, DataTable, EmptyState, ErrorNotice, Loading, StatusBadge } from "./ui/components";
import { formatDateTime } from "./ui/format";

type Backfill = Schemas["BackfillView"];

/** Backfills: start one (of a partitioned pipeline, or of one of its partitioned groups), follow each one's partitions, cancel or retry. */
export function Backfills({ pipelines }: { pipelines: Schemas["PipelineSummary"][] }) {
  const [backfills, setBackfills] = useState<Backfill[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const fail = (e: unknown) => setError(errorMessage(e));
  const load = () => api.backfills().then(setBackfills, fail);
  useEffect(() => { void load(); }, []);
  // While one runs, its progress is looked at again every two seconds.
  useEffect(() => {
    if (!backfills || !anyRunning(backfills)) return;
    const timer = setTimeout(() => void load(), 2000);
    return () => clearTimeout(timer);
  }, [backfills]);
  const act = async (call: Promise<unknown>) => {
    try {
      await call;
      setError(null);
    } catch (e) {
      fail(e);
    }
    await load();
  };
  const partitioned = pipelines.filter((p) => backfillTargets(p).length > 0);
  return (
    <Card title="Backfills">
      {error && <ErrorNotice>{error}</ErrorNotice>}
      {partitioned.length > 0 ? <BackfillForm pipelines={partitioned} onStarted={() => void load()} /> : <NoPartitions />}
      {backfills === null ? <Loading what="Loading backfills" /> : partitioned.length === 0 && backfills.length === 0 ? null : (
        <DataTable caption="Backfills" rows={backfills} rowKey={(b) => b.backfill_id}
          empty={<EmptyState title="No backfills yet">Start one above, or with trib backfill PIPELINE [--group NAME] --from KEY --to KEY.</EmptyState>}
          columns={[
            { key: "started", header: "Started", cell: (b) => formatDateTime(b.created_at) },
            { key: "pipeline", header: "Pipeline", cell: (b) => b.pipeline },
            { key: "group", header: "Group", cell: (b) => b.group ?? "—" },
            { key: "status", header: "Status", cell: (b) => <StatusBadge status={b.status} /> },
            { key: "progress", header: "Partitions", cell: (b) => <ProgressBar backfill={b} /> },
            { key: "actions", header: "", cell: (b) => b.status === "running"
              ? <button type="button" className="secondary" onClick={() => void act(api.cancelBackfill(b.backfill_id))}>Cancel<span className="sr-only"> backfill {b.backfill_id}</span></button>
              : b.progress.failed + b.progress.cancelled > 0
                ? <button type="button" className="secondary" onClick={() => void act(api.retryBackfill(b.backfill_id))}>Retry failed<span className="sr-only"> partitions of {b.backfill_id}</span></button>
                : null },
          ]} />
      )}
    </Card>
  );
}

/** Nothing to backfill yet: what makes a pipeline backfillable, and where that is explained. */
function NoPartitions() {
  return (
    <EmptyState title="To backfill, partition a pipeline">
      Add <code>partitions:</code> to a pipeline, in its YAML or in the designer under Schedule and retry → Partitions;
      docs/pipelines.md explains them under Partitions.
    </EmptyState>
  );
}

function ProgressBar({ backfill }: { backfill: Backfill }) {
  const text = progressText(backfill.progress);
  return (
    <div className="backfill-progress" data-testid={`backfill-${backfill.backfill_id}`}>
      <div className="bar" role="img" aria-label={text}>
        {progressSegments(backfill.progress).map((s) => <span key={s.state} className={`segment ${s.state}`} style={{ width: `${s.percent}%` }} />)}
      </div>
      <span className="muted">{text}</span>
    </div>
  );
}

function BackfillForm({ pipelines, onStarted }: { pipelines: Schemas["PipelineSummary"][]; onStarted: () => void }) {
  const [pipeline, setPipeline] = useState("");
  const [group, setGroup] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [concurrency, setConcurrency] = useState("2");
  const [error, setError] = useState<string | null>(null);
  const chosen = pipeline || pipelines[0]?.name || "";
  // The group is picked among the chosen pipeline's partitioned ones ("" for the whole pipeline, when it is partitioned).
  const targets = backfillTargets(pipelines.find((p) => p.name === chosen) ?? { partitions: null, partitioned_groups: [] });
  const target = targets.some((t) => t.group === group) ? group : targets[0]?.group ?? "";
  const [fromExample, toExample] = keyExamples(targets.find((t) => t.group === target)?.granularity);
  const start = async () => {
    try {
      await api.startBackfill({ pipeline: chosen, group: target || null, from, to, concurrency: Number(concurrency) || null });
      setError(null);
      onStarted();
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  return (
    <form className="panel toolbar" aria-label="Start a backfill" onSubmit={(e) => { e.preventDefault(); void start(); }}>
      <label>Pipeline <select name="backfill-pipeline" value={chosen} onChange={(e) => { setPipeline(e.target.value); setGroup(""); }}>
        {pipelines.map((p) => <option key={p.name} value={p.name}>{p.name} ({partitionsText(p)})</option>)}
      </select></label>
      <label>Partitions of <select name="backfill-group" value={target} onChange={(e) => setGroup(e.target.value)}>
        {targets.map((t) => <option key={t.group} value={t.group}>{t.label}</option>)}
      </select></label>
      <label>From <input name="backfill-from" value={from} onChange={(e) => setFrom(e.target.value)} placeholder={fromExample} required /></label>
      <label>To <input name="backfill-to" value={to} onChange={(e) => setTo(e.target.value)} placeholder={toExample} required /></label>
      <label>At once <input name="backfill-concurrency" type="number" min={1} value={concurrency} onChange={(e) => setConcurrency(e.target.value)} /></label>
      <button type="submit">Start backfill</button>
      {error && <p role="alert" className="field-error">{error}</p>}
    </form>
  );
}
