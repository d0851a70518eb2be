/** A problem the server's validator found, at a line and column of the YAML. */
export interface Diagnostic { code: string; line: number; column: number; message: string; hint?: string }

export interface TemplateParam { name: string; type: string; default: string | null; description: string | null; min: number | null; max: number | null; allowed: string[] }
export interface Template { name: string; description: string | null; yaml: string; schedule: string | null; components: { id: string; type: string }[]; params: TemplateParam[] }
export interface Run { run_id: string; pipeline: string; status: string; trigger: string; started_at: string; ended_at: string | null; error: string | null; partition: string | null }
export interface PartitionPage { total: number; offset: number; limit: number; items: { asset: string; partition: string; state: string }[] }

/** The message of an error answer: ProblemDetails' detail. */
export function problemMessage(body: unknown, status: number): string {
  const b = body as { detail?: string; title?: string } | null;
  return b?.detail ?? b?.title ?? `HTTP ${status}`;
}

async function json<T>(response: Response): Promise<T> {
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw Object.assign(new Error(problemMessage(body, response.status)), { body });
  return body as T;
}

// The per-install write secret: the server gives it only to its own pages, and every change must carry it.
let writeSecret: Promise<{ header: string; secret: string | null }> | null = null;

function secret(fetcher: typeof fetch) {
  writeSecret ??= fetcher("/api/write-secret").then(json<{ header: string; secret: string | null }>).catch((e) => {
    writeSecret = null;
    throw e;
  });
  return writeSecret;
}

/** fetch, plus the write secret on requests that change something (anything but GET and HEAD). */
export async function send(url: string, init: RequestInit = {}, fetcher: typeof fetch = fetch): Promise<Response> {
  const method = (init.method ?? "GET").toUpperCase();
  if (method === "GET" || method === "HEAD") return fetcher(url, init);
  const { header, secret: value } = await secret(fetcher);
  const headers = new Headers(init.headers);
  if (value) headers.set(header, value);
  return fetcher(url, { ...init, headers });
}

/** Forgets the write secret (tests; a server that was given a new one). */
export function forgetWriteSecret() { writeSecret = null; }

const postJson = (url: string, body: unknown, method = "POST") =>
  send(url, { method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

export const api = {
  templates: () => fetch("/api/templates").then(json<Template[]>),
  pipelines: () => fetch("/api/pipelines").then(json<{ name: string; description?: string; schedule?: string; error?: string }[]>),
  yaml: (name: string) => fetch(`/api/pipelines/${name}/yaml`).then(json<{ yaml: string }>),
  validate: (yaml: string) => postJson("/api/validate", { yaml }).then(json<{ diagnostics: Diagnostic[] }>),
  save: (name: string, yaml: string) => postJson(`/api/pipelines/${name}/yaml`, { yaml }, "PUT").then(json<{ saved: string }>),
  run: (pipeline: string) => postJson("/api/runs", { pipeline }).then(json<{ queue_id: string }>),
  queue: (id: string) => fetch(`/api/queue/${id}`).then(json<{ state: string; run_id: string | null }>),
  runs: (pipeline?: string) => fetch(`/api/runs${pipeline ? `?pipeline=${pipeline}` : ""}`).then(json<Run[]>),
  asset: (name: string, limit = 200) => fetch(`/api/assets/${name}?limit=${limit}`).then(json<{ columns: { name: string; type: string }[]; rows: unknown[][] }>),
  partitions: (pipeline: string, offset = 0, limit = 1000) =>
    fetch(`/api/pipelines/${pipeline}/partitions?offset=${offset}&limit=${limit}`).then(json<PartitionPage>),
};
