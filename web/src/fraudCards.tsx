import { useEffect, useState } from "react";
import { assetTitle } from "./titles";
import { api, errorMessage } from "./api/client";
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { MeasuresTable, num, shown, type Measure } from "./classifierCard";
import { alertQueueTable, alertsByReason, decisionThresholds, flaggedTransactions, newAlertsSentence, queueSummary, evaluationParts, fraudTypes, labelScores, scoreDistribution, thresholdCurve } from "./fraud";
import { FitFacts } from "./modelCards";
import { useComponentParams } from "./componentParams";
import { mainOutput, useOutputTable } from "./sideTables";
import { toGraph } from "./pipelineGraph";
import { ChartView } from "./ui/ChartView";
import { Card, DataTable, ErrorNotice, Loading, StatusBadge } from "./ui/components";
import { formatCount, formatCurrency, formatDateTime, formatNumber, formatPercent } from "./ui/format";
import { moneyHeader, usePipelineCurrency } from "./usePipelineCurrency";
import { axisTitle } from "./ui/AxisTitle";

const axisLabel = { fill: "#4b5563" };
const palette = ["#334155", "#b91c1c", "#1d4ed8", "#b45309", "#7c3aed", "#047857"];

/** What the risk score's evaluation reports per part, in the card's order. */
const evaluationMeasures: Measure[] = [
  { metric: "pr_auc", label: "PR-AUC", better: "higher" },
  { metric: "auc", label: "AUC", better: "higher" },
  { metric: "recall_at_alert_rate", label: "Recall at the alert rate (transactions)", better: "higher", format: formatPercent },
  { metric: "alert_recall_at_alert_rate", label: "Recall at the alert rate (deduplicated alerts)", better: "higher", format: formatPercent },
];

/**
 * A threshold's name just over the plot, beside its dashed line on the side away from the other threshold (review on the
 * left of its line, block on the right), so that two close thresholds' names do not run into each other.
 */
function ThresholdLabel({ viewBox, text, side, fill }: { viewBox?: { x?: number; y?: number }; text: string; side: "left" | "right"; fill: string }) {
  return (
    <text className="threshold-label" x={(viewBox?.x ?? 0) + (side === "left" ? -4 : 4)} y={(viewBox?.y ?? 0) - 6} textAnchor={side === "left" ? "end" : "start"} fill={fill} fontSize={13}>
      {text}
    </text>
  );
}

const partLabel = (part: string) => (part === "rules" ? "rules alone" : part === "model" ? "supervised model" : part === "combined" ? "combined score" : `${part.replaceAll("_", " ")} alone`);

/**
 * Fraud risk card (analytics.risk_score): each part and the combination against the known fraud per fraud type, the
 * score distribution by label and precision and recall at thresholds (where a labels input exists).
 */
export function FraudRiskCard({ asset, pipeline }: { asset: string; pipeline: string }) {
  const evaluation = useOutputTable({ step: asset, output: "evaluation" });
  const scores = useOutputTable({ step: asset, output: mainOutput }, 1_000_000);
  const params = useComponentParams(pipeline, asset)?.params;
  const labelsStep = typeof params?.labels === "string" ? params.labels : null;
  const labels = useOutputTable({ step: labelsStep ?? "", output: mainOutput }, 1_000_000);
  const [type, setType] = useState("all");
  const rows = evaluation.rows ?? [];
  const types = fraudTypes(rows);
  const parts = evaluationParts(rows).map((p, i) => ({ model: p, label: partLabel(p), colour: palette[i % palette.length] }));
  const value = (part: string, metric: string) => num(rows.find((r) => r.fraud_type === type && r.score === part)?.[metric]);
  const rate = num(rows[0]?.alert_rate);
  const labelled = scores.rows && labels.rows && labelsStep
    ? labelScores(scores.rows, labels.rows, typeof params?.label_id === "string" ? params.label_id : "transaction_id", typeof params?.label_column === "string" ? params.label_column : "label")
    : null;
  const distribution = labelled ? scoreDistribution(labelled) : [];
  const labelNames = distribution.length > 0 ? Object.keys(distribution[0].series) : [];
  const curve = labelled ? thresholdCurve(labelled) : [];
  const thresholds = decisionThresholds(scores.rows ?? []);
  return (
    <Card title={assetTitle("Model card", asset)} label={`Model card ${asset}`}>
      <FitFacts asset={asset}>
        {Number.isFinite(thresholds.review) && <div><dt>Lowest score sent to review</dt><dd>{formatNumber(thresholds.review)}</dd></div>}
        {Number.isFinite(thresholds.block) && <div><dt>Lowest score blocked</dt><dd>{formatNumber(thresholds.block)}</dd></div>}
      </FitFacts>
      <h3>Against the known fraud: each part alone and the combined score</h3>
      {evaluation.error ? <ErrorNotice>{evaluation.error}</ErrorNotice> : evaluation.missing ? <p className="muted">Not scored yet.</p> : !evaluation.rows ? <Loading /> : rows.length === 0
        ? <p className="muted">No labels input, so nothing to measure against: give the step a labels input of known fraud (transaction id and fraud type).</p> : (
          <>
            {/* Beside its label as the other pickers are, not a select as wide as the card. */}
            <label className="toolbar chart-controls">Fraud type{" "}
              <select value={type} onChange={(e) => setType(e.target.value)}>
                {types.map((t) => <option key={t} value={t}>{t.replaceAll("_", " ")}</option>)}
              </select>
            </label>
            <MeasuresTable caption="Fraud evaluation by part" models={parts} value={value} measures={evaluationMeasures} />
            <p className="muted">
              {type === "all" ? "All fraud" : `${type.replaceAll("_", " ")} only`} against the transactions no label names
              ({formatCount(value("combined", "positives"))} fraudulent of {formatCount(value("combined", "transactions"))}).
              Recall is measured when the top {shown(rate, formatPercent)} of transactions are flagged, and when as many deduplicated alerts (one per customer, or card, and clock hour) are raised.
            </p>
          </>
        )}
      <div className="grid-2">
        <div>
          <h3>Score distribution by label</h3>
          {!labelsStep ? <p className="muted">No labels input: the distribution by label needs known fraud.</p>
            : scores.error || labels.error ? <ErrorNotice>{scores.error ?? labels.error}</ErrorNotice> : !labelled ? <Loading /> : (
              <figure className="chart-figure" aria-label="Risk score distribution by label">
                <ResponsiveContainer width="100%" height={300}>
                  <BarChart data={distribution.map((d) => ({ x: d.x, ...d.series }))} margin={{ top: 8, right: 16, bottom: 28, left: 8 }}>
                    <CartesianGrid strokeDasharray="3 3" vertical={false} />
                    {/* Ticks that would run into each other are skipped (on a phone), the first and last kept. */}
                    <XAxis dataKey="x" interval="preserveStartEnd" minTickGap={8} label={axisTitle("Risk score", { position: "insideBottom", offset: -16, ...axisLabel })} />
                    <YAxis width={64} tickFormatter={(v: number) => formatPercent(v)} label={axisTitle(["Share of the label's transactions", "Share of the label"], { angle: -90, position: "insideLeft", style: { textAnchor: "middle" }, ...axisLabel })} />
                    <Tooltip formatter={(v) => formatPercent(Number(v))} />
                    {/* Measured, not a fixed height: on a phone the labels wrap to a second line, which must push the plot (and its top tick, half above it) down. */}
                    <Legend verticalAlign="top" wrapperStyle={{ paddingBottom: 14 }} />
                    {labelNames.map((l, i) => <Bar key={l} dataKey={l} name={l.replaceAll("_", " ")} fill={palette[i % palette.length]} isAnimationActive={false} />)}
                  </BarChart>
                </ResponsiveContainer>
                <figcaption className="muted">Each label's bars sum to 100%: fraud should sit right, the unlabelled (presumed legitimate) left.</figcaption>
              </figure>
            )}
        </div>
        <div>
          <h3>Precision and recall at thresholds</h3>
          {!labelsStep ? <p className="muted">No labels input: precision and recall need known fraud.</p> : !labelled ? <Loading /> : (
            <figure className="chart-figure" aria-label="Precision and recall by risk score threshold">
              <ResponsiveContainer width="100%" height={300}>
                {/* The legend at the very top and the thresholds' names in the band under it, over the plot: never on the legend. */}
                <LineChart data={curve.map((c) => ({ threshold: c.threshold, precision: Number.isFinite(c.precision) ? c.precision : null, recall: c.recall }))} margin={{ top: 26, right: 16, bottom: 28, left: 8 }}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis type="number" dataKey="threshold" domain={[0, 100]} label={axisTitle(["Flag from this risk score", "Flagged from score"], { position: "insideBottom", offset: -16, ...axisLabel })} />
                  <YAxis type="number" domain={[0, 1]} width={64} tickFormatter={(v: number) => formatPercent(v)} label={axisTitle("Share", { angle: -90, position: "insideLeft", style: { textAnchor: "middle" }, ...axisLabel })} />
                  <Tooltip formatter={(v) => formatPercent(Number(v))} labelFormatter={(v) => `score ≥ ${String(v)}`} />
                  <Legend verticalAlign="top" height={28} wrapperStyle={{ top: 0 }} />
                  {Number.isFinite(thresholds.review) && <ReferenceLine x={thresholds.review} stroke="#b45309" strokeDasharray="4 3" label={<ThresholdLabel text="review" side="left" fill="#92400e" />} />}
                  {Number.isFinite(thresholds.block) && <ReferenceLine x={thresholds.block} stroke="#b91c1c" strokeDasharray="4 3" label={<ThresholdLabel text="block" side="right" fill="#991b1b" />} />}
                  <Line dataKey="precision" stroke="#1d4ed8" isAnimationActive={false} />
                  <Line dataKey="recall" stroke="#047857" isAnimationActive={false} />
                </LineChart>
              </ResponsiveContainer>
              <figcaption className="muted">Every label but unlabelled counts as fraud; the dashed lines are the lowest scores the last run sent to review and blocked.</figcaption>
            </figure>
          )}
        </div>
      </div>
      {curve.length > 0 && (
        <details>
          <summary className="muted">Precision and recall table</summary>
          <DataTable stacked caption="Precision and recall by threshold" rows={curve} rowKey={(c) => String(c.threshold)}
            columns={[
              { key: "t", header: "Risk score at least", numeric: true, cell: (c) => formatNumber(c.threshold) },
              { key: "flagged", header: "Transactions flagged", numeric: true, cell: (c) => formatCount(c.flagged) },
              { key: "precision", header: "Precision", numeric: true, cell: (c) => shown(c.precision, formatPercent) },
              { key: "recall", header: "Recall", numeric: true, cell: (c) => shown(c.recall, formatPercent) },
            ]} />
        </details>
      )}
    </Card>
  );
}

/** Isolation Forest card (analytics.isolation_forest): the forest's parameters and features, and what isolates rows. */
export function IsolationForestCard({ asset, pipeline }: { asset: string; pipeline: string }) {
  const params = useComponentParams(pipeline, asset)?.params;
  const importance = useOutputTable({ step: asset, output: "importance" });
  const features = Array.isArray(params?.features) ? params.features.map(String) : [];
  const method = typeof params?.method === "string" ? params.method : "extended";
  const setting = (key: string, fallback: string) => (params?.[key] === undefined || params?.[key] === null ? fallback : String(params[key]));
  const ranked = [...(importance.rows ?? [])].sort((a, b) => num(b.importance) - num(a.importance));
  return (
    <Card title={assetTitle("Model card", asset)} label={`Model card ${asset}`}>
      <FitFacts asset={asset}>
        <div><dt>Method</dt><dd>{method === "isolation_forest" ? "Isolation Forest (axis-parallel cuts)" : "Extended Isolation Forest (hyperplane cuts)"}</dd></div>
        <div><dt>Trees</dt><dd>{setting("trees", "100")}</dd></div>
        <div><dt>Sample size ψ</dt><dd>{setting("sample_size", "256")}</dd></div>
        <div><dt>Seed</dt><dd>{setting("seed", "42")}</dd></div>
        {method !== "isolation_forest" && <div><dt>Extension level</dt><dd>{setting("extension_level", `${Math.max(0, features.length - 1)} (fully extended)`)}</dd></div>}
      </FitFacts>
      <h3>Features: what isolates the transactions</h3>
      {importance.error ? <ErrorNotice>{importance.error}</ErrorNotice> : importance.missing ? <p className="muted">Not fitted yet.</p> : !importance.rows ? <Loading /> : (
        <DataTable stacked caption="Isolation Forest features" rows={ranked} rowKey={(r) => String(r.feature)}
          columns={[
            { key: "feature", header: "Feature", cell: (r) => String(r.feature).replaceAll("_", " ") },
            { key: "importance", header: "Share of the isolation credit", numeric: true, cell: (r) => shown(num(r.importance), formatPercent) },
            { key: "top", header: "Rows it isolates most", numeric: true, cell: (r) => shown(num(r.top_feature_rows), formatCount) },
            { key: "median", header: "Stands in for a missing value", numeric: true, cell: (r) => shown(num(r.median)) },
          ]} />
      )}
      <p className="muted">Scores are 2^(−mean path length ÷ c(ψ)): near 1 a transaction is isolated in few cuts, about 0.5 or lower it is ordinary. No labels are used.</p>
    </Card>
  );
}

/** Supervised fraud model card (analytics.fraud_model): whether it is trained, on how many analyst labels, and its cross-validated measures. */
export function FraudModelCard({ asset }: { asset: string }) {
  const metrics = useOutputTable({ step: asset, output: "metrics" });
  const rows = metrics.rows ?? [];
  const metric = (name: string) => rows.find((r) => r.metric === name);
  const trained = num(metric("trained")?.value) === 1;
  return (
    <Card title={assetTitle("Model card", asset)} label={`Model card ${asset}`}>
      <FitFacts asset={asset}>
        {metric("labels") && <div><dt>Analyst labels</dt><dd>{formatCount(num(metric("labels")!.value))} ({formatCount(num(metric("fraud_labels")?.value))} fraud)</dd></div>}
      </FitFacts>
      {metrics.error ? <ErrorNotice>{metrics.error}</ErrorNotice> : metrics.missing ? <p className="muted">Not fitted yet.</p> : !metrics.rows ? <Loading /> : (
        <>
          <p>{trained ? "Trained: " : "Not trained: "}{String(metric("trained")?.detail ?? "").replace(/^not trained: /, "")}</p>
          {trained ? (
            <MeasuresTable caption="Supervised model measures" models={[{ model: "model", label: "gradient-boosted trees (out-of-fold)", colour: "#1d4ed8" }]}
              value={(_, m) => num(metric(m)?.value)}
              measures={[{ metric: "cv_auc", label: "AUC", better: "higher" }, { metric: "cv_pr_auc", label: "PR-AUC", better: "higher" }]} />
          ) : <p className="muted">Until enough analysts' labels exist (fraud_feedback), the risk score leaves this part out.</p>}
        </>
      )}
    </Card>
  );
}

/** The open alert queue beside a run's alerts: the sync step's target, its rows, and the risk score's flagged counts. */
function useAlertQueue(pipeline: string, asset: string) {
  const [state, setState] = useState<{ queue: { table: string; step: string } | null; rows: Record<string, unknown>[] | null; flagged: { block: number; review: number } | null; error: string | null } | undefined>(undefined);
  useEffect(() => {
    let live = true;
    (async () => {
      const [{ yaml }, assets] = await Promise.all([api.yaml(pipeline), api.assets(true)]);
      const steps = toGraph(yaml).components;
      const scorer = steps.find((c) => c.id === asset)?.inputs[0];
      const history = scorer ? await api.history(scorer).catch(() => []) : [];
      const flagged = flaggedTransactions(history[history.length - 1]?.metadata as Record<string, unknown> | undefined);
      const queue = alertQueueTable(assets, steps, asset);
      let rows: Record<string, unknown>[] | null = null;
      if (queue) {
        const table = await api.asset(queue.table, 10_000);
        rows = table.rows.map((r) => Object.fromEntries(table.columns.map((c, k) => [c.name, r[k]])));
      }
      if (live) setState({ queue, rows, flagged, error: null });
    })().catch((e: unknown) => { if (live) setState({ queue: null, rows: null, flagged: null, error: errorMessage(e) }); });
    return () => { live = false; };
  }, [pipeline, asset]);
  return state;
}

const byRisk = (a: Record<string, unknown>, b: Record<string, unknown>) => num(b.risk_score) - num(a.risk_score) || String(b.opened_at).localeCompare(String(a.opened_at));

/**
 * Fraud alerts (alert.fraud): the open queue the sync step keeps (every alert not yet worked: how many, by decision and
 * leading reason, the oldest), the transactions the last scoring flagged, and the alerts the last run added.
 */
export function FraudAlertCard({ asset, pipeline }: { asset: string; pipeline: string }) {
  const alerts = useOutputTable({ step: asset, output: mainOutput }, 10_000);
  const queue = useAlertQueue(pipeline, asset);
  const currency = usePipelineCurrency(pipeline);
  const fresh = [...(alerts.rows ?? [])].sort(byRisk);
  const freshIds = new Set(fresh.map((r) => String(r.alert_id)));
  const freshTransactions = alertsByReason(fresh).reduce((s, r) => s + r.transactions, 0);
  const flagged = queue?.flagged ? queue.flagged.block + queue.flagged.review : null;
  // The open queue when the pipeline keeps one, else the run's own alerts.
  const listed = queue?.rows ? [...queue.rows].sort(byRisk) : fresh;
  const summary = queueSummary(listed);
  const reasons = alertsByReason(listed);
  return (
    <Card title={assetTitle("Alerts", asset)} label={`Alerts ${asset}`}>
      {alerts.error ? <ErrorNotice>{alerts.error}</ErrorNotice> : alerts.missing ? <p className="muted">No alerts yet: run the pipeline.</p> : !alerts.rows || queue === undefined ? <Loading /> : (
        <>
          {queue.error && <ErrorNotice>{queue.error}</ErrorNotice>}
          <dl className="stats">
            {queue.queue && <div><dt>Open alerts</dt><dd>{formatCount(summary.open)}</dd></div>}
            {queue.queue && summary.byDecision.map((d) => <div key={d.decision}><dt>Open, {d.decision}</dt><dd>{formatCount(d.alerts)}</dd></div>)}
            {queue.queue && summary.oldest && <div><dt>Oldest open since</dt><dd>{formatDateTime(summary.oldest)}</dd></div>}
            {flagged !== null && <div><dt>Transactions flagged by the last scoring</dt><dd>{formatCount(flagged)}</dd></div>}
            <div><dt>New alerts this run</dt><dd>{formatCount(fresh.length)}</dd></div>
          </dl>
          <p>
            {queue.queue && <>The open queue <a href={`#/asset/${encodeURIComponent(queue.queue.table)}`}>{queue.queue.table}</a> (kept by {queue.queue.step}) holds every alert not yet worked. </>}
            {queue.flagged && <>The last scoring flagged {formatCount(flagged!)} transactions ({formatCount(queue.flagged.block)} to block, {formatCount(queue.flagged.review)} to review). </>}
            {newAlertsSentence(fresh.length, freshTransactions, flagged)}
          </p>
          {reasons.length > 0 && <h3>{queue.queue ? "Open alerts by leading reason" : "New alerts by leading reason"}</h3>}
          {reasons.length > 0 && (
            <ChartView title={queue.queue ? "Open alerts by leading reason" : "New alerts by leading reason"}
              chart={{ bars: reasons.map((r) => ({ x: r.reason, series: { alerts: r.alerts } })), xTitle: "Leading reason", yTitle: "Alerts", unit: "count", horizontal: true,
                note: "One alert per card or customer per window; each alert's reasons are in the list below." }} />
          )}
          <DataTable stacked caption={queue.queue ? "Open alert queue" : "Alerts of the last run"} rows={listed} rowKey={(r) => String(r.alert_id)} maxHeight={420}
            empty={<p className="muted">{queue.queue ? "No open alerts." : newAlertsSentence(0, 0, flagged)}</p>}
            columns={[
              { key: "opened", header: "Opened", cell: (r) => <>{typeof r.opened_at === "string" ? formatDateTime(r.opened_at) : "—"}{queue.queue && freshIds.has(String(r.alert_id)) && <> <StatusBadge status="new" /></>}</> },
              // The payer's email is what an analyst looks up; the platform's customer id or the card stays beside it.
              { key: "who", header: "Customer or card", cell: (r) => <span title={String(r.profile_id ?? r.card_fingerprint ?? "")}>{String(r.email ?? r.profile_id ?? r.card_fingerprint ?? "—")}</span> },
              { key: "score", header: "Risk score", numeric: true, cell: (r) => shown(num(r.risk_score)) },
              { key: "decision", header: "Decision", cell: (r) => String(r.decision) },
              { key: "transactions", header: "Transactions", numeric: true, cell: (r) => shown(num(r.transactions), formatCount) },
              { key: "amount", header: moneyHeader("Amount", currency), numeric: true, cell: (r) => shown(num(r.amount), (v) => formatCurrency(v, currency)) },
              { key: "reasons", header: "Reasons", wrap: true, cell: (r) => (typeof r.reasons === "string" && r.reasons.length > 0 ? r.reasons : "—") },
            ]} />
        </>
      )}
    </Card>
  );
}
