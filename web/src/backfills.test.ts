import { describe, expect, it } from "vitest";
import { anyRunning, backfillTargets, keyExamples, partitionsText, progressSegments, progressText } from "./backfills";

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

describe("what a pipeline's partitions are", () => {
  const groupsOnly = { partitions: null, partitioned_groups: [{ group: "intake", partitions: "hourly" as const }, { group: "daily_load", partitions: "daily" as const }] };

  it("names each partitioned group when the pipeline is not partitioned as a whole", () => {
    expect(partitionsText(groupsOnly)).toBe("intake: hourly, daily_load: daily");
    expect(partitionsText({ partitions: "daily", partitioned_groups: [] })).toBe("daily");
    expect(partitionsText({ partitions: null, partitioned_groups: [] })).toBeNull();
  });

  it("offers a backfill of each partitioned group, and of the whole pipeline only when it is partitioned", () => {
    expect(backfillTargets(groupsOnly)).toEqual([
      { group: "intake", label: "intake (hourly)", granularity: "hourly" }, { group: "daily_load", label: "daily_load (daily)", granularity: "daily" }]);
    expect(backfillTargets({ partitions: "daily", partitioned_groups: [] })).toEqual([{ group: "", label: "the whole pipeline (daily)", granularity: "daily" }]);
  });

  // The form's placeholders were hourly keys whatever the pipeline's partitions.
  it("gives example keys in the partitions' own format", () => {
    expect(keyExamples("daily")).toEqual(["2025-01-01", "2025-01-07"]);
    expect(keyExamples("hourly")).toEqual(["2025-01-01T00:00", "2025-01-01T05:00"]);
    expect(keyExamples("monthly")).toEqual(["2025-01", "2025-06"]);
  });
});
