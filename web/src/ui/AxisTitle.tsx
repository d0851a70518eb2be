import { Label, useChartHeight, useChartWidth } from "recharts";

/** The smallest size an axis title shrinks to before it would be hard to read. */
const smallestFontSize = 11;

/** A text's width in px at a font size: measured on a canvas in the browser, estimated at 0.6 em a character elsewhere. */
export type TextMeasure = (text: string, fontSize: number) => number;

let canvas: CanvasRenderingContext2D | null | undefined;
export const measureInBrowser: TextMeasure = (text, fontSize) => {
  if (canvas === undefined) canvas = typeof document === "undefined" ? null : document.createElement("canvas").getContext("2d");
  if (!canvas) return text.length * fontSize * 0.6;
  canvas.font = `${fontSize}px ${getComputedStyle(document.body).fontFamily}`;
  return canvas.measureText(text).width;
};

/** Below this size a title drops its parenthesis before shrinking further: "PR-AUC" at 13 px reads better than all of it at 11. */
const smallFontSize = 12;

/**
 * The wording and size of an axis title that fit `room` px: the first of `titles` (longest first) that fits at `fontSize`;
 * else the last one shrunk, down to 12 px; else the last one without its parenthesis ("ROAS (attributed revenue per unit
 * of spend)" as "ROAS"), shrunk down to 11 px; else the last one at 11 px. A phone's chart is 330 px wide, where "Holdout
 * customers targeted (highest score first)" ran past the chart's edge.
 */
export function fitAxisTitle(titles: readonly string[], room: number, fontSize: number, measure: TextMeasure = measureInBrowser): { text: string; fontSize: number } {
  for (const text of titles) if (measure(text, fontSize) <= room) return { text, fontSize };
  const last = titles[titles.length - 1] ?? "";
  for (let size = fontSize - 1; size >= smallFontSize; size--) if (measure(last, size) <= room) return { text: last, fontSize: size };
  const bare = last.replace(/\s*\([^)]*\)\s*$/, "");
  if (bare !== last && bare !== "")
    for (let size = fontSize; size >= smallestFontSize; size--) if (measure(bare, size) <= room) return { text: bare, fontSize: size };
  return { text: last, fontSize: smallestFontSize };
}

/**
 * An axis title (recharts Label content) that takes the first of its wordings to fit beside its axis, so that on a phone
 * it is shortened (or, with one wording, set smaller) rather than cut off at the chart's edge. It is centred on its axis,
 * so its room is twice the distance from that centre to the nearer edge of the chart.
 */
function FittedTitle(props: Record<string, unknown> & { titles: readonly string[] }) {
  const { titles, content: _content, value: _value, children: _children, ...label } = props;
  const chartWidth = useChartWidth(), chartHeight = useChartHeight();
  const box = (label.viewBox ?? {}) as { x?: number; y?: number; width?: number; height?: number };
  const vertical = label.angle === 90 || label.angle === -90;
  const [start, length, chart] = vertical ? [box.y, box.height, chartHeight] : [box.x, box.width, chartWidth];
  const style = label.style as { fontSize?: number } | undefined;
  const base = Number(label.fontSize ?? style?.fontSize ?? (typeof document === "undefined" ? 16 : parseFloat(getComputedStyle(document.body).fontSize)));
  let fitted = { text: titles[0] ?? "", fontSize: base };
  if (typeof start === "number" && typeof length === "number" && typeof chart === "number" && chart > 0) {
    const centre = start + length / 2;
    fitted = fitAxisTitle(titles, 2 * Math.min(centre, chart - centre) - 4, base);
  }
  return <Label {...label} value={fitted.text} fontSize={fitted.fontSize} style={{ ...style, fontSize: fitted.fontSize }} />;
}

/**
 * A chart axis' `label` prop whose title fits: `titles` longest first ("Holdout customers targeted (highest score first)",
 * "Customers targeted"), the rest of the label's props (position, offset, angle, fill) as recharts takes them.
 */
export function axisTitle(titles: string | readonly string[], label: Record<string, unknown> = {}) {
  return { ...label, content: <FittedTitle titles={typeof titles === "string" ? [titles] : titles} /> };
}
