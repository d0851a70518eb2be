import { useEffect, useMemo, useState } from "react";
import { api, csvUrl, errorMessage } from "./api/client";
import { DownloadButton } from "./ui/DownloadButton";
import { foreignWrites, writerRuns, type ForeignWrite } from "./provenance";
import { TopCustomersCard } from "./TopCustomersCard";
import { ServerTable } from "./ui/ServerTable";
import { dashboardOrder, dashboardSections, panels, sectionAnchor, type Panel } from "./dashboards";
import { modelCards } from "./modelCards";
import { RecommendationsPanel } from "./RecommendationsPanel";
import { useOutputTable } from "./sideTables";
import { getSection, toGraph } from "./pipelineGraph";
import { usePipelineCurrency } from "./usePipelineCurrency";
import { ChartView } from "./ui/ChartView";
import { Card, EmptyState, ErrorNotice, Loading, Page } from "./ui/components";
import { formatCount, formatDateTime, reportingDaysNote } from "./ui/format";
import { useReportingZone } from "./useReportingZone";

// Interactive views beside a component's chart and card, e.g. asking the recommendation API about a product or customer.
const lookups: Record<string, typeof RecommendationsPanel> = { "recs.for_customers": RecommendationsPanel, "analytics.ltv": TopCustomersCard };
// Views that answer the use case's question ("who are my most valuable customers?") and so come before the step's chart.
const leadLookups = new Set(["analytics.ltv"]);

// A dashboard of this many steps or more (full_cdp has dozens) opens with a list of its sections.
const minSectionsForNavigation = 4;

/** A pipeline's results: per component with a registered panel, its chart, its model card and its table with a CSV download. */
export function Dashboard({ pipeline }: { pipeline: string }) {
  const [items, setItems] = useState<{ id: string; type: string }[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [foreign, setForeign] = useState<ForeignWrite[]>([]);
  const zone = useReportingZone();
  const sections = useMemo(() => (items ? dashboardSections(items) : null), [items]);
  useEffect(() => {
    api.yaml(pipeline).then(({ yaml }) =>
      setItems(dashboardOrder(toGraph(yaml).components.filter((c) => panels[c.type] || modelCards[c.type] || lookups[c.type]).map((c) => ({ id: c.id, type: c.type })))),
      (e: unknown) => setError(errorMessage(e)));
  }, [pipeline]);
  // Whether another pipeline's run wrote the tables shown last (a template beside full_cdp writes the same ones).
  useEffect(() => {
    if (!items || items.length === 0) return;
    let live = true;
    const steps = items.map((i) => i.id);
    api.assets(true).then(async (assets) => {
      const runs = await Promise.all(writerRuns(steps, assets).map((id) => api.runDetail(id).then((d) => [id, d.run.pipeline] as const, () => null)));
      if (live) setForeign(foreignWrites(pipeline, steps, assets, Object.fromEntries(runs.filter((r) => r !== null))));
    }).catch(() => { /* the panels report their own errors */ });
    return () => { live = false; };
  }, [items, pipeline]);
  return (
    <Page title={`${pipeline}: results`} subtitle={`What the pipeline's analytics found, what they fitted and how well.${zone ? ` ${reportingDaysNote(zone)}` : ""}`}
      actions={<a className="button secondary" href={`#/designer/${encodeURIComponent(pipeline)}`}>Open in designer</a>}>
      {error && <ErrorNotice>{error}</ErrorNotice>}
      {foreign.map((f) => (
        <p key={f.runId} className="notice warning" role="alert" data-testid="foreign-writes">
          <strong>{f.tables.join(", ")} {f.tables.length === 1 ? "was" : "were"} last written by {f.pipeline}'s run <a href={`#/run/${encodeURIComponent(f.runId)}`}>{f.runId}</a>{f.at && ` at ${formatDateTime(f.at)}`}</strong>
          ; this pipeline's results there were replaced, so what follows is {f.pipeline}'s. Run {pipeline} again to see its own, or use one of the two
          pipelines ({f.pipeline === "full_cdp" ? "full_cdp is the whole platform in one pipeline, an alternative to the single templates" : "both write these tables"}).
        </p>
      ))}
      {!items && !error && <Loading what="Loading the dashboard" />}
      {sections && sections.length >= minSectionsForNavigation && (
        <nav className="card section-nav" aria-label="Sections of this dashboard">
          <h2>On this page</h2>
          <ol>
            {sections.map((sec) => (
              <li key={sec.anchor}>
                {/* Routes live in the hash, so a section is scrolled to, not linked to. */}
                <button type="button" className="link" title={`step ${sec.step}`} onClick={() => document.getElementById(sec.anchor)?.scrollIntoView({ block: "start" })}>{sec.label}</button>
              </li>
            ))}
          </ol>
        </nav>
      )}
      {items?.length === 0 && <EmptyState title="This pipeline has no result panels yet">Panels exist for value tiers, RFM, LTV, attribution, campaign performance, budget optimization, funnel, paths, retention and conversion opportunity components.</EmptyState>}
      {items?.map((i, k) => {
        const Model = modelCards[i.type];
        const Lookup = lookups[i.type];
        return (
          <section key={i.id} id={sectionAnchor(i.id)} className="page dashboard-section" aria-label={sections![k].label}>
            {Lookup && leadLookups.has(i.type) && <Lookup asset={i.id} pipeline={pipeline} />}
            {panels[i.type] && <PanelView id={i.id} panel={panels[i.type]} pipeline={pipeline} />}
            {Model && <Model asset={i.id} pipeline={pipeline} />}
            {Lookup && !leadLookups.has(i.type) && <Lookup asset={i.id} pipeline={pipeline} />}
            {items.length >= minSectionsForNavigation && <p className="back-to-top"><button type="button" className="link" onClick={() => window.scrollTo({ top: 0 })}>Back to the sections</button></p>}
          </section>
        );
      })}
    </Page>
  );
}

function PanelView({ id, panel, pipeline }: { id: string; panel: Panel; pipeline: string }) {
  const { name: table, table: data, rows, missing, error } = useOutputTable({ step: id, output: panel.output }, 10_000);
  // Every panel's money in the pipeline's currency, whether or not the panel describes itself (the budget chart does not).
  const currency = usePipelineCurrency(pipeline);
  const [about, setAbout] = useState<{ metadata: Record<string, unknown> | null; params: Record<string, unknown> | null } | null>(null);
  useEffect(() => {
    if (!panel.about) return;
    let live = true;
    Promise.all([api.history(id), api.yaml(pipeline)]).then(([h, y]) => {
      if (live) setAbout({ metadata: h.length > 0 ? (h[h.length - 1].metadata as Record<string, unknown>) : null, params: getSection(y.yaml, "params") });
    }, () => { if (live) setAbout({ metadata: null, params: null }); });
    return () => { live = false; };
  }, [id, pipeline, panel]);
  if (error) return <Card title={panel.title} label={panel.title}><ErrorNotice>{error}</ErrorNotice></Card>;
  if (missing) return <Card title={panel.title} label={panel.title}><EmptyState title="No results yet">Run the pipeline to write the {panel.output} output of {id}.</EmptyState></Card>;
  if (!table || !data || !rows) return <Card title={panel.title} label={panel.title}><Loading /></Card>;
  const described = about && panel.about ? panel.about(about.metadata, about.params, rows) : null;
  return (
    <Card title={panel.title} label={panel.title} actions={<DownloadButton url={csvUrl(table)} fileName={`${table}.csv`}>Download {table}.csv</DownloadButton>}>
      {described?.summary && <p className="muted" data-testid="panel-about">{described.summary}</p>}
      {data.total > data.rows.length && <p className="notice warning">The chart reads the first {formatCount(data.rows.length)} of {formatCount(data.total)} rows.</p>}
      <ChartView chart={panel.chart(rows, currency)} title={panel.title} />
      <details>
        <summary className="muted">Table {table}: {formatCount(data.total)} rows; sort by a column or search</summary>
        <ServerTable table={table} pageSize={20} caption={`${table} (sortable)`} maxHeight={360} units={described?.units}
          initialSort={panel.sort ?? null} note={described?.note && <p className="notice warning" role="note">{described.note}</p>} />
      </details>
    </Card>
  );
}
