import { describe, expect, it } from "vitest";
import type { RunEvent } from "../api/client";
import { groupByStep } from "./RunLog";

const event = (asset: string | null, message: string): RunEvent => ({ at: "2026-01-01T00:00:00Z", kind: "log", asset, message });

describe("groupByStep", () => {
  it("names each step once, even when parallel steps interleave, with the run's start first and its outcome last", () => {
    const groups = groupByStep([event(null, "run started"), event("a", "a1"), event("b", "b1"), event("a", "a2"), event(null, "run ended")]);
    expect(groups.map((g) => g.asset)).toEqual([null, "a", "b", null]);
    expect(groups[1].events.map((e) => e.message)).toEqual(["a1", "a2"]);
    expect(groups[0].events.map((e) => e.message)).toEqual(["run started"]);
    expect(groups[3].events.map((e) => e.message)).toEqual(["run ended"]);
  });
});
