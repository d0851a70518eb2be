import { describe, expect, it } from "vitest";
import { anyRunning, progressSegments, progressText } from "./backfills";

const progress = (p: Partial<Record<"total" | "pending" | "running" | "succeeded" | "failed" | "cancelled", number>>) =>
  ({ total: 0, pending: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0, ...p });

describe("backfill progress", () => {
  it("says how many partitions succeeded and names only the states that have some", () => {
    expect(progressText(progress({ total: 6, succeeded: 4, failed: 1, running: 1 }))).toBe("4 of 6 partitions succeeded · 1 failed · 1 running");
    expect(progressText(progress({ total: 6, succeeded: 6 }))).toBe("6 of 6 partitions succeeded");
    expect(progressText(progress({ total: 1, pending: 1 }))).toBe("0 of 1 partition succeeded · 1 pending");
  });

  it("draws succeeded, failed and running shares; nothing for an empty backfill", () => {
    expect(progressSegments(progress({ total: 4, succeeded: 2, failed: 1, pending: 1 }))).toEqual([
      { state: "succeeded", percent: 50 }, { state: "failed", percent: 25 }]);
    expect(progressSegments(progress({}))).toEqual([]);
  });

  it("looks again while a backfill runs", () => {
    expect(anyRunning([{ status: "failed" }, { status: "running" }])).toBe(true);
    expect(anyRunning([{ status: "succeeded" }])).toBe(false);
  });
});
