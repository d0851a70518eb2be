import { useEffect, useState } from "react";
import { api, errorMessage, runEventsUrl, type Run, type RunDetail as Detail, type RunEvent, type Schemas } from "./api/client";
import { followEvents } from "./api/events";
import { Card, DataTable, ErrorNotice, Loading, Page, StatusBadge } from "./ui/components";
import { formatCount, formatDateTime, formatDuration } from "./ui/format";
import { RunLog } from "./ui/RunLog";
import { ExploreLink } from "./ui/ExploreLink";
import { useWidth } from "./ui/useWidth";

/** Room one tick label needs ("+1 min 30 s"), in px. */
export const tickLabelWidth = 64;

/** Round tick steps for a time axis of `span` milliseconds, as many labels as fit `width` px (at most seven): a phone gets two or three, so labels never overlap. */
export function axisTicks(span: number, width = Infinity): number[] {
  const steps = [100, 250, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000];
  const labels = Math.max(1, Math.min(7, Math.floor(width / tickLabelWidth)));
  if (labels === 1) return [0];
  const step = steps.find((s) => Math.floor(span / s) + 1 <= labels) ?? Math.ceil(span / (labels - 1) / 3_600_000) * 3_600_000;
  const ticks: number[] = [];
  for (let t = 0; t <= span; t += step) ticks.push(t);
  return ticks;
}

/** A check's result as a badge: a non-blocking one that did not pass (a step's warning: rows rejected, batches not delivered) is a warning, not a failure. */
export function checkResult(check: Pick<Schemas["CheckView"], "passed" | "blocking">): "passed" | "failed" | "warning" {
  return check.passed ? "passed" : check.blocking ? "failed" : "warning";
}

/** The details of the warnings of `asset`'s step: its non-blocking checks that did not pass. */
export function stepWarnings(checks: readonly Schemas["CheckView"][], asset: string): string[] {
  return checks.filter((c) => c.asset === asset && checkResult(c) === "warning").map((c) => c.detail);
}

/**
 * The run's log without the lines that say its load warnings (`warnings`, from the run's record): those show above the log,
 * whether or not the stream still carries them (a trimmed or paged log does not), and so only there.
 */
export function withoutLoadWarnings(events: readonly RunEvent[], warnings: readonly string[]): RunEvent[] {
  const said = new Set(warnings);
  return events.filter((e) => e.asset !== null || e.kind !== "log" || !said.has(e.message));
}

/** What loading the pipeline warned of where the run happened (an unset variable a step or on_failure reads), each at its line. */
export function LoadWarnings({ warnings }: { warnings: readonly string[] }) {
  if (warnings.length === 0) return null;
  return (
    <div className="notice warning" role="note" data-testid="load-warnings">
      <strong>{warnings.length === 1 ? "Loading the pipeline warned" : `Loading the pipeline gave ${warnings.length} warnings`}</strong>
      <ul>{[...new Set(warnings)].map((w) => <li key={w} className="error-text">{w}</li>)}</ul>
    </div>
  );
}

/** The submission that re-runs `run` from `asset` and what depends on it, with the run's partition and params, a full refresh again if it was one. */
export function rerunFrom(run: Run, asset: string): Schemas["RunSubmission"] {
  return { pipeline: run.pipeline, partition: run.partition, selection: `${asset}+`, params: run.params ?? null, ...(run.full_refresh ? { full_refresh: true } : {}) };
}

/** One run: a timeline of its steps (Gantt), the failed step's error, materializations, checks, its log; cancel and re-run from failure. */
export function RunDetail({ runId }: { runId: string }) {
  const [detail, setDetail] = useState<Detail | null>(null);
  const [log, setLog] = useState<RunEvent[]>([]);
  const [message, setMessage] = useState("");
  const [ticksRef, ticksWidth] = useWidth();
  useEffect(() => {
    const load = () => api.runDetail(runId).then(setDetail, (e: unknown) => setMessage(errorMessage(e)));
    void load();
    const close = followEvents(runEventsUrl(runId), {
      onMessage: (data) => { const ev = JSON.parse(data) as RunEvent; setLog((l) => [...l, ev]); },
      onEnd: () => void load(),
      onFailed: (why) => setMessage(`the event stream of run ${runId} failed: ${why}`),
    });
    const timer = setInterval(load, 1500);
    return () => { close(); clearInterval(timer); };
  }, [runId]);
  if (!detail) return message ? <ErrorNotice>{message}</ErrorNotice> : <Loading what={`Loading run ${runId}`} />;
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
    <Page title={`Run ${run.run_id}`}
      subtitle={<>{run.pipeline}{run.partition ? ` [${run.partition}]` : ""}{run.full_refresh ? " · full refresh" : ""} · <StatusBadge status={run.status} testId="run-detail-status" /> · {run.trigger} · started {formatDateTime(run.started_at)}{run.ended_at ? ` · took ${formatDuration(span)}` : ""}</>}
      actions={<>
        {run.status === "running" && <button onClick={() => void attempt(() => api.cancelRun(run.run_id))}>Cancel</button>}
        {failed && (
          <button onClick={() => void attempt(async () => {
            const { queue_id } = await api.run(rerunFrom(run, failed.asset));
            window.location.hash = `#/runs/${encodeURIComponent(queue_id)}`;
          })}>Re-run from {failed.asset}</button>
        )}
        <a className="button secondary" href={`#/dashboard/${encodeURIComponent(run.pipeline)}`}>Dashboard</a>
      </>}>
      {message && <ErrorNotice>{message}</ErrorNotice>}
      {run.error && <ErrorNotice><span className="error-text">{run.error}</span></ErrorNotice>}
      <LoadWarnings warnings={detail.warnings} />
      <Card title="Timeline">
        <div className="gantt-axis" aria-hidden="true">
          <span>Step</span>
          <span className="gantt-ticks" ref={ticksRef}>{axisTicks(span, ticksWidth).map((t) => <span key={t} style={{ left: `${(t / span) * 100}%` }}>{t === 0 ? "0 s" : `+${formatDuration(t)}`}</span>)}</span>
          <span className="num">Duration</span><span>Status</span>
        </div>
        <ol className="gantt" aria-label="Step timeline">
          {steps.map((s) => {
            const from = s.started_at ? (Date.parse(s.started_at) - start) / span : 0;
            const to = s.ended_at ? (Date.parse(s.ended_at) - start) / span : s.started_at ? 1 : 0;
            const took = s.started_at && s.ended_at ? formatDuration(Date.parse(s.ended_at) - Date.parse(s.started_at)) : s.started_at ? "running…" : "—";
            return (
              <li key={s.asset} className={s.status === "failed" ? "failed-step" : undefined}>
                <span className="gantt-label" title={`${s.asset} (${s.component_type})`}>{s.asset}</span>
                <span className="gantt-track"><span className={`gantt-bar ${s.status}`} title={`${s.asset}: ${took}`} style={{ left: `${from * 100}%`, width: `${Math.max(0.5, (to - from) * 100)}%` }} /></span>
                <span className="gantt-duration" title={s.peak_rss_bytes != null ? "the process's peak resident memory while this step ran" : undefined}>
                  {took}{s.peak_rss_bytes != null && <span className="muted" style={{ display: "block", whiteSpace: "nowrap" }}>{formatCount(Math.round(s.peak_rss_bytes / 1048576))} MB peak</span>}
                </span>
                <span><StatusBadge status={s.status} />{s.attempts > 1 ? <span className="muted"> {s.attempts} attempts</span> : null}
                  {stepWarnings(detail.checks, s.asset).map((w, i) => <span key={i} className="badge warning" title={w} style={{ marginLeft: 4 }}>warning</span>)}</span>
                {stepWarnings(detail.checks, s.asset).map((w, i) => <span key={`w${i}`} className="muted" data-testid="step-warning" style={{ gridColumn: "1 / -1", color: "var(--warn)" }}>{w}</span>)}
                {s.error && <span role="alert" className="field-error error-text">{s.error}</span>}
              </li>
            );
          })}
        </ol>
      </Card>
      <div className="grid-2">
        <Card title="Materializations">
          <DataTable caption="Materializations" rows={detail.materializations} rowKey={(m) => m.asset} empty="This run wrote no table."
            columns={[
              { key: "asset", header: "Asset", cell: (m) => <a href={`#/asset/${encodeURIComponent(m.asset)}`}>{m.asset}</a> },
              { key: "rows", header: "Rows", numeric: true, cell: (m) => formatCount(m.row_count) },
              { key: "took", header: "Took", numeric: true, cell: (m) => formatDuration(m.duration_ms) },
              { key: "explore", header: <span className="sr-only">Explore</span>, cell: (m) => <ExploreLink table={m.asset} /> },
            ]} />
        </Card>
        <Card title="Checks">
          <DataTable caption="Checks" rows={detail.checks} rowKey={(c, i) => `${c.asset}-${c.check}-${i}`} empty="No checks ran in this run."
            columns={[
              { key: "result", header: "Result", cell: (c) => <StatusBadge status={checkResult(c)} /> },
              { key: "asset", header: "Asset", cell: (c) => c.asset },
              { key: "check", header: "Check", wrap: true, cell: (c) => c.check },
              { key: "detail", header: "Detail", wrap: true, cell: (c) => c.detail },
            ]} />
        </Card>
      </div>
      <Card title="Log"><RunLog events={withoutLoadWarnings(log, detail.warnings)} /></Card>
    </Page>
  );
}
