import { describe, expect, it } from "vitest";
import { audienceGroupsNote, curvePoints, exclusionNote, gainsCurves, groupCounts, propensityHorizon, signalWarning, xKey } from "./propensity";
import { panels } from "./dashboards";

describe("propensity and uplift curves", () => {
  it("joins long rows into one point per share with a value per learner, from the origin, the X-learner's series not clashing with the axis", () => {
    const rows = [
      { learner: "x", fraction: 1, incremental_conversions: 6 }, { learner: "random", fraction: 1, incremental_conversions: 6 },
      { learner: "x", fraction: 0.5, incremental_conversions: 4 }, { learner: "random", fraction: 0.5, incremental_conversions: 1 },
      { learner: "t", fraction: 0.5, incremental_conversions: null },
    ];
    expect(curvePoints(rows, "learner", "fraction", "incremental_conversions")).toEqual([
      { [xKey]: 0, x: 0, random: 0 },
      { [xKey]: 0.5, x: 4, random: 1 },
      { [xKey]: 1, x: 6, random: 6 },
    ]);
  });

  it("draws cumulative gains per model with the random diagonal", () => {
    const rows = [
      { model: "model", cumulative_share_of_customers: 0.1, cumulative_share_of_buyers: 0.4 },
      { model: "recency_frequency", cumulative_share_of_customers: 0.1, cumulative_share_of_buyers: 0.25 },
      { model: "model", cumulative_share_of_customers: 1, cumulative_share_of_buyers: 1 },
    ];
    expect(gainsCurves(rows)).toEqual([
      { [xKey]: 0, model: 0, recency_frequency: 0, random: 0 },
      { [xKey]: 0.1, model: 0.4, recency_frequency: 0.25, random: 0.1 },
      { [xKey]: 1, model: 1, random: 1 },
    ]);
  });

  it("counts customers in each of the five groups, listing an empty group as 0", () => {
    const rows = [{ uplift_group: "persuadable" }, { uplift_group: "persuadable" }, { uplift_group: "lost_cause" }, { uplift_group: "sure_thing" }];
    expect(groupCounts(rows).map((g) => [g.group, g.customers])).toEqual([["persuadable", 2], ["unproven", 0], ["sure_thing", 1], ["lost_cause", 1], ["do_not_disturb", 0]]);
  });

  it("counts the audience's members by group, so the table agrees with who is in it (the audience is not the persuadable group)", () => {
    const rows = [{ uplift_group: "persuadable" }, { uplift_group: "unproven" }, { uplift_group: "unproven" }, { uplift_group: "sure_thing" }];
    const audience = [{ uplift_group: "unproven" }, { uplift_group: "unproven" }, { uplift_group: "sure_thing" }];
    const counts = groupCounts(rows, audience);
    expect(counts.map((g) => [g.group, g.customers, g.inAudience])).toEqual([["persuadable", 1, 0], ["unproven", 2, 2], ["sure_thing", 1, 1], ["lost_cause", 0, 0], ["do_not_disturb", 0, 0]]);
    expect(counts[0].meaning).not.toContain("the audience");
    expect(audienceGroupsNote("campaign_audience", counts)).toBe("The audience campaign_audience (3 contacts) is chosen by the targeting step's rule on the estimated uplift, not by group: its members are 2 unproven, 1 sure thing.");
    expect(audienceGroupsNote("campaign_audience", groupCounts(rows))).toBeNull();
  });
});

describe("propensity_marketing panels", () => {
  it("shows observed uplift by decile per learner by its readable name (no series keyed x, the category key), the X-learner picked, deciles in order", () => {
    const rows = [
      { learner: "t", decile: 2, observed_uplift: 0.01 }, { learner: "x", decile: 2, observed_uplift: 0.02 },
      { learner: "x", decile: 1, observed_uplift: 0.1 }, { learner: "t", decile: 1, observed_uplift: 0.08 },
    ];
    const chart = panels["analytics.uplift"].chart(rows);
    expect(chart.pick).toBe("X-learner");
    expect(chart.bars).toEqual([{ x: "decile 1", series: { "X-learner": 0.1, "T-learner": 0.08 } }, { x: "decile 2", series: { "T-learner": 0.01, "X-learner": 0.02 } }]);
  });

  it("without holdout evidence, charts the model's claimed profit and says it is a claim, leaving out the exclusion rows", () => {
    const rows = [
      { strategy: "uplift_targeted", contacts: 10, expected_incremental_conversions: 2.5, expected_profit: 40 },
      { strategy: "top_propensity", contacts: 10, expected_incremental_conversions: 0.5, expected_profit: -2 },
      { strategy: "everyone", contacts: 300, expected_incremental_conversions: 3, expected_profit: -60 },
      { strategy: "excluded_suppression", contacts: 4, expected_incremental_conversions: null, expected_profit: null },
    ];
    const chart = panels["activate.campaign_targeting"].chart(rows);
    expect(chart.bars).toEqual([
      { x: "uplift targeted", series: { model_claimed_profit: 40 } }, { x: "top propensity", series: { model_claimed_profit: -2 } }, { x: "everyone", series: { model_claimed_profit: -60 } },
    ]);
    expect(chart.intervals).toBeUndefined();
    // The pipeline's currency, or no unit rather than a guessed $.
    expect(chart.yTitle).toBe("Claimed profit");
    expect(panels["activate.campaign_targeting"].chart(rows, "EUR").yTitle).toBe("Claimed profit (EUR)");
    expect(chart.note).toBe("The model's own claim of incremental profit, unchecked. The model's estimates claim (no holdout evidence in the scores to check them): uplift targeted 10 contacts, 2.5 conversions; top propensity 10 contacts, 0.5 conversions; everyone 300 contacts, 3.0 conversions.");
  });

  it("with holdout evidence, charts the profit on the holdout with intervals and warns when the model does not beat random", () => {
    const rows = [
      { strategy: "uplift_targeted", contacts: 500, expected_incremental_conversions: 75.9, expected_profit: 740, holdout_incremental_conversions: 10.7,
        holdout_conversions_low: -25.7, holdout_conversions_high: 47.2, holdout_profit: 47, holdout_profit_low: -1085.04, holdout_profit_high: 1179.58, outside_send: 0 },
      { strategy: "top_propensity", contacts: 500, expected_incremental_conversions: 9, expected_profit: -585, holdout_incremental_conversions: -7.7,
        holdout_conversions_low: -28.9, holdout_conversions_high: 13.5, holdout_profit: -400, holdout_profit_low: -700, holdout_profit_high: -100, outside_send: 120 },
      { strategy: "excluded_frequency_cap", contacts: 0, detail: "already contacted 1 or more times within 30 days", expected_profit: null },
      { strategy: "uplift_signal", contacts: 0, detail: "the uplift model does not beat random targeting on the holdout", expected_profit: null },
    ];
    const chart = panels["activate.campaign_targeting"].chart(rows);
    expect(chart.bars).toEqual([{ x: "uplift targeted", series: { profit_on_holdout: 47 } }, { x: "top propensity", series: { profit_on_holdout: -400 } }]);
    // The +$47 is drawn with its interval, −1,085 to 1,180, and named as not distinguishable from zero; the axis title is short enough for 1024 px.
    expect(chart.intervals).toEqual({ "uplift targeted": [-1085.04, 1179.58], "top propensity": [-700, -100] });
    expect(chart.yTitle).toBe("Incremental profit");
    expect(panels["activate.campaign_targeting"].chart(rows, "USD").yTitle).toBe("Incremental profit (USD)");
    expect(chart.note).toBe("The uplift model does not beat random targeting on the holdout: expected figures are not reliable. " +
      "Incremental profit on the send's holdout, with its 95% interval as error bars. Not distinguishable from zero (the interval spans 0, drawn pale): uplift targeted. " +
      "Incremental conversions on the send's holdout (95% interval): uplift targeted 500 contacts, 10.7 (-25.7 to 47.2); top propensity 500 contacts, -7.7 (-28.9 to 13.5). " +
      "The model's own estimates claim 75.9, 9.0, biased upward for the customers it ranks first.");
  });

  it("lists who was left out as reason: count, so a count of 0 does not run into the reason", () => {
    const rows = [
      { strategy: "excluded_suppression", contacts: 321, detail: "on the suppression list" },
      { strategy: "excluded_frequency_cap", contacts: 0, detail: "already contacted 1 or more times within 30 days" },
      { strategy: "excluded_do_not_disturb", contacts: 1605, detail: "in the do_not_disturb group" },
    ];
    expect(exclusionNote(rows)).toBe("Left out before choosing: on the suppression list: 321; already contacted 1 or more times within 30 days: 0; in the do_not_disturb group: 1,605.");
    expect(exclusionNote([])).toBeNull();
    expect(signalWarning([{ strategy: "uplift_signal", contacts: 1 }])).toBeNull();
  });

  it("shows purchase-rate lift by decile for the model beside the baseline", () => {
    const rows = [{ model: "model", decile: 1, lift: 3 }, { model: "recency_frequency", decile: 1, lift: 2 }];
    expect(panels["analytics.propensity"].chart(rows).bars).toEqual([{ x: "decile 1", series: { model: 3, "recency frequency": 2 } }]);
  });
});

describe("propensityHorizon", () => {
  it("reads the days and the label window from the metrics table's label_window row", () => {
    expect(propensityHorizon([{ model: "model", metric: "auc", value: 0.7 }, { model: "data", metric: "label_window", value: 90, detail: "2025-06-01 to 2025-08-29" }]))
      .toBe("90 days (labels from 2025-06-01 to 2025-08-29)");
    expect(propensityHorizon([{ model: "data", metric: "label_window", value: 30, detail: null }])).toBe("30 days");
    expect(propensityHorizon([{ model: "model", metric: "auc", value: 0.7 }])).toBeNull();
  });
});
