import { useEffect, useState } from "react";
import { api } from "./api/client";
import { pipelineCurrency } from "./ltv";
import { getSection } from "./pipelineGraph";

/** The currency the pipeline's params convert money into (eur_usd → USD), as the dashboards name it; null when they name none. */
export function usePipelineCurrency(pipeline: string): string | null {
  const [currency, setCurrency] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    // A table no pipeline wrote names no currency.
    if (!pipeline) { setCurrency(null); return; }
    api.yaml(pipeline).then((y) => { if (live) setCurrency(pipelineCurrency(getSection(y.yaml, "params"))?.currency ?? null); }, () => { /* no currency then */ });
    return () => { live = false; };
  }, [pipeline]);
  return currency;
}

/** A money column's header in the pipeline's currency: "Value at risk (USD)"; without one, no unit rather than a guessed $. */
export const moneyHeader = (label: string, currency: string | null) => (currency ? `${label} (${currency})` : label);
