import { describe, expect, it } from "vitest";
import { formatCell, formatCount, formatDuration, formatNumber } from "./format";

describe("format", () => {
  it("groups counts and rounds fractions for people", () => {
    expect(formatCount(1983)).toBe(new Intl.NumberFormat().format(1983));
    expect(formatNumber(12.4195)).toBe(new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 }).format(12.42));
    expect(formatNumber(0.000123)).toBe(new Intl.NumberFormat(undefined, { maximumSignificantDigits: 3 }).format(0.000123));
  });
  it("shows durations in the unit that reads best", () => {
    expect(formatDuration(850)).toBe("850 ms");
    expect(formatDuration(12_419)).toMatch(/^12.4 s$/);
    expect(formatDuration(185_000)).toBe("3 min 5 s");
    expect(formatDuration(120_000)).toBe("2 min");
  });
  it("formats cells by value: booleans, nulls, numbers", () => {
    expect(formatCell(true)).toBe("yes");
    expect(formatCell(null)).toBe("");
    expect(formatCell(1234567)).toBe(new Intl.NumberFormat().format(1234567));
    expect(formatCell("plain")).toBe("plain");
  });
});
