import { useEffect, useState, type ReactNode } from "react";
import { assetTitle } from "./titles";
import { api, errorMessage } from "./api/client";
import { shown } from "./classifierCard";
import { correlationFindings } from "./journey";
import { FitFacts } from "./modelCards";
import { mainOutput, useOutputTable } from "./sideTables";
import { shownParam, useComponentParams } from "./componentParams";
import { Card, DataTable, ErrorNotice, Loading } from "./ui/components";
import { formatCount, formatPercent } from "./ui/format";

/** What a journey card says about its component: what it computes, the rules it follows (docs/journeys.md), its headline figures. */
interface JourneyModel {
  computes: string;
  semantics: string[];
  facts?: (metadata: Record<string, unknown>) => ReactNode;
  /** The component's findings, shown before how it computes them. */
  results?: (asset: string) => ReactNode;
}

const count = (v: unknown) => (typeof v === "number" ? formatCount(v) : "—");

const models: Record<string, JourneyModel> = {
  "analytics.funnel": {
    computes: "For each step and breakdown value, the units (people or sessions) that reached it, the drop-off from the previous required step, conversion from the previous and from the first step, and the median and average time to convert; the units output holds each counted unit's attempt, and time_to_convert a histogram per step.",
    semantics: [
      "Every step-1 event opens an attempt; each later required step is the earliest matching event at or after the previous required step, within the window from step 1 and the step's own window.",
      "Ties on the timestamp count as in order; one event never fills two steps (A → A needs two A events).",
      "A unit that enters twice counts once, with its attempt that reaches furthest (the earliest of equals); an attempt that times out does not stop a later one.",
      "strict: no other event of the unit between consecutive steps (ties ordered by event id); unordered: row k counts units that did at least k of the steps in any order.",
      "Optional steps count when they happen between their neighbouring required steps and never hold a unit back; an exclusion event between its two steps removes the unit from the whole funnel (as PostHog).",
      "Breakdown values come from the entering event (first_touch), the furthest step reached (last_touch) or one step's event (step); (all) counts every unit.",
    ],
    facts: (m) => (
      <>
        <div><dt>Units entered</dt><dd>{count(m.entered)}</dd></div>
        <div><dt>Converted</dt><dd>{count(m.converted)}</dd></div>
        <div><dt>Conversion</dt><dd>{typeof m.conversion_rate === "number" ? formatPercent(m.conversion_rate) : "—"}</dd></div>
      </>
    ),
  },
  "journey.paths": {
    computes: "Sankey edges of the most travelled paths: from each unit's first start event onwards (next-step tree), or leading up to its first end event (previous-step tree), with the units on each edge and where paths stop; the paths output keeps the most common whole paths.",
    semantics: [
      "A step is an event's label (event name or a URL column), cleaned by the group patterns in order (e.g. /products/:id).",
      "Consecutive equal labels collapse into one unless collapse_repeats is false; excluded events and events without a label are left out first.",
      "Events of a unit are ordered by time, then event id. '(end)' is a unit whose path stopped at the source; '(start)' a path that began at the target.",
      "The same step at two depths is two nodes of the Sankey, so the diagram has no cycles.",
    ],
    facts: (m) => <div><dt>Whole paths kept</dt><dd>{count(m.paths)}</dd></div>,
  },
  "analytics.retention": {
    computes: "A cohort table: units grouped by the period (day, ISO week or month) of their first start event, and the share of each cohort doing the return event in each later period.",
    semantics: [
      "n_day: retained in period k when the unit returns during period k; unbounded: in period k or any later one.",
      "Return events before the unit's first start event do not count; period 0 is the whole cohort.",
      "Periods that end after the last event in the data are left out rather than shown as zero.",
    ],
  },
  "analytics.funnel_correlation": {
    computes: "For each required step after the first, of the units that reached the step before, those reaching it against those dropping off there: the events and column values most associated with each, odds ratio with a Wald confidence interval, its p-value and a Benjamini-Hochberg adjusted p-value.",
    semantics: [
      "A unit did an item at a step when it happened from the step before up to, not including, reaching the step (converters) or up to the window after its entry (drop-offs), as Amplitude's conversion drivers compare two steps: an event shown only past a step never predicts reaching it.",
      "Odds ratio ((a+1)/(b+1)) / ((c+1)/(d+1)): one added to each cell, as PostHog, keeps zero cells finite.",
      "Items done by fewer than min_units units are left out.",
    ],
    facts: (m) => (
      <>
        <div><dt>Converters at the last step</dt><dd>{count(m.converters)}</dd></div>
        <div><dt>Drop-offs at the last step</dt><dd>{count(m.drop_offs)}</dd></div>
      </>
    ),
    results: (asset) => <CorrelationResults asset={asset} />,
  },
  "analytics.conversion_opportunities": {
    computes: "Readable findings ranked by what they cost: each required step's drop-off valued at what winning back a stated share of it would bring, and breakdown segments whose step conversion differs significantly from the other units'.",
    semantics: [
      "A drop-off is worth recoverable_share × dropped × (units converting / units reaching the step) × conversion_value: the share won back goes on as those who reached the step did.",
      "Each finding is valued alone: they overlap (a segment's gap is part of its step's drop-off), so they are not to be added up.",
      "Segments are compared with the rest by a pooled two-proportion z-test; p-values are adjusted over every comparison (Holm by default, Benjamini-Hochberg or Bonferroni).",
      "A segment that converts worse is valued at recoverable_share of the units it loses beyond the others' rate, as a drop-off is; drop-offs and significant gaps rank first, by value.",
    ],
  },
};

/** What goes with converting or dropping off at each step: the funnel correlation's items, the significant ones first and marked. */
function CorrelationResults({ asset }: { asset: string }) {
  const { rows, error, missing } = useOutputTable({ step: asset, output: mainOutput }, 10_000);
  const findings = rows ? correlationFindings(rows) : [];
  const significant = findings.filter((f) => f.significant).length;
  return (
    <>
      <h3>What goes with converting, and with dropping off</h3>
      {error ? <ErrorNotice>{error}</ErrorNotice> : missing ? <p className="muted">Not computed yet: run the pipeline.</p> : !rows ? <Loading /> : (
        <>
          <p>{formatCount(findings.length)} items tested; <strong>{formatCount(significant)}</strong> significant after adjusting for testing them all (Benjamini-Hochberg).</p>
          <DataTable stacked caption={`Items that go with converting or dropping off (${asset})`} rows={findings} rowKey={(f) => f.key} maxHeight={420}
            empty={<p className="muted">No item was done by enough units to test.</p>}
            columns={[
              { key: "sig", header: "Significant", cell: (f) => (f.significant ? <strong>yes</strong> : <span className="muted">no</span>) },
              { key: "step", header: "At step", cell: (f) => f.step },
              { key: "item", header: "Item", wrap: true, cell: (f) => f.item },
              { key: "with", header: "Goes with", cell: (f) => (f.goesWith === "converting" ? "converting" : <span className="bad">dropping off</span>) },
              { key: "or", header: "Odds ratio (95% interval)", numeric: true, cell: (f) => `${shown(f.oddsRatio)} (${shown(f.low)} to ${shown(f.high)})` },
              { key: "conv", header: "Converters who did it", numeric: true, cell: (f) => shown(f.converterShare, formatPercent) },
              { key: "drop", header: "Drop-offs who did it", numeric: true, cell: (f) => shown(f.dropOffShare, formatPercent) },
              { key: "p", header: "Adjusted p", numeric: true, cell: (f) => shown(f.adjustedP) },
            ]} />
          <p className="muted">An odds ratio above 1: the units who did the item reached the step more often than those who did not; below 1, less often. Association, not cause.</p>
        </>
      )}
    </>
  );
}

/** The card's component type's parameters (JSON Schema of its with: block) and the values its latest run used. */
function useParameters(pipeline: string, asset: string, type: string) {
  const [schema, setSchema] = useState<Record<string, { description?: string; default?: unknown }> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const given = useComponentParams(pipeline, asset);
  useEffect(() => {
    // A JSON Schema document: its shape is JSON Schema's, not the API's.
    api.componentSchema(type).then((s) => setSchema((s as { properties?: Record<string, { description?: string; default?: unknown }> }).properties ?? {}),
      (e: unknown) => setError(errorMessage(e)));
  }, [type]);
  const params = given?.params ?? {};
  const rows = !schema || given === undefined ? null : Object.entries(schema).map(([name, p]) => ({
    name,
    value: name in params ? shownParam(params[name]) : p.default === undefined ? "—" : `${JSON.stringify(p.default)} (default)`,
    description: p.description ?? "",
  }));
  return { rows, error, fromRun: given?.fromRun ?? false };
}

/** A journey component's card: what it computes, its semantics, its parameters as set here, and the run that wrote it. */
function JourneyCard({ asset, pipeline, type }: { asset: string; pipeline: string; type: string }) {
  const model = models[type];
  const parameters = useParameters(pipeline, asset, type);
  return (
    <Card title={assetTitle("Model card", asset)} label={`Model card ${asset}`}>
      <FitFacts asset={asset} window={model.facts} />
      {model.results?.(asset)}
      <h3>What it computes</h3>
      <p>{model.computes}</p>
      <h3>Semantics</h3>
      <ul>{model.semantics.map((s) => <li key={s}>{s}</li>)}</ul>
      <p className="muted">Each rule is tested on hand-counted event streams on DuckDB and PostgreSQL; docs/journeys.md states them all.</p>
      <h3>Parameters</h3>
      {parameters.error ? <ErrorNotice>{parameters.error}</ErrorNotice> : !parameters.rows ? <Loading /> : (
        <DataTable stacked caption={`Parameters of ${asset}`} rows={parameters.rows} rowKey={(r) => r.name}
          columns={[
            { key: "name", header: "Parameter", cell: (r) => <code>{r.name}</code> },
            { key: "value", header: parameters.fromRun ? "Value in the last run" : "Value in the file", cell: (r) => r.value },
            { key: "description", header: "Meaning", cell: (r) => r.description },
          ]} />
      )}
    </Card>
  );
}

/** Cards by component type for the journey components (analytics.funnel, journey.paths, retention, correlation, opportunities). */
export const journeyCards = Object.fromEntries(Object.keys(models).map((type) => [type,
  ({ asset, pipeline }: { asset: string; pipeline: string }) => <JourneyCard asset={asset} pipeline={pipeline} type={type} />])) as
  Record<string, (props: { asset: string; pipeline: string }) => ReactNode>;

/** Which journey component types have a card (for tests). */
export const journeyCardTypes = Object.keys(models);
