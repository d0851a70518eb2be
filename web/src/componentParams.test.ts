import { describe, expect, it } from "vitest";
import { componentParams, shownParam } from "./componentParams";

const yaml = `pipeline: customer_journey
params:
  window: { type: string, default: 1h }
components:
  - { id: events, type: source.csv, with: { path: events.csv } }
  - { id: shopping_funnel, type: analytics.funnel, inputs: [events], with: { steps: [A, B], window: "\${param.window}", ordering: ordered } }
`;

describe("component parameters on a card", () => {
  it("shows the values the last run recorded, not the file's \${param.…} placeholders", () => {
    const history = [
      { metadata: { with: { steps: ["A", "B"], window: "30m", ordering: "ordered" } } },
      { metadata: { entered: 10, with: { steps: ["A", "B"], window: "2h", ordering: "ordered" } } },
    ];
    expect(componentParams(history, yaml, "shopping_funnel")).toEqual({ params: { steps: ["A", "B"], window: "2h", ordering: "ordered" }, fromRun: true });
  });

  it("falls back to the file for an asset written before runs recorded them, and says so", () => {
    expect(componentParams([{ metadata: { entered: 10 } }], yaml, "shopping_funnel")).toEqual(
      { params: { steps: ["A", "B"], window: "${param.window}", ordering: "ordered" }, fromRun: false });
    expect(componentParams([], yaml, "missing")).toBeNull();
  });

  it("shows recorded numbers and flags without quotes, text with them", () => {
    expect([shownParam("6"), shownParam("0.05"), shownParam("true"), shownParam("1h"), shownParam(["A", "B"])]).toEqual(["6", "0.05", "true", '"1h"', '["A","B"]']);
  });
});
