import { describe, expect, it } from "vitest";
import { ariaSort, nextSort } from "./sorting";

describe("sorting a table by its headers", () => {
  it("starts a number column at its highest value and a text column at A, then flips", () => {
    expect(nextSort(null, "clv", true)).toEqual({ column: "clv", direction: "desc" });
    expect(nextSort(null, "customer_id", false)).toEqual({ column: "customer_id", direction: "asc" });
    expect(nextSort({ column: "clv", direction: "desc" }, "clv", true)).toEqual({ column: "clv", direction: "asc" });
    expect(nextSort({ column: "clv", direction: "asc" }, "clv", true)).toEqual({ column: "clv", direction: "desc" });
    expect(nextSort({ column: "clv", direction: "asc" }, "email", false)).toEqual({ column: "email", direction: "asc" });
  });

  it("announces the sorted column only", () => {
    const sort = { column: "clv", direction: "desc" } as const;
    expect(ariaSort(sort, "clv")).toBe("descending");
    expect(ariaSort({ ...sort, direction: "asc" }, "clv")).toBe("ascending");
    expect(ariaSort(sort, "t")).toBe("none");
    expect(ariaSort(null, "clv")).toBe("none");
  });
});
