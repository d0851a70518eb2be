import { useEffect, useState } from "react";
import { api, ApiError, errorMessage, type Diagnostic, type PipelineSummary, type Template } from "./api/client";
import { renamePipeline, setParamDefault } from "./pipelineGraph";
import { EmptyState, ErrorNotice, Loading, Page } from "./ui/components";
import { describeCron } from "./ui/format";

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
          {pipelines.map((p) => (
            <li key={p.name} className="card">
              <h3>{p.name}</h3>
              <p className="grow">{p.description ?? <span className="muted">No description.</span>}</p>
              {p.schedule && <p className="muted" title={p.schedule}>Scheduled: {describeCron(p.schedule)} ({p.timezone}){p.paused ? ", paused" : ""}</p>}
              {p.error && <ErrorNotice>{p.error}</ErrorNotice>}
              <div className="actions">
                <a className="button" href={`#/dashboard/${encodeURIComponent(p.name)}`}>Dashboard</a>
                <a className="button secondary" href={`#/designer/${encodeURIComponent(p.name)}`}>Open in designer</a>
              </div>
            </li>
          ))}
        </ul>
      )}
      {chosen && <TemplateForm template={chosen} onCancel={() => setChosen(null)} />}
      <h2 className="section-title">Templates</h2>
      {templates === null ? <Loading what="Loading templates" /> : templates.length === 0 ? <EmptyState title="No templates installed" /> : (
        <ul className="cards">
          {templates.map((t) => (
            <li key={t.name} className="card">
              <h3>{t.name}</h3>
              <p className="grow">{t.description}</p>
              <p className="muted">{t.components.length} components{t.schedule ? ` · schedule ${t.schedule}` : ""}</p>
              <div className="actions"><button onClick={() => setChosen(t)}>Use this template</button></div>
            </li>
          ))}
        </ul>
      )}
    </Page>
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
