import { useEffect, useState } from "react";
import { api, errorMessage, type Schemas } from "./api/client";
import {
  activationDocs, activationFileUrl, activationHref, consentLabel, countEntries, countsSummary, destinationParts, kindLabel, nextRunLabel, runBadge, scheduleLabel,
  type Activation, type ActivationRun,
} from "./activations";
import { Card, DataTable, EmptyState, ErrorNotice, Loading, Page } from "./ui/components";
import { ServerTable } from "./ui/ServerTable";
import { DownloadButton } from "./ui/DownloadButton";
import { formatCount, formatDateTime } from "./ui/format";

const PAGE = 25;

/** Where audiences go: every audience file, customer feed, webhook and table sync of the project's pipelines, with how its last run went. */
export function Activations() {
  const [list, setList] = useState<Schemas["ActivationList"] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const load = () => api.activations().then((l) => { setList(l); setError(null); }, (e: unknown) => setError(errorMessage(e)));
    void load();
    const timer = setInterval(load, 5000);
    return () => clearInterval(timer);
  }, []);
  return (
    <Page title="Activations" subtitle="Where audiences go: every audience file, customer feed, webhook and table sync in the project's pipelines, and how its last run went.">
      {error && <ErrorNotice>{error}</ErrorNotice>}
      {list === null && !error ? <Loading what="Loading activations" /> : list && <ActivationTable list={list} />}
    </Page>
  );
}

/** The list, or what to do when there is nothing to list; pipelines that do not load are named, as their activations cannot be shown. */
export function ActivationTable({ list }: { list: Schemas["ActivationList"] }) {
  return (
    <>
      {list.unreadable.map((u) => (
        <ErrorNotice key={u.pipeline}>Pipeline <a href={`#/designer/${encodeURIComponent(u.pipeline)}`}>{u.pipeline}</a> does not load, so its activations are not listed: <code>{u.error}</code></ErrorNotice>
      ))}
      {list.activations.length === 0 ? <NoActivations /> : <>
        {/* A phone gets one card per activation: the table's last columns would be off screen. */}
        <ul className="activation-cards" aria-label="Activations">
          {list.activations.map((a) => (
            <li key={`${a.pipeline}/${a.step}`} className="card">
              <a href={activationHref(a)}>{a.step}</a> <span className="muted">{kindLabel(a.type)} · {a.pipeline}</span>
              <div><Destination activation={a} /></div>
              <div className="muted">{consentLabel(a)} · {scheduleLabel(a)}</div>
              <div><LastRun run={a.last_run} /> {a.last_run?.counts && <span>{countsSummary(a.last_run.counts, a.type)}</span>}</div>
            </li>
          ))}
        </ul>
        <div className="activation-table">
        <DataTable caption="Activations" rows={list.activations} rowKey={(a) => `${a.pipeline}/${a.step}`}
          columns={[
            { key: "name", header: "Activation", cell: (a) => <><a href={activationHref(a)}>{a.step}</a><div className="muted">{kindLabel(a.type)} · {a.pipeline}</div></> },
            { key: "destination", header: "Destination", wrap: true, cell: (a) => <Destination activation={a} /> },
            // Consent and schedule wrap, so that the destination keeps its width and the last run's rows stay on screen at 1400 px.
            { key: "consent", header: "Consent", wrap: true, cell: (a) => consentLabel(a) },
            { key: "schedule", header: "Schedule", wrap: true, cell: (a) => scheduleLabel(a) },
            { key: "last", header: "Last run", cell: (a) => <LastRun run={a.last_run} /> },
            { key: "counts", header: "Last run's rows", wrap: true, cell: (a) => <span data-testid={`counts-${a.step}`}>{countsSummary(a.last_run?.counts, a.type)}</span> },
          ]} />
        </div>
      </>}
    </>
  );
}

/** No activation step in any pipeline: what one is, and how to add one. */
function NoActivations() {
  return (
    <EmptyState title="No activations yet">
      An activation sends an audience somewhere: <code>activate.audience_file</code> writes files for ad platforms,{" "}
      <code>activate.customer_feed</code> a per-customer feed, <code>activate.webhook</code> POSTs rows to a CRM. Add one as a step of a pipeline,
      e.g. <code>{"- { id: crm_sync, type: activate.webhook, inputs: [campaign_contacts], with: { url: \"${env.CRM_WEBHOOK_URL}\" } }"}</code>,
      in its YAML or in the <a href="#/catalog">designer</a>; the templates customer_ltv, churn_prevention and propensity_marketing come with some.
      How: {activationDocs}.
    </EmptyState>
  );
}

/** The destination as the pipeline writes it, each environment variable by its name. */
export function Destination({ activation }: { activation: Pick<Activation, "destination" | "destination_kind" | "format"> }) {
  return (
    <span className="activation-destination">
      <code>{destinationParts(activation.destination).map((p, i) => p.env
        ? <span key={i} className="env-var" title={`The value of the environment variable ${p.env}, read when the pipeline runs`}>{p.text}</span>
        : <span key={i}>{breakAfterSlashes(p.text)}</span>)}</code>
      {activation.format && <span className="muted"> · {activation.format}</span>}
    </span>
  );
}

// A long path breaks after a folder's slash (out/feeds/ | recommendations.csv), not inside a name.
const breakAfterSlashes = (text: string) => text.split(/(?<=\/)/).map((part, i) => <span key={i}>{i > 0 && <wbr />}{part}</span>);

/** The run's state, amber when rows failed or the step warned though it succeeded. */
export function RunBadge({ run }: { run: ActivationRun }) {
  const badge = runBadge(run);
  return <span className={`badge ${badge.tone}`} title={badge.title}>{badge.text}</span>;
}

function LastRun({ run }: { run: ActivationRun | null | undefined }) {
  if (!run) return <span className="muted">Never run</span>;
  return (
    <>
      <RunBadge run={run} /> <a href={`#/run/${encodeURIComponent(run.run_id)}`}>{formatDateTime(run.started_at)}</a>
    </>
  );
}

/** One activation: what it is, Run now, its recent runs with counts, the files it wrote, a webhook's delivery log and dead letters. */
export function ActivationDetail({ pipeline, step }: { pipeline: string; step: string }) {
  const [detail, setDetail] = useState<Schemas["ActivationDetail"] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [queued, setQueued] = useState<string | null>(null);
  useEffect(() => {
    const load = () => api.activation(pipeline, step).then((d) => { setDetail(d); setError(null); }, (e: unknown) => setError(errorMessage(e)));
    void load();
    const timer = setInterval(load, 5000);
    return () => clearInterval(timer);
  }, [pipeline, step]);
  const runNow = async () => {
    try {
      setQueued((await api.run({ pipeline })).queue_id);
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  if (!detail) return error ? <ErrorNotice>{error}</ErrorNotice> : <Loading what={`Loading ${step}`} />;
  const a = detail.activation;
  return (
    <Page title={a.step} subtitle={<>{kindLabel(a.type)} in pipeline <a href={`#/designer/${encodeURIComponent(a.pipeline)}`}>{a.pipeline}</a> · <a href="#/activations">all activations</a></>}
      actions={<button type="button" onClick={() => void runNow()}>Run {a.pipeline} now</button>}>
      {error && <ErrorNotice>{error}</ErrorNotice>}
      {queued && <p role="status" className="notice info">Run of {a.pipeline} queued: <a href={`#/runs/${encodeURIComponent(queued)}`}>follow it</a>.</p>}
      <Card title="Where and to whom">
        <dl className="facts">
          <dt>Destination</dt><dd><Destination activation={a} /></dd>
          <dt>Consent</dt><dd>{consentLabel(a)}</dd>
          <dt>Schedule</dt><dd>{scheduleLabel(a)}{nextRunLabel(a) && <span className="muted"> · next {nextRunLabel(a)}</span>}</dd>
          {detail.files.length > 0 && <><dt>Files of the latest run</dt><dd className="actions">{detail.files.map((f, i) =>
            <DownloadButton key={f} url={activationFileUrl(a, i)} fileName={f.split("/").pop() ?? f}>Download {f}</DownloadButton>)}</dd></>}
        </dl>
      </Card>
      <Card title="Recent runs">
        <RecentRuns runs={detail.runs} type={a.type} />
      </Card>
      {detail.delivery_log && (
        <Card title="Delivery log" label="Delivery log">
          <p className="muted">The latest run's batches, one row each.</p>
          <ServerTable table={detail.delivery_log} pageSize={PAGE} caption="Delivery log" maxHeight={420} />
        </Card>
      )}
      {a.type === "activate.webhook" && (
        <Card title="Dead letters" label="Dead letters">
          {detail.dead_letters ? <>
            <p className="muted">Batches not delivered after their retries, with the receiver's answer and the payload to replay, newest first; kept dead_letter_days.</p>
            <ServerTable table={detail.dead_letters} pageSize={PAGE} caption="Dead letters" maxHeight={420} initialSort={{ column: "failed_at", direction: "desc" }} />
          </> : <EmptyState title="No dead letters">Every batch was delivered, or none was sent yet.</EmptyState>}
        </Card>
      )}
    </Page>
  );
}

/** An activation's recent runs: state (amber when rows failed), trigger with a full refresh marked, counts. */
export function RecentRuns({ runs, type }: { runs: ActivationRun[]; type: string }) {
  return (
    <DataTable caption="Recent runs" rows={runs} rowKey={(r) => r.run_id}
      empty={<EmptyState title="Not run yet">Press Run now, or wait for its schedule.</EmptyState>}
      columns={[
        { key: "run", header: "Run", cell: (r) => <a href={`#/run/${encodeURIComponent(r.run_id)}`}>{formatDateTime(r.started_at)}</a> },
        { key: "state", header: "State", cell: (r) => <RunBadge run={r} /> },
        { key: "trigger", header: "Trigger", cell: (r) => <>{r.trigger}{r.full_refresh && <> <span className="badge full-refresh" title="Run with --full-refresh: stateful steps started over (a diff sync sends every row again)">full refresh</span></>}</> },
        // A failed webhook's counts (its dead letters) come with its error, which says why.
        { key: "counts", header: "Counts", wrap: true, cell: (r) => <>
          {r.counts && <span className="counts">{countEntries(r.counts, type).map((c) => <span key={c.key}>{c.label} <strong>{formatCount(c.value)}</strong></span>)}</span>}
          {(r.error || !r.counts) && <span className="muted">{r.error ?? "no counts recorded"}</span>}
        </> },
      ]} />
  );
}
