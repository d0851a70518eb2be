import { describe, expect, it } from "vitest";
import { tickReason } from "./ticks";
import { formatDateTime } from "./ui/format";

describe("tick reasons", () => {
  it("shows a cursor's month-first UTC timestamps in the UI's date format", () => {
    const at = formatDateTime(new Date(Date.UTC(2026, 0, 5, 22, 0, 4)));
    expect(tickReason("new rows in events: received_at 01/05/2026 22:00:04 -> 01/05/2026 22:00:04")).toBe(`new rows in events: received_at ${at} -> ${at}`);
    expect(at).not.toContain("01/05/2026");
  });

  it("shows ISO timestamps, with or without a zone, the same way", () => {
    const at = formatDateTime(new Date(Date.UTC(2026, 0, 5, 22, 0, 4)));
    expect(tickReason("run at 2026-01-05T22:00:04.1234567+00:00")).toBe(`run at ${at}`);
    expect(tickReason("run at 2026-01-05 22:00:04")).toBe(`run at ${at}`);
    expect(tickReason("run at 2026-01-05T23:00:04+01:00")).toBe(`run at ${at}`);
    expect(tickReason("tick 2026-12-04 21:45 +00:00")).toBe(`tick ${formatDateTime(new Date(Date.UTC(2026, 11, 4, 21, 45)))}`);
  });

  it("gives ages in milliseconds as durations", () => {
    expect(tickReason("web_events is fresh (materialized 299595ms ago)")).toBe("web_events is fresh (materialized 5 min ago)");
  });
});
