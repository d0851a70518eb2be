import cronstrue from "cronstrue";
// Numbers and dates for people: one style everywhere, in the reader's locale and time zone (Intl).
const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
const small = new Intl.NumberFormat(undefined, { maximumSignificantDigits: 3 });
const money = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const tiny = new Intl.NumberFormat(undefined, { notation: "scientific", maximumSignificantDigits: 2 });
// A share that rounds to zero reads 0%, not -0% (an axis tick at a float's -5e-17, a -0.001% uplift).
const percent = new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 1, signDisplay: "negative" });
const finePercent = new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 2, signDisplay: "negative" });
const compact = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 });
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const date = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

const significant = new Intl.NumberFormat(undefined, { minimumSignificantDigits: 3, maximumSignificantDigits: 3 });
/** Small measures side by side at one precision, three significant digits: 0.00802, 0.0100, 0.00914 (not 0.01 beside 0.00914). */
export const formatSignificant = (n: number) => (n === 0 ? "0" : significant.format(n));

/** A count: 1,983. */
export const formatCount = (n: number) => integer.format(n);
/** Money, two decimals: 1,234.50. */
export const formatMoney = (n: number) => money.format(n);
/**
 * Money in the currency the data carries, with its symbol where the reader's locale has one: $1,234.50, €1,234.50,
 * CHF 1,234.50; an amount whose currency is unknown keeps two decimals and no symbol (never a guessed $).
 */
export function formatCurrency(n: number, currency: string | null | undefined): string {
  if (!currency || !/^[A-Za-z]{3}$/.test(currency)) return money.format(n);
  return new Intl.NumberFormat(undefined, { style: "currency", currency: currency.toUpperCase(), minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(n);
}
/** An axis tick in the currency: $12K, €1.2M; without a known currency, no symbol. */
export function formatCompactCurrency(n: number, currency: string | null | undefined): string {
  if (!currency || !/^[A-Za-z]{3}$/.test(currency)) return compact.format(n);
  // A currency's own two decimals are dropped as compact's are: $10, $1.2K, never $10.0 or $1.0K.
  return new Intl.NumberFormat(undefined, { style: "currency", currency: currency.toUpperCase(), notation: "compact", minimumFractionDigits: 0, maximumFractionDigits: 1 }).format(n);
}
/** A share 0..1 as a percentage, everywhere by one rule: one decimal (12.5%), two below 1% where one would read 0.1% for 0.07%. */
export const formatPercent = (n: number) => (n !== 0 && Math.abs(n) < 0.01 ? finePercent : percent).format(n);
/** A change (0.18 = +18%) as a signed percentage by the same rule: +18.4%, -0.07%, +0%. */
export const formatSignedPercent = (n: number) => `${n >= 0 ? "+" : ""}${formatPercent(n)}`;
/** An axis tick: 12K, 1.2M. */
export const formatCompact = (n: number) => compact.format(n);

/** Any number: integers grouped, fractions to two decimals, small values to three significant digits, tiny ones in scientific notation (5.9E-11, not a row of zeros). */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return integer.format(n);
  if (n !== 0 && Math.abs(n) < 1e-4) return tiny.format(n);
  return Math.abs(n) < 0.01 && n !== 0 ? small.format(n) : decimal.format(n);
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
/** How long ago `iso` was, from `now`: "5 minutes ago", "yesterday", "3 days ago" (the exact time goes in a title beside it). */
export function formatAgo(iso: string, now: number = Date.now()): string {
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  const units: [Intl.RelativeTimeFormatUnit, number][] = [["year", 31_536_000], ["month", 2_592_000], ["week", 604_800], ["day", 86_400], ["hour", 3600], ["minute", 60]];
  for (const [unit, size] of units) if (Math.abs(seconds) >= size) return relative.format(Math.trunc(seconds / size), unit);
  return relative.format(seconds, "second");
}

/** A timestamp in the reader's zone: "Dec 1, 2026, 9:30 PM". */
export const formatDateTime = (iso: string | Date) => dateTime.format(typeof iso === "string" ? new Date(iso) : iso);

/** A duration in milliseconds for people: 850 ms, 12.4 s, 3 min 5 s. */
export function formatDuration(ms: number): string {
  // Each unit's cut-off is where rounding would reach the next unit: 299,595 ms is 5 min, never 4 min 60 s.
  if (ms < 999.5) return `${Math.round(ms)} ms`;
  if (ms < 59_950) return `${decimal.format(Math.round(ms / 100) / 10)} s`;
  const total = Math.round(ms / 1000);
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return seconds === 0 ? `${minutes} min` : `${minutes} min ${seconds} s`;
}

const isoDate = /^\d{4}-\d{2}-\d{2}$/;
const isoTime = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;

/** A table cell: numbers grouped, booleans yes/no, dates and timestamps in the reader's locale and zone. */
export function formatCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return formatNumber(v);
  if (typeof v === "boolean") return v ? "yes" : "no";
  if (typeof v === "string") {
    // A date alone has no zone: shown as the calendar date it names.
    if (isoDate.test(v)) return date.format(new Date(`${v}T00:00:00`));
    if (isoTime.test(v) && !Number.isNaN(Date.parse(v))) return formatDateTime(v);
  }
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

/** Whether a column holds numbers (right-aligned, tabular figures). */
export const isNumericKind = (kind: string) => /^(integer|int|bigint|long|double|float|decimal|number|real)/i.test(kind);

/**
 * How many decimals a column of numbers shows, so that its values line up: the most any value needs, up to two
 * (prices 45, 21.5 and 4.74 read 45.00, 21.50, 4.74), and up to four for values under 0.01 so that they keep two
 * significant digits (probabilities 1, 0.1 and 0.00685 read 1.0000, 0.1000, 0.0069); null when the column has values
 * under 0.001 (formatNumber's scientific notation) or none needing decimals.
 */
export function columnDecimals(values: readonly unknown[]): number | null {
  let most = 0;
  for (const v of values) {
    if (typeof v !== "number" || !Number.isFinite(v) || Number.isInteger(v)) continue;
    const size = Math.abs(v);
    if (size < 0.001) return null;
    const needed = size < 0.01 ? (Math.round(size * 10_000) % 10 !== 0 ? 4 : 3) : Math.round(v * 100) % 10 !== 0 ? 2 : 1;
    most = Math.max(most, needed);
  }
  return most === 0 ? null : most;
}

const scientific = new Intl.NumberFormat(undefined, { notation: "scientific", minimumSignificantDigits: 3, maximumSignificantDigits: 3 });
/** Past this many decimals a column with tiny values reads in scientific notation rather than as a row of zeros. */
const mostTinyDecimals = 6;

/**
 * A formatter for one column of numbers, so that its values line up (see columnDecimals); formatNumber where they need
 * not (integers). A column with values under 0.001 takes the decimals that give its smallest value two significant
 * digits (0.50000 beside 0.00052), or scientific notation at three significant digits for all of it when that needs more
 * than six (5.00E-1 beside 5.90E-11): one precision per column, never 0.5 beside 0.000523 beside 5.9E-11.
 */
export function alignedFormat(values: readonly unknown[]): (n: number) => string {
  const decimals = columnDecimals(values);
  if (decimals !== null) return (n) => (Number.isFinite(n) ? formatFixed(n, decimals) : formatNumber(n));
  let smallest = Infinity;
  for (const v of values) if (typeof v === "number" && Number.isFinite(v) && v !== 0) smallest = Math.min(smallest, Math.abs(v));
  if (smallest >= 0.001) return formatNumber;
  const needed = Math.floor(-Math.log10(smallest)) + 2;
  if (needed <= mostTinyDecimals) return (n) => (Number.isFinite(n) ? formatFixed(n, needed) : formatNumber(n));
  return (n) => (n === 0 || !Number.isFinite(n) ? formatNumber(n) : scientific.format(n));
}

/**
 * A formatter for one column of shares (0..1) as percents that line up: one number of decimals for the column, as
 * alignedFormat gives numbers (100.00%, 10.36%, 2.99%, 0.69% rather than 100%, 10.4%, 3%, 0.69%); formatPercent where
 * they need not (whole percents, or a share too small for fixed decimals).
 */
export function alignedPercentFormat(values: readonly unknown[]): (n: number) => string {
  const decimals = columnDecimals(values.map((v) => (typeof v === "number" ? v * 100 : v)));
  if (decimals === null) return formatPercent;
  const fixed = new Intl.NumberFormat(undefined, { style: "percent", minimumFractionDigits: decimals, maximumFractionDigits: decimals, signDisplay: "negative" });
  return (n) => (Number.isFinite(n) ? fixed.format(n) : formatPercent(n));
}

/** A number with a fixed number of decimals, grouped: one column's style (see columnDecimals). */
export const formatFixed = (n: number, decimals: number) =>
  new Intl.NumberFormat(undefined, { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(n);

/** A cron expression in words ("At 06:00"), or the expression itself where it has no plain reading. */
export function describeCron(expression: string): string {
  try {
    return cronstrue.toString(expression, { use24HourTimeFormat: true, throwExceptionOnParseError: true, verbose: false });
  } catch {
    return expression;
  }
}

/** A schedule in words with its zone, as every page shows one: "At 06:00 (UTC)". */
export const describeSchedule = (cron: string, timezone: string | null | undefined) => `${describeCron(cron)} (${timezone ?? "UTC"})`;

/**
 * A schedule's tick on the schedule's own clock with its zone's short name, and the UTC time beside it when the zone is
 * not UTC: "Dec 6, 2026, 07:00 EST · 12:00 UTC", "Dec 6, 2026, 06:00 UTC". The UTC side names its date when that differs.
 * A dot, not brackets, sets the UTC side apart, so that a label after it can take brackets or a dash of its own.
 */
export function formatTickIn(iso: string, timezone: string | null | undefined): string {
  const zone = timezone || "UTC";
  const at = new Date(iso);
  const parts = (timeZone: string) => new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone });
  const day = (timeZone: string) => new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "2-digit", day: "2-digit", timeZone }).format(at);
  const time = (timeZone: string) => new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone }).format(at);
  try {
    const named = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone, timeZoneName: "short" })
      .formatToParts(at).find((p) => p.type === "timeZoneName")?.value ?? zone;
    const local = `${parts(zone).format(at)} ${named}`;
    if (isUtcZone(zone, at)) return `${parts("UTC").format(at)} UTC`;
    const utcDay = day(zone) === day("UTC") ? "" : `${new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", timeZone: "UTC" }).format(at)}, `;
    return `${local} · ${utcDay}${time("UTC")} UTC`;
  } catch {
    return formatDateTime(iso);
  }
}

// A zone that reads as UTC at that instant and all year (UTC, Etc/UTC), not one that is merely at offset 0 in winter (Europe/London).
function isUtcZone(zone: string, at: Date): boolean {
  if (/^(Etc\/)?(UTC|UCT|Universal|Zulu|GMT)$/i.test(zone)) return true;
  const offset = (d: Date) => new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" }).formatToParts(d).find((p) => p.type === "timeZoneName")?.value;
  return offset(at) === "GMT" && offset(new Date(at.getTime() + 182 * 86_400_000)) === "GMT";
}

/** Which calendar days a dashboard's daily figures are: "Days are calendar days in America/New_York (the project's timezone)." */
export const reportingDaysNote = (timezone: string) =>
  `Days are calendar days in ${timezone}${timezone === "UTC" ? "" : " (the project's timezone)"}.`;
