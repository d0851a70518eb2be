import { describe, expect, it } from "vitest";
import { logBinEdges, logHistogram } from "./dashboards";

describe("CLV histogram", () => {
  it("spreads skewed values over 1-2-5 log bins instead of one first bin", () => {
    expect(logBinEdges(730)).toEqual([0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]);
    // 90 small values and 10 large ones: a linear 10-bin histogram would put 90+ in its first bin.
    const values = [...Array.from({ length: 90 }, (_, i) => 10 + i), ...Array.from({ length: 10 }, (_, i) => 1000 + i * 500)];
    const bins = logHistogram(values, String, "customers");
    expect(bins.map((b) => b.x)).toEqual(["10–20", "20–50", "50–100", "100–200", "200–500", "500–1000", "1000–2000", "2000–5000", "5000–10000"]);
    expect(Math.max(...bins.map((b) => b.series.customers))).toBeLessThan(60);
    expect(bins.reduce((s, b) => s + b.series.customers, 0)).toBe(100);
  });
});
