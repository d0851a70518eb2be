import { useEffect, useState, type ComponentType, type ReactNode } from "react";
import { assetTitle } from "./titles";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { api, runEventsUrl, type RunEvent, type Schemas } from "./api/client";
import { followEvents } from "./api/events";
import { mainOutput, useOutputTable } from "./sideTables";
import { clvModelName, ltvDiagnostic, ltvIntervalFacts, ltvSays, type LtvModelRow } from "./ltv";
import { Card, DataTable, EmptyState, ErrorNotice, Loading, phoneWidth, ResultTable, StackedCell } from "./ui/components";
import { useMediaQuery } from "./ui/useMediaQuery";
import { ExperimentCard, ExperimentDecisionCard, ExperimentPlanCard } from "./experimentCards";
import { ChurnAlertCard, ChurnCard } from "./churnCards";
import { CampaignTargetingCard, PropensityCard, UpliftCard } from "./propensityCards";
import { journeyCards } from "./journeyCards";
import { FraudAlertCard, FraudModelCard, FraudRiskCard, IsolationForestCard } from "./fraudCards";
import { alignedFormat, alignedPercentFormat, formatCount, formatCurrency, formatDateTime, formatDuration, formatMoney, formatNumber, formatPercent, formatSignedPercent } from "./ui/format";
import { attributionModelLabel, channelTotals, perDayWithCurrency } from "./attribution";
import { pipelineCurrency } from "./ltv";
import { getSection } from "./pipelineGraph";
import { moneyHeader, usePipelineCurrency } from "./usePipelineCurrency";
import { Explain } from "./ui/Explain";
import { readableName, recommenderName } from "./glossary";
import { availableTruths, rankAgainstTruth, truthDefinitions, truthShare, type TruthKey } from "./attributionTruth";
import { axisTitle } from "./ui/AxisTitle";

/**
 * Model cards by component type: what an analytic fitted and how well (parameters with standard errors, fit
 * diagnostics, the warnings it raised, its data window and row counts). A new analytic adds its card here.
 */
export const modelCards: Record<string, ComponentType<{ asset: string; pipeline: string }>> = {
  "analytics.ltv": LtvCard,
  "analytics.attribution": AttributionCard,
  "analytics.budget_optimizer": BudgetCard,
  "analytics.campaign_performance": ChannelPerformanceCard,
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
    let close: (() => void) | null = null;
    let gone = false;
    api.history(asset).then((h) => {
      const last = h.length > 0 ? h[h.length - 1] : null;
      setLatest(last);
      if (!last || gone) return;
      // The event stream replays a finished run's events, then ends.
      close = followEvents(runEventsUrl(last.run_id), {
        onMessage: (data) => {
          const event = JSON.parse(data) as RunEvent;
          if (event.asset === asset && event.kind === "log") setLines((l) => [...l, event]);
        },
      });
    }, () => setLatest(null));
    return () => { gone = true; close?.(); };
  }, [asset]);
  return { latest, lines };
}

/** The part every card shares: the fit's provenance and what the component said while fitting. */
export function FitFacts({ asset, children, window, formatWarning = (w) => w }: {
  asset: string; children?: ReactNode; window?: (metadata: Record<string, unknown>) => ReactNode; formatWarning?: (warning: string) => string;
}) {
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
      {warnings.length > 0 ? warnings.map((w, i) => <p key={i} className="notice warning" role="note">{formatWarning(w.message)}</p>)
        : <p className="muted">No warnings from this fit.</p>}
      {lines.length > warnings.length && (
        <details><summary className="muted">What the component logged ({formatCount(lines.length - warnings.length)} {lines.length - warnings.length === 1 ? "line" : "lines"})</summary>
          <ul>{lines.filter((l) => !warnings.includes(l)).map((l, i) => <li key={i} className="muted">{l.message}</li>)}</ul>
        </details>
      )}
    </>
  );
}

const num = (v: unknown) => (typeof v === "number" ? v : Number(v));

/** LTV: BG/NBD or Pareto/NBD and Gamma-Gamma parameters with standard errors; predicted vs actual holdout purchases by frequency (Fader, Hardie & Lee 2005). */
function LtvCard({ asset, pipeline }: { asset: string; pipeline: string }) {
  const model = useOutputTable({ step: asset, output: "model" });
  const currency = usePipelineCurrency(pipeline);
  const holdout = useOutputTable({ step: asset, output: "holdout" });
  const parameters = (model.rows ?? []).filter((r) => r.std_error !== null || /^(r|alpha|a|b|s|beta|p|q|gamma)$/.test(String(r.parameter)));
  const diagnostics = (model.rows ?? []).filter((r) => !parameters.includes(r));
  // Each column at one precision, so that 0.60 sits over 6.62 rather than 0.6.
  const estimate = alignedFormat(parameters.map((r) => num(r.value)));
  const stdError = alignedFormat(parameters.map((r) => (r.std_error === null ? null : num(r.std_error))));
  const byFrequency = (holdout.rows ?? []).filter((r) => r.calibration_frequency !== "all");
  const total = (holdout.rows ?? []).find((r) => r.calibration_frequency === "all");
  const says = ltvSays((model.rows ?? []) as unknown as LtvModelRow[], { number: formatNumber, percent: formatPercent, money: (n) => formatCurrency(n, currency) });
  return (
    <Card title={assetTitle("Model card", asset)} label={`Model card ${asset}`}>
      {says.length > 0 && (
        <section aria-label="What the model says" className="model-says">
          <h3>What the model says</h3>
          <ul>{says.map((line) => <li key={line}>{line}</li>)}</ul>
        </section>
      )}
      <FitFacts asset={asset} window={(m) => (
        <>
          {typeof m.calibration_end === "string" && <div><dt>Calibration data until</dt><dd>{m.calibration_end}{holdout.missing ? "" : ", holdout after"}</dd></div>}
          {/* Titled in words; the columns under it for whoever reads the table, what the interval is in the tile's title. */}
          {ltvIntervalFacts(m).map((f) => (
            <div key={f.columns} title={f.meaning} data-testid="ltv-interval">
              <dt>{f.term}</dt><dd>{f.text}<code className="stat-columns">{f.columns}{f.off && ` (${f.off})`}</code></dd>
            </div>
          ))}
        </>
      )}>
        {diagnostics.filter((d) => d.parameter === "customers").slice(0, 1).map((d) => <div key="c"><dt>Customers fitted</dt><dd>{formatCount(num(d.value))}</dd></div>)}
      </FitFacts>
      {/* Without a holdout its note sits above the parameters, not beside an empty column. */}
      <div className={holdout.missing ? undefined : "grid-2"}>
        <div>
          <h3>Holdout: repeat purchases per customer, by purchases in calibration</h3>
          {holdout.missing ? <p className="muted">No holdout period was set (holdout_end), so there is no out-of-sample check.</p> : !holdout.rows ? <Loading /> : (
            <>
              <figure className="chart-figure" aria-label="Holdout: predicted and actual repeat purchases by calibration frequency">
                <ResponsiveContainer width="100%" height={260}>
                  <BarChart data={byFrequency.map((r) => ({ x: String(r.calibration_frequency), actual: num(r.actual_mean), predicted: num(r.predicted_mean) }))} margin={{ top: 8, right: 16, bottom: 28, left: 8 }}>
                    <CartesianGrid strokeDasharray="3 3" vertical={false} />
                    <XAxis dataKey="x" interval={0} label={axisTitle(["Repeat purchases in the calibration period", "Repeat purchases, calibration"], { position: "insideBottom", offset: -16, fill: "#4b5563" })} />
                    <YAxis width={64} tickFormatter={(v: number) => formatNumber(v)} label={axisTitle("Mean purchases in holdout", { angle: -90, position: "insideLeft", style: { textAnchor: "middle" }, fill: "#4b5563" })} />
                    <Tooltip formatter={(v) => formatNumber(Number(v))} />
                    <Legend verticalAlign="top" wrapperStyle={{ paddingBottom: 14 }} />
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
        <div>
          <h3>Parameters</h3>
          {model.missing ? <p className="muted">No parameter table (the step has not written its model output).</p> : !model.rows ? <Loading /> : (
            <DataTable stacked caption="Fitted parameters" rows={parameters} rowKey={(r) => `${String(r.model)}.${String(r.parameter)}`}
              columns={[
                { key: "model", header: "Model", cell: (r) => clvModelName(String(r.model)) },
                { key: "parameter", header: "Parameter", cell: (r) => String(r.parameter) },
                { key: "value", header: "Estimate", numeric: true, cell: (r) => estimate(num(r.value)) },
                { key: "se", header: "Std. error", numeric: true, cell: (r) => (r.std_error === null ? "—" : stdError(num(r.std_error))) },
              ]} />
          )}
          {parameters.length > 0 && <Explain terms={[...(parameters.some((r) => String(r.model).startsWith("bgnbd")) ? ["bgnbd" as const] : []), ...(parameters.some((r) => String(r.model).startsWith("gamma")) ? ["gammaGamma" as const] : [])]}
            lead="What the parameters say: the std. error is how far the estimate could be off;" />}
          {diagnostics.length > 0 && (
            <>
              <h3>Fit diagnostics</h3>
              <DataTable stacked caption="Fit diagnostics" rows={diagnostics} rowKey={(r) => `${String(r.model)}.${String(r.parameter)}`}
                columns={[
                  { key: "model", header: "Model", cell: (r) => clvModelName(String(r.model)) },
                  { key: "parameter", header: "Measure", cell: (r) => ltvDiagnostic(String(r.parameter), num(r.value), formatNumber).measure },
                  { key: "value", header: "Value", numeric: true, cell: (r) => ltvDiagnostic(String(r.parameter), num(r.value), formatNumber).value },
                ]} />
            </>
          )}
        </div>
      </div>
    </Card>
  );
}

/** Attribution: every model side by side (the dashboard's heat table), with conversions and touches per model. */
function AttributionCard({ asset, pipeline }: { asset: string; pipeline: string }) {
  const currency = usePipelineCurrency(pipeline);
  const { rows, error, missing } = useOutputTable({ step: asset, output: mainOutput });
  const truth = useChannelTruth();
  const models = [...new Set((rows ?? []).map((r) => String(r.model)))];
  const perModel = models.map((m) => {
    const own = (rows ?? []).filter((r) => String(r.model) === m);
    return { model: m, channels: own.length, conversions: own.reduce((s, r) => s + num(r.conversions), 0), value: own.reduce((s, r) => s + num(r.value), 0) };
  });
  return (
    <Card title={assetTitle("Model card", asset)} label={`Model card ${asset}`}>
      <FitFacts asset={asset} />
      {error ? <ErrorNotice>{error}</ErrorNotice> : missing ? null : !rows ? <Loading /> : (
        <>
          <h3>Models side by side</h3>
          <p className="muted">Each model splits the same converting paths across channels; where they disagree, the credit a channel gets depends on the model chosen. The heat table above shows each channel's share under every model.</p>
          {models.includes("shapley") && <p className="muted">shapley (with shapley_value: conversion_rate, the default): each converting path split by Shapley values over its channels, a set of channels worth the best conversion rate of the paths with that set or any of its subsets (after Dalessandro et al. 2012; the closure keeps every credit non-negative).</p>}
          {models.includes("shapley_simplified") && <p className="muted">shapley_simplified (Zhao et al. 2018's simplified Shapley) is an even split of each converting path over its distinct channels: the same as linear except on paths that touch a channel more than once, where linear gives it a share per touch.</p>}
          <DataTable stacked caption="Attribution models" rows={perModel} rowKey={(r) => r.model}
            columns={[
              { key: "model", header: "Model", cell: (r) => <span title={r.model}>{readableName(r.model)}</span> },
              { key: "channels", header: "Channels credited", numeric: true, cell: (r) => formatCount(r.channels) },
              { key: "conversions", header: "Conversions attributed", numeric: true, cell: (r) => formatNumber(r.conversions) },
              { key: "value", header: moneyHeader("Value attributed", currency), numeric: true, cell: (r) => formatMoney(r.value) },
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

/**
 * Each channel's share of conversions under every model, beside the shares the demo generator truly gave it under two
 * truths: conversions lost without the channel (incremental) and a Shapley split of its true conversion chances. The
 * models are ranked against the truth chosen, with the gap to both shown, since the Shapley truth favours shapley.
 */
function GroundTruth({ truth, rows, models }: { truth: Schemas["ChannelTruth"][]; rows: Record<string, unknown>[]; models: string[] }) {
  const truths = availableTruths(truth);
  const [chosen, setChosen] = useState<TruthKey>(truths[0] ?? "shapley");
  const by = truths.includes(chosen) ? chosen : truths[0] ?? "shapley";
  const ranked = rankAgainstTruth(truth, rows, models, by);
  const others = truths.filter((k) => k !== by);
  // One precision per column, truths and models alike: 16.0% over 34.8%, never 16% over 34.8%.
  const truthFormat = Object.fromEntries(truths.map((k) => [k, alignedPercentFormat(truth.map((t) => truthShare(t, k) ?? 0))]));
  const modelFormat = new Map(ranked.map((m) => [m.model, alignedPercentFormat(truth.map((t) => m.shares.get(t.channel) ?? 0))]));
  // On a phone each channel is a card of the truths and models (styles.css: .stacked), each value under its column's name.
  const cards = useMediaQuery(phoneWidth);
  const label = (name: string, value: string) => (cards ? <StackedCell label={name}>{value}</StackedCell> : value);
  return (
    <>
      <h3>Against the ground truth (demo data only)</h3>
      <p className="muted">This project holds generated demo data, so each channel's true share of conversions is known (data/demo/ground_truth/channels.csv). Shares are among these marketing channels (direct visits, which the generator credits to no channel, are left out). Real data has no such truth: this only shows how each model does on the demo.</p>
      {truths.length > 1 && (
        <label>Rank the models against <select name="attribution-truth" value={by} onChange={(e) => setChosen(e.target.value as TruthKey)}>
          {truths.map((k) => <option key={k} value={k}>{truthDefinitions[k].header}</option>)}
        </select></label>
      )}
      <p><strong>{truthDefinitions[by].header}</strong>: {truthDefinitions[by].definition}. It is {truthDefinitions[by].favours}.</p>
      <div className="table-wrap stacked" tabIndex={0} role="region" aria-label="Ground truth beside the models">
        <table>
          <caption className="sr-only">Share of conversions by channel: each ground truth and each model, closest to the {truthDefinitions[by].header} first</caption>
          <thead><tr><th scope="col">Channel</th>{[by, ...others].map((k) => <th key={k} scope="col" className="num truth">{truthDefinitions[k].header}</th>)}{ranked.map((m) => <th key={m.model} scope="col" className="num" title={m.model}>{readableName(m.model)}</th>)}</tr></thead>
          <tbody>
            {[...truth].sort((a, b) => (truthShare(b, by) ?? 0) - (truthShare(a, by) ?? 0)).map((t) => (
              <tr key={t.channel}><th scope="row">{readableName(t.channel)}</th>{[by, ...others].map((k) => <td key={k} className="num truth">{label(truthDefinitions[k].header, truthFormat[k](truthShare(t, k) ?? 0))}</td>)}{ranked.map((m) => <td key={m.model} className="num">{label(readableName(m.model), modelFormat.get(m.model)!(m.shares.get(t.channel) ?? 0))}</td>)}</tr>
            ))}
          </tbody>
          <tfoot>
            {[by, ...others].map((k) => (
              <tr key={k}><th scope="row">Mean gap to the {truthDefinitions[k].header} (points)</th>{[by, ...others].map((c) => <td key={c} className="num truth">—</td>)}{ranked.map((m) => <td key={m.model} className="num">{label(readableName(m.model), formatNumber(m.gaps[k] ?? 0))}</td>)}</tr>
            ))}
          </tfoot>
        </table>
      </div>
      {others.map((k) => <p key={k} className="muted">{truthDefinitions[k].header}: {truthDefinitions[k].definition}. It is {truthDefinitions[k].favours}.</p>)}
    </>
  );
}


/**
 * Campaign performance per channel: spend, the conversions and revenue the attribution model credits, cost per
 * attributed conversion and ROAS, naming the model (from the step's metadata) and the currency (the pipeline's params).
 */
function ChannelPerformanceCard({ asset, pipeline }: { asset: string; pipeline: string }) {
  const summary = useOutputTable({ step: asset, output: "summary" });
  const [about, setAbout] = useState<{ metadata: Record<string, unknown> | null; currency: string | null } | null>(null);
  useEffect(() => {
    let live = true;
    Promise.all([api.history(asset), api.yaml(pipeline)]).then(([h, y]) => {
      if (live) setAbout({ metadata: h.length > 0 ? (h[h.length - 1].metadata as Record<string, unknown>) : null, currency: pipelineCurrency(getSection(y.yaml, "params"))?.currency ?? null });
    }, () => { if (live) setAbout({ metadata: null, currency: null }); });
    return () => { live = false; };
  }, [asset, pipeline]);
  const model = attributionModelLabel(about?.metadata ?? null);
  const unit = about?.currency ? ` (${about.currency})` : "";
  const title = "Per channel: attributed revenue and cost per attributed conversion";
  const totals = summary.rows ? channelTotals(summary.rows) : [];
  // Shared credit makes conversions fractional: one precision for the column (497.00 under 1,692.60).
  const conversions = alignedFormat(totals.map((r) => r.conversions));
  return (
    <Card title={title} label={title}>
      <p className="muted" data-testid="channel-model">Conversions and revenue as credited by {model}{about?.currency ? `; amounts in ${about.currency}` : ""}. Channels without spend (organic, email) have no cost per conversion. A channel with spend counts the days its ad spend covers{outsideNote(summary.rows)}.</p>
      {summary.error ? <ErrorNotice>{summary.error}</ErrorNotice> : summary.missing ? <p className="muted">Not computed yet.</p> : !summary.rows ? <Loading /> : (
        <DataTable stacked caption="Attributed revenue and cost per attributed conversion by channel" rows={totals} rowKey={(r) => r.channel}
          columns={[
            { key: "channel", header: "Channel", cell: (r) => readableName(r.channel) },
            { key: "spend", header: `Spend${unit}`, numeric: true, cell: (r) => formatMoney(r.spend) },
            { key: "conversions", header: "Attributed conversions", numeric: true, cell: (r) => conversions(r.conversions) },
            { key: "revenue", header: `Attributed revenue${unit}`, numeric: true, cell: (r) => formatMoney(r.revenue) },
            { key: "cpa", header: `Cost per attributed conversion${unit}`, numeric: true, cell: (r) => (r.costPerConversion === null ? "—" : formatMoney(r.costPerConversion)) },
            { key: "roas", header: "ROAS", numeric: true, cell: (r) => (r.roas === null ? "—" : `${formatNumber(r.roas)}×`) },
          ]} />
      )}
    </Card>
  );
}

/** ", X of attributed revenue on days without spend data is left out" when the campaign summary kept any apart; else "". */
function outsideNote(rows: readonly Record<string, unknown>[] | null | undefined): string {
  const outside = (rows ?? []).reduce((sum, r) => sum + (Number(r.revenue_outside_spend ?? 0) || 0), 0);
  return outside > 0 ? `; ${formatMoney(outside)} of attributed revenue falls on days without spend data and is left out` : "";
}

/** Budget optimizer: each channel's fitted response curve (parameters, R², days of data, warning) and the plan's data window. */
function BudgetCard({ asset, pipeline }: { asset: string; pipeline: string }) {
  const channels = useOutputTable({ step: asset, output: mainOutput });
  const currency = usePipelineCurrency(pipeline);
  const summary = useOutputTable({ step: asset, output: "summary" });
  const s = summary.rows?.[0];
  const column = (name: string) => alignedFormat((channels.rows ?? []).map((r) => num(r[name])));
  const curve = { r2: column("r_squared"), theta: column("theta"), half: column("half_saturation_spend"), kappa: column("kappa"), shape: column("shape") };
  return (
    <Card title={assetTitle("Model card", asset)} label={`Model card ${asset}`}>
      <FitFacts asset={asset} formatWarning={(w) => perDayWithCurrency(w, currency)}>
        {s && <div><dt>Data window</dt><dd>{String(s.first_day)} – {String(s.last_day)}</dd></div>}
        {s && <div><dt>Expected lift</dt><dd>{formatSignedPercent(num(s.lift))}</dd></div>}
      </FitFacts>
      <h3>Response curve per channel</h3>
      {channels.error ? <ErrorNotice>{channels.error}</ErrorNotice> : channels.missing ? <p className="muted">Not fitted yet.</p> : !channels.rows ? <Loading /> : (
        <DataTable stacked caption="Response curves" rows={channels.rows} rowKey={(r) => String(r.channel)}
          columns={[
            { key: "channel", header: "Channel", cell: (r) => readableName(String(r.channel)) },
            { key: "days", header: "Days of data", numeric: true, cell: (r) => formatCount(num(r.days)) },
            { key: "r2", header: "R²", numeric: true, cell: (r) => curve.r2(num(r.r_squared)) },
            { key: "theta", header: "θ (carry-over)", numeric: true, cell: (r) => curve.theta(num(r.theta)) },
            { key: "half", header: `Half-saturation spend (${currency ? `${currency}/day` : "per day"})`, numeric: true, cell: (r) => curve.half(num(r.half_saturation_spend)) },
            { key: "kappa", header: "κ (carried-over level)", numeric: true, cell: (r) => curve.kappa(num(r.kappa)) },
            { key: "shape", header: "Shape", numeric: true, cell: (r) => curve.shape(num(r.shape)) },
            { key: "warning", header: "Warning", wrap: true, cell: (r) => (r.warning ? <span className="bad">{perDayWithCurrency(String(r.warning), currency)}</span> : "—") },
          ]} />
      )}
      <Explain terms={["rSquared", "theta", "halfSaturation", "kappa", "shape"]} lead="Reading the curves:" />
    </Card>
  );
}

/** Recommendations: each model against the popularity baseline on the temporal holdout (recs.evaluate). */
function RecommendationCard({ asset }: { asset: string }) {
  const card = useOutputTable({ step: asset, output: "main" });
  const rows = card.rows ?? [];
  const k = rows.length > 0 ? String(rows[0].k) : "k";
  // Each measure's column at one precision: 52.5% over 100.0%, not 100%.
  const column = (key: string) => rows.map((r) => (r[key] === null ? null : num(r[key])));
  const [ndcg, precision, recall, map, novelty] = ["ndcg", "precision", "recall", "map", "novelty"].map((key) => alignedFormat(column(key)));
  const [lift, hit, coverage] = ["ndcg_lift", "hit_rate", "coverage"].map((key) => alignedPercentFormat(column(key)));
  return (
    <Card title={assetTitle("Model card", asset)} label={`Model card ${asset}`}>
      <FitFacts asset={asset} window={(m) => typeof m.split_date === "string" && (
        <div><dt>Trained until</dt><dd>{m.split_date}, tested after</dd></div>
      )} />
      {card.missing ? <p className="muted">No evaluation yet.</p> : !card.rows ? <Loading /> : (
        <DataTable stacked caption="Ranking quality by model" rows={rows} rowKey={(r) => String(r.model)}
          columns={[
            { key: "model", header: "Model", cell: (r) => recommenderName(String(r.model)) },
            { key: "users", header: "Customers tested", numeric: true, cell: (r) => formatCount(num(r.users)) },
            { key: "ndcg", header: `NDCG@${k}`, numeric: true, cell: (r) => ndcg(num(r.ndcg)) },
            { key: "lift", header: "NDCG vs popular", numeric: true, cell: (r) => (r.ndcg_lift === null ? "—" : lift(num(r.ndcg_lift))) },
            { key: "precision", header: `Precision@${k}`, numeric: true, cell: (r) => precision(num(r.precision)) },
            { key: "recall", header: `Recall@${k}`, numeric: true, cell: (r) => recall(num(r.recall)) },
            { key: "map", header: `MAP@${k}`, numeric: true, cell: (r) => map(num(r.map)) },
            { key: "hit", header: "Hit rate", numeric: true, cell: (r) => hit(num(r.hit_rate)) },
            { key: "coverage", header: "Catalog coverage", numeric: true, cell: (r) => coverage(num(r.coverage)) },
            { key: "novelty", header: "Novelty (bits)", numeric: true, cell: (r) => novelty(num(r.novelty)) },
          ]} />
      )}
      {rows.length > 0 && <Explain terms={["ndcg", "map", "precision", "recall", "hitRate", "coverage", "novelty"]} lead={`On customers' purchases after the training data, with k = ${k}:`} />}
    </Card>
  );
}
