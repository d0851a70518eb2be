import type { PipelineSummary } from "./api/client";
import { formatTickIn } from "./ui/format";

/**
 * When the pipeline runs next on its own: its schedule's tick, else the soonest of its groups' with the group's name after a
 * dash ("Dec 7, 2026, 07:00 EST · 12:00 UTC — ingest"); "—" when paused or nothing ticks.
 */
export function nextTick(p: Pick<PipelineSummary, "paused" | "next_tick" | "timezone" | "group_schedules">): string {
  if (p.paused) return "—";
  if (p.next_tick) return formatTickIn(p.next_tick, p.timezone);
  const next = p.group_schedules.filter((g) => g.next_tick).sort((a, b) => Date.parse(a.next_tick!) - Date.parse(b.next_tick!))[0];
  return next ? `${formatTickIn(next.next_tick!, next.timezone)} — ${next.group}` : "—";
}
