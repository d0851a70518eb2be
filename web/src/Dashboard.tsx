import { useEffect, useState } from "react";
import { api, csvUrl, errorMessage } from "./api/client";
import { dashboardOrder, panels, type Panel } from "./dashboards";
import { modelCards } from "./modelCards";
import { RecommendationsPanel } from "./RecommendationsPanel";
import { useOutputTable } from "./sideTables";
import { toGraph } from "./pipelineGraph";
import { ChartView } from "./ui/ChartView";
import { Card, EmptyState, ErrorNotice, Loading, Page, ResultTable } from "./ui/components";
import { formatCount } from "./ui/format";

// Interactive views beside a component's chart and card, e.g. asking the recommendation API about a product or customer.
const lookups: Record<string, typeof RecommendationsPanel> = { "recs.for_customers": RecommendationsPanel };

/** A pipeline's results: per component with a registered panel, its chart, its model card and its table with a CSV download. */
export function Dashboard({ pipeline }: { pipeline: string }) {
  const [items, setItems] = useState<{ id: string; type: string }[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.yaml(pipeline).then(({ yaml }) =>
      setItems(dashboardOrder(toGraph(yaml).components.filter((c) => panels[c.type] || modelCards[c.type] || lookups[c.type]).map((c) => ({ id: c.id, type: c.type })))),
      (e: unknown) => setError(errorMessage(e)));
  }, [pipeline]);
  return (
    <Page title={`${pipeline}: results`} subtitle="What the pipeline's analytics found, what they fitted and how well."
      actions={<a className="button secondary" href={`#/designer/${encodeURIComponent(pipeline)}`}>Open in designer</a>}>
      {error && <ErrorNotice>{error}</ErrorNotice>}
      {!items && !error && <Loading what="Loading the dashboard" />}
      {items?.length === 0 && <EmptyState title="This pipeline has no result panels yet">Panels exist for value tiers, RFM, LTV, attribution, campaign performance, budget optimization, funnel, paths, retention and conversion opportunity components.</EmptyState>}
      {items?.map((i) => {
        const Model = modelCards[i.type];
        const Lookup = lookups[i.type];
        return (
          <div key={i.id} className="page">
            {panels[i.type] && <PanelView id={i.id} panel={panels[i.type]} />}
            {Model && <Model asset={i.id} pipeline={pipeline} />}
            {Lookup && <Lookup asset={i.id} pipeline={pipeline} />}
          </div>
        );
      })}
    </Page>
  );
}

function PanelView({ id, panel }: { id: string; panel: Panel }) {
  const { name: table, table: data, rows, missing, error } = useOutputTable({ step: id, output: panel.output }, 10_000);
  if (error) return <Card title={panel.title} label={panel.title}><ErrorNotice>{error}</ErrorNotice></Card>;
  if (missing) return <Card title={panel.title} label={panel.title}><EmptyState title="No results yet">Run the pipeline to write the {panel.output} output of {id}.</EmptyState></Card>;
  if (!table || !data || !rows) return <Card title={panel.title} label={panel.title}><Loading /></Card>;
  const shown = Math.min(data.rows.length, 20);
  return (
    <Card title={panel.title} label={panel.title} actions={<a className="button secondary" href={csvUrl(table)} download>Download {table}.csv</a>}>
      {data.total > data.rows.length && <p className="notice warning">The chart reads the first {formatCount(data.rows.length)} of {formatCount(data.total)} rows.</p>}
      <ChartView chart={panel.chart(rows)} title={panel.title} />
      <details>
        <summary className="muted">Table {table}: first {formatCount(shown)} of {formatCount(data.total)} rows</summary>
        <ResultTable caption={`${table} (first ${shown} rows)`} columns={data.columns} rows={data.rows.slice(0, 20)} maxHeight={360} />
      </details>
    </Card>
  );
}
