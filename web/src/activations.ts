import type { Schemas } from "./api/client";
import { describeSchedule, formatCount, formatTickIn } from "./ui/format";

export type Activation = Schemas["ActivationView"];
export type ActivationRun = Schemas["ActivationRunView"];
export type ActivationCounts = Schemas["ActivationCounts"];

/** Where the docs say how to add an activation step to a pipeline. */
export const activationDocs = "docs/use-cases.md, under Activation: who is sent where, and consent";

/** What kind of destination a step type is, for people. */
export function kindLabel(type: string): string {
  return type === "activate.webhook" ? "Webhook" : type === "activate.customer_feed" ? "Customer feed" : type === "activate.audience_file" ? "Audience file" : type === "activate.table" ? "Table sync" : type;
}

/** The destination in parts: plain text, and each `${env.NAME}` as the variable's name (the server never sends its value). */
export function destinationParts(destination: string): { text: string; env?: string }[] {
  const parts: { text: string; env?: string }[] = [];
  const pattern = /\$\{env\.([^}]+)\}/g;
  let at = 0;
  for (const m of destination.matchAll(pattern)) {
    if (m.index > at) parts.push({ text: destination.slice(at, m.index) });
    parts.push({ text: m[0], env: m[1] });
    at = m.index + m[0].length;
  }
  if (at < destination.length) parts.push({ text: destination.slice(at) });
  return parts;
}

/** Who the step may send, by its consent rule. */
export function consentLabel(a: Pick<Activation, "consent" | "consent_column">): string {
  const column = a.consent_column ?? "marketing_consent";
  switch (a.consent) {
    case "required": return `Consent required (${column} true)`;
    case "unless_refused": return `Unless refused (${column} not false)`;
    case "ignore": return "Not marketing: no consent filter";
    default: return a.consent;
  }
}

/** When the step runs: its group's or its pipeline's schedule in words, or how else it runs. */
export function scheduleLabel(a: Pick<Activation, "schedule" | "timezone" | "group" | "paused">): string {
  const when = a.schedule ? describeSchedule(a.schedule, a.timezone) : "By hand or sensor";
  const group = a.schedule && a.group ? ` · group ${a.group}` : "";
  return `${when}${group}${a.paused ? " · paused" : ""}`;
}

/** When the schedule runs the step next, on the schedule's clock with UTC beside; null when paused or unscheduled (the Schedules page shows "—"). */
export function nextRunLabel(a: Pick<Activation, "next_tick" | "timezone" | "paused">): string | null {
  return a.paused || !a.next_tick ? null : formatTickIn(a.next_tick, a.timezone);
}

/** A count's name, for people: the named ones, then any other key the step recorded (upserts, customers…) made readable. */
export function countLabel(key: string, type: string): string {
  switch (key) {
    case "rows_in": return "Rows in";
    case "delivered": return type === "activate.webhook" ? "Delivered" : type === "activate.table" ? "Rows in target" : "Written";
    case "excluded_no_consent": return "Left out (consent)";
    case "failed": return "Failed";
    case "dead_letters": return "Dead-letter batches";
    case "rows_without_contact": return "Left out (no email or phone)";
    default: {
      const words = key.replace(/_/g, " ");
      return words.charAt(0).toUpperCase() + words.slice(1);
    }
  }
}

/** A run's counts in order, those the step recorded only: rows in, delivered or written, left out, failed, dead letters, then the others by key. */
export function countEntries(counts: ActivationCounts | null | undefined, type: string): { key: string; label: string; value: number }[] {
  if (!counts) return [];
  const named: [string, number | null | undefined][] = [
    ["rows_in", counts.rows_in], ["delivered", counts.delivered], ["excluded_no_consent", counts.excluded_no_consent],
    ["failed", counts.failed], ["dead_letters", counts.dead_letters],
  ];
  const other = Object.entries(counts.other ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return [...named, ...other]
    .filter((e): e is [string, number] => typeof e[1] === "number")
    .map(([key, value]) => ({ key, label: countLabel(key, type), value }));
}

/** The counts on one line, e.g. "3 in · 1 delivered · 2 left out (consent) · 1 failed"; "—" when the run recorded none. */
export function countsSummary(counts: ActivationCounts | null | undefined, type: string): string {
  const entries = countEntries(counts, type).filter((e) => ["rows_in", "delivered", "excluded_no_consent", "failed"].includes(e.key));
  if (entries.length === 0) return "—";
  return entries.map((e) => `${formatCount(e.value)} ${e.key === "rows_in" ? "in" : e.label.toLowerCase()}`).join(" · ");
}

/** The state shown for a run: the step's own (it may be skipped in a failed run), else the run's. */
export function runState(run: ActivationRun): string {
  return run.step_status === "pending" ? run.run_status : run.step_status;
}

/**
 * The run's badge: its state, but a step that succeeded while rows failed or went to dead letters, or with a warning,
 * is amber with how many failed ("succeeded, 129 failed"), never plain green.
 */
export function runBadge(run: ActivationRun): { tone: string; text: string; title?: string } {
  const state = runState(run);
  const failed = run.counts?.failed ?? 0;
  const dead = run.counts?.dead_letters ?? 0;
  const warnings = run.warnings ?? [];
  if (state !== "succeeded" || (failed <= 0 && dead <= 0 && warnings.length === 0)) return { tone: state, text: state };
  const text = failed > 0 ? `succeeded, ${formatCount(failed)} failed`
    : dead > 0 ? `succeeded, ${formatCount(dead)} dead-letter batch${dead === 1 ? "" : "es"}`
    : "succeeded with warnings";
  return { tone: "warning", text, title: warnings.length > 0 ? warnings.join("\n") : undefined };
}

/** Where an activation's detail page is. */
export const activationHref = (a: Pick<Activation, "pipeline" | "step">) => `#/activation/${encodeURIComponent(a.pipeline)}/${encodeURIComponent(a.step)}`;

/** Where a file the step wrote downloads. */
export const activationFileUrl = (a: Pick<Activation, "pipeline" | "step">, index: number) =>
  `/api/activations/${encodeURIComponent(a.pipeline)}/${encodeURIComponent(a.step)}/files/${index}`;
