import { useLayoutEffect, useRef } from "react";
import type { RunEvent } from "../api/client";

/**
 * A run's log by step: each step's name once as a heading over its lines (steps run in parallel, so their lines
 * interleave in time), in the order the steps started; the run's own lines (no step) frame them: those before the first
 * step come first, those after (its outcome) come last.
 */
export function groupByStep(events: RunEvent[]): { asset: string | null; events: RunEvent[] }[] {
  const head: RunEvent[] = [];
  const tail: RunEvent[] = [];
  const steps = new Map<string, RunEvent[]>();
  for (const e of events) {
    if (e.asset) {
      if (!steps.has(e.asset)) steps.set(e.asset, []);
      steps.get(e.asset)!.push(e);
    } else (steps.size === 0 ? head : tail).push(e);
  }
  return [{ asset: null, events: head }, ...[...steps].map(([asset, list]) => ({ asset, events: list })), { asset: null, events: tail }]
    .filter((g) => g.events.length > 0);
}

/** Whether a scrolled box shows its last line (within a line's height), so that new lines should keep it at the bottom. */
export function atBottom(box: { scrollTop: number; clientHeight: number; scrollHeight: number }): boolean {
  return box.scrollTop + box.clientHeight >= box.scrollHeight - 24;
}

export function RunLog({ events, live }: { events: RunEvent[]; live?: boolean }) {
  const time = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  const groups = groupByStep(events);
  // A live log follows its new lines, as a terminal does, until the reader scrolls up; scrolling back down follows again.
  const box = useRef<HTMLPreElement>(null);
  const following = useRef(true);
  useLayoutEffect(() => {
    if (live && following.current && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [events.length, live]);
  return (
    <pre className="log" aria-label="Run log" aria-live={live ? "polite" : undefined} tabIndex={0} ref={box}
      onScroll={(e) => { following.current = atBottom(e.currentTarget); }}>
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
