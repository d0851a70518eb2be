import { describe, expect, it } from "vitest";
import { attributionModelLabel, channelTotals, perDayWithCurrency } from "./attribution";

describe("channelTotals", () => {
  it("adds campaigns up per channel, with cost per attributed conversion and ROAS only where there is spend", () => {
    const rows = [
      { channel: "paid_search", campaign: "a", spend: 100, conversions: 4, revenue: 300 },
      { channel: "paid_search", campaign: "b", spend: 50, conversions: 1, revenue: 100 },
      { channel: "email", campaign: null, spend: 0, conversions: 10, revenue: 900 },
      { channel: "display", campaign: "c", spend: 80, conversions: 0, revenue: 0 },
    ];
    expect(channelTotals(rows)).toEqual([
      { channel: "email", spend: 0, conversions: 10, revenue: 900, costPerConversion: null, roas: null },
      { channel: "paid_search", spend: 150, conversions: 5, revenue: 400, costPerConversion: 30, roas: 400 / 150 },
      { channel: "display", spend: 80, conversions: 0, revenue: 0, costPerConversion: null, roas: 0 },
    ]);
    expect(channelTotals([])).toEqual([]);
  });

  it("names the model the step recorded", () => {
    expect(attributionModelLabel({ model: "shapley" })).toBe("the shapley attribution model");
    expect(attributionModelLabel(null)).toBe("the step's attribution model");
  });
});

describe("perDayWithCurrency", () => {
  it("puts the pipeline's currency on every daily amount of a fit's warning", () => {
    expect(perDayWithCurrency("the response has not flattened within the observed spend (up to 65.73/day): where", "USD"))
      .toBe("the response has not flattened within the observed spend (up to 65.73 USD/day): where");
    expect(perDayWithCurrency("flat across the observed spend (from 1,200/day)", "EUR")).toBe("flat across the observed spend (from 1,200 EUR/day)");
    expect(perDayWithCurrency("up to 65.73/day", null)).toBe("up to 65.73/day");
  });
});
