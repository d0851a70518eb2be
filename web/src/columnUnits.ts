import type { Unit } from "./dashboards";

/** The units a column of a table can read in beyond a plain number: a share 0..1 as a percent, or money in the pipeline's currency. */
export type ColumnUnit = Extract<Unit, "share" | "money">;

// Named as what a dashboard charts as "share" (probabilities, shares, rates) or "money" (values in the currency).
const shareName = /^(p|prob)_|(^|_)(probability|propensity|share|rate)$/i;
const moneyName = /(^|_)(clv|ltv|cac|revenue|monetary|spend|spent|amount|price|profit|cost|aov)(_|$)|(^|_)(value|value_at_risk)$/i;

/**
 * How a numeric column's values read, by its name and the values seen: a share when it is named as one (p_alive,
 * churn_probability, share, conversion_rate) and every value lies in 0..1; money when named as a value (clv, max_cac,
 * revenue, monetary_value); null for any other number. Names decide, values only veto a share (a rate of 3.2 is no percent).
 */
export function columnUnit(name: string, values: readonly unknown[]): ColumnUnit | null {
  if (shareName.test(name)) return values.every((v) => typeof v !== "number" || (v >= 0 && v <= 1)) ? "share" : null;
  return moneyName.test(name) ? "money" : null;
}

/** The unit of each numeric column of a result (columns in order, rows of values), by {@link columnUnit}. */
export function columnUnits(columns: readonly { name: string; type: string }[], rows: readonly (readonly unknown[])[]): Record<string, ColumnUnit> {
  const units: Record<string, ColumnUnit> = {};
  columns.forEach((c, j) => {
    if (c.type !== "integer" && c.type !== "number") return;
    const unit = columnUnit(c.name, rows.map((r) => r[j]));
    if (unit) units[c.name] = unit;
  });
  return units;
}

/**
 * A percentage as typed ("80", "12.5") as the share it means ("0.8", "0.125"), moving the decimal point in the text so
 * that no binary rounding creeps in (12.5 / 100 is fine, 33.3 / 100 is 0.33299999999999996); other text is left as is.
 */
export function percentToShare(text: string): string {
  const m = /^\s*(-?)(\d*)(?:\.(\d*))?\s*$/.exec(text);
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) return text.trim();
  const whole = (m[2] || "0").padStart(3, "0");
  const int = whole.slice(0, -2).replace(/^0+(?=\d)/, "");
  const frac = (whole.slice(-2) + (m[3] ?? "")).replace(/0+$/, "");
  const out = `${int}${frac ? `.${frac}` : ""}`;
  return m[1] && out !== "0" ? `-${out}` : out;
}
