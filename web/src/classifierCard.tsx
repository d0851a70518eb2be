import { DataTable } from "./ui/components";
import { alignedFormat, formatNumber } from "./ui/format";

/**
 * What the classifier model cards (churn, propensity, fraud) share: the measures they report, how each reads and
 * which way is better, and the table of those measures with one column per model or baseline.
 */

/** A number from a table cell: NaN for an empty one. */
export const num = (v: unknown) => (v === null || v === undefined ? Number.NaN : typeof v === "number" ? v : Number(v));

/** A number formatted, or a dash when there is none. */
export const shown = (v: number, format: (n: number) => string = formatNumber) => (Number.isFinite(v) ? format(v) : "—");

/** A measure in a metrics table: its name there, the name a reader knows it by, and which way is better. */
export interface Measure {
  metric: string;
  label: string;
  better: "higher" | "lower";
  /** How its values read (a share as a percentage, say); plain numbers when not set. */
  format?: (n: number) => string;
}

/** A model or baseline scored on the same rows, with the name a reader knows it by and its colour in charts. */
export interface ScoredModel {
  model: string;
  label: string;
  colour: string;
}

/** The holdout measures of a probability model, in the cards' order. */
export const holdoutMeasures: Measure[] = [
  { metric: "auc", label: "AUC", better: "higher" },
  { metric: "pr_auc", label: "PR-AUC", better: "higher" },
  { metric: "brier", label: "Brier score", better: "lower" },
  { metric: "ece", label: "Calibration error (ECE)", better: "lower" },
  { metric: "lift_top_10pct", label: "Lift at the top 10%", better: "higher" },
];

/** One row per measure, one column per model: every model side by side on the same rows. */
export function MeasuresTable({ caption, models, value, measures = holdoutMeasures }: {
  caption: string; models: ScoredModel[]; value: (model: string, metric: string) => number; measures?: Measure[];
}) {
  return (
    <DataTable stacked caption={caption} rows={measures} rowKey={(m) => m.metric}
      columns={[
        // Wrapped, so that on a phone the models' values come into view beside the measure rather than past the edge.
        { key: "metric", header: "Measure", wrap: true, cell: (m) => `${m.label} (${m.better} is better)` },
        ...models.map((p) => {
          // A model's plain measures at one precision (0.20 under 0.46, not 0.2); a measure with its own format keeps it.
          const plain = alignedFormat(measures.filter((m) => !m.format).map((m) => value(p.model, m.metric)));
          return { key: p.model, header: p.label, numeric: true, cell: (m: Measure) => shown(value(p.model, m.metric), m.format ?? plain) };
        }),
      ]} />
  );
}
