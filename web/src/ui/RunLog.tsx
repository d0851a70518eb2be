import type { RunEvent } from "../api/client";

/** A run's log grouped by step: the step's name once as a heading, then its lines with their times. */
export function RunLog({ events, live }: { events: RunEvent[]; live?: boolean }) {
  const time = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  const groups: { asset: string | null; events: RunEvent[] }[] = [];
  for (const e of events) {
    const last = groups[groups.length - 1];
    if (last && last.asset === (e.asset ?? null)) last.events.push(e);
    else groups.push({ asset: e.asset ?? null, events: [e] });
  }
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
