import { describe, expect, it } from "vitest";
import { cumulativeDomain, cumulativeTicks, liftWithEvidence } from "./experimentCards";

describe("experiment decision", () => {
  const row = { rel_lift: 0.1836, rel_low: 0.0319, rel_high: 0.3353, chance_to_beat_control: 0.989 };

  it("shows the lift beside the evidence the decision read, not the fixed-horizon interval it did not", () => {
    expect(liftWithEvidence({ ...row, evidence: "sequential", evidence_low: -0.058, evidence_high: 0.425 })).toBe("+18.36%, confidence sequence [-5.8%, +42.5%]");
    expect(liftWithEvidence({ ...row, evidence: "frequentist", evidence_low: 0.0319, evidence_high: 0.3353 })).toBe("+18.36%, fixed-horizon interval [+3.19%, +33.53%]");
    expect(liftWithEvidence({ ...row, evidence: "bayesian" })).toBe("+18.36%, chance to beat control 98.9%");
  });

  it("names the fixed-horizon interval as such in a table written before the evidence was recorded", () => {
    expect(liftWithEvidence(row)).toBe("+18.36%, fixed-horizon interval [+3.19%, +33.53%]");
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
