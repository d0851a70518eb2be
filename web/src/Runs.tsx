import { useEffect, useState } from "react";
import { api, errorMessage, type Run } from "./api/client";
import { DataTable, EmptyState, ErrorNotice, Loading, Page, StatusBadge } from "./ui/components";
import { formatDateTime, formatDuration } from "./ui/format";

const runLink = (r: Run) => `#/run/${encodeURIComponent(r.run_id)}`;
const duration = (r: Run) => (r.ended_at ? formatDuration(Date.parse(r.ended_at) - Date.parse(r.started_at)) : "running…");

/** Every run, newest first, filtered by pipeline and status. */
export function Runs() {
  const [runs, setRuns] = useState<Run[] | null>(null);
  const [pipeline, setPipeline] = useState("");
  const [status, setStatus] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [names, setNames] = useState<string[]>([]);
  useEffect(() => { api.pipelines().then((p) => setNames(p.map((x) => x.name).sort()), () => { /* the filter offers "any" only */ }); }, []);
  useEffect(() => {
    const load = () => api.runs(pipeline || undefined).then((r) => { setRuns(r); setError(null); }, (e: unknown) => setError(errorMessage(e)));
    void load();
    const timer = setInterval(load, 2000);
    return () => clearInterval(timer);
  }, [pipeline]);
  const shown = (runs ?? []).filter((r) => !status || r.status === status);
  return (
    <Page title="Runs" subtitle="Every pipeline run, newest first."
      actions={<>
        {/* The project's pipelines to pick from: the filter is by exact name, which a free text box made a guess. */}
        <label className="toolbar">Pipeline
          <select value={pipeline} onChange={(e) => setPipeline(e.target.value)}>
            <option value="">any</option>{names.map((n) => <option key={n}>{n}</option>)}
          </select>
        </label>
        <label className="toolbar">Status
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">any</option>{["running", "succeeded", "failed", "cancelled"].map((s) => <option key={s}>{s}</option>)}
          </select>
        </label>
      </>}>
      {error && <ErrorNotice>{error}</ErrorNotice>}
      {runs === null && !error ? <Loading what="Loading runs" /> : (
        <DataTable caption="Runs" rows={shown} rowKey={(r) => r.run_id}
          empty={<EmptyState title={runs?.length ? "No run matches these filters" : "No runs yet"}>{runs?.length ? "Clear the filters to see every run." : "Open a pipeline in the designer and press Run, or use trib run."}</EmptyState>}
          columns={[
            { key: "id", header: "Run", wide: true, cell: (r) => <a href={runLink(r)}>{r.run_id}</a> },
            // On a phone the run id and partition columns give way: the pipeline's name links to the run, its partition beside it, its status under it.
            { key: "pipeline", header: "Pipeline", cell: (r) => <><span className="wide-only">{r.pipeline}</span><a className="narrow-only" href={runLink(r)}>{r.pipeline}</a>
              {r.partition && <span className="narrow-only muted"> [{r.partition}]</span>}
              <span className="narrow-only"><br /><StatusBadge status={r.status} /></span></> },
            { key: "partition", header: "Partition", wide: true, cell: (r) => r.partition ?? "—" },
            { key: "status", header: "Status", wide: true, cell: (r) => <StatusBadge status={r.status} /> },
            { key: "trigger", header: "Trigger", wide: true, cell: (r) => (r.full_refresh ? `${r.trigger} · full refresh` : r.trigger) },
            { key: "started", header: "Started", wide: true, cell: (r) => formatDateTime(r.started_at) },
            { key: "duration", header: "Duration", numeric: true, cell: duration },
          ]} />
      )}
    </Page>
  );
}
