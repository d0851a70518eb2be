import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";
import { session as tabSession, withToken, type Session } from "./session";

/**
 * The API's types, generated from the server's OpenAPI document (src/api/openapi.json, renewed by `npm run openapi`;
 * `npm run build` generates schema.d.ts from it, so a client that disagrees with the server does not compile).
 */
export type Schemas = components["schemas"];
export type Diagnostic = Schemas["DiagnosticView"];
export type Template = Schemas["TemplateView"];
export type TemplateParam = Schemas["TemplateParam"];
export type Run = Schemas["RunView"];
export type RunDetail = Schemas["RunDetail"];
export type RunEvent = Schemas["RunEventView"];
export type RunEnded = Schemas["RunEnded"];
export type PartitionPage = Schemas["PartitionPage"];
export type PipelineSummary = Schemas["PipelineSummary"];
export type Problem = Schemas["ProblemDetails"];

/** How a table's rows are asked for: ordered by one column, narrowed to rows whose text contains `search`, or to rows whose `keyColumn` holds one of `keys`. */
export interface RowsView {
  sort?: { column: string; direction: "asc" | "desc" };
  search?: string;
  keyColumn?: string;
  keys?: string[];
}

/** A call the server refused or could not answer: the message is the ProblemDetails detail; a refused pipeline's problems are in `diagnostics`. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly problem: Problem | null) {
    super(problemMessage(problem, status));
    this.name = "ApiError";
  }

  /** The pipeline's problems, when the server refused it for them. */
  get diagnostics(): Diagnostic[] {
    return this.problem?.diagnostics ?? [];
  }
}

/** The message of an error answer: ProblemDetails' detail, else its title, else the status. */
export function problemMessage(body: unknown, status: number): string {
  const b = body as { detail?: string | null; title?: string | null } | null;
  return b?.detail ?? b?.title ?? `HTTP ${status}`;
}

/** What the page says when the server did not answer at all (stopped, restarting, network down). */
export const unreachableMessage = "Can't reach the Tributary server: is trib serve still running? Reload the page once it is back.";

/** The message of anything a call threw, for the page to show. */
export function errorMessage(e: unknown): string {
  // fetch rejects with a TypeError ("Failed to fetch", "NetworkError…", "Load failed") only when no answer came back.
  if (e instanceof TypeError) return unreachableMessage;
  return e instanceof Error ? e.message : String(e);
}

type Fetcher = (request: Request) => Promise<Response>;

// The per-install write secret: the server gives it only to its own pages, and every change must carry it.
function writeSecret(fetcher: Fetcher, baseUrl: string): Middleware {
  let grant: Promise<Schemas["WriteSecretGrant"]> | null = null;
  const secret = () => {
    grant ??= fetcher(new Request(`${baseUrl}/api/write-secret`)).then(async (r) => {
      const body: unknown = await r.json().catch(() => null);
      if (!r.ok) throw new ApiError(r.status, body as Problem | null);
      return body as Schemas["WriteSecretGrant"];
    }).catch((e: unknown) => {
      grant = null;
      throw e;
    });
    return grant;
  };
  return {
    async onRequest({ request }) {
      if (request.method === "GET" || request.method === "HEAD") return undefined;
      const { header, secret: value } = await secret();
      if (value) request.headers.set(header, value);
      return request;
    },
  };
}

type Answer<T> = { data?: T; error?: unknown; response: Response };

// The body of a successful answer, or an ApiError with the server's message.
async function body<T>(call: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw new ApiError(response.status, (error ?? null) as Problem | null);
  return data as T;
}

/** The API, typed from its OpenAPI document; path segments are encoded, changes carry the write secret, and every call the session's token. */
export function createApi(options: { baseUrl?: string; fetch?: Fetcher; session?: Session } = {}) {
  const baseUrl = options.baseUrl ?? "";
  const fetcher: Fetcher = withToken(options.fetch ?? ((request) => globalThis.fetch(request)), options.session ?? tabSession);
  const client = createClient<paths>({ baseUrl, fetch: fetcher });
  client.use(writeSecret(fetcher, baseUrl));
  return {
    templates: () => body(client.GET("/api/templates")),
    pipelines: () => body(client.GET("/api/pipelines")),
    components: () => body(client.GET("/api/components")),
    componentSchema: (type: string) => body(client.GET("/api/components/{type}/schema", { params: { path: { type } } })),
    yaml: (name: string) => body(client.GET("/api/pipelines/{name}/yaml", { params: { path: { name } } })),
    /** Validates YAML text as pipeline `name` (by default the one it declares) of the project: its errors, and warnings where it defines an asset otherwise than another pipeline. */
    validate: (yaml: string, name?: string) => body(client.POST("/api/validate", { params: { query: { name } }, body: { yaml } })),
    save: (name: string, yaml: string) => body(client.PUT("/api/pipelines/{name}/yaml", { params: { path: { name } }, body: { yaml } })),
    pause: (name: string, paused: boolean) =>
      body(paused ? client.POST("/api/pipelines/{name}/pause", { params: { path: { name } } }) : client.POST("/api/pipelines/{name}/resume", { params: { path: { name } } })),
    nextTicks: (expression: string, timezone: string, count: number) => body(client.GET("/api/cron/next", { params: { query: { expression, timezone, count } } })),
    ticks: (limit: number) => body(client.GET("/api/ticks", { params: { query: { limit } } })),
    run: (submission: Schemas["RunSubmission"]) => body(client.POST("/api/runs", { body: submission })),
    queue: (id: string) => body(client.GET("/api/queue/{id}", { params: { path: { id } } })),
    cancelRun: (id: string) => body(client.POST("/api/runs/{id}/cancel", { params: { path: { id } } })),
    runs: (pipeline?: string) => body(client.GET("/api/runs", { params: { query: { pipeline } } })),
    runDetail: (id: string) => body(client.GET("/api/runs/{id}", { params: { path: { id } } })),
    assets: (includeInternal = false) => body(client.GET("/api/assets", { params: { query: { include_internal: includeInternal } } })),
    /** A page of a table's rows; ordered by a column of it and narrowed by a search (or to the rows whose key_column holds a key) on the server, over the whole table. */
    asset: (name: string, limit = 200, offset = 0, view: RowsView = {}) => body(client.GET("/api/assets/{name}", { params: { path: { name }, query: {
      limit, offset, order_by: view.sort?.column, direction: view.sort?.direction, search: view.search || undefined, key_column: view.keyColumn, key: view.keys,
    } } })),
    history: (name: string) => body(client.GET("/api/assets/{name}/history", { params: { path: { name } } })),
    /** The generated demo store's true channel shares; a 404 ApiError on a project without demo data. */
    channelTruth: () => body(client.GET("/api/demo/ground-truth/channels")),
    lineage: (asset: string) => body(client.GET("/api/lineage/{asset}", { params: { path: { asset } } })),
    /** A customer's recommendations by any identifier the identity graph knows (profile id, email…); a 404 ApiError before any were materialized. */
    recommendations: (customer: string, limit = 10) =>
      body(client.GET("/api/recommendations/{customer}", { params: { path: { customer }, query: { limit } } })),
    /** What the recommendation lists hold overall: customers, catalog coverage, the `limit` products on most lists, items per source. */
    recommendationOverview: (limit = 10) => body(client.GET("/api/recommendation-overview", { params: { query: { limit } } })),
    /** Products customers bought alongside this one (recs.item_similarity). */
    similar: (sku: string, limit = 10) => body(client.GET("/api/similar/{sku}", { params: { path: { sku }, query: { limit } } })),
    /** Products bought in the same order as this one (recs.bought_together rules). */
    boughtTogether: (sku: string, limit = 10) => body(client.GET("/api/bought-together/{sku}", { params: { path: { sku }, query: { limit } } })),
    /** Customer 360: one page of the profiles whose email, phone, profile id or any identifier is this text, with how many match in all (none before an identity step has run). */
    customers: (q: string, offset = 0, limit = 20) => body(client.GET("/api/customers", { params: { query: { q, offset, limit } } })),
    /** Customer 360: everything the warehouse holds about one profile; a 404 ApiError for an unknown profile or no identity graph. */
    customer: (profileId: string) => body(client.GET("/api/customers/{profileId}", { params: { path: { profileId } } })),
    /** Every activation step (audience file, customer feed, webhook) of the project's pipelines, with its last run. */
    activations: () => body(client.GET("/api/activations")),
    /** One activation step with its recent runs, its webhook tables and the files its latest run wrote; a 404 ApiError for no such step. */
    activation: (pipeline: string, step: string) => body(client.GET("/api/activations/{pipeline}/{step}", { params: { path: { pipeline, step } } })),
    /** The warehouse's tables and views by schema, with their columns and row counts (the Explore page). */
    tables: () => body(client.GET("/api/tables")),
    /** Read-only SQL on the warehouse (the server refuses any change from the web UI): at most `limit` rows. */
    query: (sql: string, limit: number) => body(client.POST("/api/query", { body: { sql, limit, write: false } })),
    /** How many rows of a table an audience's conditions select, of how many, and the first 20, as segment.audience would write them now. */
    audiencePreview: (request: Schemas["AudiencePreviewRequest"]) => body(client.POST("/api/audiences/preview", { body: request })),
    backfills: () => body(client.GET("/api/backfills")),
    /** Starts a backfill of a pipeline's partitions, or of one of its partitioned groups' (submission.group). */
    startBackfill: (submission: Schemas["BackfillSubmission"]) => body(client.POST("/api/backfills", { body: submission })),
    cancelBackfill: (id: string) => body(client.POST("/api/backfills/{id}/cancel", { params: { path: { id } } })),
    retryBackfill: (id: string) => body(client.POST("/api/backfills/{id}/retry", { params: { path: { id } } })),
    partitions: (pipeline: string, offset = 0, limit = 1000) =>
      body(client.GET("/api/pipelines/{name}/partitions", { params: { path: { name: pipeline }, query: { offset, limit } } })),
  };
}

export const api = createApi();

/** A GET of an API address that is no typed call (a download, an event stream), with the session's token. */
export function apiFetch(url: string, init?: RequestInit): Promise<Response> {
  return withToken((request) => globalThis.fetch(request))(new Request(new URL(url, globalThis.location?.href ?? "http://localhost/"), init));
}

/** Whether the server takes `token`: a 401 says no; any other refusal is an ApiError with the server's message. */
export async function checkToken(token: string, fetcher: Fetcher = (request) => globalThis.fetch(request), baseUrl = ""): Promise<boolean> {
  const response = await fetcher(new Request(new URL(`${baseUrl}/api/runs?limit=1`, globalThis.location?.href ?? "http://localhost/"), { headers: { Authorization: `Bearer ${token}` } }));
  if (response.status === 401) return false;
  if (!response.ok) throw new ApiError(response.status, (await response.json().catch(() => null)) as Problem | null);
  return true;
}

/** Saves what an API address answers as a file named `fileName` (a link could not carry the token). */
export async function download(url: string, fileName: string): Promise<void> {
  const response = await apiFetch(url);
  if (!response.ok) throw new ApiError(response.status, (await response.json().catch(() => null)) as Problem | null);
  const href = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = href;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // After the browser has taken the file.
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
}

/** Where a run's events stream (server-sent events: RunEvent messages, then `end` with RunEnded). */
export const runEventsUrl = (runId: string) => `/api/runs/${encodeURIComponent(runId)}/events`;

/** Where a table downloads as CSV. */
export const csvUrl = (table: string) => `/api/assets/${encodeURIComponent(table)}/csv`;
