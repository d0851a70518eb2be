import { useEffect, useState } from "react";
import { api } from "./api/client";
import { toGraph } from "./pipelineGraph";

/** A component's `with:` values and where they come from: the latest run that wrote it, or the pipeline file. */
export interface ComponentParams {
  params: Record<string, unknown>;
  /** True when the values are those a run used (params in place); false for the file's text, `${param.…}` and all. */
  fromRun: boolean;
}

/**
 * The `with:` values an asset was last written with: the engine records them, params resolved, with the main
 * materialization (metadata key `with`); assets written before it did fall back to the pipeline file's text.
 */
export function componentParams(history: { metadata: Record<string, unknown> }[], yaml: string, asset: string): ComponentParams | null {
  const recorded = history.length > 0 ? history[history.length - 1].metadata.with : undefined;
  if (recorded && typeof recorded === "object" && !Array.isArray(recorded)) return { params: recorded as Record<string, unknown>, fromRun: true };
  const params = toGraph(yaml).components.find((c) => c.id === asset)?.params;
  return params ? { params, fromRun: false } : null;
}

/** {@link componentParams} for a card: undefined while loading, null when neither the runs nor the file name the component. */
export function useComponentParams(pipeline: string, asset: string) {
  const [params, setParams] = useState<ComponentParams | null | undefined>(undefined);
  useEffect(() => {
    let live = true;
    Promise.all([api.history(asset).catch(() => []), api.yaml(pipeline)]).then(
      ([history, { yaml }]) => { if (live) setParams(componentParams(history as { metadata: Record<string, unknown> }[], yaml, asset)); },
      () => { if (live) setParams(null); });
    return () => { live = false; };
  }, [pipeline, asset]);
  return params;
}

/** A parameter's value as a card shows it: text as written, numbers and flags recorded as text without quotes. */
export function shownParam(value: unknown): string {
  if (typeof value === "string" && /^(-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false)$/.test(value)) return value;
  return JSON.stringify(value);
}
