import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ActivationTable, RecentRuns, RunBadge } from "./Activations";
import { type Activation, activationFileUrl, activationHref, consentLabel, countEntries, countsSummary, destinationParts, kindLabel, nextRunLabel, runBadge, runState, scheduleLabel } from "./activations";

const hook: Activation = {
  pipeline: "churn_prevention", step: "crm_sync", type: "activate.webhook", destination: "https://crm.example/hooks/${env.CRM_TOKEN}?src=${env.CRM_SOURCE}",
  destination_kind: "url", environment_variables: ["CRM_TOKEN", "CRM_SOURCE"], format: null, consent: "required", consent_column: "marketing_consent",
  schedule: "0 6 * * *", timezone: "UTC", next_tick: "2026-01-02T06:00:00Z", group: null, paused: false,
  last_run: {
    run_id: "r1", run_status: "succeeded", step_status: "succeeded", trigger: "schedule", started_at: "2026-01-01T06:00:00Z", ended_at: "2026-01-01T06:00:05Z", error: null,
    counts: { rows_in: 10, delivered: 6, excluded_no_consent: 3, failed: 1, dead_letters: 1, other: { batches: 2, upserts: 4 } },
    warnings: ["1 row(s) in 1 of 2 batch(es) could not be delivered (first: HTTP 500); they are in crm_sync__dead_letter"], full_refresh: false,
  },
};

describe("activations", () => {
  it("shows each ${env.NAME} of a destination as the variable, between the plain text", () => {
    expect(destinationParts(hook.destination)).toEqual([
      { text: "https://crm.example/hooks/" }, { text: "${env.CRM_TOKEN}", env: "CRM_TOKEN" }, { text: "?src=" }, { text: "${env.CRM_SOURCE}", env: "CRM_SOURCE" },
    ]);
    expect(destinationParts("out/audiences/{segment}.csv")).toEqual([{ text: "out/audiences/{segment}.csv" }]);
    expect(destinationParts("${env.URL}")).toEqual([{ text: "${env.URL}", env: "URL" }]);
  });

  it("names every consent rule and the column it reads", () => {
    expect(consentLabel(hook)).toBe("Consent required (marketing_consent true)");
    expect(consentLabel({ consent: "unless_refused", consent_column: "opt_in" })).toBe("Unless refused (opt_in not false)");
    expect(consentLabel({ consent: "ignore", consent_column: null })).toBe("Not marketing: no consent filter");
  });

  it("says when it runs: the cron in words, the group whose schedule it is, paused", () => {
    // The zone as Catalog and Schedules write it, UTC too.
    expect(scheduleLabel(hook)).toBe("At 06:00 (UTC)");
    expect(scheduleLabel({ schedule: "0 * * * *", timezone: "Europe/Berlin", group: "hourly_sync", paused: true })).toBe("Every hour (Europe/Berlin) · group hourly_sync · paused");
    expect(scheduleLabel({ schedule: null, timezone: null, group: null, paused: false })).toBe("By hand or sensor");
  });

  it("names a table sync and counts the target's rows with its added, updated and removed", () => {
    const counts = { rows_in: null, delivered: 3, excluded_no_consent: null, failed: null, dead_letters: null, other: { added: 3, removed: 0, updated: 0 } };
    expect(kindLabel("activate.table")).toBe("Table sync");
    expect(countsSummary(counts, "activate.table")).toBe("3 rows in target");
    expect(countEntries(counts, "activate.table").map((c) => `${c.label}=${c.value}`)).toEqual(["Rows in target=3", "Added=3", "Removed=0", "Updated=0"]);
  });

  it("says the next run on the schedule's own clock, and none while paused", () => {
    expect(nextRunLabel({ ...hook, timezone: "UTC", next_tick: "2026-12-06T06:00:00Z" })).toMatch(/^Dec 6, 2026,? 06:00 UTC$/);
    expect(nextRunLabel({ ...hook, timezone: "Europe/Berlin", next_tick: "2026-12-06T05:00:00Z" })).toMatch(/^Dec 6, 2026,? 06:00 GMT\+1 · 05:00 UTC$/);
    expect(nextRunLabel({ ...hook, paused: true })).toBeNull();
    expect(nextRunLabel({ ...hook, next_tick: null })).toBeNull();
  });

  it("shows a step that succeeded with failed rows or a warning as amber with how many failed, never plain green", () => {
    const run = hook.last_run!;
    const counts = { ...run.counts!, failed: 129, dead_letters: 3 };
    expect(runBadge({ ...run, counts })).toEqual({ tone: "warning", text: "succeeded, 129 failed", title: run.warnings[0] });
    expect(runBadge({ ...run, counts: { ...counts, failed: null }, warnings: [] })).toEqual({ tone: "warning", text: "succeeded, 3 dead-letter batches", title: undefined });
    expect(runBadge({ ...run, counts: null })).toEqual({ tone: "warning", text: "succeeded with warnings", title: run.warnings[0] });
    expect(runBadge({ ...run, counts: { ...counts, failed: 0, dead_letters: 0 }, warnings: [] })).toEqual({ tone: "succeeded", text: "succeeded" });
    expect(runBadge({ ...run, step_status: "failed" })).toEqual({ tone: "failed", text: "failed" });
    expect(renderToStaticMarkup(<RunBadge run={{ ...run, counts }} />)).toContain('class="badge warning"');
  });

  it("lists the counts the step recorded in order, then any other key it recorded, and none it did not", () => {
    expect(countEntries(hook.last_run!.counts, hook.type).map((c) => `${c.label}=${c.value}`)).toEqual([
      "Rows in=10", "Delivered=6", "Left out (consent)=3", "Failed=1", "Dead-letter batches=1", "Batches=2", "Upserts=4",
    ]);
    const file = { rows_in: 3, delivered: 1, excluded_no_consent: 2, failed: null, dead_letters: null, other: {} };
    expect(countEntries(file, "activate.audience_file").map((c) => c.label)).toEqual(["Rows in", "Written", "Left out (consent)"]);
    expect(countsSummary(file, "activate.audience_file")).toBe("3 in · 1 written · 2 left out (consent)");
    expect(countsSummary(null, "activate.webhook")).toBe("—");
    // An audience file's other drops, in words: no usable email or phone, duplicates merged once normalized.
    const hashed = { ...file, delivered: 3, excluded_no_consent: 1, rows_in: 7, other: { rows_without_contact: 2, duplicates_merged: 1 } };
    expect(countEntries(hashed, "activate.audience_file").map((c) => `${c.label}=${c.value}`)).toEqual([
      "Rows in=7", "Written=3", "Left out (consent)=1", "Duplicates merged=1", "Left out (no email or phone)=2",
    ]);
    // A run recorded before rows_in was kept: what it has, nothing made up.
    expect(countsSummary({ rows_in: null, delivered: 5, excluded_no_consent: null, failed: null, dead_letters: null, other: {} }, "activate.webhook")).toBe("5 delivered");
  });

  it("shows the step's own state, which may differ from its run's", () => {
    const run = hook.last_run!;
    expect(runState({ ...run, run_status: "failed", step_status: "skipped" })).toBe("skipped");
    expect(runState({ ...run, run_status: "failed", step_status: "succeeded" })).toBe("succeeded");
    expect(runState({ ...run, run_status: "queued", step_status: "pending" })).toBe("queued");
  });

  it("links to the detail and the file download with names encoded", () => {
    expect(activationHref({ pipeline: "p q", step: "s/1" })).toBe("#/activation/p%20q/s%2F1");
    expect(activationFileUrl({ pipeline: "p", step: "s" }, 2)).toBe("/api/activations/p/s/files/2");
  });
});

describe("ActivationTable", () => {
  it("says how to add an activation when there is none, and where the docs say more", () => {
    const html = renderToStaticMarkup(<ActivationTable list={{ activations: [], unreadable: [] }} />);
    expect(html).toContain("No activations yet");
    expect(html).toContain("activate.webhook");
    expect(html).toContain('href="#/catalog"');
    expect(html).toContain("docs/use-cases.md");
  });

  it("lists an activation with its destination's variables by name, consent, schedule, last run and counts", () => {
    const html = renderToStaticMarkup(<ActivationTable list={{ activations: [hook], unreadable: [] }} />);
    expect(html).toContain('href="#/activation/churn_prevention/crm_sync"');
    expect(html).toContain('<span class="env-var"');
    expect(html).toContain("${env.CRM_TOKEN}");
    expect(html).toContain("Consent required (marketing_consent true)");
    expect(html).toContain('href="#/run/r1"');
    expect(html).toContain("10 in · 6 delivered · 3 left out (consent) · 1 failed");
    expect(html).toContain('<span class="badge warning" title="1 row(s) in 1 of 2 batch(es)');
    expect(html).toContain(">succeeded, 1 failed<");
    expect(html).not.toContain('class="badge succeeded"');
    expect(html).not.toContain("No activations yet");
  });

  it("names a pipeline that does not load, whose activations cannot be listed", () => {
    const html = renderToStaticMarkup(<ActivationTable list={{ activations: [], unreadable: [{ pipeline: "broken", error: "pipelines/broken.yaml:3:1: error TRIB0101: bad" }] }} />);
    expect(html).toContain('href="#/designer/broken"');
    expect(html).toContain("TRIB0101");
  });
});

describe("RecentRuns", () => {
  it("marks a full-refresh run, and only it", () => {
    const run = hook.last_run!;
    const html = renderToStaticMarkup(<RecentRuns type={hook.type} runs={[{ ...run, run_id: "r2", full_refresh: true }, run]} />);
    expect(html.match(/class="badge full-refresh"[^>]*>full refresh</g)).toHaveLength(1);
    expect(html.indexOf("full refresh")).toBeLessThan(html.indexOf('href="#/run/r1"'));
  });
});
