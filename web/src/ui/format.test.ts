import { describe, expect, it } from "vitest";
import { alignedFormat, alignedPercentFormat, columnDecimals, describeCron, formatAgo, formatCompactCurrency, formatCurrency, formatCell, formatCount, formatDuration, formatFixed, formatNumber, formatPercent, formatSignedPercent, formatSignificant, formatTickIn, reportingDaysNote } from "./format";

describe("format", () => {
  it("groups counts and rounds fractions for people", () => {
    expect(formatCount(1983)).toBe(new Intl.NumberFormat().format(1983));
    expect(formatNumber(12.4195)).toBe(new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 }).format(12.42));
    expect(formatNumber(0.000123)).toBe(new Intl.NumberFormat(undefined, { maximumSignificantDigits: 3 }).format(0.000123));
    // A fitted bound such as θ = 5.9e-11 reads as a number, not a run of zeros.
    expect(formatNumber(5.9e-11)).toBe(new Intl.NumberFormat(undefined, { notation: "scientific", maximumSignificantDigits: 2 }).format(5.9e-11));
    expect(formatNumber(5.9e-11)).not.toMatch(/0\.0000/);
  });
  it("shows durations in the unit that reads best", () => {
    expect(formatDuration(850)).toBe("850 ms");
    expect(formatDuration(12_419)).toMatch(/^12.4 s$/);
    expect(formatDuration(185_000)).toBe("3 min 5 s");
    expect(formatDuration(120_000)).toBe("2 min");
    // Rounding never shows 60 of a unit: it carries into the next.
    expect([formatDuration(299_595), formatDuration(59_960), formatDuration(999.7)]).toEqual(["5 min", "1 min", "1 s"]);
  });
  it("formats cells by value: booleans, nulls, numbers", () => {
    expect(formatCell(true)).toBe("yes");
    expect(formatCell(null)).toBe("");
    expect(formatCell(1234567)).toBe(new Intl.NumberFormat().format(1234567));
    expect(formatCell("plain")).toBe("plain");
  });
});

describe("columnDecimals", () => {
  it("gives a column of prices one number of decimals, so that they line up", () => {
    expect(columnDecimals([45, 21.5, 4.74, null])).toBe(2);
    expect(columnDecimals([45, 21.5])).toBe(1);
    expect(formatFixed(45, 2)).toBe(new Intl.NumberFormat(undefined, { minimumFractionDigits: 2 }).format(45));
  });

  it("leaves integer columns, and columns with tiny values, to formatNumber", () => {
    expect(columnDecimals([1, 2, 3])).toBeNull();
    expect(columnDecimals([1.5, 0.000001])).toBeNull();
  });

  it("gives a column of probabilities under 1% two significant digits, lined up with the rest", () => {
    expect(columnDecimals([1, 0.1, 0.03, 0.00685])).toBe(4);
    expect(columnDecimals([0.5, 0.005])).toBe(3);
    expect(columnDecimals([0.25, 0.0009])).toBeNull();
  });

  it("formats a column of estimates at one precision: 0.60 beside 6.62, not 0.6", () => {
    const estimate = alignedFormat([0.6, 6.62, 40.45]);
    expect(estimate(0.6)).toBe(formatFixed(0.6, 2));
    expect(estimate(0.6)).toMatch(/0.60$/);
    const counts = alignedFormat([2924, 24]);
    expect(counts(2924)).toBe(formatCount(2924));
  });

  it("formats a column with values under 0.001 at one precision: decimals for two significant digits of the smallest, else scientific", () => {
    const pValues = alignedFormat([0.5, 0.0312, 0.00052, 0, null]);
    expect([0.5, 0.0312, 0.00052, 0].map(pValues)).toEqual([formatFixed(0.5, 5), formatFixed(0.0312, 5), formatFixed(0.00052, 5), formatFixed(0, 5)]);
    expect(pValues(0.00052)).toMatch(/0.00052$/);
    expect(pValues(0.5)).toMatch(/0.50000$/);
    // Six decimals at most (two significant digits of 0.000012); past that the whole column is scientific, zero stays 0.
    expect(alignedFormat([0.25, 0.000012])(0.000012)).toMatch(/0.000012$/);
    const tiny = alignedFormat([0.5, 0.0312, 5.9e-11, 0]);
    const scientific = new Intl.NumberFormat(undefined, { notation: "scientific", minimumSignificantDigits: 3, maximumSignificantDigits: 3 });
    expect([0.5, 0.0312, 5.9e-11, 0].map(tiny)).toEqual([scientific.format(0.5), scientific.format(0.0312), scientific.format(5.9e-11), "0"]);
    expect(tiny(5.9e-11)).toMatch(/^5.90E-11$/);
  });

  it("formats a column of shares as percents at one precision: 3.00% beside 10.36%, not 3%", () => {
    const alive = alignedPercentFormat([1, 0.1036, 0.0299, 0.0069]);
    expect([1, 0.1036, 0.0299, 0.0069].map(alive)).toEqual(["100.00%", "10.36%", "2.99%", "0.69%"]);
    // Whole percents stay whole, and a share too small for fixed decimals reads as formatPercent gives it.
    expect(alignedPercentFormat([1, 0.5, 0.25])(0.5)).toBe(formatPercent(0.5));
    expect(alignedPercentFormat([0.5, 0.000004])(0.000004)).toBe(formatPercent(0.000004));
  });
});

describe("describeCron", () => {
  it("reads common schedules in words", () => {
    expect(describeCron("0 6 * * *")).toBe("At 06:00");
    expect(describeCron("*/15 * * * *")).toBe("Every 15 minutes");
    expect(describeCron("0 7 * * 1")).toBe("At 07:00, only on Monday");
  });
  it("gives back what it cannot read", () => {
    expect(describeCron("not a cron")).toBe("not a cron");
  });
});

describe("formatSignificant", () => {
  it("writes small measures side by side at one precision", () => {
    expect([0.00802, 0.01, 0.00914].map(formatSignificant)).toEqual(["0.00802", "0.0100", "0.00914"]);
    expect(formatSignificant(0)).toBe("0");
  });
});

describe("formatPercent", () => {
  it("has one decimal, and two only below 1% where one would hide the difference", () => {
    expect(formatPercent(0.1836)).toBe("18.4%");
    expect(formatPercent(0.0123)).toBe("1.2%");
    expect(formatPercent(0.01)).toBe("1%");
    expect(formatPercent(0.0022)).toBe("0.22%");
    expect(formatPercent(0.0007)).toBe("0.07%");
    expect(formatPercent(-0.0013)).toBe("-0.13%");
    expect(formatPercent(0)).toBe("0%");
    expect(formatPercent(1)).toBe("100%");
  });

  it("reads a share that rounds to zero as 0%, never -0% (a chart's tick at -5.55e-17)", () => {
    expect(formatPercent(-5.551115123125783e-17)).toBe("0%");
    expect(formatPercent(-0)).toBe("0%");
    expect(formatPercent(-0.00001)).toBe("0%");
    expect(formatPercent(-0.1)).toBe("-10%");
    expect(alignedPercentFormat([0.25, -0.1])(-0.00001)).toBe(alignedPercentFormat([0.25, -0.1])(0));
  });

  it("signs a change by the same rule", () => {
    expect(formatSignedPercent(0.1836)).toBe("+18.4%");
    expect(formatSignedPercent(0.0022)).toBe("+0.22%");
    expect(formatSignedPercent(-0.058)).toBe("-5.8%");
    expect(formatSignedPercent(0)).toBe("+0%");
  });
});

describe("formatCurrency", () => {
  it("shows money with the symbol of the currency the data carries, grouped, two decimals", () => {
    const as = (currency: string) => new Intl.NumberFormat(undefined, { style: "currency", currency, minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(1234.5);
    expect(formatCurrency(1234.5, "USD")).toBe(as("USD"));
    expect(formatCurrency(1234.5, "eur")).toBe(as("EUR"));
    expect(formatCurrency(1234.5, "USD")).toMatch(/1.234.50/);
  });
  it("never guesses a currency it was not given", () => {
    expect(formatCurrency(1234.5, null)).toBe(new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(1234.5));
    expect(formatCurrency(1234.5, "dollars")).not.toContain("$");
  });
  it("ticks compact money without the currency's trailing zeros", () => {
    expect(formatCompactCurrency(10, "USD")).toBe("$10");
    expect(formatCompactCurrency(1000, "USD")).toBe("$1K");
    expect(formatCompactCurrency(1500, "USD")).toBe("$1.5K");
  });
});

describe("formatAgo", () => {
  it("says how long ago in the largest whole unit", () => {
    const now = Date.parse("2026-12-05T12:00:00Z");
    const ago = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
    expect(formatAgo("2026-12-05T11:59:48Z", now)).toBe(ago.format(-12, "second"));
    expect(formatAgo("2026-12-05T09:30:00Z", now)).toBe(ago.format(-2, "hour"));
    expect(formatAgo("2026-12-03T12:00:00Z", now)).toBe(ago.format(-2, "day"));
  });
});

describe("formatTickIn", () => {
  it("shows a tick on the schedule's clock with its zone, and the UTC time beside it", () => {
    // 07:00 in New York is 12:00 UTC in EST (December) and 11:00 UTC in EDT (July).
    expect(formatTickIn("2026-12-07T12:00:00Z", "America/New_York")).toMatch(/^Dec 7, 2026,? 07:00 EST · 12:00 UTC$/);
    expect(formatTickIn("2026-07-07T11:00:00Z", "America/New_York")).toMatch(/^Jul 7, 2026,? 07:00 EDT · 11:00 UTC$/);
  });

  it("names the UTC date when it is another day than the schedule's", () => {
    expect(formatTickIn("2026-12-08T01:00:00Z", "America/New_York")).toMatch(/^Dec 7, 2026,? 20:00 EST · Dec 8, 01:00 UTC$/);
  });

  it("shows a UTC schedule once, and takes no zone as UTC", () => {
    expect(formatTickIn("2026-12-06T06:00:00Z", "UTC")).toMatch(/^Dec 6, 2026,? 06:00 UTC$/);
    expect(formatTickIn("2026-12-06T06:00:00Z", null)).toMatch(/^Dec 6, 2026,? 06:00 UTC$/);
    // London is at offset 0 in winter, but is not UTC.
    expect(formatTickIn("2026-12-06T06:00:00Z", "Europe/London")).toMatch(/^Dec 6, 2026,? 06:00 GMT · 06:00 UTC$/);
  });
});

describe("reportingDaysNote", () => {
  it("says which zone's calendar days a dashboard counts", () => {
    expect(reportingDaysNote("America/New_York")).toBe("Days are calendar days in America/New_York (the project's timezone).");
    expect(reportingDaysNote("UTC")).toBe("Days are calendar days in UTC.");
  });
});
