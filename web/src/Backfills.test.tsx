import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { Schemas } from "./api/client";
import { Backfills } from "./Backfills";

const pipeline = (name: string, partitions: Schemas["PipelineSummary"]["partitions"]): Schemas["PipelineSummary"] => ({
  name, description: null, components: 3, schedule: null, timezone: null, next_tick: null, partitions, sensors: [], paused: false, error: null, partitioned_groups: [], group_schedules: [],
});

describe("Backfills", () => {
  it("says what to do when no pipeline has partitions, and points at no form that is not there", () => {
    const html = renderToStaticMarkup(<Backfills pipelines={[pipeline("customer_ltv", null)]} />);
    expect(html).toContain("To backfill, partition a pipeline");
    expect(html).toContain("Add <code>partitions:</code> to a pipeline");
    expect(html).toContain("docs/pipelines.md");
    expect(html).not.toContain("Start one above");
    expect(html).not.toContain('aria-label="Start a backfill"');
  });

  it("offers the form when a pipeline has partitions", () => {
    const html = renderToStaticMarkup(<Backfills pipelines={[pipeline("customer_ltv", null), pipeline("intake", "daily")]} />);
    expect(html).toContain('aria-label="Start a backfill"');
    expect(html).toContain(">intake (daily)</option>");
    expect(html).not.toContain("To backfill, partition a pipeline");
  });

  it("the form's placeholders follow the chosen pipeline's partitions", () => {
    const html = renderToStaticMarkup(<Backfills pipelines={[pipeline("customer_ltv", "daily")]} />);
    expect(html).toContain('placeholder="2025-01-01"');
    expect(html).toContain('placeholder="2025-01-07"');
    expect(html).not.toContain("T00:00");
  });
});
