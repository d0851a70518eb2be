import { useEffect, useMemo, useRef, useState, type ReactNode, type Ref } from "react";
import { Background, Controls, MarkerType, ReactFlow, type Connection, type Edge } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { api, ApiError, errorMessage, type Diagnostic, type Schemas } from "./api/client";
import { addComponent, componentAtLine, connect, getSection, getSensors, needsPartition, setParam, setSection, toGraph, type PipelineGraph } from "./pipelineGraph";
import { fittedZoom, layout, readableZoom } from "./layout";
import { nodeTypes, type ComponentFlowNode } from "./ui/ComponentNode";
import { ErrorNotice, Loading } from "./ui/components";
import { DiagnosticList, errorsIn, revealInTextarea, showList, ValidationBadge, warningsIn } from "./ui/Diagnostics";
import { describeCron, formatTickIn } from "./ui/format";
import { useReportingZone } from "./useReportingZone";
import { useMediaQuery } from "./ui/useMediaQuery";

// fitView's padding, a share of the canvas (about 44 px on each side of a 1,100 px one).
const fitPadding = 0.04;

interface SchemaProperty { type?: string | string[]; description?: string; enum?: string[]; default?: unknown }

/** A pipeline param as declared under `params:` (type, default, description). */
export interface PipelineParam { type?: string; default?: unknown; description?: string; enum?: unknown[] }

/** The pipeline param a component value refers to (`${param.horizon_days}`), or null for a value written in place. */
export function paramReference(value: unknown): string | null {
  const m = typeof value === "string" ? /^\$\{param\.([A-Za-z0-9_]+)\}$/.exec(value.trim()) : null;
  return m ? m[1] : null;
}

/** The pipeline's declared params, for the parameter panel and the launch form; empty when it declares none. */
export function pipelineParams(text: string): Record<string, PipelineParam> {
  try {
    return (getSection(text, "params") ?? {}) as Record<string, PipelineParam>;
  } catch {
    return {};
  }
}

/**
 * What each node's badge says: its step's status in the pipeline's last run; for a step that run did not reach (left out,
 * skipped), "succeeded" when its table exists from an earlier run of this pipeline, so an asset that exists never shows
 * "not run". A table another pipeline wrote under the same step name says nothing about this one (a template copied
 * under a new name showed every step succeeded before its first run).
 */
export function nodeStatuses(lastRunSteps: { asset: string; status: string }[], assets: { name: string; step?: string | null; output?: string | null; pipeline?: string | null }[],
  pipeline: string): Record<string, string> {
  const statuses: Record<string, string> = {};
  for (const a of assets) if ((!a.output || a.output === "main") && a.pipeline === pipeline) statuses[a.step ?? a.name] = "succeeded";
  for (const s of lastRunSteps) if (!(s.asset in statuses) || !["pending", "skipped", "cancelled"].includes(s.status)) statuses[s.asset] = s.status;
  return statuses;
}

/** The notice for text the graph cannot read: the parser's message at the server's position of the first error, as the problems list has it. */
export function yamlNotice(message: string, diagnostics: Diagnostic[]): string {
  const first = diagnostics.find((d) => d.severity === "error");
  return first ? `${message} (line ${first.line}:${first.column})` : message;
}

/** The pipeline as a graph and as YAML, edited either way, validated by the server as you type. */
export function Designer({ name }: { name: string }) {
  const [text, setText] = useState<string | null>(null);
  const [tab, setTab] = useState<"graph" | "yaml">("graph");
  const [selected, setSelected] = useState<string | null>(null);
  const [diagnostics, setDiagnostics] = useState<Diagnostic[]>([]);
  const [status, setStatus] = useState<string>("");
  const lastGood = useRef<PipelineGraph | null>(null);
  const canvasRef = useRef<HTMLDivElement>(null);
  const [zoomHint, setZoomHint] = useState(false);
  const [stepStatus, setStepStatus] = useState<Record<string, string>>({});
  const yamlRef = useRef<HTMLTextAreaElement>(null);
  const problemsRef = useRef<HTMLUListElement>(null);
  const launchRef = useRef<HTMLDetailsElement>(null);
  // A diagnostic picked in the graph view, shown once the YAML view is there.
  const [reveal, setReveal] = useState<Diagnostic | null>(null);

  useEffect(() => { api.yaml(name).then((r) => setText(r.yaml), (e: unknown) => setStatus(errorMessage(e))); }, [name]);
  // Each node shows how its step went in the pipeline's last run, or else its table's latest materialization.
  useEffect(() => {
    Promise.all([api.runs(name).then((runs) => (runs.length === 0 ? null : api.runDetail(runs[0].run_id))), api.assets(true)])
      .then(([detail, assets]) => setStepStatus(nodeStatuses(detail?.steps ?? [], assets, name)))
      .catch((e: unknown) => setStatus(errorMessage(e)));
  }, [name]);

  const parsed = useMemo(() => {
    if (text === null) return { graph: null, error: null };
    try {
      lastGood.current = toGraph(text);
      return { graph: lastGood.current, error: null };
    } catch (e) {
      return { graph: lastGood.current, error: (e as Error).message };
    }
  }, [text]);

  // Validate a moment after the last edit.
  useEffect(() => {
    if (text === null) return;
    // As the file it will be saved as, so that it is compared with the project's other pipelines and not with its old self.
    const timer = setTimeout(() => { api.validate(text, name).then((r) => setDiagnostics(r.diagnostics), (e: unknown) => setStatus(`validation failed: ${errorMessage(e)}`)); }, 250);
    return () => clearTimeout(timer);
  }, [text, name]);

  // On a narrow screen the palette is under the graph: once a component from it is drawn, back up to the graph.
  const [revealGraph, setRevealGraph] = useState(false);
  useEffect(() => {
    if (!revealGraph) return;
    canvasRef.current?.scrollIntoView({ block: "start" });
    setRevealGraph(false);
  }, [revealGraph]);

  useEffect(() => {
    if (tab !== "yaml" || !reveal || !yamlRef.current) return;
    revealInTextarea(yamlRef.current, reveal);
    setReveal(null);
  }, [tab, reveal]);

  const graph = parsed.graph;
  const invalid = errorsIn(diagnostics).length > 0;
  // Each diagnostic belongs to one component at most, so that its outline never lands on a neighbour.
  const diagnosticsOf = (id: string) => (graph ? diagnostics.filter((d) => componentAtLine(graph, d.line)?.id === id) : []);
  const nodes: ComponentFlowNode[] = useMemo(() => {
    if (!graph) return [];
    const at = layout(graph);
    return graph.components.map((c) => ({
      id: c.id, type: "component", position: at[c.id], selected: c.id === selected, ariaLabel: `component ${c.id}`,
      data: { id: c.id, type: c.type, status: stepStatus[c.id] ?? null, hasError: errorsIn(diagnosticsOf(c.id)).length > 0, hasWarning: warningsIn(diagnosticsOf(c.id)).length > 0 },
    }));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [graph, diagnostics, selected, stepStatus]);
  const edges: Edge[] = useMemo(() => graph?.edges.map((e) => ({
    id: `${e.from}->${e.to}`, source: e.from, target: e.to, markerEnd: { type: MarkerType.ArrowClosed }, style: { strokeWidth: 1.5 },
  })) ?? [], [graph]);

  if (text === null) return status ? <ErrorNotice>{status}</ErrorNotice> : <Loading what={`Loading ${name}`} />;
  const save = async () => {
    try {
      const { warnings } = await api.save(name, text);
      // Saved all the same: the warnings stay in view, as the save found them.
      setDiagnostics(warnings);
      setStatus(warnings.length === 0 ? "Saved." : `Saved, with ${warnings.length} warning${warnings.length === 1 ? "" : "s"}.`);
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.diagnostics.length > 0) setDiagnostics(e.diagnostics);
      setStatus(errorMessage(e));
      return false;
    }
  };
  // As `trib run` needs --partition, the Run button of a partitioned pipeline asks for the partition.
  const partitioned = needsPartition(text);
  const run = async () => {
    if (!(await save())) return;
    if (partitioned) {
      if (launchRef.current) launchRef.current.open = true;
      setStatus(`${name} is partitioned, so a run needs a partition: enter one under Run with options…, or backfill a range on the Schedules page.`);
      return;
    }
    try {
      const { queue_id } = await api.run({ pipeline: name });
      window.location.hash = `#/runs/${encodeURIComponent(queue_id)}`;
    } catch (e) {
      setStatus(errorMessage(e));
    }
  };
  const component = graph?.components.find((c) => c.id === selected) ?? null;
  // A component from the palette (click or drop) gets a free id from its type's name.
  const add = (type: string) => {
    const base = type.split(".").pop()!.replace(/[^a-z0-9_]/g, "_");
    let id = base;
    for (let i = 2; graph?.components.some((c) => c.id === id); i++) id = `${base}_${i}`;
    setText(addComponent(text, id, type));
    setSelected(id);
    if (window.matchMedia?.(narrowDesigner).matches) setRevealGraph(true);
  };
  return (
    <section className="page designer">
      <div className="toolbar">
        <h1>{name}</h1>
        <div role="tablist" aria-label="View">
          <button role="tab" aria-selected={tab === "graph"} onClick={() => setTab("graph")}>Graph</button>
          <button role="tab" aria-selected={tab === "yaml"} onClick={() => setTab("yaml")}>YAML</button>
        </div>
        <ValidationBadge diagnostics={diagnostics} onShow={() => showList(problemsRef.current)} />
        <button className="secondary" onClick={() => void save()} disabled={invalid}>Save</button>
        <button onClick={() => void run()} disabled={invalid}>{partitioned ? "Run a partition…" : "Run"}</button>
        <details className="launch" ref={launchRef}>
          <summary className="button secondary">Run with options…</summary>
          <LaunchForm name={name} params={pipelineParams(text)} onLaunched={(queueId) => { window.location.hash = `#/runs/${encodeURIComponent(queueId)}`; }} />
        </details>
        <a className="button secondary" href={`#/dashboard/${encodeURIComponent(name)}`}>Dashboard</a>
        <a className="button secondary" href={URL.createObjectURL(new Blob([text], { type: "text/yaml" }))} download={`${name}.yaml`}>Export YAML</a>
        <label className="import">Import YAML
          <input type="file" accept=".yaml,.yml" onChange={async (e) => { const f = e.target.files?.[0]; if (f) setText(await f.text()); }} />
        </label>
        <span aria-live="polite">{status}</span>
      </div>
      {parsed.error && <ErrorNotice>YAML: {yamlNotice(parsed.error, diagnostics)}</ErrorNotice>}
      <DesignerBody text={text} onChange={setText} diagnostics={diagnostics} problemsRef={problemsRef}
        onPick={(d) => { setTab("yaml"); setReveal(d); }} editor={tab === "yaml" ? (
        <label className="yaml">YAML
          <textarea ref={yamlRef} spellCheck={false} value={text} onChange={(e) => setText(e.target.value)} rows={30} />
        </label>
      ) : (
        <div className={component ? "canvas-row with-form" : "canvas-row"}>
          <Palette onAdd={add} />
          <div className="canvas" ref={canvasRef} aria-label="Pipeline graph" onDragOver={(e) => e.preventDefault()}
            onDrop={(e) => { const type = e.dataTransfer.getData("application/x-tributary-component"); if (type) add(type); }}>
            {/* The whole graph on load (fitView, never above 100%); where that is too small to read, a note says how to zoom in. */}
            <ReactFlow nodes={nodes} edges={edges} nodeTypes={nodeTypes} minZoom={0.1} panOnScroll nodesDraggable={false} proOptions={{ hideAttribution: true }}
              fitView fitViewOptions={{ padding: fitPadding, maxZoom: 1, minZoom: 0.1 }}
              onInit={() => {
                const el = canvasRef.current;
                if (el) setZoomHint(fittedZoom(nodes.map((n) => n.position), { width: el.clientWidth, height: el.clientHeight }, fitPadding * el.clientWidth) < readableZoom);
              }}
              onNodeClick={(_, n) => setSelected(n.id)}
              onSelectionChange={({ nodes: picked }) => { if (picked[0]) setSelected(picked[0].id); }}
              onConnect={(c: Connection) => c.source && c.target && setText(connect(text, c.source, c.target))}>
              <Background /><Controls />
            </ReactFlow>
            {zoomHint && <p className="pan-hint" role="note">Zoomed out to show the whole graph: zoom in with + (or pinch) to read the nodes, and drag or scroll to pan.</p>}
          </div>
          {component && (
            <ParamForm key={component.id} component={component} errors={errorsIn(diagnosticsOf(component.id))} params={pipelineParams(text)}
              onChange={(key, value) => setText(setParam(text, component.id, key, value))} />
          )}
        </div>
      )} />
    </section>
  );
}

/** The editor, the problems found in it right under it (in view while editing), then the schedule. */
export function DesignerBody({ editor, diagnostics, onPick, problemsRef, text, onChange }: {
  editor: ReactNode; diagnostics: Diagnostic[]; onPick: (d: Diagnostic) => void; problemsRef?: Ref<HTMLUListElement>;
  text: string; onChange: (text: string) => void;
}) {
  return (
    <>
      {editor}
      <DiagnosticList diagnostics={diagnostics} onPick={onPick} ref={problemsRef} />
      <div className="designer-bottom"><ScheduleEditor text={text} onChange={onChange} /></div>
    </>
  );
}

function ParamForm({ component, errors, params, onChange }: {
  component: PipelineGraph["components"][number]; errors: Diagnostic[]; params: Record<string, PipelineParam>; onChange: (key: string, value: string | number | boolean) => void;
}) {
  const [schema, setSchema] = useState<Record<string, SchemaProperty>>({});
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    // A JSON Schema document: its shape is JSON Schema's, not the API's.
    api.componentSchema(component.type).then((s) => setSchema((s as { properties?: Record<string, SchemaProperty> }).properties ?? {}), (e: unknown) => setError(errorMessage(e)));
  }, [component.type]);
  const keys = [...new Set([...Object.keys(component.params), ...Object.keys(schema)])];
  return (
    <form className="panel params" aria-label={`Parameters of ${component.id}`} onSubmit={(e) => e.preventDefault()}>
      <h2>{component.id}</h2>
      <p className="muted">{component.type}</p>
      {error && <p role="alert">{error}</p>}
      {keys.map((key) => (
        <ParamField key={key} name={key} property={schema[key] ?? {}} value={component.params[key]} params={params}
          errors={errors.filter((d) => d.line === component.paramLines[key])} onChange={(v) => onChange(key, v)} />
      ))}
    </form>
  );
}

/** One parameter of the form: a select for enums and booleans (true / false, as YAML booleans), a text box otherwise. */
export function ParamField({ name, property, value, errors, params = {}, onChange }: {
  name: string; property: SchemaProperty; value: unknown; errors: Diagnostic[]; params?: Record<string, PipelineParam>; onChange: (value: string | number | boolean) => void;
}) {
  const type = Array.isArray(property.type) ? property.type.find((t) => t !== "null") : property.type;
  const reference = paramReference(value);
  const declared = reference ? params[reference] : undefined;
  const text = value === undefined || value === null ? "" : typeof value === "object" ? JSON.stringify(value) : String(value);
  const update = (raw: string) => {
    const number = Number(raw);
    onChange((type === "integer" || type === "number") && raw.trim() !== "" && !Number.isNaN(number) ? number : raw);
  };
  return (
    <label title={property.description}>
      {name}
      {type === "boolean" ? (
        <select name={name} value={text} onChange={(e) => onChange(e.target.value === "true")} aria-invalid={errors.length > 0}>
          <option value="" disabled>{property.default === undefined ? "not set" : `default: ${String(property.default)}`}</option>
          <option value="true">true</option>
          <option value="false">false</option>
        </select>
      ) : property.enum ? (
        <select name={name} value={text} onChange={(e) => update(e.target.value)}>
          <option value="">{property.default === undefined ? "" : `default: ${String(property.default)}`}</option>
          {/* A value from a pipeline param is kept as written, so the select shows it instead of a blank. */}
          {reference && <option value={text}>{`param ${reference}${declared?.default !== undefined ? ` (now ${String(declared.default)})` : ""}`}</option>}
          {property.enum.map((v) => <option key={v}>{v}</option>)}
        </select>
      ) : (
        <input name={name} value={text} onChange={(e) => update(e.target.value)} aria-invalid={errors.length > 0}
          disabled={typeof value === "object" && value !== null} />
      )}
      {reference && (
        <span className="field-help" data-testid="param-reference">
          Set by the pipeline param <strong>{reference}</strong>{declared?.default !== undefined && <>, now {String(declared.default)}</>}
          {declared === undefined && " (not declared under params)"}; change it there, or type a value here for this step only.
        </span>
      )}
      {(property.description || property.default !== undefined) && (
        <span className="field-help">{property.description}{property.default !== undefined && !String(property.description ?? "").includes("Default") ? ` Default: ${JSON.stringify(property.default)}.` : ""}</span>
      )}
      {errors.map((d, i) => <span key={i} role="alert" className="field-error">{d.message}</span>)}
    </label>
  );
}

/** Where the designer lays the graph over the palette (styles.css keeps the same width). */
export const narrowDesigner = "(max-width: 1100px)";

/** The component list: beside the graph on a wide screen; under it on a narrow one, folded into "Add component" until opened. */
function Palette({ onAdd }: { onAdd: (type: string) => void }) {
  const narrow = useMediaQuery(narrowDesigner);
  const [open, setOpen] = useState(false);
  return (
    <details className="palette-drawer" open={!narrow || open} onToggle={(e) => { if (narrow) setOpen(e.currentTarget.open); }}>
      <summary>Add component</summary>
      <PaletteList onAdd={(type) => { onAdd(type); if (narrow) setOpen(false); }} />
    </details>
  );
}

function PaletteList({ onAdd }: { onAdd: (type: string) => void }) {
  const [types, setTypes] = useState<Schemas["ComponentTypeSummary"][]>([]);
  const [query, setQuery] = useState("");
  const [error, setError] = useState<string | null>(null);
  useEffect(() => { api.components().then(setTypes, (e: unknown) => setError(errorMessage(e))); }, []);
  const shown = types.filter((t) => t.type.includes(query) || t.description.toLowerCase().includes(query.toLowerCase()));
  const categories = [...new Set(shown.map((t) => t.type.split(".")[0]))];
  return (
    <aside className="palette" aria-label="Components">
      <label>Search components <input value={query} onChange={(e) => setQuery(e.target.value)} /></label>
      {error && <p role="alert">{error}</p>}
      {categories.map((c) => (
        <details key={c} open={query !== ""}>
          <summary>{c}</summary>
          {shown.filter((t) => t.type.startsWith(c + ".")).map((t) => (
            <button key={t.type} title={t.description} onClick={() => onAdd(t.type)} draggable
              onDragStart={(e) => e.dataTransfer.setData("application/x-tributary-component", t.type)}>{t.type}</button>
          ))}
        </details>
      ))}
    </aside>
  );
}

/** Schedule (cron with its next ticks) and retry policy, edited in the YAML. */
function ScheduleEditor({ text, onChange }: { text: string; onChange: (text: string) => void }) {
  const schedule = getSection(text, "schedule");
  const retry = getSection(text, "retry");
  const cron = String(schedule?.cron ?? "");
  // Without a timezone of its own, a schedule runs on the project's clock (tributary.yaml's timezone:).
  const own = schedule?.timezone == null ? "" : String(schedule.timezone);
  const projectZone = useReportingZone();
  const zone = own || projectZone || "UTC";
  const [next, setNext] = useState<string[]>([]);
  useEffect(() => {
    if (!cron) { setNext([]); return; }
    const timer = setTimeout(() => {
      // A 400 here is the expected answer to an expression still being typed: shown as "not a valid cron expression".
      api.nextTicks(cron, zone, 3).then((t) => setNext(t.map((x) => formatTickIn(x, zone))), () => setNext([]));
    }, 250);
    return () => clearTimeout(timer);
  }, [cron, zone]);
  const set = (c: string, z: string) => {
    const { timezone: _, ...rest } = schedule ?? {};
    onChange(setSection(text, "schedule", c ? { ...rest, cron: c, ...(z ? { timezone: z } : {}) } : null));
  };
  return (
    <form className="panel schedule" aria-label="Schedule and retry" onSubmit={(e) => e.preventDefault()}>
      <h2>Schedule and retry</h2>
      <label>Cron <input name="cron" value={cron} placeholder="0 6 * * *" onChange={(e) => set(e.target.value, own)} /></label>
      <label>Timezone <input name="timezone" value={own} placeholder={`the project's: ${projectZone ?? "UTC"}`} onChange={(e) => set(cron, e.target.value.trim())} /></label>
      <p className="muted" aria-live="polite">{next.length > 0 ? `${describeCron(cron)}. Next: ${next.join(" · ")}` : cron ? "not a valid cron expression" : "no schedule"}</p>
      <label>Max retries <input name="max_retries" type="number" min={0} max={100} value={String(retry?.max_retries ?? 0)}
        onChange={(e) => onChange(setSection(text, "retry", { ...(retry ?? {}), max_retries: Number(e.target.value) }))} /></label>
      <PartitionsEditor text={text} onChange={onChange} />
      <SensorsEditor text={text} onChange={onChange} />
    </form>
  );
}

/** Launch with an asset selection, a partition, a value for any of the pipeline's params (its default when left empty) and a full refresh. */
export function LaunchForm({ name, params: declared, onLaunched }: { name: string; params: Record<string, PipelineParam>; onLaunched: (queueId: string) => void }) {
  const [selection, setSelection] = useState("");
  const [partition, setPartition] = useState("");
  const [params, setParams] = useState<Record<string, string>>({});
  const [fullRefresh, setFullRefresh] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const launch = async () => {
    const overrides = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v.trim()]).filter(([, v]) => v !== ""));
    try {
      const { queue_id } = await api.run({ pipeline: name, selection: selection || null, partition: partition || null, params: overrides, full_refresh: fullRefresh || null });
      onLaunched(queue_id);
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  return (
    <form className="panel" aria-label="Run with options" onSubmit={(e) => { e.preventDefault(); void launch(); }}>
      <label>Assets (e.g. orders+, +report) <input name="selection" value={selection} onChange={(e) => setSelection(e.target.value)} /></label>
      <label>Partition <input name="partition" value={partition} onChange={(e) => setPartition(e.target.value)} /></label>
      {Object.keys(declared).length > 0 ? (
        <fieldset className="launch-params">
          <legend>Params (empty: the default)</legend>
          {Object.entries(declared).map(([key, p]) => (
            <label key={key}>{key}
              <input name={`param-${key}`} value={params[key] ?? ""} placeholder={p.default === undefined ? "" : String(p.default)}
                onChange={(e) => setParams((all) => ({ ...all, [key]: e.target.value }))} />
              {p.description && <span className="field-help">{p.description}</span>}
            </label>
          ))}
        </fieldset>
      ) : <p className="muted">This pipeline declares no params.</p>}
      <label><input type="checkbox" name="full_refresh" checked={fullRefresh} onChange={(e) => setFullRefresh(e.target.checked)} /> Full refresh</label>
      <p className="muted">Sources forget the files they loaded and load every file at their path again; rows of files no longer there are removed.</p>
      {error && <p role="alert">{error}</p>}
      <button type="submit">Launch</button>
    </form>
  );
}

function PartitionsEditor({ text, onChange }: { text: string; onChange: (text: string) => void }) {
  const partitions = getSection(text, "partitions");
  const set = (patch: Record<string, unknown>) => {
    const next = { ...(partitions ?? {}), ...patch };
    onChange(setSection(text, "partitions", next.type ? next : null));
  };
  return (
    <fieldset>
      <legend>Partitions</legend>
      <label>Type
        <select name="partition-type" value={String(partitions?.type ?? "")} onChange={(e) => set({ type: e.target.value || undefined })}>
          <option value="">none</option>{["hourly", "daily", "weekly", "monthly", "static"].map((t) => <option key={t}>{t}</option>)}
        </select>
      </label>
      {partitions && partitions.type !== "static" && <label>Start (YYYY-MM-DD) <input name="partition-start" value={String(partitions.start ?? "")} onChange={(e) => set({ start: e.target.value })} /></label>}
      {partitions && <label>Keys (comma-separated) <input name="partition-keys" value={Array.isArray(partitions.keys) ? partitions.keys.join(", ") : ""}
        onChange={(e) => set({ keys: e.target.value.split(",").map((k) => k.trim()).filter(Boolean) })} /></label>}
    </fieldset>
  );
}

function SensorsEditor({ text, onChange }: { text: string; onChange: (text: string) => void }) {
  const sensors = getSensors(text);
  const settings: Record<string, string[]> = { file_arrival: ["path", "pattern"], table_rows: ["table", "cursor_column"], run_status: ["pipeline", "status"], freshness: ["asset", "max_age", "action"] };
  const update = (i: number, patch: Record<string, unknown>) => onChange(setSection(text, "sensors", sensors.map((s, k) => (k === i ? { ...s, ...patch } : s))));
  return (
    <fieldset>
      <legend>Sensors</legend>
      {sensors.map((s, i) => (
        <div key={i} className="sensor">
          <strong>{String(s.type)}</strong>
          {[...(settings[String(s.type)] ?? []), "interval"].map((key) => (
            <label key={key}>{key} <input name={`sensor-${i}-${key}`} value={String(s[key] ?? "")} onChange={(e) => update(i, { [key]: e.target.value })} /></label>
          ))}
          <button type="button" className="secondary" onClick={() => onChange(setSection(text, "sensors", sensors.filter((_, k) => k !== i)))}>Remove sensor</button>
        </div>
      ))}
      <label>Add a sensor
        <select value="" onChange={(e) => e.target.value && onChange(setSection(text, "sensors", [...sensors, { type: e.target.value, interval: "30s" }]))}>
          <option value="">choose…</option>{Object.keys(settings).map((t) => <option key={t}>{t}</option>)}
        </select>
      </label>
    </fieldset>
  );
}
