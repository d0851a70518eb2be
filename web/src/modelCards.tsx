import { useEffect, useState, type ComponentType, type ReactNode } from "react";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { api, runEventsUrl, type RunEvent, type Schemas } from "./api/client";
import { mainOutput, useOutputTable } from "./sideTables";
import { ltvIntervalFacts } from "./ltv";
import { Card, DataTable, EmptyState, ErrorNotice, Loading, ResultTable } from "./ui/components";
import { ExperimentCard, ExperimentDecisionCard, ExperimentPlanCard } from "./experimentCards";
import { ChurnAlertCard, ChurnCard } from "./churnCards";
import { CampaignTargetingCard, PropensityCard, UpliftCard } from "./propensityCards";
import { journeyCards } from "./journeyCards";
import { FraudAlertCard, FraudModelCard, FraudRiskCard, IsolationForestCard } from "./fraudCards";
import { formatCount, formatDateTime, formatDuration, formatMoney, formatNumber, formatPercent } from "./ui/format";

/**
 * Model cards by component type: what an analytic fitted and how well (parameters with standard errors, fit
 * diagnostics, the warnings it raised, its data window and row counts). A new analytic adds its card here.
 */
export const modelCards: Record<string, ComponentType<{ asset: string; pipeline: string }>> = {
  "analytics.ltv": LtvCard,
  "analytics.attribution": AttributionCard,
  "analytics.budget_optimizer": BudgetCard,
  "analytics.experiment": ExperimentCard,
  "decision.experiment": ExperimentDecisionCard,
  "experiment.plan": ExperimentPlanCard,
  "recs.evaluate": RecommendationCard,
  "analytics.churn": ChurnCard,
  "alert.churn": ChurnAlertCard,
  "analytics.propensity": PropensityCard,
  "analytics.uplift": UpliftCard,
  "activate.campaign_targeting": CampaignTargetingCard,
  "analytics.risk_score": FraudRiskCard,
  "analytics.isolation_forest": IsolationForestCard,
  "analytics.fraud_model": FraudModelCard,
  "alert.fraud": FraudAlertCard,
  ...journeyCards,
};

/** The run that last wrote an asset: when, how many rows, how long, and the lines its step logged. */
function useLatestFit(asset: string) {
  const [latest, setLatest] = useState<Schemas["MaterializationView"] | null | undefined>(undefined);
  const [lines, setLines] = useState<RunEvent[]>([]);
  useEffect(() => {
    let source: EventSource | null = null;
    api.history(asset).then((h) => {
      const last = h.length > 0 ? h[h.length - 1] : null;
      setLatest(last);
      if (!last) return;
      // The event stream replays a finished run's events, then ends.
      source = new EventSource(runEventsUrl(last.run_id));
      source.onmessage = (e) => {
        const event = JSON.parse(e.data as string) as RunEvent;
        if (event.asset === asset && event.kind === "log") setLines((l) => [...l, event]);
      };
      source.addEventListener("end", () => source?.close());
      source.onerror = () => source?.close();
    }, () => setLatest(null));
    return () => source?.close();
  }, [asset]);
  return { latest, lines };
}

/** The part every card shares: the fit's provenance and what the component said while fitting. */
export function FitFacts({ asset, children, window }: { asset: string; children?: ReactNode; window?: (metadata: Record<string, unknown>) => ReactNode }) {
  const { latest, lines } = useLatestFit(asset);
  if (latest === undefined) return <Loading />;
  if (latest === null) return <EmptyState title="Not fitted yet">Run the pipeline to fit this model.</EmptyState>;
  const warnings = lines.filter((l) => /^warning/i.test(l.message));
  return (
    <>
      <dl className="stats">
        <div><dt>Fitted</dt><dd>{formatDateTime(latest.at)}</dd></div>
        <div><dt>Rows written</dt><dd>{formatCount(latest.row_count)}</dd></div>
        <div><dt>Took</dt><dd>{formatDuration(latest.duration_ms)}</dd></div>
        <div><dt>Run</dt><dd><a href={`#/run/${encodeURIComponent(latest.run_id)}`}>{latest.run_id}</a></dd></div>
        {window?.(latest.metadata as Record<string, unknown>)}
        {children}
      </dl>
      {warnings.length > 0 ? warnings.map((w, i) => <p key={i} className="notice warning" role="note">{w.message}</p>)
        : <p className="muted">No warnings from this fit.</p>}
      {lines.length > warnings.length && (
        <details><summary className="muted">What the component logged ({lines.length - warnings.length} lines)</summary>
          <ul>{lines.filter((l) => !warnings.includes(l)).map((l, i) => <li key={i} className="muted">{l.message}</li>)}</ul>
        </details>
      )}
    </>
  );
}

const num = (v: unknown) => (typeof v === "number" ? v : Number(v));

/** LTV: BG/NBD or Pareto/NBD and Gamma-Gamma parameters with standard errors; predicted vs actual holdout purchases by frequency (Fader, Hardie & Lee 2005). */
function LtvCard({ asset }: { asset: string }) {
  const model = useOutputTable({ step: asset, output: "model" });
  const holdout = useOutputTable({ step: asset, output: "holdout" });
  const parameters = (model.rows ?? []).filter((r) => r.std_error !== null || /^(r|alpha|a|b|s|beta|p|q|gamma)$/.test(String(r.parameter)));
  const diagnostics = (model.rows ?? []).filter((r) => !parameters.includes(r));
  const byFrequency = (holdout.rows ?? []).filter((r) => r.calibration_frequency !== "all");
  const total = (holdout.rows ?? []).find((r) => r.calibration_frequency === "all");
  return (
    <Card title={`Model card: ${asset}`} label={`Model card ${asset}`}>
      <FitFacts asset={asset} window={(m) => (
        <>
          {typeof m.calibration_end === "string" && <div><dt>Calibration data until</dt><dd>{m.calibration_end}{holdout.missing ? "" : ", holdout after"}</dd></div>}
          {ltvIntervalFacts(m).map(([term, text]) => <div key={term}><dt>{term}</dt><dd>{text}</dd></div>)}
        </>
      )}>
        {diagnostics.filter((d) => d.parameter === "customers").slice(0, 1).map((d) => <div key="c"><dt>Customers fitted</dt><dd>{formatCount(num(d.value))}</dd></div>)}
      </FitFacts>
      <div className="grid-2">
        <div>
          <h3>Parameters</h3>
          {model.missing ? <p className="muted">No parameter table (the step has not written its model output).</p> : !model.rows ? <Loading /> : (
            <DataTable caption="Fitted parameters" rows={parameters} rowKey={(r) => `${String(r.model)}.${String(r.parameter)}`}
              columns={[
                { key: "model", header: "Model", cell: (r) => String(r.model) },
                { key: "parameter", header: "Parameter", cell: (r) => String(r.parameter) },
                { key: "value", header: "Estimate", numeric: true, cell: (r) => formatNumber(num(r.value)) },
                { key: "se", header: "Std. error", numeric: true, cell: (r) => (r.std_error === null ? "—" : formatNumber(num(r.std_error))) },
              ]} />
          )}
          {diagnostics.length > 0 && (
            <>
              <h3>Fit diagnostics</h3>
              <DataTable caption="Fit diagnostics" rows={diagnostics} rowKey={(r) => `${String(r.model)}.${String(r.parameter)}`}
                columns={[
                  { key: "model", header: "Model", cell: (r) => String(r.model) },
                  { key: "parameter", header: "Measure", cell: (r) => String(r.parameter).replaceAll("_", " ") },
                  { key: "value", header: "Value", numeric: true, cell: (r) => (r.parameter === "converged" ? (num(r.value) === 1 ? "yes" : "no") : formatNumber(num(r.value))) },
                ]} />
            </>
          )}
        </div>
        <div>
          <h3>Holdout: repeat purchases per customer, by purchases in calibration</h3>
          {holdout.missing ? <p className="muted">No holdout period was set (holdout_end_date), so there is no out-of-sample check.</p> : !holdout.rows ? <Loading /> : (
            <>
              <figure className="chart-figure" aria-label="Holdout: predicted and actual repeat purchases by calibration frequency">
                <ResponsiveContainer width="100%" height={260}>
                  <BarChart data={byFrequency.map((r) => ({ x: String(r.calibration_frequency), actual: num(r.actual_mean), predicted: num(r.predicted_mean) }))} margin={{ top: 8, right: 16, bottom: 28, left: 8 }}>
                    <CartesianGrid strokeDasharray="3 3" vertical={false} />
                    <XAxis dataKey="x" interval={0} label={{ value: "Repeat purchases in the calibration period", position: "insideBottom", offset: -16, fill: "#4b5563" }} />
                    <YAxis width={64} tickFormatter={(v: number) => formatNumber(v)} label={{ value: "Mean purchases in holdout", angle: -90, position: "insideLeft", style: { textAnchor: "middle" }, fill: "#4b5563" }} />
                    <Tooltip formatter={(v) => formatNumber(Number(v))} />
                    <Legend verticalAlign="top" height={28} />
                    <Bar dataKey="actual" fill="#334155" isAnimationActive={false} />
                    <Bar dataKey="predicted" fill="#1d4ed8" isAnimationActive={false} />
                  </BarChart>
                </ResponsiveContainer>
              </figure>
              {total && <p>All customers: <strong>{formatNumber(num(total.actual_total))}</strong> actual repeat purchases in the holdout, <strong>{formatNumber(num(total.predicted_total))}</strong> predicted ({formatNumber(((num(total.predicted_total) - num(total.actual_total)) / Math.max(1, num(total.actual_total))) * 100)}% off).</p>}
              {holdout.table && <ResultTable caption="Holdout by calibration frequency" columns={holdout.table.columns} rows={holdout.table.rows} maxHeight={300} />}
            </>
          )}
        </div>
      </div>
    </Card>
  );
}

/** Attribution: every model side by side (the dashboard's heat table), with conversions and touches per model. */
function AttributionCard({ asset }: { asset: string }) {
  const { rows, error, missing } = useOutputTable({ step: asset, output: mainOutput });
  const truth = useChannelTruth();
  const models = [...new Set((rows ?? []).map((r) => String(r.model)))];
  const perModel = models.map((m) => {
    const own = (rows ?? []).filter((r) => String(r.model) === m);
    return { model: m, channels: own.length, conversions: own.reduce((s, r) => s + num(r.conversions), 0), value: own.reduce((s, r) => s + num(r.value), 0) };
  });
  return (
    <Card title={`Model card: ${asset}`} label={`Model card ${asset}`}>
      <FitFacts asset={asset} />
      {error ? <ErrorNotice>{error}</ErrorNotice> : missing ? null : !rows ? <Loading /> : (
        <>
          <h3>Models side by side</h3>
          <p className="muted">Each model splits the same converting paths across channels; where they disagree, the credit a channel gets depends on the model chosen. The heat table above shows each channel's share under every model.</p>
          <DataTable caption="Attribution models" rows={perModel} rowKey={(r) => r.model}
            columns={[
              { key: "model", header: "Model", cell: (r) => r.model },
              { key: "channels", header: "Channels credited", numeric: true, cell: (r) => formatCount(r.channels) },
              { key: "conversions", header: "Conversions attributed", numeric: true, cell: (r) => formatNumber(r.conversions) },
              { key: "value", header: "Value attributed ($)", numeric: true, cell: (r) => formatMoney(r.value) },
            ]} />
          {truth && truth.length > 0 && <GroundTruth truth={truth} rows={rows} models={models} />}
        </>
      )}
    </Card>
  );
}

/** The demo store's true channel shares, or null where there is none (any project not generated by trib demo-data). */
function useChannelTruth() {
  const [truth, setTruth] = useState<Schemas["ChannelTruth"][] | null>(null);
  useEffect(() => {
    let live = true;
    // A 404 is the normal answer on real data: no ground truth exists, and the card says nothing about it.
    api.channelTruth().then((t) => { if (live) setTruth(t); }, () => { if (live) setTruth(null); });
    return () => { live = false; };
  }, []);
  return truth;
}

/** Each channel's share of conversions under every model, beside the share the demo generator truly gave it. */
function GroundTruth({ truth, rows, models }: { truth: Schemas["ChannelTruth"][]; rows: Record<string, unknown>[]; models: string[] }) {
  // Shares among the channels the truth credits: the generator gives no credit to direct visits, so a model's credit to
  // direct (or any channel the truth lacks) is left out of the denominator instead of counting against every channel.
  const credited = new Set(truth.map((t) => t.channel));
  const share = (model: string, channel: string) => {
    const own = rows.filter((r) => String(r.model) === model && credited.has(String(r.channel)));
    const total = own.reduce((s, r) => s + num(r.conversions), 0);
    const hit = own.find((r) => String(r.channel) === channel);
    return hit && total > 0 ? num(hit.conversions) / total : 0;
  };
  // Mean absolute gap between a model's shares and the truth, in percentage points: how close each model comes.
  const gap = (model: string) => truth.reduce((s, t) => s + Math.abs(share(model, t.channel) - num(t.true_share)), 0) / truth.length * 100;
  const ranked = [...models].sort((a, b) => gap(a) - gap(b));
  return (
    <>
      <h3>Against the ground truth (demo data only)</h3>
      <p className="muted">This project holds generated demo data, so each channel's true share of conversions is known (the generator's stated effects, in data/demo/ground_truth). Shares are among these marketing channels (direct visits, which the generator credits to no channel, are left out). Real data has no such column: this comparison only shows which models recover the truth on the demo, closest first.</p>
      <div className="table-wrap" tabIndex={0} role="region" aria-label="Ground truth beside the models">
        <table>
          <caption className="sr-only">Share of conversions by channel: ground truth and each model</caption>
          <thead><tr><th scope="col">Channel</th><th scope="col" className="num truth">ground truth</th>{ranked.map((m) => <th key={m} scope="col" className="num">{m}</th>)}</tr></thead>
          <tbody>
            {[...truth].sort((a, b) => num(b.true_share) - num(a.true_share)).map((t) => (
              <tr key={t.channel}><th scope="row">{t.channel}</th><td className="num truth">{formatPercent(num(t.true_share))}</td>{ranked.map((m) => <td key={m} className="num">{formatPercent(share(m, t.channel))}</td>)}</tr>
            ))}
          </tbody>
          <tfoot><tr><th scope="row">Mean gap (points)</th><td className="num truth">—</td>{ranked.map((m) => <td key={m} className="num">{formatNumber(gap(m))}</td>)}</tr></tfoot>
        </table>
      </div>
    </>
  );
}

/** Budget optimizer: each channel's fitted response curve (parameters, R², days of data, warning) and the plan's data window. */
function BudgetCard({ asset }: { asset: string }) {
  const channels = useOutputTable({ step: asset, output: mainOutput });
  const summary = useOutputTable({ step: asset, output: "summary" });
  const s = summary.rows?.[0];
  return (
    <Card title={`Model card: ${asset}`} label={`Model card ${asset}`}>
      <FitFacts asset={asset}>
        {s && <div><dt>Data window</dt><dd>{String(s.first_day)} – {String(s.last_day)}</dd></div>}
        {s && <div><dt>Expected lift</dt><dd>{formatNumber(num(s.lift) * 100)}%</dd></div>}
      </FitFacts>
      <h3>Response curve per channel</h3>
      {channels.error ? <ErrorNotice>{channels.error}</ErrorNotice> : channels.missing ? <p className="muted">Not fitted yet.</p> : !channels.rows ? <Loading /> : (
        <DataTable caption="Response curves" rows={channels.rows} rowKey={(r) => String(r.channel)}
          columns={[
            { key: "channel", header: "Channel", cell: (r) => String(r.channel) },
            { key: "days", header: "Days of data", numeric: true, cell: (r) => formatCount(num(r.days)) },
            { key: "r2", header: "R²", numeric: true, cell: (r) => formatNumber(num(r.r_squared)) },
            { key: "theta", header: "θ (carry-over)", numeric: true, cell: (r) => formatNumber(num(r.theta)) },
            { key: "kappa", header: "κ (half saturation, $/day)", numeric: true, cell: (r) => formatNumber(num(r.kappa)) },
            { key: "shape", header: "Shape", numeric: true, cell: (r) => formatNumber(num(r.shape)) },
            { key: "warning", header: "Warning", cell: (r) => (r.warning ? <span className="bad">{String(r.warning)}</span> : "—") },
          ]} />
      )}
    </Card>
  );
}

/** Recommendations: each model against the popularity baseline on the temporal holdout (recs.evaluate). */
function RecommendationCard({ asset }: { asset: string }) {
  const card = useOutputTable({ step: asset, output: "main" });
  const rows = card.rows ?? [];
  const k = rows.length > 0 ? String(rows[0].k) : "k";
  return (
    <Card title={`Model card: ${asset}`} label={`Model card ${asset}`}>
      <FitFacts asset={asset} window={(m) => typeof m.split_date === "string" && (
        <div><dt>Trained until</dt><dd>{m.split_date}, tested after</dd></div>
      )} />
      {card.missing ? <p className="muted">No evaluation yet.</p> : !card.rows ? <Loading /> : (
        <DataTable caption="Ranking quality by model" rows={rows} rowKey={(r) => String(r.model)}
          columns={[
            { key: "model", header: "Model", cell: (r) => String(r.model).replaceAll("_", " ") },
            { key: "users", header: "Customers tested", numeric: true, cell: (r) => formatCount(num(r.users)) },
            { key: "ndcg", header: `NDCG@${k}`, numeric: true, cell: (r) => formatNumber(num(r.ndcg)) },
            { key: "lift", header: "NDCG vs popular", numeric: true, cell: (r) => (r.ndcg_lift === null ? "—" : formatPercent(num(r.ndcg_lift))) },
            { key: "precision", header: `Precision@${k}`, numeric: true, cell: (r) => formatNumber(num(r.precision)) },
            { key: "recall", header: `Recall@${k}`, numeric: true, cell: (r) => formatNumber(num(r.recall)) },
            { key: "map", header: `MAP@${k}`, numeric: true, cell: (r) => formatNumber(num(r.map)) },
            { key: "hit", header: "Hit rate", numeric: true, cell: (r) => formatPercent(num(r.hit_rate)) },
            { key: "coverage", header: "Catalog coverage", numeric: true, cell: (r) => formatPercent(num(r.coverage)) },
            { key: "novelty", header: "Novelty (bits)", numeric: true, cell: (r) => formatNumber(num(r.novelty)) },
          ]} />
      )}
    </Card>
  );
}
