import type { Schemas } from "./api/client";

/** Tables of a dashboard that another pipeline's run wrote last, grouped by that run. */
export interface ForeignWrite {
  pipeline: string;
  runId: string;
  at: string;
  tables: string[];
}

/**
 * Which of the dashboard's tables (the main outputs of its steps) were last materialized by a run of another pipeline:
 * two pipelines that write the same table (a template added beside full_cdp) replace each other's results, and the
 * dashboard then shows the other's. `runPipelines` names the pipeline of each run id; a run it does not name is left out.
 */
export function foreignWrites(pipeline: string, steps: readonly string[], assets: readonly Schemas["AssetSummary"][],
  runPipelines: Readonly<Record<string, string>>): ForeignWrite[] {
  const byRun = new Map<string, ForeignWrite>();
  for (const step of steps) {
    const table = assets.find((a) => a.step === step && a.output === "main") ?? assets.find((a) => a.name === step);
    const runId = table?.run_id;
    const writer = runId ? runPipelines[runId] : undefined;
    if (!table || !runId || !writer || writer === pipeline) continue;
    const entry = byRun.get(runId) ?? { pipeline: writer, runId, at: table.last_materialized ?? "", tables: [] };
    if (!entry.tables.includes(table.name)) entry.tables.push(table.name);
    byRun.set(runId, entry);
  }
  return [...byRun.values()];
}

/** The run ids whose pipeline foreignWrites needs: the latest writers of the dashboard's tables. */
export function writerRuns(steps: readonly string[], assets: readonly Schemas["AssetSummary"][]): string[] {
  const ids = steps.map((s) => (assets.find((a) => a.step === s && a.output === "main") ?? assets.find((a) => a.name === s))?.run_id);
  return [...new Set(ids.filter((id): id is string => !!id))];
}
