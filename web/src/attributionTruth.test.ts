import { describe, expect, it } from "vitest";
import { availableTruths, rankAgainstTruth } from "./attributionTruth";

// Two channels; the truths disagree on which matters more, so the ranking depends on the truth chosen.
const truth = [
  { channel: "paid_search", true_share: 0.6, incremental_share: 0.8 },
  { channel: "email", true_share: 0.4, incremental_share: 0.2 },
];
const rows = [
  { model: "shapley", channel: "paid_search", conversions: 60 }, { model: "shapley", channel: "email", conversions: 40 },
  { model: "markov_1", channel: "paid_search", conversions: 75 }, { model: "markov_1", channel: "email", conversions: 25 },
  // Direct is no channel of the truth: left out of the shares, not counted against every channel.
  { model: "markov_1", channel: "direct", conversions: 50 },
];

describe("attribution against the demo's ground truth", () => {
  it("ranks the models against the chosen truth and reports the gap to both", () => {
    const byIncremental = rankAgainstTruth(truth, rows, ["shapley", "markov_1"], "incremental");
    expect(byIncremental.map((m) => m.model)).toEqual(["markov_1", "shapley"]);
    expect(byIncremental[0].gaps.incremental).toBeCloseTo(5, 10);
    expect(byIncremental[0].gaps.shapley).toBeCloseTo(15, 10);
    expect(byIncremental[1].gaps.incremental).toBeCloseTo(20, 10);
    expect(byIncremental[1].gaps.shapley).toBeCloseTo(0, 10);
    expect(rankAgainstTruth(truth, rows, ["shapley", "markov_1"], "shapley").map((m) => m.model)).toEqual(["shapley", "markov_1"]);
  });

  it("offers only the Shapley truth for a file written before the incremental one", () => {
    expect(availableTruths(truth)).toEqual(["incremental", "shapley"]);
    expect(availableTruths(truth.map((t) => ({ channel: t.channel, true_share: t.true_share, incremental_share: null })))).toEqual(["shapley"]);
    expect(availableTruths([])).toEqual([]);
  });
});
