import { measureInBrowser, type TextMeasure } from "./AxisTitle";

/** Px between a category label and the bars: recharts' tick line and its gap. */
const tickGap = 12;

/**
 * `text` broken at spaces into lines at most `room` px wide, at most `maxLines` of them; when it does not fit, the last
 * line ends in "…" (a word wider than a line is cut too). The full text stays in the label's title and the tooltip.
 */
export function wrapLabel(text: string, room: number, fontSize: number, maxLines: number, measure: TextMeasure = measureInBrowser): string[] {
  const fits = (s: string) => measure(s, fontSize) <= room;
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    const next = line === "" ? word : `${line} ${word}`;
    if (fits(next) || line === "") { line = next; continue; }
    lines.push(line);
    line = word;
  }
  if (line !== "") lines.push(line);
  const shown = lines.slice(0, maxLines);
  const last = shown.length - 1;
  if (last < 0) return [""];
  if (lines.length > maxLines || !fits(shown[last])) {
    let cut = lines.length > maxLines ? `${shown[last]} ${lines[maxLines]}` : shown[last];
    while (cut.length > 1 && !fits(`${cut}…`)) cut = cut.slice(0, -1);
    shown[last] = `${cut.trimEnd()}…`;
  }
  // A single word wider than the column on a line before the last is cut likewise.
  for (let i = 0; i < last; i++) if (!fits(shown[i])) { let cut = shown[i]; while (cut.length > 1 && !fits(`${cut}…`)) cut = cut.slice(0, -1); shown[i] = `${cut}…`; }
  return shown;
}

/** A horizontal bar chart's label column: its width, each category's lines, and the px each bar's row needs. */
export interface CategoryAxisLayout { width: number; lines: ReadonlyMap<string, string[]>; rowHeight: number; fontSize: number }

/**
 * The label column of a horizontal bar chart `chartWidth` px wide: as wide as its widest label, but at most `maxWidth` and
 * two fifths of the chart, so that the bars keep room on a phone; labels wider than that wrap, to 3 lines on a narrow
 * chart (under 600 px) and 2 on a wide one, cut with "…" beyond. Rows grow with the lines (1 em each, as recharts spaces them), so that labels never overlap
 * (on a phone the fraud reasons, 60 characters in a 130 px column, were drawn over each other).
 */
export function categoryAxis(labels: readonly string[], chartWidth: number, fontSize = 12, maxWidth = 260, minRowHeight = 26, measure: TextMeasure = measureInBrowser): CategoryAxisLayout {
  const widest = Math.max(0, ...labels.map((l) => measure(l, fontSize)));
  const cap = Number.isFinite(chartWidth) ? Math.min(maxWidth, Math.max(80, chartWidth * 0.4)) : maxWidth;
  const width = Math.ceil(Math.min(cap, widest + tickGap));
  const maxLines = chartWidth < 600 ? 3 : 2;
  const lines = new Map(labels.map((l) => [l, wrapLabel(l, width - tickGap, fontSize, maxLines, measure)]));
  const most = Math.max(1, ...[...lines.values()].map((l) => l.length));
  return { width, lines, rowHeight: Math.max(minRowHeight, most * fontSize + 4), fontSize };
}

/**
 * A YAxis `tick` (recharts passes x, y, payload) drawing a category in the lines `categoryAxis` broke it into, centred on
 * its bar, with the whole name as its title.
 */
export function CategoryTick(props: { x?: number; y?: number; payload?: { value?: unknown }; layout: CategoryAxisLayout }) {
  const { x = 0, y = 0, payload, layout } = props;
  const text = String(payload?.value ?? "");
  const lines = layout.lines.get(text) ?? [text];
  return (
    <text x={x} y={y} textAnchor="end" fontSize={layout.fontSize} fill="#666" className="recharts-text recharts-cartesian-axis-tick-value">
      <title>{text}</title>
      {lines.map((line, i) => <tspan key={i} x={x} dy={i === 0 ? `${0.355 - (lines.length - 1) / 2}em` : "1em"}>{line}</tspan>)}
    </text>
  );
}
