/** A problem the server's validator found, at a line and column of the YAML. */
export interface Diagnostic { code: string; line: number; column: number; message: string; hint?: string }

export interface TemplateParam { name: string; type: string; default: string | null; description: string | null; min: number | null; max: number | null; allowed: string[] }
export interface Template { name: string; description: string | null; yaml: string; schedule: string | null; components: { id: string; type: string }[]; params: TemplateParam[] }
export interface Run { run_id: string; pipeline: string; status: string; trigger: string; started_at: string; ended_at: string | null; error: string | null; partition: string | null }

async function json<T>(response: Response): Promise<T> {
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw Object.assign(new Error(body.error ?? `HTTP ${response.status}`), { body });
  return body as T;
}

export const api = {
  templates: () => fetch("/api/templates").then(json<Template[]>),
  pipelines: () => fetch("/api/pipelines").then(json<{ name: string; description?: string; schedule?: string; error?: string }[]>),
  yaml: (name: string) => fetch(`/api/pipelines/${name}/yaml`).then(json<{ yaml: string }>),
  validate: (yaml: string) =>
    fetch("/api/validate", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ yaml }) }).then(json<{ diagnostics: Diagnostic[] }>),
  save: (name: string, yaml: string) =>
    fetch(`/api/pipelines/${name}/yaml`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ yaml }) }).then(json<{ saved: string }>),
  run: (pipeline: string) =>
    fetch("/api/runs", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ pipeline }) }).then(json<{ queue_id: string }>),
  queue: (id: string) => fetch(`/api/queue/${id}`).then(json<{ state: string; run_id: string | null }>),
  runs: (pipeline?: string) => fetch(`/api/runs${pipeline ? `?pipeline=${pipeline}` : ""}`).then(json<Run[]>),
  asset: (name: string, limit = 200) => fetch(`/api/assets/${name}?limit=${limit}`).then(json<{ columns: { name: string; type: string }[]; rows: unknown[][] }>),
};
