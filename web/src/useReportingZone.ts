import { useEffect, useState } from "react";
import { api } from "./api/client";

// One request per page load: the zone is the project's, the same in every pipeline's summary.
let asked: Promise<string | null> | null = null;

/** The project's reporting time zone (tributary.yaml's timezone:), as the server reports it; null until known or when it cannot say. */
export function useReportingZone(): string | null {
  const [zone, setZone] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    asked ??= api.pipelines().then((list) => list[0]?.reporting_timezone ?? null, () => { asked = null; return null; });
    void asked.then((z) => { if (live) setZone(z); });
    return () => { live = false; };
  }, []);
  return zone;
}
