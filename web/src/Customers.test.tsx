import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { CustomerSearchPage } from "./customerProfile";
import { SearchResults } from "./Customers";

const page = (total: number, offset: number, shown: number): CustomerSearchPage => ({
  total, offset, limit: 20,
  matches: Array.from({ length: shown }, (_, i) => ({ profile_id: `p${offset + i}`, email: `buyer${offset + i}@shop.example`, phone: null, identifiers: 2 })),
});

describe("SearchResults", () => {
  // The review: "20 profiles match" when 113 did.
  it("says how many profiles match in all, and pages through them", () => {
    const html = renderToStaticMarkup(<SearchResults page={page(113, 20, 20)} query="shop" onPage={() => {}} />);
    expect(html).toContain(`<h2>${new Intl.NumberFormat().format(113)} profiles match “shop”</h2>`);
    expect(html).toContain(`profiles 21–40 of ${new Intl.NumberFormat().format(113)}`);
    expect(html).toContain(">Previous</button>");
    expect(html).toContain(">Next</button>");
  });

  it("shows no pager when every match fits one page", () => {
    const html = renderToStaticMarkup(<SearchResults page={page(3, 0, 3)} query="shop" onPage={() => {}} />);
    expect(html).toContain("<h2>3 profiles match “shop”</h2>");
    expect(html).not.toContain("Next");
  });
});
