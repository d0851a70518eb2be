import { useEffect, useState } from "react";
import { api, errorMessage } from "./api/client";
import { intervalNote, ltvNeighbours, ltvValueLabel, predictionIntervalLabel, predictionIntervalMeaning, topCustomers, type TopCustomer } from "./ltv";
import { getSection, toGraph } from "./pipelineGraph";
import { sideTable } from "./sideTables";
import { Card, DataTable, EmptyState, ErrorNotice, Loading } from "./ui/components";
import { formatCurrency, formatPercent } from "./ui/format";
import { usePipelineCurrency } from "./usePipelineCurrency";

const shown = 10;

type Row = Record<string, unknown>;
const asObjects = (t: { columns: { name: string }[]; rows: readonly (readonly unknown[])[] }): Row[] =>
  t.rows.map((r) => Object.fromEntries(t.columns.map((c, k) => [c.name, r[k]])));

/**
 * "Who are my valuable customers?": the LTV table's top customers by predicted value (ordered by the server over the whole
 * table), with their email from the identity graph, value tier and RFM segment from the pipeline's steps beside the LTV
 * step, and a link to each one's Customer 360. The heading says the horizon and currency the values are in.
 */
export function TopCustomersCard({ asset, pipeline }: { asset: string; pipeline: string }) {
  const [state, setState] = useState<{ customers: TopCustomer[]; label: string; note: string | null } | null>(null);
  const [missing, setMissing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // Amounts carry the pipeline's currency symbol ($3,248.78), as the chart beside them does.
  const currency = usePipelineCurrency(pipeline);
  const money = (n: number) => formatCurrency(n, currency);
  useEffect(() => {
    let live = true;
    (async () => {
      const [yaml, assets, history] = await Promise.all([api.yaml(pipeline), api.assets(true), api.history(asset)]);
      if (!assets.some((a) => a.name === asset)) { if (live) setMissing(true); return; }
      const metadata = history.length > 0 ? (history[history.length - 1].metadata as Record<string, unknown>) : null;
      const top = asObjects(await api.asset(asset, shown, 0, { sort: { column: "clv", direction: "desc" } }));
      const ids = top.map((r) => String(r.customer_id));
      const near = ltvNeighbours(toGraph(yaml.yaml).components, asset);
      // A side table that is not written yet (or lacks the key column) leaves its column empty rather than the card.
      const rowsOf = async (step: string | undefined, key: string) => {
        const table = step ? sideTable(assets, step, "main")?.name : undefined;
        if (!table || ids.length === 0) return [];
        try { return asObjects(await api.asset(table, 1000, 0, { keyColumn: key, keys: ids })); } catch { return []; }
      };
      const [identity, tiers, segments] = await Promise.all([rowsOf(near.identity, "profile_id"), rowsOf(near.tiers, "customer_id"), rowsOf(near.segments, "customer_id")]);
      if (live) setState({
        customers: topCustomers(top, identity, tiers, segments),
        label: ltvValueLabel(metadata, getSection(yaml.yaml, "params")),
        note: intervalNote(metadata, top),
      });
    })().catch((e: unknown) => { if (live) setError(errorMessage(e)); });
    return () => { live = false; };
  }, [asset, pipeline]);
  const title = `Top ${shown} customers by predicted value`;
  return (
    <Card title={title} label={title}>
      {error && <ErrorNotice>{error}</ErrorNotice>}
      {missing && <EmptyState title="No results yet">Run the pipeline to value its customers.</EmptyState>}
      {!state && !error && !missing && <Loading what="Finding the most valuable customers" />}
      {state && (
        <>
          <p className="muted" data-testid="ltv-value-label">CLV: {state.label}, discounted. Sorted over every customer in {asset}; open one for their Customer 360.</p>
          {state.note && <p className="notice warning" role="note">{state.note}</p>}
          <DataTable caption={title} rows={state.customers} rowKey={(c) => c.customerId}
            empty="The LTV table has no customers."
            columns={[
              { key: "rank", wide: true, header: "#", numeric: true, cell: (c) => state.customers.indexOf(c) + 1 },
              { key: "who", header: "Customer", cell: (c) => <a href={`#/customer/${encodeURIComponent(c.customerId)}`}>{c.email ?? c.customerId}</a> },
              { key: "id", wide: true, header: "Profile", cell: (c) => <span className="muted">{c.customerId}</span> },
              { key: "tier", wide: true, header: "Tier", cell: (c) => c.tier ?? "—" },
              { key: "segment", wide: true, header: "RFM segment", cell: (c) => c.segment ?? "—" },
              { key: "orders", wide: true, header: "Repeat orders", numeric: true, cell: (c) => (c.repeatOrders === null ? "—" : String(c.repeatOrders)) },
              { key: "alive", wide: true, header: "P(alive)", numeric: true, cell: (c) => (c.pAlive === null ? "—" : formatPercent(c.pAlive)) },
              { key: "clv", header: "CLV", numeric: true, cell: (c) => <strong>{money(c.clv)}</strong> },
              { key: "interval", wide: true, header: <span title={predictionIntervalMeaning}>{predictionIntervalLabel}</span>, numeric: true,
                cell: (c) => (c.clvP05 === null || c.clvP95 === null ? "—" : `${money(c.clvP05)} – ${money(c.clvP95)}`) },
            ]} />
          <p className="muted" data-testid="ltv-interval-caption">{predictionIntervalMeaning}</p>
        </>
      )}
    </Card>
  );
}
