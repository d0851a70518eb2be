import type { RunEvent } from "../api/client";

/**
 * A run's log by step: each step's name once as a heading over its lines (steps run in parallel, so their lines
 * interleave in time), in the order the steps started; the run's own lines (no step) come first.
 */
export function groupByStep(events: RunEvent[]): { asset: string | null; events: RunEvent[] }[] {
  const groups = new Map<string | null, RunEvent[]>([[null, []]]);
  for (const e of events) {
    const key = e.asset ?? null;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(e);
  }
  return [...groups].filter(([, list]) => list.length > 0).map(([asset, list]) => ({ asset, events: list }));
}

export function RunLog({ events, live }: { events: RunEvent[]; live?: boolean }) {
  const time = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  const groups = groupByStep(events);
  return (
    <pre className="log" aria-label="Run log" aria-live={live ? "polite" : undefined} tabIndex={0}>
      {events.length === 0 && "No log lines yet."}
      {groups.map((g, i) => (
        <span key={i}>
          {g.asset && <span className="log-step">{g.asset}</span>}
          {g.events.map((e, j) => <span key={j}><span className="log-time">{time.format(new Date(e.at))}</span> {e.message}{"\n"}</span>)}
        </span>
      ))}
    </pre>
  );
}
