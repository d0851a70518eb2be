import { describe, expect, it } from "vitest";
import { fitAxisTitle, type TextMeasure } from "./AxisTitle";

// 8 px a character at 16 px, in proportion to the size.
const measure: TextMeasure = (text, size) => text.length * size * 0.5;

describe("fitAxisTitle", () => {
  const titles = ["Holdout customers targeted (highest score first)", "Holdout customers, best first", "Customers targeted"];

  it("keeps the full wording where it fits", () => {
    expect(fitAxisTitle(titles, 1000, 16, measure)).toEqual({ text: titles[0], fontSize: 16 });
  });

  // A phone's Qini chart has about 300 px under its plot: the title ran past the chart's edge ("highest score f").
  it("takes the first shorter wording that fits on a phone", () => {
    expect(fitAxisTitle(titles, 300, 16, measure)).toEqual({ text: "Holdout customers, best first", fontSize: 16 });
    expect(fitAxisTitle(titles, 150, 16, measure)).toEqual({ text: "Customers targeted", fontSize: 16 });
  });

  it("shrinks the last wording, to 12 px, where no wording fits", () => {
    expect(fitAxisTitle(["Share of the trees' gain (%)"], 180, 16, measure)).toEqual({ text: "Share of the trees' gain (%)", fontSize: 12 });
  });

  it("then drops the last wording's parenthesis, then goes down to 11 px", () => {
    expect(fitAxisTitle(["ROAS (attributed revenue per unit of spend)"], 200, 13, measure)).toEqual({ text: "ROAS", fontSize: 13 });
    expect(fitAxisTitle(["Share of the trees' gain (%)"], 160, 16, measure)).toEqual({ text: "Share of the trees' gain", fontSize: 13 });
    expect(fitAxisTitle(["Customers"], 10, 16, measure)).toEqual({ text: "Customers", fontSize: 11 });
  });
});
