import { useState } from "react";
import { Bar, BarChart, CartesianGrid, Cell, ErrorBar, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { Chart, Unit } from "../dashboards";
import { alignedFormat, alignedPercentFormat, formatCompact, formatCompactCurrency, formatCurrency, formatNumber, formatPercent } from "./format";
import { SankeyView } from "./SankeyView";
import { useWidth } from "./useWidth";
import { axisTitle } from "./AxisTitle";
import { categoryAxis, CategoryTick } from "./CategoryAxis";
import { phoneWidth, StackedCell } from "./components";
import { useMediaQuery } from "./useMediaQuery";

// Each at least 4.5:1 against white: legends print series names in their colour.
const colors = ["#1d4ed8", "#c2410c", "#15803d", "#7e22ce", "#0e7490", "#be185d", "#4d7c0f", "#b91c1c", "#334155", "#a16207"];
const axisLabel = { fill: "#4b5563", fontSize: 13 };

/** The value axis' range: from 0 to the measure's top when it has one (PR-AUC at most 1), else recharts' own. */
export function valueDomain(chart: Pick<Chart, "max">): [number, number] | undefined {
  return chart.max === undefined ? undefined : [0, chart.max];
}

/**
 * Round ticks for a value axis over [min, max] (0 always included): steps of 1, 2, 2.5 or 5 times a power of ten, about
 * `count` of them, so that an axis reads 0, 10%, 20%, 30%, 40% rather than recharts' 0, 9%, 18%, 27%, 36%.
 */
export function niceTicks(min: number, max: number, count = 5): number[] {
  const low = Math.min(0, min), high = Math.max(0, max);
  if (!Number.isFinite(low) || !Number.isFinite(high) || high - low <= 0) return [0];
  const rough = (high - low) / Math.max(1, count - 1);
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= rough * 0.999) ?? 10 * power;
  const ticks: number[] = [];
  // Rounded to the step's own precision, so that 0.1 + 0.2 is 0.3 on the axis.
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 2);
  for (let t = Math.floor(low / step) * step; t <= Math.ceil(high / step) * step + step / 2; t += step) ticks.push(Number(t.toFixed(digits)));
  return ticks;
}

/**
 * How a bar chart fits `width` px: labels side by side, rotated, or as horizontal bars with a label column when even
 * rotated labels would crowd (a phone, or many categories). About 7 px a character.
 */
export function chartLayout(bars: number, longest: number, width: number, horizontal = false): { horizontal: boolean; rotate: boolean } {
  const plot = Math.min(width, 1000) - 100;
  if (horizontal || bars > 12) return { horizontal: true, rotate: false };
  if (bars * (longest * 7 + 16) <= plot) return { horizontal: false, rotate: false };
  return plot / Math.max(1, bars) >= 40 ? { horizontal: false, rotate: true } : { horizontal: true, rotate: false };
}

/** A value in its unit, for tooltips and tables. */
export function formatUnit(v: number, unit: Unit, currency?: string | null): string {
  switch (unit) {
    case "money": return formatCurrency(v, currency);
    case "money_per_day": return `${formatCurrency(v, currency)}/day`;
    case "share": return formatPercent(v);
    case "ratio": return `${formatNumber(Math.round(v * 100) / 100)}×`;
    case "score": return v.toFixed(3);
    default: return formatNumber(v);
  }
}

// Axis ticks: short, in the unit.
function tick(v: number, unit: Unit, currency?: string | null): string {
  if (unit === "share") return formatPercent(v);
  if (unit === "money" || unit === "money_per_day") return formatCompactCurrency(v, currency);
  if (unit === "ratio") return `${formatNumber(v)}×`;
  if (unit === "score") return v.toFixed(2);
  return formatCompact(v);
}

/**
 * A bar chart with axis titles, every category labelled (horizontal bars with a label column when names are long or
 * many), tooltips in the values' unit; alternative series (models) are picked one at a time and all shown in a heat table.
 */
/**
 * The series in the order the picker and the heat table list them: the one shown first leads ("(all)" before desktop
 * and mobile in a funnel, where it sat between them), the rest as the data gives them.
 */
export function seriesOrder(chart: Pick<Chart, "bars" | "pick">): string[] {
  const all = [...new Set(chart.bars.flatMap((b) => Object.keys(b.series)))];
  return chart.pick !== undefined && all.includes(chart.pick) ? [chart.pick, ...all.filter((s) => s !== chart.pick)] : all;
}

export function ChartView({ chart, title }: { chart: Chart; title: string }) {
  const [measure, width] = useWidth();
  const allSeries = seriesOrder(chart);
  const [picked, setPicked] = useState(chart.pick ?? "");
  if (chart.sankey) return <div className="chart"><SankeyView sankey={chart.sankey} title={title} caption={chart.xTitle} />{chart.note && <p className="muted">{chart.note}</p>}</div>;
  const series = chart.pick ? [picked] : allSeries;
  // Error bars as distances below and above the value, as recharts draws them.
  const errorOf = (b: Chart["bars"][number]) => {
    const interval = chart.intervals?.[b.x];
    const v = Object.values(b.series)[0];
    return interval && v !== undefined ? [v - interval[0], interval[1] - v] : undefined;
  };
  const data = chart.bars.map((b) => ({ x: b.x, ...b.series, ...(chart.intervals ? { _error: errorOf(b) } : {}) }));
  const spansZero = (x: string) => { const i = chart.intervals?.[x]; return i !== undefined && i[0] <= 0 && i[1] >= 0; };
  const longest = Math.max(0, ...chart.bars.map((b) => b.x.length));
  const { horizontal, rotate } = chartLayout(chart.bars.length, longest, width, chart.horizontal);
  const labels = categoryAxis(horizontal ? chart.bars.map((b) => b.x) : [], width, 12, 260, series.length > 1 ? 34 : 26);
  const labelWidth = labels.width;
  const values = chart.bars.flatMap((b) => [...Object.values(b.series), ...(chart.intervals?.[b.x] ?? [])]);
  const ticks = chart.max === undefined ? niceTicks(Math.min(0, ...values), Math.max(0, ...values)) : niceTicks(0, chart.max);
  const domain: [number, number] = [ticks[0], ticks[ticks.length - 1]];
  const height = horizontal ? Math.max(200, chart.bars.length * labels.rowHeight + 80) : 320;
  const format = (v: unknown) => formatUnit(Number(v), chart.unit, chart.currency);
  if (chart.bars.length === 0) return <p className="muted">No values to chart.</p>;
  return (
    <div className="chart" ref={measure}>
      {chart.pick && (
        <div className="chart-controls">
          <label className="toolbar">{chart.pickLabel ?? "Model"}
            <select value={picked} onChange={(e) => setPicked(e.target.value)}>{allSeries.map((s) => <option key={s}>{s}</option>)}</select>
          </label>
        </div>
      )}
      {/* Over the label column; on a narrow chart that column is too thin for a title, so the title takes the whole line. */}
      {horizontal && <p className="axis-title" style={width < 600 ? { textAlign: "left" } : { width: labelWidth + 16 }}>{chart.xTitle}</p>}
      <figure className="chart-figure" aria-label={`${title} chart`}>
        <ResponsiveContainer width="100%" height={height}>
          <BarChart data={data} layout={horizontal ? "vertical" : "horizontal"} margin={{ top: 8, right: 24, bottom: horizontal ? 28 : 40, left: 16 }}>
            <CartesianGrid strokeDasharray="3 3" horizontal={!horizontal} vertical={horizontal} />
            {horizontal ? (
              <>
                <XAxis type="number" domain={domain} ticks={ticks} tickFormatter={(v: number) => tick(v, chart.unit, chart.currency)} label={axisTitle(chart.yTitle, { position: "insideBottom", offset: -16, ...axisLabel })} />
                <YAxis type="category" dataKey="x" width={labelWidth} interval={0} tick={<CategoryTick layout={labels} />} />
              </>
            ) : (
              <>
                <XAxis dataKey="x" interval={0} tick={{ fontSize: 12 }} angle={rotate ? -30 : 0} textAnchor={rotate ? "end" : "middle"}
                  height={rotate ? Math.min(120, longest * 5 + 20) : 30} label={axisTitle(chart.xTitle, { position: "insideBottom", offset: -28, ...axisLabel })} />
                <YAxis domain={domain} ticks={ticks} tickFormatter={(v: number) => tick(v, chart.unit, chart.currency)} width={72} label={axisTitle(chart.yTitle, { angle: -90, position: "insideLeft", offset: 4, style: { textAnchor: "middle" }, ...axisLabel })} />
              </>
            )}
            <Tooltip formatter={format} />
            {series.length > 1 && <Legend verticalAlign="top" wrapperStyle={{ paddingBottom: 14 }} />}
            {series.map((s, k) => (
              <Bar key={s} dataKey={s} name={s} fill={colors[(chart.pick ? allSeries.indexOf(s) : k) % colors.length]} isAnimationActive={false}>
                {chart.intervals && chart.bars.map((b) => <Cell key={b.x} fillOpacity={spansZero(b.x) ? 0.35 : 1} />)}
                {chart.intervals && <ErrorBar dataKey="_error" width={8} strokeWidth={2} stroke="#111827" direction={horizontal ? "x" : "y"} />}
              </Bar>
            ))}
          </BarChart>
        </ResponsiveContainer>
      </figure>
      {chart.note && <p className="muted">{chart.note}</p>}
      {chart.pick && <HeatTable chart={chart} series={allSeries} />}
    </div>
  );
}

/**
 * How each column (series) of a heat table writes its values: shares at one precision per column (16.0% over 34.8%, not
 * 16% over 34.8%), plain numbers lined up likewise, other units as the chart's tooltips write them.
 */
export function heatColumnFormats(chart: Pick<Chart, "bars" | "unit" | "currency">, series: readonly string[]): Record<string, (v: number) => string> {
  return Object.fromEntries(series.map((s) => {
    const values = chart.bars.map((b) => b.series[s]);
    const format = chart.unit === "share" ? alignedPercentFormat(values) : chart.unit === "count" ? alignedFormat(values) : (v: number) => formatUnit(v, chart.unit, chart.currency);
    return [s, format];
  }));
}

/** Every category against every alternative series, shaded by value: models side by side. */
export function HeatTable({ chart, series }: { chart: Chart; series: string[] }) {
  const max = Math.max(1e-9, ...chart.bars.flatMap((b) => Object.values(b.series)));
  const formats = heatColumnFormats(chart, series);
  // On a phone each category is a card of its series' values (styles.css: .stacked), so that many models fit 390 px.
  const cards = useMediaQuery(phoneWidth);
  return (
    <div className="table-wrap heat stacked" role="region" aria-label={`${chart.xTitle} by ${(chart.pickLabel ?? "model").toLowerCase()}`} tabIndex={0}>
      <table>
        <caption className="sr-only">{chart.yTitle} by {chart.xTitle.toLowerCase()} and {(chart.pickLabel ?? "model").toLowerCase()}</caption>
        <thead><tr><th scope="col">{chart.xTitle}</th>{series.map((s) => <th key={s} scope="col" className="num">{s}</th>)}</tr></thead>
        <tbody>
          {chart.bars.map((b) => (
            <tr key={b.x}>
              <th scope="row">{b.x}</th>
              {series.map((s) => {
                const v = b.series[s];
                // Shade up to 55% lightness loss so that dark text stays readable on the darkest cell.
                return <td key={s} className="num" style={v === undefined ? undefined : { background: `rgba(29, 78, 216, ${(0.05 + 0.4 * (v / max)).toFixed(2)})` }}>{cards ? <StackedCell label={s}>{v === undefined ? "—" : formats[s](v)}</StackedCell> : v === undefined ? "—" : formats[s](v)}</td>;
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
