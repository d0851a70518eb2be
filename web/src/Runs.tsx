import { useEffect, useState } from "react";
import { api, errorMessage, type Run } from "./api/client";

const duration = (r: Run) => (r.ended_at ? `${((Date.parse(r.ended_at) - Date.parse(r.started_at)) / 1000).toFixed(1)}s` : "…");

/** Every run, newest first, filtered by pipeline and status. */
export function Runs() {
  const [runs, setRuns] = useState<Run[]>([]);
  const [pipeline, setPipeline] = useState("");
  const [status, setStatus] = useState("");
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const load = () => api.runs(pipeline || undefined).then((r) => { setRuns(r); setError(null); }, (e: unknown) => setError(errorMessage(e)));
    void load();
    const timer = setInterval(load, 2000);
    return () => clearInterval(timer);
  }, [pipeline]);
  const shown = runs.filter((r) => !status || r.status === status);
  return (
    <section>
      <h1>Runs</h1>
      {error && <p role="alert">{error}</p>}
      <div className="toolbar">
        <label>Pipeline <input value={pipeline} onChange={(e) => setPipeline(e.target.value)} /></label>
        <label>Status
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">any</option>{["running", "succeeded", "failed", "cancelled"].map((s) => <option key={s}>{s}</option>)}
          </select>
        </label>
      </div>
      <table>
        <thead><tr><th scope="col">Run</th><th scope="col">Pipeline</th><th scope="col">Partition</th><th scope="col">Status</th><th scope="col">Trigger</th><th scope="col">Started</th><th scope="col">Duration</th></tr></thead>
        <tbody>
          {shown.map((r) => (
            <tr key={r.run_id}>
              <td><a href={`#/run/${encodeURIComponent(r.run_id)}`}>{r.run_id}</a></td><td>{r.pipeline}</td><td>{r.partition ?? ""}</td>
              <td className={r.status}>{r.status}</td><td>{r.trigger}</td><td>{new Date(r.started_at).toLocaleString()}</td><td>{duration(r)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
