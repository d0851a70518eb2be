import { useEffect, useState } from "react";
import { api, errorMessage, type PipelineSummary, type Schemas } from "./api/client";

/** Schedules and sensors: each pipeline's cron and next tick, its sensors, and the tick history with reasons. */
export function Schedules() {
  const [pipelines, setPipelines] = useState<PipelineSummary[]>([]);
  const [ticks, setTicks] = useState<Schemas["TickView"][]>([]);
  const [error, setError] = useState<string | null>(null);
  const fail = (e: unknown) => setError(errorMessage(e));
  const load = () => api.pipelines().then(setPipelines, fail);
  const toggle = async (p: PipelineSummary) => {
    try {
      await api.pause(p.name, !p.paused);
    } catch (e) {
      fail(e);
    }
    await load();
  };
  useEffect(() => {
    void load();
    api.ticks(200).then(setTicks, fail);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return (
    <section>
      <h1>Schedules and sensors</h1>
      {error && <p role="alert">{error}</p>}
      <table>
        <thead><tr><th scope="col">Pipeline</th><th scope="col">Schedule</th><th scope="col">Next tick</th><th scope="col">Sensors</th><th scope="col">Partitions</th><th scope="col">On</th></tr></thead>
        <tbody>
          {pipelines.map((p) => (
            <tr key={p.name}>
              <td><a href={`#/designer/${encodeURIComponent(p.name)}`}>{p.name}</a>{p.error && <span role="alert" className="field-error"> {p.error}</span>}</td>
              <td>{p.schedule ? `${p.schedule} (${p.timezone})` : "—"}</td>
              <td>{p.next_tick ? new Date(p.next_tick).toLocaleString() : "—"}</td>
              <td>{p.sensors.join(", ") || "—"}</td><td>{p.partitions ?? "—"}</td>
              <td>{(p.schedule || p.sensors.length > 0) && (
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
