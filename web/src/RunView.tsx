import { useEffect, useState } from "react";
import { api, errorMessage, runEventsUrl, type RunEnded, type RunEvent } from "./api/client";
import { followEvents } from "./api/events";
import { ErrorNotice, Page, StatusBadge } from "./ui/components";
import { RunLog } from "./ui/RunLog";
import { LoadWarnings, withoutLoadWarnings } from "./RunDetail";

/** Why a queued run has not started, as the server says it (trib runs says the same); nothing once it runs. */
export function QueueWait({ status, waits }: { status: string; waits: string | null }) {
  if (status !== "queued") return null;
  // The run it waits for opens from here (run ids look like 20261205-070321-580974).
  const parts = waits ? `Queued: it ${waits}.`.split(/(\b\d{8}-\d{6}-[0-9a-f]+\b)/) : ["Queued: it starts at the server's next tick (within a second or two)."];
  return (
    <p className="notice info" role="status" data-testid="queue-wait">
      {parts.map((part, i) => (i % 2 === 1 ? <a key={i} href={`#/run/${encodeURIComponent(part)}`}>{part}</a> : part))}
    </p>
  );
}

/** A run followed live: the queue until it starts, then its events over server-sent events, then its outcome. */
export function RunView({ queueId }: { queueId: string }) {
  const [runId, setRunId] = useState<string | null>(null);
  const [pipeline, setPipeline] = useState<string | null>(null);
  const [events, setEvents] = useState<RunEvent[]>([]);
  const [status, setStatus] = useState("queued");
  const [error, setError] = useState<string | null>(null);
  const [waits, setWaits] = useState<string | null>(null);
  const [warnings, setWarnings] = useState<string[]>([]);
  useEffect(() => {
    let stop = false;
    const poll = async () => {
      try {
        while (!stop) {
          const q = await api.queue(queueId);
          setPipeline(q.pipeline);
          setWaits(q.waits ?? null);
          if (q.run_id) { setRunId(q.run_id); return; }
          if (q.state === "cancelled") { setStatus("cancelled"); return; }
          await new Promise((r) => setTimeout(r, 300));
        }
      } catch (e) {
        setError(errorMessage(e));
      }
    };
    void poll();
    return () => { stop = true; };
  }, [queueId]);
  useEffect(() => {
    if (!runId) return;
    setStatus("running");
    // From the run's record; until it has them (they are recorded as the run starts), the log alone shows them.
    api.runDetail(runId).then((d) => setWarnings(d.warnings), () => { /* the log still shows them */ });
    return followEvents(runEventsUrl(runId), {
      onMessage: (data) => {
        const event = JSON.parse(data) as RunEvent;
        setEvents((l) => [...l, event]);
      },
      onEnd: (data) => setStatus((JSON.parse(data) as RunEnded).status),
      onFailed: (why) => setError(`the event stream of run ${runId} failed: ${why}`),
    });
  }, [runId]);
  return (
    <Page title={`Run ${runId ?? queueId}`} subtitle={pipeline ? `Pipeline ${pipeline}` : undefined}
      actions={<>
        {pipeline && status === "succeeded" && <a className="button" href={`#/dashboard/${encodeURIComponent(pipeline)}`}>Open the dashboard</a>}
        {runId && <a className="button secondary" href={`#/run/${encodeURIComponent(runId)}`}>Steps, timeline and checks</a>}
      </>}>
      <p>Status: <StatusBadge status={status} testId="run-status" /></p>
      <QueueWait status={status} waits={waits} />
      {error && <ErrorNotice>{error}</ErrorNotice>}
      <LoadWarnings warnings={warnings} />
      <RunLog events={withoutLoadWarnings(events, warnings)} live />
    </Page>
  );
}
