import { useEffect, useState } from "react";
import { api } from "./api";

/** A run followed live: the queue until it starts, then its events over server-sent events, then its outcome. */
export function RunView({ queueId }: { queueId: string }) {
  const [runId, setRunId] = useState<string | null>(null);
  const [pipeline, setPipeline] = useState<string | null>(null);
  const [lines, setLines] = useState<string[]>([]);
  const [status, setStatus] = useState("queued");
  useEffect(() => {
    let stop = false;
    const poll = async () => {
      while (!stop) {
        const q = await api.queue(queueId);
        setPipeline((q as unknown as { pipeline: string }).pipeline);
        if (q.run_id) { setRunId(q.run_id); return; }
        if (q.state === "cancelled") { setStatus("cancelled"); return; }
        await new Promise((r) => setTimeout(r, 300));
      }
    };
    void poll();
    return () => { stop = true; };
  }, [queueId]);
  useEffect(() => {
    if (!runId) return;
    setStatus("running");
    const source = new EventSource(`/api/runs/${runId}/events`);
    source.onmessage = (e) => {
      const event = JSON.parse(e.data);
      setLines((l) => [...l, `${event.asset ?? ""} ${event.message}`.trim()]);
    };
    source.addEventListener("end", (e) => {
      setStatus(JSON.parse((e as MessageEvent).data).status);
      source.close();
    });
    return () => source.close();
  }, [runId]);
  return (
    <section>
      <h1>Run {runId ?? queueId}</h1>
      <p>Status: <strong data-testid="run-status" className={status}>{status}</strong></p>
      {pipeline && status === "succeeded" && <p><a href={`#/dashboard/${pipeline}`}>Open the dashboard</a></p>}
      {runId && <p><a href={`#/run/${runId}`}>Steps, timeline and checks</a></p>}
      <pre className="log" aria-label="Run log" aria-live="polite">{lines.join("\n")}</pre>
    </section>
  );
}
