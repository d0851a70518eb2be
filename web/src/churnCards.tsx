import { Explain } from "./ui/Explain";
import { assetTitle } from "./titles";
import { moneyHeader, usePipelineCurrency } from "./usePipelineCurrency";
import { Bar, BarChart, CartesianGrid, Legend, ReferenceLine, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from "recharts";
import { mainOutput, useOutputTable } from "./sideTables";
import { Card, DataTable, ErrorNotice, Loading } from "./ui/components";
import { formatCount, formatMoney, formatNumber, formatPercent } from "./ui/format";
import { FitFacts } from "./modelCards";
import { niceTicks } from "./ui/ChartView";
import { MeasuresTable, num, shown, type ScoredModel } from "./classifierCard";
import { personLabel } from "./churn";
import { ContactListDownload, useContactsDownstream } from "./contactsDownload";
import { profileLink } from "./Customers";
import { axisTitle } from "./ui/AxisTitle";
import { categoryAxis, CategoryTick } from "./ui/CategoryAxis";
import { useWidth } from "./ui/useWidth";


/** The model and its baselines, in the card's column order, with the names a reader knows them by. */
const models: ScoredModel[] = [
  { model: "model", label: "model (calibrated trees)", colour: "#1d4ed8" },
  { model: "bgnbd", label: "BG/NBD 1 − P(alive)", colour: "#b45309" },
  { model: "bgnbd_no_order", label: "BG/NBD P(no order)", colour: "#7c3aed" },
  { model: "recency_rule", label: "recency rule", colour: "#047857" },
];

/** Risk bands from the most to the least urgent. */
const bands = ["high", "medium", "low"];

/**
 * Churn model card (analytics.churn): the holdout measures of the model beside the recency rule and BG/NBD, the
 * calibration plot by decile, the features the trees lean on, the data windows, and who is at risk for what value
 * and why.
 */
export function ChurnCard({ asset, pipeline }: { asset: string; pipeline: string }) {
  const currency = usePipelineCurrency(pipeline);
  const metrics = useOutputTable({ step: asset, output: "metrics" });
  const calibration = useOutputTable({ step: asset, output: "calibration" });
  const importance = useOutputTable({ step: asset, output: "importance" });
  const scores = useOutputTable({ step: asset, output: mainOutput }, 100_000);
  const metricRows = metrics.rows ?? [];
  const value = (model: string, metric: string) => num(metricRows.find((r) => r.model === model && r.metric === metric)?.value);
  const detail = (metric: string) => metricRows.find((r) => r.model === "data" && r.metric === metric)?.detail;
  const present = models.filter((m) => metricRows.some((r) => r.model === m.model));
  const rule = metricRows.find((r) => r.model === "recency_rule" && r.metric === "rule_precision");
  const windows = metricRows.filter((r) => r.model === "data");
  const topFeatures = [...(importance.rows ?? [])].sort((a, b) => num(b.importance) - num(a.importance)).slice(0, 15)
    .map((r) => ({ feature: String(r.feature).replaceAll("_", " "), importance: num(r.importance) }));
  const gainTicks = niceTicks(0, Math.max(0, ...topFeatures.map((f) => f.importance)));
  const [measureFeatures, featuresWidth] = useWidth();
  const featureLabels = categoryAxis(topFeatures.map((f) => f.feature), featuresWidth, 14, 200, 22);
  return (
    <Card title={assetTitle("Model card", asset)} label={`Model card ${asset}`}>
      <FitFacts asset={asset}>
        {typeof detail("train_as_of") === "string" && <div><dt>Trained on the snapshot of</dt><dd>{String(detail("train_as_of"))}</dd></div>}
        {typeof detail("label_window") === "string" && <div><dt>Label window</dt><dd>{String(detail("label_window"))}</dd></div>}
        {typeof detail("scored_as_of") === "string" && <div><dt>Scored as of</dt><dd>{String(detail("scored_as_of"))}</dd></div>}
      </FitFacts>
      <h3>Holdout: the model beside the baselines</h3>
      {metrics.error ? <ErrorNotice>{metrics.error}</ErrorNotice> : metrics.missing ? <p className="muted">Not fitted yet.</p> : !metrics.rows ? <Loading /> : (
        <>
          {typeof detail("holdout_note") === "string" && <p className="notice warning" role="note" aria-label="Holdout note">{String(detail("holdout_note"))}</p>}
          <MeasuresTable caption="Holdout measures by model" models={present} value={value} />
          <p className="muted">
            All on the same held-out customers of the training snapshot, labelled by whether they ordered within the label window.
            The recency rule is a ranking, not a probability, so it has no Brier score or calibration error
            {rule && <>; as a rule ({String(rule.detail)}) it flags churners with precision {shown(num(rule.value), formatPercent)}</>}.
          </p>
        </>
      )}
      <div className="grid-2">
        <div>
          <h3>Calibration: predicted against observed churn by decile</h3>
          {calibration.error ? <ErrorNotice>{calibration.error}</ErrorNotice> : calibration.missing ? <p className="muted">No calibration table yet.</p> : !calibration.rows ? <Loading /> : (
            <figure className="chart-figure" aria-label="Calibration plot: predicted against observed churn rate by decile">
              <ResponsiveContainer width="100%" height={300}>
                <ScatterChart margin={{ top: 8, right: 16, bottom: 28, left: 8 }}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis type="number" dataKey="predicted" domain={[0, 1]} tickFormatter={(v: number) => formatPercent(v)}
                    label={axisTitle(["Mean predicted churn probability", "Predicted churn rate"], { position: "insideBottom", offset: -16, fill: "#4b5563" })} />
                  <YAxis type="number" dataKey="observed" domain={[0, 1]} width={64} tickFormatter={(v: number) => formatPercent(v)}
                    label={axisTitle("Observed churn rate", { angle: -90, position: "insideLeft", style: { textAnchor: "middle" }, fill: "#4b5563" })} />
                  <Tooltip formatter={(v) => formatPercent(Number(v))} />
                  <Legend verticalAlign="top" wrapperStyle={{ paddingBottom: 14 }} />
                  <ReferenceLine segment={[{ x: 0, y: 0 }, { x: 1, y: 1 }]} stroke="#111827" strokeDasharray="4 3" />
                  {models.filter((m) => m.model !== "recency_rule" && (calibration.rows ?? []).some((r) => r.model === m.model)).map((m) => (
                    <Scatter key={m.model} name={m.label} fill={m.colour} line isAnimationActive={false}
                      data={(calibration.rows ?? []).filter((r) => r.model === m.model).sort((a, b) => num(a.bin) - num(b.bin))
                        .map((r) => ({ predicted: num(r.predicted), observed: num(r.observed) }))} />
                  ))}
                </ScatterChart>
              </ResponsiveContainer>
              <figcaption className="muted">Each point is a tenth of the holdout by predicted probability; on the dashed diagonal a probability means what it says.</figcaption>
            </figure>
          )}
        </div>
        <div>
          <h3>What the trees lean on</h3>
          {importance.error ? <ErrorNotice>{importance.error}</ErrorNotice> : importance.missing ? <p className="muted">No importance table yet.</p> : !importance.rows ? <Loading /> : (
            <figure className="chart-figure" aria-label="Feature importance" ref={measureFeatures}>
              <ResponsiveContainer width="100%" height={Math.max(200, featureLabels.rowHeight * topFeatures.length + 60)}>
                <BarChart data={topFeatures} layout="vertical" margin={{ top: 8, right: 16, bottom: 28, left: 8 }}>
                  <CartesianGrid strokeDasharray="3 3" horizontal={false} />
                  <XAxis type="number" ticks={gainTicks} domain={[0, gainTicks[gainTicks.length - 1]]} tickFormatter={(v: number) => formatPercent(v)} label={axisTitle("Share of the trees' gain (%)", { position: "insideBottom", offset: -16, fill: "#4b5563" })} />
                  <YAxis type="category" dataKey="feature" width={featureLabels.width} interval={0} tick={<CategoryTick layout={featureLabels} />} />
                  <Tooltip formatter={(v) => formatNumber(Number(v))} />
                  <Bar dataKey="importance" fill="#1d4ed8" isAnimationActive={false} />
                </BarChart>
              </ResponsiveContainer>
              <figcaption className="muted">{topFeatures.some((f) => f.importance > 0) ? `The ${topFeatures.length} features with the most gain.`
                : "The trees made no split: too few training customers for min_customers_per_leaf, so the probabilities and the reasons come from BG/NBD alone."}</figcaption>
            </figure>
          )}
          {topFeatures.some((f) => f.feature === "p alive" || f.feature === "p no order") && <Explain terms={["pAlive", "pNoOrder"]} lead="From the BG/NBD model:" />}
        </div>
      </div>
      <ChurnRisk scores={scores.rows} error={scores.error} missing={scores.missing} currency={currency} />
      {windows.length > 0 && (
        <details>
          <summary className="muted">Data windows and counts</summary>
          <DataTable stacked caption="Data windows" rows={windows} rowKey={(r) => String(r.metric)}
            columns={[
              { key: "what", header: "What", cell: (r) => String(r.metric).replaceAll("_", " ") },
              { key: "value", header: "Value", numeric: true, cell: (r) => (r.value === null ? "—" : r.metric === "churn_rate" ? formatPercent(num(r.value)) : formatNumber(num(r.value))) },
              { key: "detail", header: "Detail", cell: (r) => (r.detail === null ? "—" : String(r.detail)) },
            ]} />
        </details>
      )}
    </Card>
  );
}

/** Customers and value at risk per risk band, and the top reason of the high-risk customers. */
function ChurnRisk({ scores, error, missing, currency }: { scores: Record<string, unknown>[] | null; error: string | null; missing: boolean; currency: string | null }) {
  if (error) return <ErrorNotice>{error}</ErrorNotice>;
  if (missing) return null;
  if (!scores) return <Loading />;
  const perBand = bands.map((band) => {
    const own = scores.filter((r) => r.risk_band === band);
    return { band, customers: own.length, value: own.reduce((s, r) => s + (Number.isFinite(num(r.value_at_risk)) ? num(r.value_at_risk) : 0), 0) };
  });
  const reasons = new Map<string, { customers: number; value: number; example: string }>();
  for (const r of scores.filter((s) => s.risk_band === "high")) {
    const code = r.reason_code === null || r.reason_code === undefined ? "(no reason)" : String(r.reason_code);
    const seen = reasons.get(code) ?? { customers: 0, value: 0, example: r.reason === null || r.reason === undefined ? "" : String(r.reason) };
    seen.customers++;
    seen.value += Number.isFinite(num(r.value_at_risk)) ? num(r.value_at_risk) : 0;
    reasons.set(code, seen);
  }
  const byReason = [...reasons].map(([code, r]) => ({ code, ...r })).sort((a, b) => b.customers - a.customers);
  return (
    <div className="grid-2">
      <div>
        <h3>Risk bands</h3>
        <DataTable stacked caption="Customers and value at risk by risk band" rows={perBand} rowKey={(r) => r.band}
          columns={[
            { key: "band", header: "Risk band", cell: (r) => r.band },
            { key: "customers", header: "Customers", numeric: true, cell: (r) => formatCount(r.customers) },
            { key: "share", header: "Share", numeric: true, cell: (r) => formatPercent(r.customers / Math.max(1, scores.length)) },
            { key: "value", header: moneyHeader("Value at risk", currency), numeric: true, cell: (r) => formatMoney(r.value) },
          ]} />
        <p className="muted">Bands rank customers by churn probability: by default the top 10% are high and the next 20% medium (risk_bands, high_risk_share and medium_risk_share of analytics.churn).</p>
      </div>
      <div>
        <h3>Why the high-risk customers are at risk</h3>
        <DataTable stacked caption="High-risk customers by top reason" rows={byReason} rowKey={(r) => r.code} empty={<p className="muted">No customer is in the high band.</p>}
          columns={[
            { key: "code", header: "Top reason", cell: (r) => r.code.replaceAll("_", " ") },
            { key: "customers", header: "Customers", numeric: true, cell: (r) => formatCount(r.customers) },
            { key: "value", header: moneyHeader("Value at risk", currency), numeric: true, cell: (r) => formatMoney(r.value) },
            { key: "example", header: "For example", wrap: true, cell: (r) => r.example || "—" },
          ]} />
      </div>
    </div>
  );
}

/** Churn alerts (alert.churn): who is contacted today, why and with which playbook action; the cooldown's history size. */
export function ChurnAlertCard({ asset, pipeline }: { asset: string; pipeline: string }) {
  const currency = usePipelineCurrency(pipeline);
  const alerts = useOutputTable({ step: asset, output: mainOutput }, 10_000);
  const history = useOutputTable({ step: asset, output: "history" }, 100_000);
  const contacts = useContactsDownstream(alerts.name, 10_000);
  const rows = [...(alerts.rows ?? [])].sort((a, b) => num(b.value_at_risk) - num(a.value_at_risk) || num(b.churn_probability) - num(a.churn_probability));
  return (
    <Card title={assetTitle("Alerts", asset)} label={`Alerts ${asset}`}
      actions={alerts.table && contacts.size > 0 && <ContactListDownload name={`${alerts.name ?? asset}_with_contacts.csv`} table={alerts.table} contacts={contacts} label="Download the alert list with contacts (CSV)" />}>
      {alerts.error ? <ErrorNotice>{alerts.error}</ErrorNotice> : alerts.missing ? <p className="muted">No alerts yet: run the pipeline.</p> : !alerts.rows ? <Loading /> : (
        <>
          <p>
            <strong>{formatCount(rows.length)}</strong> customers alerted in the last run
            {history.rows && <>, <strong>{formatCount(history.rows.length)}</strong> alerts in the history the cooldown reads</>}.
          </p>
          <DataTable stacked caption="Alert list" rows={rows} rowKey={(r) => `${String(r.customer_id)}.${String(r.alerted_on)}`} maxHeight={420}
            empty={<p className="muted">No customer is in the alerted risk band, or all were alerted within the cooldown.</p>}
            columns={[
              { key: "customer", header: "Customer", cell: (r) => {
                const id = String(r.customer_id);
                return <a href={profileLink(id)} title={`Customer 360 of ${id}`}>{personLabel(id, contacts.get(id))}</a>;
              } },
              { key: "on", header: "Alerted on", cell: (r) => String(r.alerted_on).slice(0, 10) },
              { key: "p", header: "Churn probability", numeric: true, cell: (r) => shown(num(r.churn_probability), formatPercent) },
              { key: "value", header: moneyHeader("Value at risk", currency), numeric: true, cell: (r) => shown(num(r.value_at_risk), formatMoney) },
              { key: "reason", header: "Reason", wrap: true, cell: (r) => (r.reason === null ? "—" : String(r.reason)) },
              { key: "action", header: "Action", wrap: true, cell: (r) => String(r.action).replaceAll("_", " ") },
            ]} />
        </>
      )}
    </Card>
  );
}
