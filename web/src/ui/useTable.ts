import { useEffect, useState } from "react";
import { api, errorMessage, type Schemas } from "../api/client";

/** What useTable found: the rows (null while loading), or that the table is missing (not written yet), or an error. */
export interface TableState {
  table: Schemas["AssetPreview"] | null;
  rows: Record<string, unknown>[] | null;
  missing: boolean;
  error: string | null;
}

/**
 * A table's first rows, as objects keyed by column. A table that does not exist (yet) is reported as missing
 * without asking for it, so that an optional side table or a pipeline not yet run is an empty state, not a failed request.
 */
export function useTable(name: string, limit = 1000): TableState {
  const [state, setState] = useState<TableState>({ table: null, rows: null, missing: false, error: null });
  useEffect(() => {
    let live = true;
    api.assets().then(async (assets) => {
      if (!assets.some((a) => a.name === name)) {
        if (live) setState({ table: null, rows: null, missing: true, error: null });
        return;
      }
      const table = await api.asset(name, limit);
      const rows = table.rows.map((r) => Object.fromEntries(table.columns.map((c, k) => [c.name, r[k]])));
      if (live) setState({ table, rows, missing: false, error: null });
    }).catch((e: unknown) => { if (live) setState({ table: null, rows: null, missing: false, error: errorMessage(e) }); });
    return () => { live = false; };
  }, [name, limit]);
  return state;
}
