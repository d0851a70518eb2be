import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { assetTitle } from "./titles";
import { mainOutput, useOutputTable } from "./sideTables";
import { Card, DataTable, ErrorNotice, Loading } from "./ui/components";
import { alignedPercentFormat, formatCount, formatCurrency, formatNumber, formatPercent, formatSignedPercent } from "./ui/format";
import { columnUnit } from "./columnUnits";
import { usePipelineCurrency } from "./usePipelineCurrency";
import { FitFacts } from "./modelCards";
import { useComponentParams } from "./componentParams";
import { axisTitle } from "./ui/AxisTitle";
import { categoryAxis, CategoryTick } from "./ui/CategoryAxis";
import { useWidth } from "./ui/useWidth";

const num = (v: unknown) => (v === null || v === undefined ? Number.NaN : typeof v === "number" ? v : Number(v));
const pct = (v: unknown) => (Number.isFinite(num(v)) ? formatSignedPercent(num(v)) : "—");
const range = (low: unknown, high: unknown, format: (v: unknown) => string = pct) => `[${format(low)}, ${format(high)}]`;

/** A column of changes (0.15 = +15%) at one precision, signed: +15.0% above +15.9%, never +15% above +15.9%. */
export function signedPercentColumn(values: readonly unknown[]): (v: unknown) => string {
  const format = alignedPercentFormat(values.map(num).filter(Number.isFinite));
  return (v) => (Number.isFinite(num(v)) ? `${num(v) >= 0 ? "+" : ""}${format(num(v))}` : "—");
}
// Two significant digits: 0.047 must not read as 0.05.
const pValue = (v: unknown) => (!Number.isFinite(num(v)) ? "—" : num(v) < 0.001 ? "< 0.001" : String(Number(num(v).toPrecision(2))));

/**
 * A/B analysis (analytics.experiment): per metric and variant the relative lift with its fixed-horizon, sequential and
 * Bayesian intervals side by side, the sample ratio mismatch test, the cumulative lift by exposure day, and the
 * assumptions the numbers rest on.
 */
export function ExperimentCard({ asset, pipeline }: { asset: string; pipeline: string }) {
  const params = useComponentParams(pipeline, asset)?.params;
  const currency = usePipelineCurrency(pipeline);
  const alpha = num(params?.alpha);
  // The lift compares CUPED-adjusted means unless the step turns CUPED off (default on).
  const cuped = params?.cuped !== false && params?.cuped !== "false";
  const results = useOutputTable({ step: asset, output: mainOutput });
  const srm = useOutputTable({ step: asset, output: "srm" });
  const cumulative = useOutputTable({ step: asset, output: "cumulative" });
  const rows = results.rows ?? [];
  const firstMetric = rows.length > 0 ? String(rows[0].metric) : null;
  const firstVariant = rows.length > 0 ? String(rows[0].variant) : null;
  const overTime = (cumulative.rows ?? []).filter((r) => String(r.metric) === firstMetric && String(r.variant) === firstVariant)
    .map((r) => ({ day: String(r.day).slice(0, 10), lift: num(r.rel_lift) * 100, low: num(r.rel_low) * 100, high: num(r.rel_high) * 100, seq_low: num(r.seq_low) * 100, seq_high: num(r.seq_high) * 100 }));
  const axis = cumulativeDomain(overTime);
  // Each column of the tables at one precision.
  const lift = signedPercentColumn(rows.map((r) => r.rel_lift));
  const risk = alignedPercentFormat(rows.map((r) => Math.abs(num(r.risk_variant))).filter(Number.isFinite));
  const cut = alignedPercentFormat(rows.map((r) => num(r.variance_reduction)).filter(Number.isFinite));
  const interval = (low: string, high: string) => signedPercentColumn(rows.flatMap((r) => [r[low], r[high]]));
  const [fixed, sequential, credible] = [interval("rel_low", "rel_high"), interval("seq_low", "seq_high"), interval("bayes_low", "bayes_high")];
  const intervals = rows.map((r) => ({
    x: `${String(r.metric)} (${String(r.variant)})`,
    frequentist: [num(r.rel_low) * 100, num(r.rel_high) * 100],
    sequential: [num(r.seq_low) * 100, num(r.seq_high) * 100],
    bayesian: [num(r.bayes_low) * 100, num(r.bayes_high) * 100],
  }));
  const [measureIntervals, intervalsWidth] = useWidth();
  const intervalLabels = categoryAxis(intervals.map((i) => i.x), intervalsWidth, 14, 200, 70);
  return (
    <Card title={assetTitle("Model card", asset)} label={`Model card ${asset}`}>
      <FitFacts asset={asset} />
      <h3>Sample ratio mismatch</h3>
      {srm.error ? <ErrorNotice>{srm.error}</ErrorNotice> : srm.missing ? <p className="muted">Not analysed yet.</p> : !srm.rows ? <Loading /> : (
        <DataTable stacked caption="Units per variant against the planned split" rows={srm.rows} rowKey={(r) => `${String(r.experiment)}.${String(r.variant)}`}
          columns={[
            { key: "experiment", header: "Experiment", cell: (r) => String(r.experiment) },
            { key: "variant", header: "Variant", cell: (r) => String(r.variant) },
            { key: "units", header: "Units", numeric: true, cell: (r) => formatCount(num(r.units)) },
            { key: "expected", header: "Planned share", numeric: true, cell: (r) => formatPercent(num(r.expected_share)) },
            { key: "observed", header: "Observed share", numeric: true, cell: (r) => formatPercent(num(r.observed_share)) },
            { key: "p", header: "SRM p-value", numeric: true, cell: (r) => formatNumber(num(r.p_value)) },
            { key: "status", header: "Status", cell: (r) => (r.blocked ? <span className="bad">mismatch: decision blocked</span> : "ok") },
          ]} />
      )}
      <h3>Relative lift with intervals: frequentist, sequential, Bayesian</h3>
      {results.error ? <ErrorNotice>{results.error}</ErrorNotice> : results.missing ? <p className="muted">Not analysed yet.</p> : !results.rows ? <Loading /> : (
        <>
          <figure className="chart-figure" aria-label="Relative lift intervals by metric" ref={measureIntervals}>
            <ResponsiveContainer width="100%" height={Math.max(200, intervalLabels.rowHeight * intervals.length)}>
              <BarChart data={intervals} layout="vertical" margin={{ top: 8, right: 16, bottom: 28, left: 8 }}>
                <CartesianGrid strokeDasharray="3 3" horizontal={false} />
                <XAxis type="number" tickFormatter={(v: number) => `${formatNumber(v)}%`} label={axisTitle(["Relative lift over control (%)", "Lift over control (%)"], { position: "insideBottom", offset: -16, fill: "#4b5563" })} />
                <YAxis type="category" dataKey="x" width={intervalLabels.width} interval={0} tick={<CategoryTick layout={intervalLabels} />} />
                <Tooltip formatter={(v) => (Array.isArray(v) ? `${formatNumber(Number(v[0]))}% to ${formatNumber(Number(v[1]))}%` : String(v))} />
                {/* Measured, so that on a phone a legend wrapped to several lines pushes the plot down. */}
                <Legend verticalAlign="top" wrapperStyle={{ paddingBottom: 14 }} />
                <ReferenceLine x={0} stroke="#111827" />
                <Bar dataKey="frequentist" fill="#1d4ed8" isAnimationActive={false} />
                <Bar dataKey="sequential" fill="#b45309" isAnimationActive={false} />
                <Bar dataKey="bayesian" fill="#047857" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </figure>
          <DataTable stacked caption="Lift per metric and variant" rows={rows} rowKey={(r) => `${String(r.experiment)}.${String(r.variant)}.${String(r.metric)}`}
            columns={[
              // Metric and variants in one column, so that the decision's columns fit at 1024 px.
              { key: "metric", header: "Metric", cell: (r) => <span title={`${String(r.kind)} metric`}>{String(r.metric)} ({String(r.variant)} vs {String(r.control)})</span> },
              { key: "control", header: "Control (observed)", numeric: true, cell: (r) => armValue(r, "control", currency) },
              { key: "treated", header: "Variant (observed)", numeric: true, cell: (r) => armValue(r, "variant", currency) },
              { key: "lift", header: cuped ? "Lift (CUPED-adjusted)" : "Lift", numeric: true, cell: (r) => lift(r.rel_lift) },
              { key: "win", header: "Chance to win", numeric: true, cell: (r) => formatPercent(num(r.chance_to_beat_control)) },
              { key: "risk", header: "Risk (% of control)", numeric: true, cell: (r) => riskOfShipping(r.risk_variant, risk) },
              { key: "p", header: "p (adjusted)", numeric: true, cell: (r) => <span title={`corrected within the ${String(r.role ?? "metrics")} family`}>{formatNumber(num(r.p_adjusted))}</span> },
              { key: "guardrail", header: "Guardrail", cell: (r) => (r.guardrail_status === "breached" ? <span className="bad">breached</span> : String(r.guardrail_status ?? "—")) },
            ]} />
          <p className="muted">
            Metric: the metric, variant vs control. Control and Variant: each arm's observed conversion rate (or mean per unit, or ratio) as the raw data give it, with its units.
            {cuped ? <> Lift: the relative difference of the CUPED-adjusted means, which subtract the part of each unit's value its pre-exposure behaviour predicts: the same lift in expectation, with less variance, so it can differ a little from the ratio of the observed values.</> : <> Lift: the relative difference of the arms' means.</>}
            {" "}p (adjusted): corrected within the metric's role (primary metrics together, secondary together, guardrails together).
            Chance to win: the chance the variant beats control. Risk: the risk of shipping, the loss to expect from shipping the variant, as a share of the control's value (the posterior's expected relative loss); 0.07% means shipping is expected
            to cost 0.07% of the control's value when the variant is in fact worse, weighted by how likely that is.
          </p>
          <h3>Intervals per metric and variant</h3>
          <DataTable stacked caption="Intervals per metric and variant" rows={rows} rowKey={(r) => `${String(r.experiment)}.${String(r.variant)}.${String(r.metric)}`}
            columns={[
              { key: "metric", header: "Metric (variant vs control)", cell: (r) => `${String(r.metric)} (${String(r.variant)} vs ${String(r.control)})` },
              { key: "ci", header: "Frequentist interval (unadjusted)", numeric: true, cell: (r) => range(r.rel_low, r.rel_high, fixed) },
              { key: "seq", header: "Sequential interval", numeric: true, cell: (r) => range(r.seq_low, r.seq_high, sequential) },
              { key: "bayes", header: "Credible interval", numeric: true, cell: (r) => range(r.bayes_low, r.bayes_high, credible) },
              { key: "cuped", header: "CUPED cut", numeric: true, cell: (r) => (Number.isFinite(num(r.variance_reduction)) ? cut(num(r.variance_reduction)) : "—") },
            ]} />
          {unadjustedIntervals(rows, Number.isFinite(alpha) ? alpha : 0.05).length > 0 && (
            <p className="notice warning" role="note">
              The frequentist intervals are not adjusted for testing several metrics and variants, the p-values are:{" "}
              {unadjustedIntervals(rows, Number.isFinite(alpha) ? alpha : 0.05).join("; ")}. Read significance from the adjusted p.
            </p>
          )}
        </>
      )}
      {overTime.length > 0 && (
        <>
          <h3>Cumulative lift by exposure day: {firstMetric} ({firstVariant})</h3>
          <figure className="chart-figure" aria-label="Cumulative lift over time">
            <ResponsiveContainer width="100%" height={260}>
              <LineChart data={overTime} margin={{ top: 8, right: 16, bottom: 28, left: 8 }}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} />
                <XAxis dataKey="day" label={axisTitle(["Units exposed through this day", "Units exposed so far"], { position: "insideBottom", offset: -16, fill: "#4b5563" })} />
                <YAxis width={64} tickFormatter={(v: number) => `${formatNumber(v)}%`} domain={axis ?? ["auto", "auto"]} ticks={axis ? cumulativeTicks(axis) : undefined} allowDataOverflow
                  label={axisTitle("Relative lift (%)", { angle: -90, position: "insideLeft", style: { textAnchor: "middle" }, fill: "#4b5563" })} />
                <Tooltip formatter={(v) => `${formatNumber(Number(v))}%`} />
                {/* Measured, so that on a phone a legend wrapped to several lines pushes the plot down. */}
                <Legend verticalAlign="top" wrapperStyle={{ paddingBottom: 14 }} />
                <ReferenceLine y={0} stroke="#111827" />
                <Line dataKey="lift" stroke="#111827" dot={false} isAnimationActive={false} />
                <Line dataKey="low" name="frequentist low" stroke="#1d4ed8" dot={false} isAnimationActive={false} />
                <Line dataKey="high" name="frequentist high" stroke="#1d4ed8" dot={false} isAnimationActive={false} />
                <Line dataKey="seq_low" name="sequential low" stroke="#b45309" strokeDasharray="4 3" dot={false} isAnimationActive={false} />
                <Line dataKey="seq_high" name="sequential high" stroke="#b45309" strokeDasharray="4 3" dot={false} isAnimationActive={false} />
              </LineChart>
            </ResponsiveContainer>
          </figure>
          <p className="muted">The first days' intervals are wide; the axis follows the later days, and bounds beyond it are cut at its edge.</p>
        </>
      )}
      <h3>Assumptions</h3>
      <ul>
        <li>Observed and adjusted: Control and Variant are each arm's observed value (observed_control, observed_variant, as the raw data give them); the lift, its intervals and p compare the adjusted means (mean_control, mean_variant: CUPED and post-stratification), which estimate the same quantity with less variance.</li>
        <li>Units (visitors) are randomized independently and counted from their first exposure; their metrics are independent across units.</li>
        <li>Frequentist: Welch's t on the difference of means, the delta method for the relative lift and for ratio metrics; CUPED regresses each metric on its pre-exposure value (and a second covariate when configured; a ratio metric's delta-method linearization on its pre-exposure numerator and denominator) with θ pooled over both arms; strata are weighted by their pooled share.</li>
        <li>Sequential: the asymptotic confidence sequence of Waudby-Smith et al. (tuned for a sample size N*), valid at every look; wider than the fixed interval.</li>
        <li>Bayesian: a normal likelihood of the relative lift with a normal prior (by default N(0, 0.3²)); chance to beat control and risk (expected loss) are read from the posterior.</li>
        <li>Significance is after the chosen multiple-testing correction (Holm by default) within each metric role's family of metrics × variants (primary, secondary, guardrails), so guardrails and secondary metrics do not dilute the primary metric; a sample ratio mismatch below the threshold blocks the decision.</li>
      </ul>
    </Card>
  );
}

/** Whether a metric's values are money: named as one (revenue, revenue_per_view; a decision's primary metric), and neither a conversion rate nor a count. */
export const isMoneyMetric = (r: Record<string, unknown>) =>
  r.kind !== "conversion" && r.kind !== "count" && columnUnit(String(r.metric ?? r.primary_metric ?? ""), []) === "money";

/**
 * A value of a metric: a conversion metric's rate as a percentage, a money metric's mean per unit in the pipeline's
 * currency ($12.69; two decimals and no symbol when it names none), another metric's mean per unit (or ratio).
 */
export function metricValue(r: Record<string, unknown>, v: unknown, currency: string | null = null): string {
  if (!Number.isFinite(num(v))) return "—";
  if (r.kind === "conversion") return formatPercent(num(v));
  return isMoneyMetric(r) ? formatCurrency(num(v), currency) : formatNumber(num(v));
}

/**
 * An arm's observed value with its units, e.g. "28.75% (n 1,040)": what the raw data give, not the CUPED-adjusted mean the
 * lift compares. A table written before observed values were recorded shows "—" rather than the adjusted mean under this label.
 */
export function armValue(r: Record<string, unknown>, arm: "control" | "variant", currency: string | null = null): string {
  const value = metricValue(r, r[`observed_${arm}`], currency);
  const units = num(r[`units_${arm}`]);
  return value === "—" || !Number.isFinite(units) ? value : `${value} (n ${formatCount(units)})`;
}

/** The Bayesian risk of shipping (expected relative loss, never negative) as a percentage of the control's value, without a sign. */
export function riskOfShipping(v: unknown, format: (n: number) => string = formatPercent): string {
  return Number.isFinite(num(v)) ? format(Math.abs(num(v))) : "—";
}

/**
 * Where the unadjusted frequentist interval and the adjusted p disagree: the interval excludes 0 while the adjusted p is not
 * below the interval's level (or the reverse), one line per metric and variant, e.g. "conversion (B): interval [+0.22%, +28.61%], p 0.03, adjusted p 0.19".
 */
export function unadjustedIntervals(rows: readonly Record<string, unknown>[], alpha = 0.05): string[] {
  return rows.filter((r) => {
    const excludes = num(r.rel_low) > 0 || num(r.rel_high) < 0;
    const adjusted = num(r.p_adjusted);
    return Number.isFinite(adjusted) && adjusted !== num(r.p_value) && excludes !== adjusted < alpha;
  }).map((r) => `${String(r.metric)} (${String(r.variant)}): interval ${range(r.rel_low, r.rel_high)}, p ${pValue(r.p_value)}, adjusted p ${pValue(r.p_adjusted)}`);
}

/**
 * The primary metric's lift beside the evidence the decision read: the confidence sequence (sequential), the fixed-horizon
 * interval (frequentist) or the chance to beat control (bayesian). A table written before the evidence was recorded shows
 * the fixed-horizon interval, named as such.
 */
export function liftWithEvidence(r: Record<string, unknown>): string {
  switch (r.evidence) {
    case "sequential": return `${pct(r.rel_lift)}, confidence sequence ${range(r.evidence_low, r.evidence_high)}`;
    case "bayesian": return `${pct(r.rel_lift)}, chance to beat control ${formatPercent(num(r.chance_to_beat_control))}`;
    default: return `${pct(r.rel_lift)}, fixed-horizon interval ${range(r.rel_low, r.rel_high)}`;
  }
}

/**
 * A y-axis range for the cumulative lift that the first days' very wide intervals do not flatten: every value from the
 * second quarter of the days on, padded by a tenth; earlier bounds outside it are clipped at the edge.
 */
export function cumulativeDomain(points: { [key: string]: number | string }[]): [number, number] | undefined {
  const later = points.slice(Math.floor(points.length / 4));
  const values = later.flatMap((p) => Object.entries(p).filter(([k]) => k !== "day").map(([, v]) => Number(v))).filter(Number.isFinite);
  if (values.length === 0) return undefined;
  const low = Math.min(0, ...values);
  const high = Math.max(0, ...values);
  const pad = (high - low) / 10 || 1;
  // Ends on a round step (1, 2 or 5 times a power of ten, about a quarter of the range), so the ticks read 0%, 25%, 50%...
  const rough = (high - low + 2 * pad) / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((c) => c >= rough) ?? 10 * power;
  return [Math.floor((low - pad) / step) * step, Math.ceil((high + pad) / step) * step];
}

/** The ticks of a range from cumulativeDomain: every multiple of the roundest step that gives at most seven of them. */
export function cumulativeTicks([low, high]: [number, number]): number[] {
  const power = 10 ** Math.floor(Math.log10((high - low) / 6 || 1));
  const step = [1, 2, 2.5, 5, 10, 20].map((m) => m * power).find((c) => (high - low) / c <= 6) ?? high - low;
  const ticks: number[] = [];
  for (let t = Math.ceil(low / step) * step; t <= high + step / 1e6; t += step) ticks.push(Math.round(t * 1e6) / 1e6);
  return ticks;
}

/** Whole days of traffic still needed, rounded up (a fraction of a day is one more day of running). */
export const daysNeeded = (v: unknown) => (Number.isFinite(num(v)) ? formatCount(Math.ceil(num(v))) : "—");

/** Power and runtime per metric (experiment.plan): the units and days needed for the target lift against what has run. */
export function ExperimentPlanCard({ asset, pipeline }: { asset: string; pipeline: string }) {
  const { rows, error, missing } = useOutputTable({ step: asset, output: mainOutput });
  const currency = usePipelineCurrency(pipeline);
  return (
    <Card title={assetTitle("Power and runtime", asset)} label={`Power and runtime ${asset}`}>
      {error ? <ErrorNotice>{error}</ErrorNotice> : missing ? <p className="muted">Not planned yet: run the pipeline.</p> : !rows ? <Loading /> : (
        <>
          <DataTable stacked caption="Units and days needed per metric" rows={rows} rowKey={(r) => `${String(r.experiment)}.${String(r.metric)}`}
            columns={[
              // What a reader decides on first (how long still), the power details after.
              { key: "metric", header: "Metric", cell: (r) => String(r.metric) },
              { key: "baseline", header: "Control mean", numeric: true, cell: (r) => metricValue(r, r.baseline_mean, currency) },
              { key: "target", header: "Target lift", numeric: true, cell: (r) => pct(r.target_lift) },
              { key: "days", header: "Days needed", numeric: true, cell: (r) => daysNeeded(r.days_needed) },
              { key: "run", header: "Days run", numeric: true, cell: (r) => formatCount(num(r.days_run)) },
              { key: "enough", header: "Enough units", cell: (r) => (r.enough_units ? "yes" : <span className="bad">not yet</span>) },
              { key: "needed", header: "Units needed per variant", numeric: true, cell: (r) => formatCount(num(r.units_needed_per_variant)) },
              { key: "have", header: "Units per variant now", numeric: true, cell: (r) => formatCount(num(r.units_per_variant)) },
              { key: "mde", header: "Detectable lift now", numeric: true, cell: (r) => pct(r.mde) },
              { key: "power", header: "Power now", numeric: true, cell: (r) => formatPercent(num(r.power_now)) },
              { key: "cuped", header: "CUPED variance cut", numeric: true, cell: (r) => formatPercent(num(r.cuped_reduction)) },
              { key: "experiment", header: "Experiment", cell: (r) => String(r.experiment) },
            ]} />
          <p className="muted">Units needed: for the target lift at the pipeline's significance level and power, after CUPED's expected variance cut. Detectable lift now: the smallest lift the units so far would detect at that power.</p>
        </>
      )}
    </Card>
  );
}

/** The decision per variant (decision.experiment): ship, stop or keep running, with every reason. */
export function ExperimentDecisionCard({ asset, pipeline }: { asset: string; pipeline: string }) {
  const { rows, error, missing } = useOutputTable({ step: asset, output: mainOutput });
  const currency = usePipelineCurrency(pipeline);
  return (
    <Card title={assetTitle("Decision", asset)} label={`Decision ${asset}`}>
      {error ? <ErrorNotice>{error}</ErrorNotice> : missing ? <p className="muted">Not decided yet: run the pipeline.</p> : !rows ? <Loading /> : (
        <>
        <DataTable stacked caption="Decision per variant" rows={rows} rowKey={(r) => `${String(r.experiment)}.${String(r.variant)}`}
          columns={[
            { key: "experiment", header: "Experiment", cell: (r) => String(r.experiment) },
            { key: "variant", header: "Variant", cell: (r) => String(r.variant) },
            { key: "decision", header: "Decision", cell: (r) => <strong>{String(r.decision).replaceAll("_", " ")}</strong> },
            { key: "observed", header: "Observed (control → variant)", wrap: true, cell: (r) => `${armValue(r, "control", currency)} → ${armValue(r, "variant", currency)}` },
            { key: "lift", header: `Adjusted lift (${rows.length > 0 ? String(rows[0].primary_metric) : "primary"})`, wrap: true, cell: (r) => liftWithEvidence(r) },
            { key: "reasons", header: "Reasons", wrap: true, cell: (r) => <ul>{String(r.reasons).split("; ").map((reason, i) => <li key={i}>{reason}</li>)}</ul> },
          ]} />
        <p className="muted">Observed: the primary metric's raw value per arm, with its units. Adjusted lift: the relative difference of the adjusted means (CUPED, on by default in the analysis, and post-stratification), which can differ a little from the ratio of the observed values.</p>
        </>
      )}
    </Card>
  );
}
