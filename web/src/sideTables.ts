import { useEffect, useState } from "react";
import { api, errorMessage, type Schemas } from "./api/client";
import type { TableState } from "./ui/useTable";

type AssetSummary = Schemas["AssetSummary"];

/** One of a step's declared outputs: the step (component id) and the output's name within it (`main` for the step's asset). */
export interface OutputRef {
  step: string;
  output: string;
}

/** The name of a step's main output, the step's asset itself. */
export const mainOutput = "main";

/**
 * The table holding one of a step's declared outputs (its main asset, fitted model, holdout fit, summary…), found in the
 * asset list by the step, output and role the server declares for each table; undefined until a run wrote it. Every
 * page finds side tables through this one function and never builds or parses table names.
 */
export function sideTable(assets: readonly AssetSummary[], step: string, output: string): AssetSummary | undefined {
  return assets.find((a) => a.step === step && a.output === output);
}

/** Tables grouped under the step that declared them, in the list's order (the server sends each step's main output first); tables no step declared come last, as one group with step null. */
export function groupByStep(assets: readonly AssetSummary[]): { step: string | null; tables: AssetSummary[] }[] {
  const groups = new Map<string | null, AssetSummary[]>();
  for (const a of assets) {
    const step = a.step ?? null;
    const tables = groups.get(step) ?? [];
    tables.push(a);
    groups.set(step, tables);
  }
  const undeclared = groups.get(null);
  groups.delete(null);
  return [...[...groups].map(([step, tables]) => ({ step, tables })), ...(undeclared ? [{ step: null, tables: undeclared }] : [])];
}

/**
 * The tables whose name, step, output or pipeline contains every word of a search (any case), so that a list of a
 * hundred and fifty tables can be narrowed to "churn" or "full_cdp fraud"; an empty search keeps them all.
 */
export function searchAssets(assets: readonly AssetSummary[], search: string): AssetSummary[] {
  const words = search.toLowerCase().split(/\s+/).filter((w) => w.length > 0);
  if (words.length === 0) return [...assets];
  return assets.filter((a) => {
    const text = [a.name, a.step, a.output, a.pipeline].filter((x) => x).join(" ").toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

/** What each declared role means, for the role's label in asset lists: diagnostics are readable summaries, not errors. */
export const roleDescriptions: Record<string, string> = {
  detail: "Finer-grained rows behind the step's main table (per conversion, per day…)",
  diagnostics: "Summaries and checks of the step's result for people to read (tier totals, holdout errors); not an error",
  model: "The fitted model's parameters",
  rejected: "Input rows the step refused, with the reason",
  internal: "The step's own bookkeeping (a source's files ledger)",
  target: "A table the step writes under a name set in its parameters (a sync's target)",
};

/** Whether the server declared the table internal (a source's files ledger): hidden from lists unless asked for. */
export const isInternal = (a: AssetSummary) => a.role === "internal";

/** What useOutputTable found: a TableState, plus the table that holds the output once the asset list named it. */
export interface OutputTableState extends TableState {
  name: string | null;
}

const loading: OutputTableState = { name: null, table: null, rows: null, missing: false, error: null };

/**
 * The first rows of a step's declared output, as objects keyed by column. The table is looked up with sideTable in the
 * asset list (internal outputs included, since the caller asked for this one); an output no run has written yet is
 * reported as missing without asking for it, so that an optional side table or a pipeline not yet run is an empty
 * state, not a failed request.
 */
export function useOutputTable({ step, output }: OutputRef, limit = 1000): OutputTableState {
  const [state, setState] = useState<OutputTableState>(loading);
  useEffect(() => {
    let live = true;
    setState(loading);
    api.assets(true).then(async (assets) => {
      const found = sideTable(assets, step, output);
      if (!found) {
        if (live) setState({ ...loading, missing: true });
        return;
      }
      const table = await api.asset(found.name, limit);
      const rows = table.rows.map((r) => Object.fromEntries(table.columns.map((c, k) => [c.name, r[k]])));
      if (live) setState({ name: found.name, table, rows, missing: false, error: null });
    }).catch((e: unknown) => { if (live) setState({ ...loading, error: errorMessage(e) }); });
    return () => { live = false; };
  }, [step, output, limit]);
  return state;
}
