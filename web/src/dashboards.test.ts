import { describe, expect, it } from "vitest";
import { dashboardOrder, dashboardSections, logBinEdges, logHistogram, panels, pathsSankey, sectionAnchor } from "./dashboards";
import { formatPercent } from "./ui/format";
import { computeData } from "recharts/es6/chart/Sankey";
import { sankeyAlign } from "./ui/SankeyView";

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

  it("labels the bins in the pipeline's currency, and plain without one", () => {
    const rows = [{ clv: 15 }, { clv: 150 }, { clv: 1500 }];
    const chart = panels["analytics.ltv"].chart(rows, "USD");
    expect(chart.bars.map((b) => b.x)).toEqual(["$10–$20", "$20–$50", "$50–$100", "$100–$200", "$200–$500", "$500–$1K", "$1K–$2K"]);
    expect(chart.xTitle).toBe("Predicted customer lifetime value (USD, log-spaced bins)");
    expect(panels["analytics.ltv"].chart(rows, null).bars[0].x).toBe("10–20");
  });
});

describe("journey panels", () => {
  it("draws paths as a Sankey with one node per step and depth, so a step seen twice makes no cycle", () => {
    const rows = [
      { depth: 1, source: "Home", target: "Product", units: 10 }, { depth: 1, source: "Home", target: "(end)", units: 2 },
      { depth: 2, source: "Product", target: "Home", units: 6 }, { depth: 2, source: "Product", target: "Cart", units: 4 },
    ];
    const chart = panels["journey.paths"].chart(rows);
    expect(chart.sankey?.nodes).toEqual([
      { name: "Home", column: 0 }, { name: "Product", column: 1 }, { name: "Home", column: 2 }, { name: "Cart", column: 2 }, { name: "(end)", column: 1 },
    ]);
    expect(chart.sankey?.links).toEqual([
      { source: 0, target: 1, value: 10 }, { source: 1, target: 2, value: 6 }, { source: 1, target: 3, value: 4 }, { source: 0, target: 4, value: 2 },
    ]);
    // Only the busiest edges are kept.
    expect(pathsSankey(rows, 2).links.map((l) => l.value)).toEqual([10, 6]);
  });

  it("runs a previous-step tree towards its end event", () => {
    // depth 1 edges end at the end event (Order); '(start)' marks paths that began at the target.
    const sankey = pathsSankey([
      { depth: 1, source: "Cart", target: "Order", units: 5 }, { depth: 2, source: "Product", target: "Cart", units: 4 },
      { depth: 2, source: "(start)", target: "Cart", units: 1 },
    ]);
    const column = (name: string) => sankey.nodes.find((node) => node.name === name)?.column;
    expect([column("Product"), column("(start)"), column("Cart"), column("Order")]).toEqual([0, 0, 1, 2]);
    expect(sankey.links.every((l) => sankey.nodes[l.target].column === sankey.nodes[l.source].column + 1)).toBe(true);
  });

  it("draws the funnel per step with one series per breakdown value, (all) picked first", () => {
    const chart = panels["analytics.funnel"].chart([
      { breakdown: "(all)", step: 2, step_name: "Added", units: 4 }, { breakdown: "(all)", step: 1, step_name: "Viewed", units: 10 },
      { breakdown: "web", step: 1, step_name: "Viewed", units: 6 }, { breakdown: "web", step: 2, step_name: "Added", units: 3 },
    ]);
    expect(chart.bars).toEqual([{ x: "1. Viewed", series: { "(all)": 10, web: 6 } }, { x: "2. Added", series: { "(all)": 4, web: 3 } }]);
    expect(chart.pick).toBe("(all)");
  });

  it("lays retention out as periods by cohort for the heat table", () => {
    const chart = panels["analytics.retention"].chart([
      { cohort: "2025-02-01T00:00:00", period: 0, cohort_size: 300, retention: 1 }, { cohort: "2025-01-01T00:00:00", period: 1, cohort_size: 500, retention: 0.25 },
      { cohort: "2025-01-01T00:00:00", period: 0, cohort_size: 500, retention: 1 },
    ]);
    expect(chart.bars).toEqual([{ x: "period 0", series: { "2025-02-01 (n=300)": 1, "2025-01-01 (n=500)": 1 } }, { x: "period 1", series: { "2025-01-01 (n=500)": 0.25 } }]);
    expect(chart.pick).toBe("2025-01-01 (n=500)");
  });

  it("orders the cohorts by date and picks the largest, not a first cohort of two people", () => {
    const row = (cohort: string, period: number, cohort_size: number) => ({ cohort: `${cohort}T00:00:00`, period, cohort_size, retention: 0.5 });
    // As the demo's table came: cohorts in no order, periods 10 and 2 as text would sort.
    const chart = panels["analytics.retention"].chart([
      row("2025-04-01", 0, 300), row("2025-12-01", 0, 74), row("2025-01-01", 10, 508), row("2024-12-01", 0, 2), row("2025-01-01", 0, 508),
      row("2025-01-01", 2, 508), row("2025-04-01", 2, 300), row("2024-12-01", 2, 2),
    ]);
    expect(Object.keys(chart.bars[0].series)).toEqual(["2024-12-01 (n=2)", "2025-01-01 (n=508)", "2025-04-01 (n=300)", "2025-12-01 (n=74)"]);
    expect(chart.bars.map((b) => b.x)).toEqual(["period 0", "period 2", "period 10"]);
    expect(chart.pick).toBe("2025-01-01 (n=508)");
  });
});

describe("churn panels", () => {
  it("sums value at risk per risk band, most urgent first, counting customers and skipping missing values", () => {
    const chart = panels["analytics.churn"].chart([
      { risk_band: "low", value_at_risk: 5, churn_probability: 0.52 }, { risk_band: "high", value_at_risk: 100, churn_probability: 0.97 },
      { risk_band: "high", value_at_risk: 50.5, churn_probability: 0.91 }, { risk_band: "medium", value_at_risk: null },
    ]);
    // Each band says its share of the customers, riskiest first, and its probability range: "low" here is a 52% chance of leaving.
    expect(chart.bars).toEqual([{ x: `high: riskiest 50%, ${formatPercent(0.91)}–${formatPercent(0.97)}`, series: { value_at_risk: 150.5 } },
      { x: "medium: next 25%", series: { value_at_risk: 0 } }, { x: `low: other 25%, ${formatPercent(0.52)}–${formatPercent(0.52)}`, series: { value_at_risk: 5 } }]);
    expect(chart.note).toMatch(/^Value at risk: churn probability × predicted CLV\. Customers: high 2, medium 1, low 1\. Bands rank customers/);
    expect(chart.yTitle).toBe("Value at risk");
    expect(panels["analytics.churn"].chart([], "EUR")).toMatchObject({ yTitle: "Value at risk (EUR)", currency: "EUR" });
  });

  it("counts alerts per playbook action, the most common first, each action in words", () => {
    const chart = panels["alert.churn"].chart([{ action: "winback_offer" }, { action: "support_callback" }, { action: "winback_offer" }]);
    expect(chart.bars).toEqual([{ x: "winback offer", series: { customers: 2 } }, { x: "support callback", series: { customers: 1 } }]);
  });
});

describe("dashboard order", () => {
  it("puts the churn model and its alerts before the LTV they read, the rest in pipeline order", () => {
    const items = [
      { id: "customer_ltv", type: "analytics.ltv" }, { id: "churn_scores", type: "analytics.churn" },
      { id: "tiers", type: "segment.value_tiers" }, { id: "churn_alerts", type: "alert.churn" },
    ];
    expect(dashboardOrder(items).map((i) => i.id)).toEqual(["churn_scores", "churn_alerts", "customer_ltv", "tiers"]);
    expect(dashboardOrder(items.filter((i) => !i.type.includes("churn"))).map((i) => i.id)).toEqual(["customer_ltv", "tiers"]);
  });

  it("puts the fraud alerts card, which charts the open queue itself, with the leads", () => {
    const items = [
      { id: "risk_scores", type: "analytics.risk_score" }, { id: "iforest", type: "analytics.isolation_forest" }, { id: "fraud_alerts", type: "alert.fraud" },
    ];
    expect(dashboardOrder(items).map((i) => i.id)).toEqual(["risk_scores", "fraud_alerts", "iforest"]);
  });
});

describe("value tiers panel", () => {
  it("sets each tier's share of the customers beside its share of the predicted value, most valuable tier first", () => {
    const rows = [
      { tier: "bronze", customers: 50, total_clv: 1000, tier_rank: 3 }, { tier: "platinum", customers: 1, total_clv: 3000, tier_rank: 0 },
      { tier: "gold", customers: 9, total_clv: 4000, tier_rank: 1 }, { tier: "silver", customers: 40, total_clv: 2000, tier_rank: 2 },
    ];
    const chart = panels["segment.value_tiers"].chart(rows);
    expect(chart.unit).toBe("share");
    expect(chart.bars.map((b) => b.x)).toEqual(["platinum", "gold", "silver", "bronze"]);
    expect(chart.bars[0].series).toEqual({ "customers": 0.01, "predicted value (CLV)": 0.3 });
    expect(chart.bars.reduce((s, b) => s + b.series["predicted value (CLV)"], 0)).toBeCloseTo(1, 12);
  });
});

describe("dashboardSections", () => {
  it("titles each step's section by its chart's subject, with an anchor safe in an id", () => {
    expect(dashboardSections([{ id: "attribution", type: "analytics.attribution" }, { id: "clv", type: "analytics.ltv" }]))
      .toEqual([{ anchor: "section-attribution", label: "Attribution", step: "attribution" }, { anchor: "section-clv", label: "CLV distribution", step: "clv" }]);
    expect(sectionAnchor("a/b")).toBe("section-a_b");
  });

  // The fraud dashboard listed "risk_scores: Fraud risk" beside the bare ids fraud_alerts, isolation_forest and fraud_model.
  it("titles a step without a chart by its name as people read it, never by its bare id", () => {
    expect(dashboardSections([{ id: "risk_scores", type: "analytics.risk_score" }, { id: "fraud_alerts", type: "alert.fraud" },
      { id: "isolation_forest", type: "analytics.isolation_forest" }, { id: "fraud_model", type: "analytics.fraud_model" }]).map((s) => s.label))
      .toEqual([panels["analytics.risk_score"].title.split(":")[0], "Fraud alerts", "Isolation forest", "Fraud model"]);
  });

  it("tells two steps of one title apart by the later step's name", () => {
    expect(dashboardSections([{ id: "customer_ltv", type: "analytics.ltv" }, { id: "churn_ltv", type: "analytics.ltv" }]).map((s) => s.label))
      .toEqual(["CLV distribution", "CLV distribution (Churn LTV)"]);
  });
});

describe("Sankey layout", () => {
  // The four "(end)" nodes were all drawn in the last column: which step each drop-out followed could not be seen.
  it("draws where paths end in the column after their last step, not all in the last column", () => {
    const sankey = pathsSankey([
      { depth: 1, source: "Viewed", target: "Added", units: 10 }, { depth: 1, source: "Viewed", target: "(end)", units: 5 },
      { depth: 2, source: "Added", target: "Checkout", units: 6 }, { depth: 2, source: "Added", target: "(end)", units: 4 },
      { depth: 3, source: "Checkout", target: "Order", units: 3 }, { depth: 3, source: "Checkout", target: "(end)", units: 3 },
    ]);
    const laid = computeData({ data: sankey, width: 800, height: 400, iterations: 32, nodeWidth: 12, nodePadding: 18, sort: false, verticalAlign: "justify", align: sankeyAlign });
    const x = (name: string, column: number) => laid.nodes[sankey.nodes.findIndex((n) => n.name === name && n.column === column)].x;
    expect(x("(end)", 1)).toBe(x("Added", 1));
    expect(x("(end)", 2)).toBe(x("Checkout", 2));
    expect(x("(end)", 1)).toBeLessThan(x("Order", 3));
  });
});
