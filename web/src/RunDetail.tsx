import { useEffect, useState } from "react";
import { api, errorMessage, runEventsUrl, type RunDetail as Detail, type RunEvent } from "./api/client";

/** One run: a timeline of its steps (Gantt), the failed step's error, materializations, checks, its log; cancel and re-run from failure. */
export function RunDetail({ runId }: { runId: string }) {
  const [detail, setDetail] = useState<Detail | null>(null);
  const [log, setLog] = useState<string[]>([]);
  const [message, setMessage] = useState("");
  useEffect(() => {
    const load = () => api.runDetail(runId).then(setDetail, (e: unknown) => setMessage(errorMessage(e)));
    void load();
    const source = new EventSource(runEventsUrl(runId));
    source.onmessage = (e) => { const ev = JSON.parse(e.data as string) as RunEvent; setLog((l) => [...l, `${ev.asset ?? ""} ${ev.message}`.trim()]); };
    source.onerror = () => { if (source.readyState === EventSource.CLOSED) setMessage(`the event stream of run ${runId} failed`); };
    source.addEventListener("end", () => { source.close(); void load(); });
    const timer = setInterval(load, 1500);
    return () => { source.close(); clearInterval(timer); };
  }, [runId]);
  if (!detail) return <p role={message ? "alert" : undefined}>{message || "Loading…"}</p>;
  const { run, steps } = detail;
  const times = steps.flatMap((s) => [s.started_at, s.ended_at]).filter((t): t is string => !!t).map(Date.parse);
  const start = Math.min(...times, Date.parse(run.started_at));
  const end = Math.max(...times, run.ended_at ? Date.parse(run.ended_at) : Date.now());
  const span = Math.max(1, end - start);
  const failed = steps.find((s) => s.status === "failed");
  const attempt = async (action: () => Promise<unknown>) => {
    try {
      await action();
    } catch (e) {
      setMessage(errorMessage(e));
    }
  };
  return (
    <section>
      <h1>Run {run.run_id}</h1>
      <p>{run.pipeline}{run.partition ? ` [${run.partition}]` : ""} · <strong className={run.status} data-testid="run-detail-status">{run.status}</strong> · {run.trigger}</p>
      <div className="toolbar">
        {run.status === "running" && <button onClick={() => void attempt(() => api.cancelRun(run.run_id))}>Cancel</button>}
        {failed && (
          <button onClick={() => void attempt(async () => {
            const { queue_id } = await api.run({ pipeline: run.pipeline, partition: run.partition, selection: `${failed.asset}+` });
            window.location.hash = `#/runs/${encodeURIComponent(queue_id)}`;
          })}>Re-run from {failed.asset}</button>
        )}
        <span aria-live="polite">{message}</span>
      </div>
      {run.error && <p role="alert" className="bad">{run.error}</p>}
      <h2>Timeline</h2>
      <ol className="gantt" aria-label="Step timeline">
        {steps.map((s) => {
          const from = s.started_at ? (Date.parse(s.started_at) - start) / span : 0;
          const to = s.ended_at ? (Date.parse(s.ended_at) - start) / span : s.started_at ? 1 : 0;
          return (
            <li key={s.asset} className={s.status === "failed" ? "failed-step" : undefined}>
              <span className="gantt-label">{s.asset}</span>
              <span className="gantt-track"><span className={`gantt-bar ${s.status}`} style={{ left: `${from * 100}%`, width: `${Math.max(0.5, (to - from) * 100)}%` }} /></span>
              <span className="gantt-status">{s.status}{s.attempts > 1 ? ` (${s.attempts} attempts)` : ""}</span>
              {s.error && <span role="alert" className="field-error">{s.error}</span>}
            </li>
          );
        })}
      </ol>
      <h2>Materializations</h2>
      <ul>{detail.materializations.map((m) => <li key={m.asset}><a href={`#/asset/${encodeURIComponent(m.asset)}`}>{m.asset}</a>: {m.row_count} rows</li>)}</ul>
      {detail.checks.length > 0 && (<><h2>Checks</h2><ul>{detail.checks.map((c, i) => <li key={i} className={c.passed ? "ok" : "bad"}>{c.asset} {c.check}: {c.detail}</li>)}</ul></>)}
      <h2>Log</h2>
      <pre className="log" aria-label="Run log">{log.join("\n")}</pre>
    </section>
  );
}
