import { useEffect, useState } from "react";
import { api, errorMessage, type PipelineSummary, type Schemas } from "./api/client";
import { Backfills } from "./Backfills";
import { partitionsText } from "./backfills";
import { Card, DataTable, EmptyState, ErrorNotice, Loading, Page, StatusBadge } from "./ui/components";
import { tickReason } from "./ticks";
import { describeSchedule, formatDateTime } from "./ui/format";
import { nextTick } from "./schedules";

/** Schedules and sensors: each pipeline's cron and next tick, its sensors, backfills with their progress, and the tick history with reasons. */
export function Schedules() {
  const [pipelines, setPipelines] = useState<PipelineSummary[] | null>(null);
  const [ticks, setTicks] = useState<Schemas["TickView"][] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const fail = (e: unknown) => setError(errorMessage(e));
  const load = () => api.pipelines().then(setPipelines, fail);
  const toggle = async (p: PipelineSummary) => {
    try {
      await api.pause(p.name, !p.paused);
    } catch (e) {
      fail(e);
    }
    await load();
  };
  useEffect(() => {
    void load();
    api.ticks(200).then(setTicks, fail);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return (
    <Page title="Schedules and sensors" subtitle={`When pipelines run on their own. Next ticks are on each schedule's clock, with UTC beside; other times are in your zone (${Intl.DateTimeFormat().resolvedOptions().timeZone}).`}>
      {error && <ErrorNotice>{error}</ErrorNotice>}
      <Card title="Pipelines">
        {pipelines === null ? <Loading /> : (
          <DataTable caption="Schedules" rows={pipelines} rowKey={(p) => p.name}
            empty={<EmptyState title="No pipelines yet">Create one from a template in the Catalog; its schedule shows here.</EmptyState>}
            columns={[
              { key: "name", header: "Pipeline", cell: (p) => <><a href={`#/designer/${encodeURIComponent(p.name)}`}>{p.name}</a>{p.error && <span role="alert" className="field-error"> {p.error}</span>}</> },
              // Long cells wrap, so that the table fits the page at 1024 px.
              { key: "cron", header: "Schedule", wrap: true, cell: (p) => (p.schedule ? <><span>{describeSchedule(p.schedule, p.timezone)}</span> <code className="muted">{p.schedule}</code></>
                : p.group_schedules.length > 0 ? (
                  <ul className="schedule-list">{p.group_schedules.map((g) => (
                    <li key={g.group}>{g.group}: <span>{describeSchedule(g.schedule, g.timezone)}</span> <code className="muted">{g.schedule}</code></li>
                  ))}</ul>
                ) : "—") },
              { key: "next", header: "Next tick", cell: (p) => nextTick(p) },
              { key: "sensors", header: "Sensors", wrap: true, cell: (p) => p.sensors.length > 0
                ? <ul className="schedule-list">{p.sensors.map((s, i) => <li key={`${i}:${s}`}>{s}</li>)}</ul> : "—" },
              { key: "partitions", header: "Partitions", wrap: true, cell: (p) => partitionsText(p) ?? "—" },
              { key: "on", header: "On", cell: (p) => (p.schedule || p.sensors.length > 0 || p.group_schedules.length > 0) ? (
                <label className="toolbar"><input type="checkbox" checked={!p.paused} onChange={() => void toggle(p)} aria-label={`schedule and sensors of ${p.name}`} /> <StatusBadge status={p.paused ? "paused" : "on"} /></label>
              ) : <span className="muted">manual</span> },
            ]} />
        )}
      </Card>
      {pipelines !== null && <Backfills pipelines={pipelines} />}
      <Card title="Tick history">
        {ticks === null ? <Loading /> : (
          <DataTable caption="Tick history" rows={ticks} rowKey={(t) => String(t.id)}
            empty={<EmptyState title="No ticks yet">Each time a schedule or sensor is evaluated (while trib serve runs), the outcome and why appear here.</EmptyState>}
            columns={[
              { key: "at", header: "When", cell: (t) => formatDateTime(t.at) },
              { key: "pipeline", header: "Pipeline", cell: (t) => t.pipeline },
              { key: "kind", header: "What", wrap: true, cell: (t) => <span title={t.kind}>{t.name}</span> },
              { key: "status", header: "Result", cell: (t) => <StatusBadge status={t.status} /> },
              { key: "reason", header: "Why", wrap: true, cell: (t) => tickReason(t.reason) },
            ]} />
        )}
      </Card>
    </Page>
  );
}
