import { formatDateTime, formatDuration } from "./ui/format";

// The server writes a cursor's timestamps invariantly (MM/dd/yyyy HH:mm:ss, UTC) or as ISO 8601; ages in milliseconds.
const invariant = /\b(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})\b/g;
const iso = /\b(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?: ?(Z|[+-]\d{2}:\d{2}))?/g;
// Whole seconds first: 59.6 s must not read as "4 min 60 s".
const ageMs = /\b(\d+)ms ago\b/g;

/** A tick's reason as the page shows it: the timestamps in it in the UI's date format and zone, ages as durations. */
export function tickReason(reason: string): string {
  return reason
    .replace(invariant, (_, mm: string, dd: string, yyyy: string, h: string, m: string, s: string) => formatDateTime(new Date(Date.UTC(+yyyy, +mm - 1, +dd, +h, +m, +s))))
    .replace(iso, (_, yyyy: string, mo: string, dd: string, h: string, m: string, s: string | undefined, zone: string | undefined) => {
      // Without a zone the time is UTC; an offset is taken off to reach UTC.
      const offset = zone && zone !== "Z" ? (zone.startsWith("-") ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) : 0;
      return formatDateTime(new Date(Date.UTC(+yyyy, +mo - 1, +dd, +h, +m - offset, +(s ?? 0))));
    })
    .replace(ageMs, (_, ms: string) => `${formatDuration(Math.round(Number(ms) / 1000) * 1000)} ago`);
}
