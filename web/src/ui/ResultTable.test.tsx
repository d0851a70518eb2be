import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ResultTable } from "./components";

describe("ResultTable", () => {
  // The Audiences sample showed 0.5, 0.000523 and 5.9E-11 in one column; it reads at one precision, the exact value in a title.
  it("shows a column with values under 0.001 at one precision, each rounded value's exact number in its title", () => {
    const html = renderToStaticMarkup(
      <ResultTable columns={[{ name: "customer_id", type: "text" }, { name: "p_value", type: "double" }]}
        rows={[["a", 0.5], ["b", 0.000523], ["c", 0.0312]]} />);
    expect(html).toContain(`<span title="0.5">${new Intl.NumberFormat(undefined, { minimumFractionDigits: 5 }).format(0.5)}</span>`);
    expect(html).toContain(`<span title="0.000523">0.00052</span>`);
    expect(html).toContain(`<span title="0.0312">0.03120</span>`);
  });

  it("leaves integer columns grouped and without titles", () => {
    const html = renderToStaticMarkup(<ResultTable columns={[{ name: "orders", type: "integer" }]} rows={[[1234], [5]]} />);
    expect(html).toContain(`>${new Intl.NumberFormat().format(1234)}<`);
    expect(html).not.toContain("title=");
  });
});
