import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { QueueWait } from "./RunView";

describe("QueueWait", () => {
  it("says why a queued run waits, as the server (and trib runs) says it", () => {
    const why = "waits for run 20261205-070321-580974 (trigger cli, running since 2026-12-05 07:03:21Z): one run of a pipeline (or partition) at a time; it starts when that run ends";
    expect(renderToStaticMarkup(<QueueWait status="queued" waits={why} />)).toBe('<p class="notice info" role="status" data-testid="queue-wait">Queued: it waits for run '
      + '<a href="#/run/20261205-070321-580974">20261205-070321-580974</a> (trigger cli, running since 2026-12-05 07:03:21Z): one run of a pipeline (or partition) at a time; it starts when that run ends.</p>');
  });

  it("a queued run that waits for nothing starts at the next tick; a started run says nothing", () => {
    expect(renderToStaticMarkup(<QueueWait status="queued" waits={null} />)).toContain("starts at the server&#x27;s next tick");
    expect(renderToStaticMarkup(<QueueWait status="running" waits="waits for a free run slot" />)).toBe("");
  });
});
