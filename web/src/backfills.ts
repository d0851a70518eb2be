import type { Schemas } from "./api/client";

export type BackfillProgress = Schemas["BackfillProgress"];

/** What a backfill's progress bar says: "4 of 6 partitions succeeded · 1 failed · 1 running". */
export function progressText(p: BackfillProgress): string {
  const rest = ([["failed", p.failed], ["running", p.running], ["pending", p.pending], ["cancelled", p.cancelled]] as const)
    .filter(([, n]) => n > 0).map(([what, n]) => `${n} ${what}`);
  return [`${p.succeeded} of ${p.total} partition${p.total === 1 ? "" : "s"} succeeded`, ...rest].join(" · ");
}

/** The bar's segments in percent of the partitions, in the order drawn: succeeded, failed, running; the rest stays empty. */
export function progressSegments(p: BackfillProgress): { state: "succeeded" | "failed" | "running"; percent: number }[] {
  if (p.total === 0) return [];
  return (["succeeded", "failed", "running"] as const).map((state) => ({ state, percent: (100 * p[state]) / p.total })).filter((s) => s.percent > 0);
}

/** Whether the page should look again soon: some backfill is still running. */
export const anyRunning = (backfills: { status: string }[]) => backfills.some((b) => b.status === "running");

type Partitioned = Pick<Schemas["PipelineSummary"], "partitions" | "partitioned_groups">;

/** How a pipeline is partitioned: the whole pipeline's granularity ("daily"), or each partitioned group's ("intake: hourly"); null when not at all. */
export function partitionsText(p: Partitioned): string | null {
  if (p.partitions) return p.partitions;
  const groups = p.partitioned_groups ?? [];
  return groups.length === 0 ? null : groups.map((g) => `${g.group}: ${g.partitions}`).join(", ");
}

/** What a backfill of the pipeline can cover: the whole pipeline (group "") when it is partitioned, and each partitioned group. */
export function backfillTargets(p: Partitioned): { group: string; label: string; granularity: Schemas["PartitionGranularity"] }[] {
  return [
    ...(p.partitions ? [{ group: "", label: `the whole pipeline (${p.partitions})`, granularity: p.partitions }] : []),
    ...(p.partitioned_groups ?? []).map((g) => ({ group: g.group, label: `${g.group} (${g.partitions})`, granularity: g.partitions })),
  ];
}

/** Example From and To keys in the partition key format of a granularity (the server's PartitionScheme keys). */
export function keyExamples(granularity: Schemas["PartitionGranularity"] | undefined): [string, string] {
  switch (granularity) {
    case "hourly": return ["2025-01-01T00:00", "2025-01-01T05:00"];
    case "weekly": return ["2025-01-06", "2025-02-03"]; // weeks are keyed by their Monday
    case "monthly": return ["2025-01", "2025-06"];
    case "static": return ["first key", "last key"];
    default: return ["2025-01-01", "2025-01-07"];
  }
}
