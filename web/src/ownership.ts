import type { Schemas } from "./api/client";

/** A pipeline that writes a table, and where (its step's file:line:col). */
export interface Writer {
  pipeline: string;
  at: string;
}

/**
 * Who owns a table, from its lineage (one entry per pipeline that writes it): one pipeline; several that define it alike
 * down to its sources (one fingerprint), so that either's run writes the same rows; or several that define it differently,
 * which replace each other's rows (trib validate's TRIB0209), so that none owns it.
 */
export type Ownership =
  | { kind: "owned"; writer: Writer }
  | { kind: "shared"; writers: Writer[] }
  | { kind: "conflict"; writers: Writer[] };

export function ownership(lineage: readonly Schemas["AssetLineage"][]): Ownership | null {
  if (lineage.length === 0) return null;
  const writers = lineage.map((l) => ({ pipeline: l.pipeline, at: l.at }));
  if (lineage.length === 1) return { kind: "owned", writer: writers[0] };
  // An unknown fingerprint is not known to be alike.
  const alike = lineage.every((l) => l.fingerprint != null && l.fingerprint === lineage[0].fingerprint);
  return { kind: alike ? "shared" : "conflict", writers };
}
