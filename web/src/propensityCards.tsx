import { useEffect, useState } from "react";
import { assetTitle } from "./titles";
import { moneyHeader, usePipelineCurrency } from "./usePipelineCurrency";
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from "recharts";
import { audienceGroupsNote, audienceOutcomes, curvePoints, exclusionNote, gainsCurves, groupCounts, hasHoldoutValues, propensityHorizon, signalWarning, xKey } from "./propensity";
import { ContactListDownload, useContactsDownstream } from "./contactsDownload";
import { api } from "./api/client";
import { toGraph } from "./pipelineGraph";
import { mainOutput, useOutputTable } from "./sideTables";
import { Card, DataTable, ErrorNotice, Loading } from "./ui/components";
import { formatCount, formatMoney, formatNumber, formatPercent, formatSignificant } from "./ui/format";
import { Explain } from "./ui/Explain";
import { FitFacts } from "./modelCards";
import { MeasuresTable, num, shown, type ScoredModel } from "./classifierCard";
import { axisTitle } from "./ui/AxisTitle";

const axisLabel = { fill: "#4b5563" };

/** The propensity model and its baseline, with the names a reader knows them by. */
const models: ScoredModel[] = [
  { model: "model", label: "model (calibrated trees)", colour: "#1d4ed8" },
  { model: "recency_frequency", label: "recency-frequency baseline", colour: "#b45309" },
];

/** The uplift orderings: the learners, then the two orderings they must beat. */
const learners: { learner: string; label: string; what: string; colour: string; dash?: string }[] = [
  { learner: "x", label: "X-learner", colour: "#1d4ed8",
    what: "Künzel et al. (2019): outcome trees per arm, each arm's imputed effect modelled, blended by the share treated." },
  { learner: "t", label: "T-learner", colour: "#047857", what: "Two outcome models, contacted and not; the uplift is their difference." },
  { learner: "class_transformation", label: "class transformation", colour: "#7c3aed",
    what: "One classifier on the transformed label (treated buyers and untreated non-buyers); uplift = 2·P − 1." },
  { learner: "propensity", label: "propensity ordering", colour: "#b45309", dash: "6 3", what: "P(order) whatever the contact: who buys, not who is moved." },
  { learner: "random", label: "random ordering", colour: "#6b7280", dash: "2 3", what: "Customers in random order: the line to beat." },
];

/** Propensity model card (analytics.propensity): holdout measures beside the baseline, calibration and cumulative gains. */
export function PropensityCard({ asset }: { asset: string }) {
  const metrics = useOutputTable({ step: asset, output: "metrics" });
  const calibration = useOutputTable({ step: asset, output: "calibration" });
  const gains = useOutputTable({ step: asset, output: "gains" });
  const metricRows = metrics.rows ?? [];
  const value = (model: string, metric: string) => num(metricRows.find((r) => r.model === model && r.metric === metric)?.value);
  const present = models.filter((m) => metricRows.some((r) => r.model === m.model));
  const liftVsBaseline = value("model", "lift_vs_baseline_top_10pct");
  const windows = metricRows.filter((r) => r.model === "data");
  const gainModels = models.filter((m) => (gains.rows ?? []).some((r) => r.model === m.model));
  const horizon = propensityHorizon(metricRows);
  return (
    <Card title={assetTitle("Model card", asset)} label={`Model card ${asset}`}>
      <FitFacts asset={asset}>
        {horizon && <div><dt>Predicts a purchase within</dt><dd data-testid="propensity-horizon">{horizon}</dd></div>}
      </FitFacts>
      <h3>Holdout: the model beside the recency-frequency baseline</h3>
      {metrics.error ? <ErrorNotice>{metrics.error}</ErrorNotice> : metrics.missing ? <p className="muted">Not fitted yet.</p> : !metrics.rows ? <Loading /> : (
        <>
          <MeasuresTable caption="Propensity holdout measures by model" models={present} value={value} />
          <p className="muted">
            Held-out customers of the snapshot one horizon back, labelled by whether they ordered within the horizon{horizon ? ` of ${horizon.split(" (")[0]}` : ""}.
            {Number.isFinite(liftVsBaseline) && <> The model's top 10% buy <strong>{formatNumber(liftVsBaseline)}×</strong> as often as the baseline's top 10%.</>}
          </p>
        </>
      )}
      <div className="grid-2">
        <div>
          <h3>Cumulative gains</h3>
          {gains.error ? <ErrorNotice>{gains.error}</ErrorNotice> : gains.missing ? <p className="muted">No gains table yet.</p> : !gains.rows ? <Loading /> : (
            <figure className="chart-figure" aria-label="Cumulative gains: share of buyers reached by share of customers targeted">
              <ResponsiveContainer width="100%" height={300}>
                <LineChart data={gainsCurves(gains.rows)} margin={{ top: 8, right: 16, bottom: 28, left: 8 }}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis type="number" dataKey={xKey} domain={[0, 1]} tickFormatter={(v: number) => formatPercent(v)}
                    label={axisTitle(["Customers targeted (highest score first)", "Customers targeted, best first", "Customers targeted"], { position: "insideBottom", offset: -16, ...axisLabel })} />
                  <YAxis type="number" domain={[0, 1]} width={64} tickFormatter={(v: number) => formatPercent(v)}
                    label={axisTitle("Buyers reached", { angle: -90, position: "insideLeft", style: { textAnchor: "middle" }, ...axisLabel })} />
                  <Tooltip formatter={(v) => formatPercent(Number(v))} labelFormatter={(v) => `${formatPercent(Number(v))} targeted`} />
                  <Legend verticalAlign="top" wrapperStyle={{ paddingBottom: 14 }} />
                  {gainModels.map((m) => <Line key={m.model} dataKey={m.model} name={m.label} stroke={m.colour} isAnimationActive={false} />)}
                  <Line dataKey="random" name="random" stroke="#6b7280" strokeDasharray="2 3" dot={false} isAnimationActive={false} />
                </LineChart>
              </ResponsiveContainer>
              <figcaption className="muted">On the holdout, by decile of score; the higher above the diagonal, the fewer contacts reach the buyers.</figcaption>
            </figure>
          )}
        </div>
        <div>
          <h3>Calibration: predicted against observed purchase rate by decile</h3>
          {calibration.error ? <ErrorNotice>{calibration.error}</ErrorNotice> : calibration.missing ? <p className="muted">No calibration table yet.</p> : !calibration.rows ? <Loading /> : (
            <figure className="chart-figure" aria-label="Calibration plot: predicted against observed purchase rate by decile">
              <ResponsiveContainer width="100%" height={300}>
                <ScatterChart margin={{ top: 8, right: 16, bottom: 28, left: 8 }}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis type="number" dataKey="predicted" domain={[0, 1]} tickFormatter={(v: number) => formatPercent(v)}
                    label={axisTitle(["Mean predicted purchase probability", "Predicted purchase rate"], { position: "insideBottom", offset: -16, ...axisLabel })} />
                  <YAxis type="number" dataKey="observed" domain={[0, 1]} width={64} tickFormatter={(v: number) => formatPercent(v)}
                    label={axisTitle("Observed purchase rate", { angle: -90, position: "insideLeft", style: { textAnchor: "middle" }, ...axisLabel })} />
                  <Tooltip formatter={(v) => formatPercent(Number(v))} />
                  <Legend verticalAlign="top" wrapperStyle={{ paddingBottom: 14 }} />
                  <ReferenceLine segment={[{ x: 0, y: 0 }, { x: 1, y: 1 }]} stroke="#111827" strokeDasharray="4 3" />
                  {models.filter((m) => (calibration.rows ?? []).some((r) => r.model === m.model)).map((m) => (
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
      </div>
      <DataWindows rows={windows} />
    </Card>
  );
}

/** Uplift model card (analytics.uplift): each learner, its Qini and AUUC on the holdout, the Qini curves and the five groups. */
export function UpliftCard({ asset, pipeline }: { asset: string; pipeline: string }) {
  const audienceStep = useAudienceStep(pipeline, asset);
  const audience = useOutputTable({ step: audienceStep ?? "", output: mainOutput }, 100_000);
  const metrics = useOutputTable({ step: asset, output: "metrics" });
  const qini = useOutputTable({ step: asset, output: "qini" });
  const scores = useOutputTable({ step: asset, output: mainOutput }, 100_000);
  const metricRows = metrics.rows ?? [];
  const value = (learner: string, metric: string) => num(metricRows.find((r) => r.learner === learner && r.metric === metric)?.value);
  const present = learners.filter((l) => metricRows.some((r) => r.learner === l.learner) || (qini.rows ?? []).some((r) => r.learner === l.learner));
  const windows = metricRows.filter((r) => r.learner === "data").map((r) => ({ ...r, model: "data" }));
  const observed = value("data", "observed_uplift");
  const signal = metricRows.find((r) => r.learner === "data" && r.metric === "uplift_beats_random");
  return (
    <Card title={assetTitle("Model card", asset)} label={`Model card ${asset}`}>
      <FitFacts asset={asset} />
      <h3>Holdout of the past randomized send: each learner beside random and propensity orderings</h3>
      {metrics.error ? <ErrorNotice>{metrics.error}</ErrorNotice> : metrics.missing ? <p className="muted">Not fitted yet.</p> : !metrics.rows ? <Loading /> : (
        <>
          <DataTable stacked caption="Qini and AUUC by learner" rows={present} rowKey={(l) => l.learner}
            columns={[
              { key: "learner", header: "Ordering", cell: (l) => l.label },
              { key: "what", header: "What it is", cell: (l) => l.what },
              { key: "qini", header: "Qini (higher is better)", numeric: true, cell: (l) => shown(value(l.learner, "qini"), formatSignificant) },
              { key: "auuc", header: "AUUC (higher is better)", numeric: true, cell: (l) => shown(value(l.learner, "auuc"), formatSignificant) },
              { key: "p", header: "p against random orderings", numeric: true, cell: (l) => shown(value(l.learner, "qini_p_value")) },
            ]} />
          {signal && (num(signal.value) === 0
            ? <p className="notice warning" role="note">{String(signal.detail)}.</p>
            : <p className="muted">{String(signal.detail)}.</p>)}
          <p className="muted">
            Both per customer of the holdout: Qini is the mean gap between the Qini curve and the straight line to its end; AUUC the mean of the uplift curve.
            {Number.isFinite(observed) && <> The send's observed uplift on the holdout (treated minus control conversion rate): <strong>{formatPercent(observed)}</strong>.</>}
          </p>
          <Explain terms={["qini", "auuc"]} lead="In plain words:" />
        </>
      )}
      <div className="grid-2">
        <div>
          <h3>Qini curves</h3>
          {qini.error ? <ErrorNotice>{qini.error}</ErrorNotice> : qini.missing ? <p className="muted">No Qini table yet.</p> : !qini.rows ? <Loading /> : (
            <figure className="chart-figure" aria-label="Qini curves by learner beside random and propensity orderings">
              <ResponsiveContainer width="100%" height={320}>
                <LineChart data={curvePoints(qini.rows, "learner", "fraction", "incremental_conversions")} margin={{ top: 8, right: 16, bottom: 28, left: 8 }}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis type="number" dataKey={xKey} domain={[0, 1]} tickFormatter={(v: number) => formatPercent(v)}
                    label={axisTitle(["Holdout customers targeted (highest score first)", "Holdout customers, best first", "Customers targeted"], { position: "insideBottom", offset: -16, ...axisLabel })} />
                  <YAxis type="number" width={64} tickFormatter={(v: number) => formatNumber(v)}
                    label={axisTitle("Incremental conversions", { angle: -90, position: "insideLeft", style: { textAnchor: "middle" }, ...axisLabel })} />
                  <Tooltip formatter={(v) => formatNumber(Number(v))} labelFormatter={(v) => `${formatPercent(Number(v))} targeted`} />
                  <Legend verticalAlign="top" wrapperStyle={{ paddingBottom: 14 }} />
                  <ReferenceLine y={0} stroke="#111827" />
                  {present.map((l) => <Line key={l.learner} dataKey={l.learner} name={l.label} stroke={l.colour} strokeDasharray={l.dash} dot={false} isAnimationActive={false} />)}
                </LineChart>
              </ResponsiveContainer>
              <figcaption className="muted">Treated conversions minus control conversions scaled to the treated count, among the top share; a curve above random finds the persuadable first.</figcaption>
            </figure>
          )}
        </div>
        <div>
          <h3>The five groups (chosen learner)</h3>
          {scores.error ? <ErrorNotice>{scores.error}</ErrorNotice> : scores.missing ? <p className="muted">Not scored yet.</p> : !scores.rows ? <Loading /> : (
            <>
              <DataTable stacked caption="Customers by uplift group" rows={groupCounts(scores.rows, audienceStep && audience.rows ? audience.rows : undefined)} rowKey={(g) => g.group}
                columns={[
                  { key: "group", header: "Group", cell: (g) => g.group.replaceAll("_", " ") },
                  { key: "meaning", header: "Who", wrap: true, cell: (g) => g.meaning || "—" },
                  { key: "customers", header: "Customers", numeric: true, cell: (g) => formatCount(g.customers) },
                  { key: "share", header: "Share", numeric: true, cell: (g) => formatPercent(g.customers / Math.max(1, scores.rows!.length)) },
                  ...(audienceStep && audience.rows ? [{ key: "audience", header: `In ${audienceStep}`, numeric: true, cell: (g: { inAudience?: number }) => formatCount(g.inAudience ?? 0) }] : []),
                ]} />
              {audienceStep && audience.rows && <p className="muted">{audienceGroupsNote(audienceStep, groupCounts(scores.rows, audience.rows))}</p>}
            </>
          )}
        </div>
      </div>
      <DataWindows rows={windows} />
    </Card>
  );
}

/** The campaign targeting step that reads the uplift step, if the pipeline has one. */
function useAudienceStep(pipeline: string, asset: string): string | null {
  const [step, setStep] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api.yaml(pipeline).then(({ yaml }) => {
      const found = toGraph(yaml).components.find((c) => c.type === "activate.campaign_targeting" && c.inputs.includes(asset));
      if (live) setStep(found?.id ?? null);
    }, () => undefined);
    return () => { live = false; };
  }, [pipeline, asset]);
  return step;
}

/** Campaign targeting (activate.campaign_targeting): each audience valued on the send's holdout beside the model's own claim. */
export function CampaignTargetingCard({ asset, pipeline }: { asset: string; pipeline: string }) {
  const currency = usePipelineCurrency(pipeline);
  const summary = useOutputTable({ step: asset, output: "summary" });
  const audience = useOutputTable({ step: asset, output: mainOutput }, 10_000);
  const contacts = useContactsDownstream(audience.name, 10_000);
  const rows = summary.rows ?? [];
  const outcomes = audienceOutcomes(rows);
  const holdout = hasHoldoutValues(rows);
  const warning = signalWarning(rows);
  const excluded = exclusionNote(rows);
  const interval = (low: unknown, high: unknown, format?: (v: number) => string) =>
    Number.isFinite(num(low)) && Number.isFinite(num(high)) ? ` (${shown(num(low), format)} to ${shown(num(high), format)})` : "";
  return (
    <Card title={assetTitle("Audience", asset)} label={`Audience ${asset}`}
      actions={audience.table && contacts.size > 0 && <ContactListDownload name={`${audience.name ?? asset}_with_contacts.csv`} table={audience.table} contacts={contacts} label="Download the audience with contacts (CSV)" />}>
      {summary.error ? <ErrorNotice>{summary.error}</ErrorNotice> : summary.missing ? <p className="muted">No audience yet: run the pipeline.</p> : !summary.rows ? <Loading /> : (
        <>
          {warning && <p className="notice warning" role="note">{warning}</p>}
          <DataTable stacked caption="Incremental outcome by audience" rows={outcomes} rowKey={(r) => String(r.strategy)}
            columns={[
              { key: "strategy", header: "Audience", cell: (r) => String(r.strategy).replaceAll("_", " ") },
              { key: "contacts", header: "Contacts", numeric: true, cell: (r) => shown(num(r.contacts), formatCount) },
              ...(holdout ? [
                { key: "holdout_conversions", header: "Holdout: extra conversions (95%)", numeric: true,
                  cell: (r: Record<string, unknown>) => `${shown(num(r.holdout_incremental_conversions))}${interval(r.holdout_conversions_low, r.holdout_conversions_high)}` },
                { key: "holdout_profit", header: "Holdout: profit ($, 95%)", numeric: true,
                  cell: (r: Record<string, unknown>) => `${shown(num(r.holdout_profit), formatMoney)}${interval(r.holdout_profit_low, r.holdout_profit_high, formatMoney)}` },
                { key: "outside", header: "Not in the send", numeric: true, cell: (r: Record<string, unknown>) => shown(num(r.outside_send), formatCount) },
              ] : []),
              { key: "conversions", header: "Claimed conversions", numeric: true, cell: (r) => shown(num(r.expected_incremental_conversions)) },
              { key: "profit", header: moneyHeader("Claimed profit", currency), numeric: true, cell: (r) => shown(num(r.expected_profit), formatMoney) },
            ]} />
          {/* Below the table, not in a column: beside eight figures a sentence was squeezed to a word a line. */}
          <ul className="muted" aria-label="How each audience is chosen">
            {outcomes.filter((r) => r.detail !== null && r.detail !== undefined).map((r) => (
              <li key={String(r.strategy)}><strong>{String(r.strategy).replaceAll("_", " ")}</strong>: {String(r.detail)}</li>
            ))}
          </ul>
          <p className="muted">
            {holdout
              ? "On the holdout: treated minus control among held-out customers of the past send. The uplift-targeted audience, when its step names an evaluation, is valued by applying its own rule to them (per contact, times its size; the list below says which); otherwise each customer carries the observed uplift of those whose estimates were alike, and customers not in the send the send's average. The model's claim sums its own estimates, which run high for the customers it ranks first."
              : "The scores carry no holdout evidence, so these are the model's own estimates, unchecked; they run high for the customers it ranks first."}
          </p>
          {excluded && <p className="muted">{excluded}</p>}
        </>
      )}
    </Card>
  );
}

/** The data windows and counts of a model card's metrics table (rows whose model is 'data'). */
function DataWindows({ rows }: { rows: Record<string, unknown>[] }) {
  if (rows.length === 0) return null;
  return (
    <details>
      <summary className="muted">Data windows and counts</summary>
      <DataTable stacked caption="Data windows" rows={rows} rowKey={(r) => String(r.metric)}
        columns={[
          { key: "what", header: "What", cell: (r) => String(r.metric).replaceAll("_", " ") },
          { key: "value", header: "Value", numeric: true, cell: (r) => (r.value === null ? "—" : formatNumber(num(r.value))) },
          { key: "detail", header: "Detail", cell: (r) => (r.detail === null ? "—" : String(r.detail)) },
        ]} />
    </details>
  );
}
