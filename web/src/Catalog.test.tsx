import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { PipelineSummary, Run, Template } from "./api/client";
import { automation, PipelineCard, splitDescription, TemplateCard } from "./Catalog";

const now = Date.parse("2026-12-05T12:00:00Z");
const summary = (over: Partial<PipelineSummary>): PipelineSummary => ({
  name: "customer_ltv", description: "LTV", components: 5, schedule: null, timezone: null, next_tick: null, partitions: null, sensors: [], paused: false,
  error: null, partitioned_groups: [], group_schedules: [], last_run: null, ...over,
});
const run = (over: Partial<Run>): Run => ({
  run_id: "20261205-110000-abc", pipeline: "customer_ltv", status: "failed", trigger: "schedule", selection: null, partition: null,
  started_at: "2026-12-05T10:58:00Z", ended_at: "2026-12-05T11:00:00Z", error: "step ltv failed", params: {}, full_refresh: false, ...over,
});

describe("PipelineCard", () => {
  it("shows the last run's state and when, linked to the run", () => {
    const html = renderToStaticMarkup(<PipelineCard pipeline={summary({ last_run: run({}) })} now={now} />);
    expect(html).toContain('<span class="badge failed">failed</span>');
    expect(html).toMatch(/<a href="#\/run\/20261205-110000-abc" title="Run 20261205-110000-abc, started [^"]+">1 hour ago<\/a>/);
  });

  it("says a pipeline never ran, and one without a schedule runs when started", () => {
    const html = renderToStaticMarkup(<PipelineCard pipeline={summary({})} now={now} />);
    expect(html).toContain("never run");
    expect(html).toContain("none: runs when started");
    expect(html).not.toContain('class="badge on"');
  });

  it("a running run says when it started", () => {
    expect(renderToStaticMarkup(<PipelineCard pipeline={summary({ last_run: run({ status: "running", ended_at: null, started_at: "2026-12-05T11:55:00Z" }) })} now={now} />))
      .toContain(">started 5 minutes ago</a>");
  });
});

describe("automation", () => {
  // Templates may be added paused: the card reads the server's state, never assumes a schedule is on.
  it("reads on or paused from the server", () => {
    expect(automation(summary({ schedule: "0 6 * * *", timezone: "UTC", paused: true }))).toEqual({ on: false, what: "At 06:00 (UTC)", detail: "0 6 * * *" });
    expect(automation(summary({ schedule: "0 6 * * *", timezone: "UTC", paused: false }))?.on).toBe(true);
    expect(renderToStaticMarkup(<PipelineCard pipeline={summary({ schedule: "0 6 * * *", timezone: "UTC", paused: true })} now={now} />)).toContain('<span class="badge off">paused</span>');
    expect(renderToStaticMarkup(<PipelineCard pipeline={summary({ schedule: "0 6 * * *", timezone: "UTC", paused: false })} now={now} />)).toContain('<span class="badge on">on</span>');
  });

  it("counts a pipeline scheduled by its groups or sensors only", () => {
    const grouped = automation(summary({ group_schedules: [{ group: "ingest", schedule: "5 * * * *", timezone: "UTC", next_tick: null }], sensors: ["ingest: file_arrival in inbox"] }));
    expect(grouped).toEqual({ on: true, what: "ingest: At 5 minutes past the hour (UTC) · 1 sensor", detail: "ingest: 5 * * * *\ningest: file_arrival in inbox" });
    expect(automation(summary({ paused: null, error: "does not load" }))).toBeNull();
  });
});

describe("splitDescription", () => {
  it("leads with what the use case is for and folds the data flow, with arrows that do not break from their step", () => {
    const { lead, flow } = splitDescription("Catch payment fraud. Stripe charges -> canonical transactions -> rules -> alert queue table.");
    expect(lead).toBe("Catch payment fraud.");
    expect(flow).toBe("Stripe charges\u00a0→ canonical transactions\u00a0→ rules\u00a0→ alert queue table.");
  });

  it("keeps a description without a flow whole", () => {
    expect(splitDescription("Orders and customers in; a top-customer file out.")).toEqual({ lead: "Orders and customers in; a top-customer file out.", flow: null });
    expect(splitDescription("Says hello. Then goodbye.")).toEqual({ lead: "Says hello. Then goodbye.", flow: null });
  });

  it("shows the pipeline's description in the card, its flow under How it works", () => {
    const html = renderToStaticMarkup(<PipelineCard pipeline={summary({ description: "Value customers. Orders -> LTV." })} now={now} />);
    expect(html).toContain("<p>Value customers.</p>");
    expect(html).toContain("How it works");
    expect(html).not.toContain("->");
  });
});

describe("TemplateCard", () => {
  const template: Template = { name: "ab_testing", description: "Decide A/B tests.", yaml: "", components: [{ id: "a", type: "source.csv" }, { id: "b", type: "transform.sql" }], schedule: null, params: [] };
  it("offers a template the project has not added", () => {
    const html = renderToStaticMarkup(<TemplateCard template={template} added={false} onUse={() => undefined} />);
    expect(html).toContain(">Use this template</button>");
    expect(html).not.toContain("Added");
  });
  it("marks a template the project has added, and opens its pipeline", () => {
    const html = renderToStaticMarkup(<TemplateCard template={template} added onUse={() => undefined} />);
    expect(html).toMatch(/<span class="badge added"[^>]*>Added<\/span>/);
    expect(html).toContain('<a class="button" href="#/designer/ab_testing">Added: open ab_testing</a>');
    expect(html).not.toContain(">Use this template<");
  });
});

describe("a pipeline card's table conflicts", () => {
  const line = "pipelines/full_cdp.yaml:242:5: warning TRIB0209: asset 'customer_ltv' of pipeline 'full_cdp' is defined differently in pipelines/customer_ltv.yaml:57:5 (pipeline 'customer_ltv'), "
    + "and both write table 'customer_ltv': whichever runs last replaces the other's, and a partial run of the other then fails until it rebuilds it. Give one of them another id, or define both alike.";

  it("says how many tables another pipeline defines differently, each at its line", () => {
    const html = renderToStaticMarkup(<PipelineCard pipeline={summary({ name: "full_cdp", table_conflicts: [line] })} now={Date.parse("2026-12-05T12:00:00Z")} />);
    expect(html).toContain('data-testid="table-conflicts"');
    expect(html).toContain("1 table that another pipeline defines differently (TRIB0209): whichever runs last replaces the other&#x27;s rows");
    expect(html).toContain("pipelines/full_cdp.yaml:242:5: warning TRIB0209: asset &#x27;customer_ltv&#x27;");
  });

  it("says nothing for a pipeline whose tables are its own", () => {
    expect(renderToStaticMarkup(<PipelineCard pipeline={summary({ table_conflicts: [] })} now={Date.parse("2026-12-05T12:00:00Z")} />)).not.toContain("table-conflicts");
  });
});
