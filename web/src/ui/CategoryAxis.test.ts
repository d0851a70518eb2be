import { describe, expect, it } from "vitest";
import type { TextMeasure } from "./AxisTitle";
import { categoryAxis, wrapLabel } from "./CategoryAxis";

// 6 px a character at 12 px, in proportion to the size.
const measure: TextMeasure = (text, size) => text.length * size * 0.5;
const reason = "unusual amount for this customer (standard deviations from their mean)";

describe("wrapLabel", () => {
  it("keeps a label that fits on one line", () => {
    expect(wrapLabel("unusual amount", 200, 12, 3, measure)).toEqual(["unusual amount"]);
  });

  it("breaks at spaces, each line within the room", () => {
    expect(wrapLabel("unusual amount for this customer", 120, 12, 3, measure)).toEqual(["unusual amount for", "this customer"]);
  });

  it("cuts the last line with an ellipsis when the label needs more lines", () => {
    const lines = wrapLabel(reason, 120, 12, 3, measure);
    expect(lines).toEqual(["unusual amount for", "this customer", "(standard deviation…"]);
    for (const l of lines) expect(measure(l, 12)).toBeLessThanOrEqual(120);
  });

  it("cuts a word wider than the room", () => {
    expect(wrapLabel("supercalifragilistic", 60, 12, 2, measure)).toEqual(["supercali…"]);
    expect(wrapLabel("", 60, 12, 2, measure)).toEqual([""]);
  });
});

describe("categoryAxis", () => {
  // At 1400 px the fraud reasons keep the 260 px column they had, in at most two lines and rows of 28 px.
  it("caps the column at its widest on a wide chart, two lines a label", () => {
    const axis = categoryAxis([reason, "unusual amount"], 1330, 12, 260, 26, measure);
    expect(axis.width).toBe(260);
    expect(axis.lines.get(reason)).toEqual(["unusual amount for this customer", "(standard deviations from their mean)"]);
    expect(axis.lines.get("unusual amount")).toEqual(["unusual amount"]);
    expect(axis.rowHeight).toBe(28);
  });

  it("is as wide as its widest label when that is narrower", () => {
    const axis = categoryAxis(["sessions 7d", "revenue"], 1330, 12, 260, 26, measure);
    expect(axis.width).toBe(11 * 6 + 12);
    expect(axis.rowHeight).toBe(26);
  });

  // On a phone the reasons, 60 characters in a 130 px column, were drawn over each other in 26 px rows.
  it("takes two fifths of a phone's chart and grows the rows for three lines", () => {
    const axis = categoryAxis([reason, "unusual amount"], 330, 12, 260, 26, measure);
    expect(axis.width).toBe(132);
    expect(axis.lines.get(reason)).toHaveLength(3);
    expect(axis.rowHeight).toBe(3 * 12 + 4);
  });

  it("keeps its full width where the chart's width is unknown", () => {
    expect(categoryAxis([reason], Infinity, 12, 260, 26, measure).width).toBe(260);
  });
});
