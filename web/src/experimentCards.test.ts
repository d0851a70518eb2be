import { describe, expect, it } from "vitest";
import { armValue, signedPercentColumn, cumulativeDomain, cumulativeTicks, daysNeeded, liftWithEvidence, metricValue, riskOfShipping, unadjustedIntervals } from "./experimentCards";
import { dashboardOrder } from "./dashboards";

describe("experiment decision", () => {
  const row = { rel_lift: 0.1836, rel_low: 0.0319, rel_high: 0.3353, chance_to_beat_control: 0.989 };

  it("shows the lift beside the evidence the decision read, not the fixed-horizon interval it did not", () => {
    expect(liftWithEvidence({ ...row, evidence: "sequential", evidence_low: -0.058, evidence_high: 0.425 })).toBe("+18.4%, confidence sequence [-5.8%, +42.5%]");
    expect(liftWithEvidence({ ...row, evidence: "frequentist", evidence_low: 0.0319, evidence_high: 0.3353 })).toBe("+18.4%, fixed-horizon interval [+3.2%, +33.5%]");
    expect(liftWithEvidence({ ...row, evidence: "bayesian" })).toBe("+18.4%, chance to beat control 98.9%");
  });

  it("names the fixed-horizon interval as such in a table written before the evidence was recorded", () => {
    expect(liftWithEvidence(row)).toBe("+18.4%, fixed-horizon interval [+3.2%, +33.5%]");
  });
});

describe("cumulative lift axis", () => {
  it("follows the later days, so the first days' ±500% bounds do not flatten the lift", () => {
    const points = Array.from({ length: 28 }, (_, i) => ({
      day: `2025-11-${String(i + 1).padStart(2, "0")}`, lift: 18, low: i < 3 ? -450 : 3, high: i < 3 ? 500 : 33, seq_low: i < 3 ? -600 : -6, seq_high: i < 3 ? 600 : 42,
    }));
    const domain = cumulativeDomain(points)!;
    expect(domain).toEqual([-20, 60]);
    expect(cumulativeTicks(domain)).toEqual([-20, 0, 20, 40, 60]);
  });

  it("ticks round steps whatever the range", () => {
    expect(cumulativeTicks([-30, 40])).toEqual([-20, 0, 20, 40]);
    expect(cumulativeTicks([-250, 500])).toEqual([-200, 0, 200, 400]);
  });

  it("keeps zero on the axis and gives no range without finite values", () => {
    expect(cumulativeDomain([{ day: "d", lift: 5, low: 4, high: 6 }])![0]).toBeLessThanOrEqual(0);
    expect(cumulativeDomain([{ day: "d", lift: Number.NaN }])).toBeUndefined();
  });
});

describe("experiment lift table", () => {
  it("shows a conversion metric as a rate, and the mean per unit of other metrics", () => {
    expect(metricValue({ kind: "conversion" }, 0.3547)).toBe("35.5%");
    expect(metricValue({ kind: "sum" }, 12.69)).toBe("12.69");
    expect(metricValue({ kind: "sum" }, null)).toBe("—");
  });

  it("shows a revenue metric in the pipeline's currency, and no guessed symbol without one", () => {
    expect(metricValue({ kind: "sum", metric: "revenue" }, 12.69, "USD")).toBe("$12.69");
    expect(metricValue({ kind: "ratio", metric: "revenue_per_view" }, 0.5, "USD")).toBe("$0.50");
    expect(metricValue({ kind: "sum", metric: "revenue" }, 12.69, null)).toBe("12.69");
    expect(metricValue({ kind: "count", metric: "coupon_views" }, 3.25, "USD")).toBe("3.25");
    expect(metricValue({ kind: "conversion", metric: "conversion" }, 0.3547, "USD")).toBe("35.5%");
    // A decision row names its metric primary_metric.
    expect(armValue({ kind: "sum", primary_metric: "revenue", observed_control: 11.65, units_control: 1040 }, "control", "USD")).toBe("$11.65 (n 1,040)");
  });

  // The demo's conversion: 299/1040 and 334/960 observed, 29.1% and 34.4% after CUPED. The arms' columns said "each arm's
  // conversion rate" over the adjusted means; they show the observed ones, with their units.
  it("shows each arm's observed value with its units, not the CUPED-adjusted mean", () => {
    const row = { kind: "conversion", units_control: 1040, units_variant: 960, observed_control: 299 / 1040, observed_variant: 334 / 960, mean_control: 0.291, mean_variant: 0.344 };
    expect(armValue(row, "control")).toBe("28.8% (n 1,040)");
    expect(armValue(row, "variant")).toBe("34.8% (n 960)");
    expect(armValue({ kind: "sum", units_control: 1040, mean_control: 11.65 }, "control")).toBe("—");
  });

  it("writes a column of lifts at one precision, signed", () => {
    const lift = signedPercentColumn([0.15, -0.0091, 0.159, null]);
    expect([lift(0.15), lift(-0.0091), lift(0.159), lift(null)]).toEqual(["+15.00%", "-0.91%", "+15.90%", "—"]);
  });

  it("names the risk of shipping's unit, without a sign that reads as a gain", () => {
    expect(riskOfShipping(0.0007)).toBe("0.07%");
    expect(riskOfShipping(null)).toBe("—");
    // One rule with every other percentage: two decimals only below 1%.
    expect(riskOfShipping(0.0123)).toBe("1.2%");
    expect(riskOfShipping(-0.0007)).toBe("0.07%");
  });

  it("says where the unadjusted interval excludes zero but the adjusted p is not significant", () => {
    const rows = [
      { metric: "conversion", variant: "B", rel_low: 0.0022, rel_high: 0.2861, p_value: 0.047, p_adjusted: 0.19 },
      { metric: "revenue", variant: "B", rel_low: -0.0459, rel_high: 0.2809, p_value: 0.16, p_adjusted: 0.43 },
      { metric: "views", variant: "B", rel_low: 0.01, rel_high: 0.05, p_value: 0.001, p_adjusted: 0.004 },
    ];
    expect(unadjustedIntervals(rows)).toEqual(["conversion (B): interval [+0.22%, +28.6%], p 0.047, adjusted p 0.19"]);
    expect(unadjustedIntervals([{ ...rows[0], p_adjusted: 0.047 }])).toEqual([]);
  });

  it("gives the days needed in whole days, rounded up", () => {
    expect(daysNeeded(96.46)).toBe("97");
    expect(daysNeeded(12)).toBe("12");
    expect(daysNeeded(null)).toBe("—");
  });

  it("puts the decision first on the dashboard", () => {
    const items = [{ id: "experiment_results", type: "analytics.experiment" }, { id: "experiment_plan", type: "experiment.plan" }, { id: "experiment_decision", type: "decision.experiment" }];
    expect(dashboardOrder(items).map((i) => i.id)).toEqual(["experiment_decision", "experiment_results", "experiment_plan"]);
  });
});
