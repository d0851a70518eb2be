import { useEffect, useState } from "react";
import { send } from "./api";

interface PipelineRow { name: string; schedule?: string; timezone?: string; next_tick?: string; sensors?: string[]; partitions?: string; paused?: boolean; error?: string }
interface Tick { kind: string; pipeline: string; at: string; status: string; reason: string }

/** Schedules and sensors: each pipeline's cron and next tick, its sensors, and the tick history with reasons. */
export function Schedules() {
  const [pipelines, setPipelines] = useState<PipelineRow[]>([]);
  const [ticks, setTicks] = useState<Tick[]>([]);
  const load = () => fetch("/api/pipelines").then((r) => r.json()).then(setPipelines, () => undefined);
  const toggle = async (p: PipelineRow) => {
    await send(`/api/pipelines/${p.name}/${p.paused ? "resume" : "pause"}`, { method: "POST" });
    await load();
  };
  useEffect(() => {
    void load();
    fetch("/api/ticks?limit=200").then((r) => r.json()).then(setTicks, () => undefined);
  }, []);
  return (
    <section>
      <h1>Schedules and sensors</h1>
      <table>
        <thead><tr><th scope="col">Pipeline</th><th scope="col">Schedule</th><th scope="col">Next tick</th><th scope="col">Sensors</th><th scope="col">Partitions</th><th scope="col">On</th></tr></thead>
        <tbody>
          {pipelines.map((p) => (
            <tr key={p.name}>
              <td><a href={`#/designer/${p.name}`}>{p.name}</a></td>
              <td>{p.schedule ? `${p.schedule} (${p.timezone})` : "—"}</td>
              <td>{p.next_tick ? new Date(p.next_tick).toLocaleString() : "—"}</td>
              <td>{p.sensors?.join(", ") || "—"}</td><td>{p.partitions ?? "—"}</td>
              <td>{(p.schedule || (p.sensors?.length ?? 0) > 0) && (
                <label><input type="checkbox" checked={!p.paused} onChange={() => void toggle(p)} /> <span className="sr-only">schedule and sensors of {p.name}</span>{p.paused ? "off" : "on"}</label>
              )}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Tick history</h2>
      <table>
        <thead><tr><th scope="col">When</th><th scope="col">Pipeline</th><th scope="col">What</th><th scope="col">Result</th><th scope="col">Why</th></tr></thead>
        <tbody>{ticks.map((t, i) => <tr key={i}><td>{new Date(t.at).toLocaleString()}</td><td>{t.pipeline}</td><td>{t.kind}</td><td>{t.status}</td><td>{t.reason}</td></tr>)}</tbody>
      </table>
    </section>
  );
}
