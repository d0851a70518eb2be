import { describe, expect, it } from "vitest";
import { clvModelName, horizonLabel, intervalNote, ltvDiagnostic, ltvIntervalFacts, ltvNeighbours, ltvSays, ltvUnits, ltvValueLabel, pipelineCurrency, topCustomers } from "./ltv";

const params = {
  horizon_days: { type: "integer", default: 365 },
  eur_usd: { type: "number", default: 1.09, description: "USD per EUR" },
  gbp_usd: { type: "number", default: 1.27 },
  margin: { type: "number", default: 0.3 },
};

describe("what an LTV value means", () => {
  it("names the horizon in months when it is whole years, else in days", () => {
    expect(horizonLabel(365)).toBe("12-month");
    expect(horizonLabel(730)).toBe("24-month");
    expect(horizonLabel(90)).toBe("90-day");
  });

  it("reads the currency and the rates from the pipeline's FROM_TO params", () => {
    expect(pipelineCurrency(params)).toEqual({ currency: "USD", rates: [{ from: "EUR", rate: 1.09 }, { from: "GBP", rate: 1.27 }] });
    expect(pipelineCurrency({ margin: { default: 0.3 } })).toBeNull();
    expect(pipelineCurrency(null)).toBeNull();
    // Two target currencies: which one the values are in cannot be told.
    expect(pipelineCurrency({ eur_usd: { default: 1.09 }, usd_eur: { default: 0.92 } })).toBeNull();
  });

  it("reads a pipeline's currency param when it converts nothing (ab_testing's revenue)", () => {
    expect(pipelineCurrency({ currency: { type: "string", default: "USD" } })).toEqual({ currency: "USD", rates: [] });
    expect(pipelineCurrency({ currency: { type: "string", default: "dollars" } })).toBeNull();
    // The rates name the currency the amounts are converted into.
    expect(pipelineCurrency({ eur_usd: { default: 1.09 }, currency: { default: "EUR" } })?.currency).toBe("USD");
  });

  it("states the horizon from the fit's metadata and the currency from the params", () => {
    expect(ltvValueLabel({ horizon_days: 365 }, params)).toBe("12-month predicted value (365 days), USD (EUR at 1.09, GBP at 1.27 USD each)");
    expect(ltvValueLabel({ horizon_days: 180 }, null)).toBe("180-day predicted value (180 days)");
    expect(ltvValueLabel(null, null)).toBe("Predicted value (this fit did not record its horizon; run the pipeline again to see it)");
  });

  it("gives recency and t the fit's time unit, and names what each interval column is", () => {
    const intervals = {
      clv_p05: "90% prediction interval, low", clv_p95: "90% prediction interval, high",
      clv_low: "uncertainty of the expected value (parameters only), low", clv_high: "uncertainty of the expected value (parameters only), high",
    };
    expect(ltvUnits({ time_unit: "week" })).toEqual({ recency: "weeks", t: "weeks", ...intervals });
    expect(ltvUnits({ time_unit: "day" })).toEqual({ recency: "days", t: "days", ...intervals });
    expect(ltvUnits(null)).toEqual(intervals);
  });

  it("titles the model card's interval tiles in words, with how many draws each took and its columns", () => {
    const facts = ltvIntervalFacts({ prediction_draws: 1000, interval_draws: 50 });
    expect(facts.map((f) => [f.term, f.text, f.columns])).toEqual([
      ["90% range of each customer's value", `${new Intl.NumberFormat().format(1000)} simulated futures`, "clv_p05 – clv_p95"],
      ["Range from parameter uncertainty", "50 parameter draws", "clv_low – clv_high"],
    ]);
    expect(facts[0].meaning).toMatch(/falls in it 9 times in 10/);
    expect(facts[1].meaning).toMatch(/^How well the model knows each customer's expected value .* Not a range for what a customer will spend/);
    // No tile is titled by its column names.
    for (const f of facts) expect(f.term).not.toMatch(/clv_/);
    expect(ltvIntervalFacts({ interval_draws: 0 }).map((f) => [f.term, f.text, f.off])).toEqual([["Range from parameter uncertainty", "not drawn", "interval_draws: 0"]]);
  });

  it("says why the prediction interval, and nothing when it is filled", () => {
    const empty = [{ clv: 10, clv_p05: null, clv_p95: null, clv_low: null, clv_high: null }];
    expect(intervalNote({ prediction_draws: 0 }, empty)).toBe(
      "clv_p05 and clv_p95 are empty: the run that wrote this table simulated no prediction interval (prediction_draws: 0). Set prediction_draws to 1000 on the LTV step for a 90% prediction interval.");
    expect(intervalNote(null, empty)).toBe("clv_p05 and clv_p95 are empty: this fit has no prediction interval.");
    // A table from before the prediction interval: its clv_low/clv_high are no substitute.
    expect(intervalNote({ interval_draws: 50 }, [{ clv: 10, clv_low: 8, clv_high: 12 }])).toBe(
      "This table was written before the LTV step predicted intervals: run the pipeline again for each customer's 90% prediction interval.");
    expect(intervalNote({ interval_draws: 0, prediction_draws: 1000 }, [{ clv: 10, clv_p05: 0, clv_p95: 40, clv_low: null, clv_high: null }])).toBeNull();
    expect(intervalNote({ prediction_draws: 0 }, [])).toBeNull();
  });
});

describe("top customers", () => {
  it("joins the LTV rows, in their order, with the first email, the tier and the segment; a missing one is null", () => {
    const ltv = [
      { customer_id: "p_453", frequency: 30, clv: 3539.2, clv_p05: 310, clv_p95: 7900, clv_low: 2900, clv_high: 4100, p_alive: 0.97 },
      { customer_id: "p_007", frequency: 2, clv: "1200.5", clv_p05: null, clv_p95: null, p_alive: 0.5 },
    ];
    const identity = [
      { profile_id: "p_453", identifier_type: "email", identifier_value: "zed@x.com" },
      { profile_id: "p_453", identifier_type: "email", identifier_value: "ann@x.com" },
      { profile_id: "p_453", identifier_type: "phone", identifier_value: "+15550100" },
    ];
    const rows = topCustomers(ltv, identity, [{ customer_id: "p_453", tier: "platinum" }], [{ customer_id: "p_007", segment: "At Risk" }]);
    expect(rows).toEqual([
      { customerId: "p_453", email: "ann@x.com", tier: "platinum", segment: null, repeatOrders: 30, clv: 3539.2, clvP05: 310, clvP95: 7900, pAlive: 0.97 },
      { customerId: "p_007", email: null, tier: null, segment: "At Risk", repeatOrders: 2, clv: 1200.5, clvP05: null, clvP95: null, pAlive: 0.5 },
    ]);
    expect(topCustomers([], identity, [], [])).toEqual([]);
  });

  it("finds the identity graph, the tiers read from this LTV step and the RFM segments beside it", () => {
    const components = [
      { id: "identity_graph", type: "identity.resolve", inputs: ["orders"] },
      { id: "tiers_other", type: "segment.value_tiers", inputs: ["other_ltv"] },
      { id: "value_tiers", type: "segment.value_tiers", inputs: ["customer_ltv"] },
      { id: "rfm_segments", type: "segment.rfm", inputs: ["customer_orders"] },
    ];
    expect(ltvNeighbours(components, "customer_ltv")).toEqual({ identity: "identity_graph", tiers: "value_tiers", segments: "rfm_segments" });
    expect(ltvNeighbours([], "customer_ltv")).toEqual({ identity: undefined, tiers: undefined, segments: undefined });
  });
});

describe("ltvSays", () => {
  const rows = [
    { model: "bgnbd", parameter: "r", value: 0.6, std_error: 0.08 }, { model: "bgnbd", parameter: "alpha", value: 6, std_error: 1 },
    { model: "bgnbd", parameter: "a", value: 1, std_error: 0.9 }, { model: "bgnbd", parameter: "b", value: 3, std_error: 3.6 },
    { model: "bgnbd", parameter: "time_unit_days", value: 7, std_error: null },
    { model: "gamma_gamma", parameter: "p", value: 4, std_error: 1 }, { model: "gamma_gamma", parameter: "q", value: 5, std_error: 1 },
    { model: "gamma_gamma", parameter: "gamma", value: 60, std_error: 30 },
  ];
  const format = { number: (n: number) => n.toFixed(2), percent: (n: number) => `${(n * 100).toFixed(1)}%`, money: (n: number) => `$${n.toFixed(2)}` };
  // The card leads with these, its parameters after: r/α a week is 0.1 × 365/7 a year; a/(a+b) = 1/4; p·γ/(q−1) = 240/4.
  it("says what the fit means before its parameters", () => {
    expect(ltvSays(rows, format)).toEqual([
      "While they keep buying, customers order about 5.21 times a year on average.",
      "After each order, about 25.0% of customers stop buying for good.",
      "An order is worth about $60.00 on average.",
    ]);
  });
  it("leaves out what the fit lacks, and a mean order value that does not exist (q ≤ 1)", () => {
    expect(ltvSays(rows.filter((r) => r.model === "gamma_gamma").map((r) => (r.parameter === "q" ? { ...r, value: 1 } : r)), format)).toEqual([]);
  });
});

describe("clvModelName", () => {
  it("names the fitted models as the literature does, and any other with spaces", () => {
    expect(["bgnbd", "pareto_nbd", "gamma_gamma", "some_model"].map(clvModelName)).toEqual(["BG/NBD", "Pareto/NBD", "Gamma-Gamma", "some model"]);
  });
});

describe("ltvDiagnostic", () => {
  const number = (n: number) => String(n);
  it("reads the time unit as a length, not as 'time unit days 7'", () => {
    expect(ltvDiagnostic("time_unit_days", 7, number)).toEqual({ measure: "time unit", value: "7 days (a week)" });
    expect(ltvDiagnostic("time_unit_days", 1, number)).toEqual({ measure: "time unit", value: "1 day" });
  });
  it("names the other measures in words, convergence as yes or no", () => {
    expect(ltvDiagnostic("converged", 1, number)).toEqual({ measure: "converged", value: "yes" });
    expect(ltvDiagnostic("log_likelihood", -1234.5, number)).toEqual({ measure: "log-likelihood", value: "-1234.5" });
    expect(ltvDiagnostic("customers", 2000, number)).toEqual({ measure: "customers", value: "2000" });
  });
});
