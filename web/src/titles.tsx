import type { ReactNode } from "react";

// Words a snake_case id abbreviates, as people write them.
const acronyms: Record<string, string> = {
  ab: "A/B", als: "ALS", auc: "AUC", cac: "CAC", cdp: "CDP", clv: "CLV", crm: "CRM", csv: "CSV", cuped: "CUPED", id: "ID", ltv: "LTV",
  roas: "ROAS", rfm: "RFM", srm: "SRM", sku: "SKU", url: "URL", utm: "UTM",
};

/** A table, step or column id as people read it: customer_ltv__summary → "Customer LTV summary", p_alive → "P alive". */
export function humanTitle(id: string): string {
  const words = id.split(/_+/).filter(Boolean).map((w) => acronyms[w.toLowerCase()] ?? w.toLowerCase());
  if (words.length === 0) return id;
  const [first, ...rest] = words;
  return [first === first.toLowerCase() ? first[0].toUpperCase() + first.slice(1) : first, ...rest].join(" ");
}

/** A card's heading for one step: what it is and its human name, with the id beside it (what YAML, SQL and the API call it). */
export function assetTitle(kind: string, asset: string): ReactNode {
  // A step named after what it is (model_card) is not titled twice ("Model card: Model card").
  const name = humanTitle(asset);
  return <>{name.toLowerCase() === kind.toLowerCase() ? kind : `${kind}: ${name}`}<span className="muted asset-id" title={`step and table id: ${asset}`}>{asset}</span></>;
}
