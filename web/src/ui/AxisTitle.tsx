import { Label } from "recharts";

/** The smallest size an axis title shrinks to before it would be hard to read. */
const smallestFontSize = 11;

/** A text's width in px at a font size: measured on a canvas in the browser, estimated at 0.6 em a character elsewhere. */
export type TextMeasure = (text: string, fontSize: number) => number;

let canvas: CanvasRenderingContext2D | null | undefined;
const measureInBrowser: TextMeasure = (text, fontSize) => {
  if (canvas === undefined) canvas = typeof document === "undefined" ? null : document.createElement("canvas").getContext("2d");
  if (!canvas) return text.length * fontSize * 0.6;
  canvas.font = `${fontSize}px ${getComputedStyle(document.body).fontFamily}`;
  return canvas.measureText(text).width;
};

/**
 * The wording and size of an axis title that fit `room` px: the first of `titles` (longest first) that fits at `fontSize`,
 * else the last one shrunk down to 11 px. A phone's chart is 300 px wide, where "Holdout customers targeted (highest score
 * first)" ran past the chart's edge.
 */
export function fitAxisTitle(titles: readonly string[], room: number, fontSize: number, measure: TextMeasure = measureInBrowser): { text: string; fontSize: number } {
  for (const text of titles) if (measure(text, fontSize) <= room) return { text, fontSize };
  const last = titles[titles.length - 1] ?? "";
  for (let size = fontSize - 1; size > smallestFontSize; size--) if (measure(last, size) <= room) return { text: last, fontSize: size };
  return { text: last, fontSize: smallestFontSize };
}

// Beyond its axis a title may spill into the chart's margin on either side (16 px on the cards' charts).
const spill = 16;

/**
 * An axis title (recharts Label content) that takes the first of its wordings to fit beside its axis, so that on a phone
 * it is shortened (or, with one wording, set smaller) rather than cut off at the chart's edge.
 */
function FittedTitle(props: Record<string, unknown> & { titles: readonly string[] }) {
  const { titles, content: _content, value: _value, children: _children, ...label } = props;
  const box = (label.viewBox ?? {}) as { width?: number; height?: number };
  const vertical = label.angle === 90 || label.angle === -90;
  const along = vertical ? box.height : box.width;
  const style = label.style as { fontSize?: number } | undefined;
  const base = Number(label.fontSize ?? style?.fontSize ?? (typeof document === "undefined" ? 16 : parseFloat(getComputedStyle(document.body).fontSize)));
  const fitted = typeof along === "number" && along > 0 ? fitAxisTitle(titles, along + 2 * spill, base) : { text: titles[0] ?? "", fontSize: base };
  return <Label {...label} value={fitted.text} fontSize={fitted.fontSize} style={{ ...style, fontSize: fitted.fontSize }} className="axis-title" />;
}

/**
 * A chart axis' `label` prop whose title fits: `titles` longest first ("Holdout customers targeted (highest score first)",
 * "Customers targeted"), the rest of the label's props (position, offset, angle, fill) as recharts takes them.
 */
export function axisTitle(titles: string | readonly string[], label: Record<string, unknown> = {}) {
  return { ...label, content: <FittedTitle titles={typeof titles === "string" ? [titles] : titles} /> };
}
