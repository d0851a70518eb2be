import { describe, expect, it } from "vitest";
import { csvCell, toCsv } from "./csv";

describe("csv written by the UI", () => {
  it("writes dates as yyyy-MM-dd and zoneless timestamps as UTC with Z, quoting what needs it", () => {
    expect(csvCell("2026-01-01T00:00:00", "date")).toBe("2026-01-01");
    expect(csvCell("2025-01-10T04:59:30", "timestamp")).toBe("2025-01-10T04:59:30Z");
    expect(csvCell("2025-01-10 04:59:30.25", "timestamp")).toBe("2025-01-10T04:59:30.25Z");
    expect(csvCell("2025-01-10T04:59:30+02:00", "timestamp")).toBe("2025-01-10T04:59:30+02:00");
    expect(csvCell(null)).toBe("");
    expect(csvCell('say "hi", twice')).toBe('"say ""hi"", twice"');
    expect(csvCell(0.5, "number")).toBe("0.5");
  });

  it("writes the header and one line per row", () => {
    expect(toCsv([{ name: "id" }, { name: "on", type: "date" }], [["a", "2026-01-01"], ["b", null]])).toBe("id,on\na,2026-01-01\nb,\n");
  });
});
