import { describe, expect, it } from "vitest";
import { nextTick } from "./schedules";

const group = (name: string, nextTick: string | null, timezone = "America/New_York") => ({ group: name, schedule: "0 7 * * *", timezone, next_tick: nextTick });

describe("the Schedules page's next tick", () => {
  it("names the soonest group after a dash, its UTC time set apart by a dot, with no brackets", () => {
    const text = nextTick({ paused: false, next_tick: null, timezone: null, group_schedules: [group("hourly", "2026-12-07T13:00:00Z"), group("ingest", "2026-12-07T12:00:00Z")] });
    expect(text).toMatch(/^Dec 7, 2026,? 07:00 EST · 12:00 UTC — ingest$/);
    expect(text).not.toMatch(/[()]/);
  });

  it("shows the pipeline's own schedule without a group, and a dash when paused or when nothing ticks", () => {
    expect(nextTick({ paused: false, next_tick: "2026-12-06T06:00:00Z", timezone: "UTC", group_schedules: [group("ingest", "2026-12-06T05:00:00Z")] })).toMatch(/^Dec 6, 2026,? 06:00 UTC$/);
    expect(nextTick({ paused: true, next_tick: "2026-12-06T06:00:00Z", timezone: "UTC", group_schedules: [] })).toBe("—");
    expect(nextTick({ paused: false, next_tick: null, timezone: null, group_schedules: [group("ingest", null)] })).toBe("—");
  });
});
