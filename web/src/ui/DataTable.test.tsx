import { renderToStaticMarkup } from "react-dom/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DataTable, type Column } from "./components";

const columns: Column<{ metric: string; days: number }>[] = [
  { key: "metric", header: "Metric", cell: (r) => r.metric },
  { key: "days", header: "Days needed", numeric: true, cell: (r) => String(r.days) },
];
const rows = [{ metric: "conversion", days: 12 }];

// A window whose width query answers as a phone's (390 px) or a desktop's would.
const onScreen = (phone: boolean) => vi.stubGlobal("window", { matchMedia: () => ({ matches: phone, addEventListener: () => {}, removeEventListener: () => {} }) });

describe("DataTable stacked", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("on a phone puts each cell's column name beside its value, the first cell standing as the card's title", () => {
    onScreen(true);
    const html = renderToStaticMarkup(<DataTable stacked caption="Plan" columns={columns} rows={rows} rowKey={(r) => r.metric} />);
    expect(html).toContain('class="table-wrap stacked"');
    expect(html).toContain('<td>conversion</td>');
    expect(html).toContain('<td class="num"><span class="stacked-label">Days needed</span><span class="stacked-value">12</span></td>');
  });

  it("on a wide screen is a plain table, its cells holding their values only", () => {
    onScreen(false);
    const html = renderToStaticMarkup(<DataTable stacked caption="Plan" columns={columns} rows={rows} rowKey={(r) => r.metric} />);
    expect(html).toContain('<td class="num">12</td>');
    expect(html).not.toContain("stacked-label");
  });

  it("is never stacked unless asked, on a phone too", () => {
    onScreen(true);
    const html = renderToStaticMarkup(<DataTable caption="Plan" columns={columns} rows={rows} rowKey={(r) => r.metric} />);
    expect(html).toContain('class="table-wrap"');
    expect(html).not.toContain("stacked-label");
  });
});
