import { useEffect, useState } from "react";
import { api, ApiError, errorMessage, type Diagnostic, type PipelineSummary, type Template } from "./api/client";
import { renamePipeline, setParamDefault } from "./pipelineGraph";
import { EmptyState, ErrorNotice, Loading, Page, StatusBadge } from "./ui/components";
import { describeCron, describeSchedule, formatAgo, formatDateTime } from "./ui/format";

/** The use-case templates as cards and the project's own pipelines; "Use this template" creates a pipeline from a form of its params. */
export function Catalog() {
  const [templates, setTemplates] = useState<Template[] | null>(null);
  const [pipelines, setPipelines] = useState<PipelineSummary[] | null>(null);
  const [chosen, setChosen] = useState<Template | null>(null);
  const [errors, setErrors] = useState<string[]>([]);
  useEffect(() => {
    const fail = (e: unknown) => setErrors((all) => [...all, errorMessage(e)]);
    api.templates().then(setTemplates, fail);
    api.pipelines().then(setPipelines, fail);
  }, []);
  return (
    <Page title="Catalog" subtitle="Start a pipeline from a use-case template, or open one of this project's pipelines.">
      {errors.map((e, i) => <ErrorNotice key={i}>{e}</ErrorNotice>)}
      <h2 className="section-title">Your pipelines</h2>
      {pipelines === null ? <Loading what="Loading pipelines" /> : pipelines.length === 0 ? (
        <EmptyState title="No pipelines yet">Choose a template below and press “Use this template”, or add a YAML file to the project's pipelines/ folder.</EmptyState>
      ) : (
        <ul className="cards">
          {pipelines.map((p) => <PipelineCard key={p.name} pipeline={p} />)}
        </ul>
      )}
      {chosen && <TemplateForm template={chosen} onCancel={() => setChosen(null)} />}
      <h2 className="section-title">Templates</h2>
      {templates === null ? <Loading what="Loading templates" /> : templates.length === 0 ? <EmptyState title="No templates installed" /> : (
        <ul className="cards">
          {templates.map((t) => <TemplateCard key={t.name} template={t} added={pipelines?.some((p) => p.name === t.name) ?? false} onUse={() => setChosen(t)} />)}
        </ul>
      )}
    </Page>
  );
}

/**
 * A use-case template: what it does, and either "Use this template" or, once the project has a pipeline of its name (as
 * `trib templates add` makes it), an Added badge and a link to that pipeline, with a new copy still a click away.
 */
export function TemplateCard({ template: t, added, onUse }: { template: Template; added: boolean; onUse: () => void }) {
  return (
    <li className="card" aria-label={`Template ${t.name}`}>
      <h3>{t.name}{added && <> <span className="badge added" title={`This project has a pipeline ${t.name} from this template`}>Added</span></>}</h3>
      <Description text={t.description} />
      <p className="muted">{t.components.length} components{t.schedule ? ` · runs ${sentenceCase(describeCron(t.schedule))}` : ""}</p>
      <div className="actions">
        {added ? <>
          <a className="button" href={`#/designer/${encodeURIComponent(t.name)}`}>Added: open {t.name}</a>
          <button className="secondary" onClick={onUse}>Use as a new pipeline</button>
        </> : <button onClick={onUse}>Use this template</button>}
      </div>
    </li>
  );
}

/**
 * A description as a card reads it: its first sentence (what the use case is for), then the data flow ("Shopify orders ->
 * standardize -> …") with arrows, folded, so that cards do not open with a paragraph of model names.
 */
export function splitDescription(text: string): { lead: string; flow: string | null } {
  const arrows = (s: string) => s.replace(/\s*->\s*/g, "\u00a0→ ");
  const end = text.search(/[.!?]\s/);
  if (end < 0 || !text.slice(end + 1).includes("->")) return { lead: arrows(text), flow: null };
  return { lead: text.slice(0, end + 1), flow: arrows(text.slice(end + 1).trim()) };
}

// "At 08:00" inside a sentence: "runs at 08:00".
const sentenceCase = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

function Description({ text }: { text: string | null }) {
  if (!text) return <p className="grow muted">No description.</p>;
  const { lead, flow } = splitDescription(text);
  return (
    <div className="grow">
      <p>{lead}</p>
      {flow && <details className="flow"><summary className="muted">How it works</summary><p className="muted">{flow}</p></details>}
    </div>
  );
}

/**
 * Whether a pipeline runs by itself, as the server has it (a template may be added paused): its schedules (the
 * pipeline's and its groups') and sensors, and whether they are on. Null when it has none: it runs when started.
 */
export function automation(p: PipelineSummary): { on: boolean; what: string; detail: string } | null {
  const schedules = [
    ...(p.schedule ? [{ label: describeSchedule(p.schedule, p.timezone), cron: p.schedule }] : []),
    ...p.group_schedules.map((g) => ({ label: `${g.group}: ${describeSchedule(g.schedule, g.timezone)}`, cron: `${g.group}: ${g.schedule}` })),
  ];
  if (schedules.length === 0 && p.sensors.length === 0) return null;
  const sensors = p.sensors.length === 0 ? "" : `${p.sensors.length} sensor${p.sensors.length === 1 ? "" : "s"}`;
  const what = [schedules.map((s) => s.label).join("; "), sensors].filter(Boolean).join(" · ");
  return { on: p.paused === false, what, detail: [...schedules.map((s) => s.cron), ...p.sensors].join("\n") };
}

/** One of the project's pipelines: what it is, how its last run went (with a link to it), and whether it runs by itself. */
export function PipelineCard({ pipeline: p, now = Date.now() }: { pipeline: PipelineSummary; now?: number }) {
  const auto = automation(p);
  const last = p.last_run;
  return (
    <li className="card" aria-label={`Pipeline ${p.name}`}>
      <h3>{p.name}</h3>
      {p.description ? <Description text={p.description} /> : <p className="grow muted">No description.</p>}
      <dl className="pipeline-facts">
        <dt>Last run</dt>
        <dd data-testid="last-run">{last ? <>
          <StatusBadge status={last.status} />{" "}
          <a href={`#/run/${encodeURIComponent(last.run_id)}`} title={`Run ${last.run_id}, started ${formatDateTime(last.started_at)}`}>
            {last.status === "running" ? "started " : ""}{formatAgo(last.ended_at ?? last.started_at, now)}
          </a>
          {last.partition ? <span className="muted"> [{last.partition}]</span> : null}
        </> : <span className="muted">never run</span>}</dd>
        <dt>Schedule</dt>
        <dd data-testid="schedule-state">{auto ? <>
          <span className={`badge ${auto.on ? "on" : "off"}`}>{auto.on ? "on" : "paused"}</span>{" "}
          <span title={auto.detail}>{auto.what}</span>
        </> : <span className="muted">none: runs when started</span>}</dd>
      </dl>
      {p.error && <ErrorNotice>{p.error}</ErrorNotice>}
      <TableConflicts lines={p.table_conflicts ?? []} />
      <div className="actions">
        <a className="button" href={`#/dashboard/${encodeURIComponent(p.name)}`}>Dashboard</a>
        <a className="button secondary" href={`#/designer/${encodeURIComponent(p.name)}`}>Open in designer</a>
      </div>
    </li>
  );
}

/** Tables the pipeline writes that another pipeline defines differently (TRIB0209): whichever runs last replaces the other's rows. */
export function TableConflicts({ lines }: { lines: readonly string[] }) {
  if (lines.length === 0) return null;
  return (
    <details className="notice warning" data-testid="table-conflicts">
      <summary>{lines.length === 1 ? "1 table" : `${lines.length} tables`} that another pipeline defines differently (TRIB0209): whichever runs last replaces the other's rows</summary>
      <ul>{lines.map((l) => <li key={l} className="error-text">{l}</li>)}</ul>
    </details>
  );
}

function TemplateForm({ template, onCancel }: { template: Template; onCancel: () => void }) {
  const [name, setName] = useState(`my_${template.name}`);
  const [values, setValues] = useState<Record<string, string>>(Object.fromEntries(template.params.map((p) => [p.name, p.default ?? ""])));
  const [problems, setProblems] = useState<Diagnostic[]>([]);
  const create = async () => {
    let yaml = renamePipeline(template.yaml, name);
    for (const p of template.params) if ((values[p.name] ?? "") !== (p.default ?? "")) yaml = setParamDefault(yaml, p.name, values[p.name]);
    try {
      await api.save(name, yaml);
      window.location.hash = `#/designer/${encodeURIComponent(name)}`;
    } catch (e) {
      const diagnostics = e instanceof ApiError ? e.diagnostics : [];
      setProblems(diagnostics.length > 0 ? diagnostics : [{ code: "", severity: "error", line: 0, column: 0, message: errorMessage(e), hint: null }]);
    }
  };
  return (
    <form className="panel template-form" aria-label={`Create from ${template.name}`} onSubmit={(e) => { e.preventDefault(); void create(); }}>
      <h2>New pipeline from {template.name}</h2>
      <label>Pipeline name <input name="pipeline-name" value={name} onChange={(e) => setName(e.target.value)} pattern="[a-z0-9_]+" required /></label>
      {template.params.map((p) => (
        <label key={p.name} title={p.description ?? undefined}>
          {p.name} <span className="muted">({p.type}) {p.description}</span>
          {p.allowed.length > 0 ? (
            <select name={p.name} value={values[p.name]} onChange={(e) => setValues({ ...values, [p.name]: e.target.value })}>
              {p.allowed.map((a) => <option key={a}>{a}</option>)}
            </select>
          ) : (
            <input name={p.name} value={values[p.name]} onChange={(e) => setValues({ ...values, [p.name]: e.target.value })} />
          )}
        </label>
      ))}
      {problems.map((d, i) => <ErrorNotice key={i}>{d.line > 0 ? `line ${d.line}: ` : ""}{d.message}</ErrorNotice>)}
      <div className="actions"><button type="submit">Create pipeline</button><button type="button" className="secondary" onClick={onCancel}>Cancel</button></div>
    </form>
  );
}
