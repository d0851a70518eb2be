import { useEffect, useState } from "react";
import { api, ApiError, errorMessage, type Diagnostic, type PipelineSummary, type Template } from "./api/client";
import { renamePipeline, setParamDefault } from "./pipelineGraph";

/** The use-case templates as cards and the project's own pipelines; "Use this template" creates a pipeline from a form of its params. */
export function Catalog() {
  const [templates, setTemplates] = useState<Template[]>([]);
  const [pipelines, setPipelines] = useState<PipelineSummary[]>([]);
  const [chosen, setChosen] = useState<Template | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.templates().then(setTemplates, (e: unknown) => setError(errorMessage(e)));
    api.pipelines().then(setPipelines, (e: unknown) => setError(errorMessage(e)));
  }, []);
  return (
    <section>
      {error && <p role="alert">{error}</p>}
      <h1>Templates</h1>
      <ul className="cards">
        {templates.map((t) => (
          <li key={t.name} className="card">
            <h2>{t.name}</h2>
            <p>{t.description}</p>
            <p className="muted">{t.components.length} components{t.schedule ? `, schedule ${t.schedule}` : ""}</p>
            <button onClick={() => setChosen(t)}>Use this template</button>
          </li>
        ))}
      </ul>
      {chosen && <TemplateForm template={chosen} onCancel={() => setChosen(null)} />}
      <h1>Pipelines</h1>
      <ul className="cards">
        {pipelines.map((p) => (
          <li key={p.name} className="card">
            <h2>{p.name}</h2>
            <p>{p.description}</p>
            {p.error && <p role="alert">{p.error}</p>}
            <a href={`#/designer/${encodeURIComponent(p.name)}`}>Open in designer</a> · <a href={`#/dashboard/${encodeURIComponent(p.name)}`}>Dashboard</a>
          </li>
        ))}
      </ul>
    </section>
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
      setProblems(diagnostics.length > 0 ? diagnostics : [{ code: "", line: 0, column: 0, message: errorMessage(e), hint: null }]);
    }
  };
  return (
    <form className="panel" aria-label={`Create from ${template.name}`} onSubmit={(e) => { e.preventDefault(); void create(); }}>
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
      {problems.map((d, i) => <p key={i} role="alert">{d.line > 0 ? `line ${d.line}: ` : ""}{d.message}</p>)}
      <button type="submit">Create pipeline</button> <button type="button" onClick={onCancel}>Cancel</button>
    </form>
  );
}
