import { describe, expect, it } from "vitest";
import { coverageLabel, findProduct, priceLabel, productLabel, recommendationReason, type Product } from "./RecommendationsPanel";
import { formatMoney, formatPercent } from "./ui/format";

const products: Product[] = [
  { sku: "COF-1", name: "Dark Roast Coffee", category: "coffee" },
  { sku: "MUG-2", name: "Stoneware Mug", category: "kitchen" },
  { sku: "TEA-3", name: "Green Tea", category: "tea" },
];
const catalog = new Map(products.map((p) => [p.sku, p]));

describe("recommendationReason", () => {
  it("says what the customer bought and what buyers of it bought, by name", () => {
    expect(recommendationReason({ sku: "MUG-2", source: "item_similarity", because_sku: "COF-1" }, catalog))
      .toBe("Bought Dark Roast Coffee; people who bought Dark Roast Coffee bought Stoneware Mug");
  });

  it("falls back to the SKU for a product the catalog does not name", () => {
    expect(recommendationReason({ sku: "NEW-9", source: "item_similarity", because_sku: "COF-1" }, catalog))
      .toBe("Bought Dark Roast Coffee; people who bought Dark Roast Coffee bought NEW-9");
  });

  it("explains a model's pick without a product it follows from by the model", () => {
    expect(recommendationReason({ sku: "TEA-3", source: "als", because_sku: null }, catalog)).toMatch(/ALS/);
    expect(recommendationReason({ sku: "TEA-3", source: "popular", because_sku: null }, catalog)).toMatch(/^Popular/);
  });
});

describe("findProduct", () => {
  it("prefers an exact SKU, then an exact name, then a partial match of either", () => {
    expect(findProduct("TEA-3", products)).toBe("TEA-3");
    expect(findProduct(" stoneware mug ", products)).toBe("MUG-2");
    expect(findProduct("roast", products)).toBe("COF-1");
    expect(findProduct("mug-", products)).toBe("MUG-2");
  });

  it("asks for the text itself when no product matches", () => {
    expect(findProduct("XYZ-0", products)).toBe("XYZ-0");
  });
});

describe("productLabel", () => {
  it("names a known product with its SKU, an unknown one by SKU", () => {
    expect(productLabel("COF-1", catalog)).toBe("Dark Roast Coffee (COF-1)");
    expect(productLabel("NEW-9", catalog)).toBe("NEW-9");
  });
});

describe("priceLabel and coverageLabel", () => {
  it("names the pipeline's currency, or says it is the catalog's price when no currency is known", () => {
    expect(priceLabel(41.5, "USD")).toBe(`${formatMoney(41.5)} USD`);
    expect(priceLabel(41.5, null)).toBe(`${formatMoney(41.5)} (catalog price)`);
  });

  it("says how much of the catalog the lists cover", () => {
    expect(coverageLabel(30, 40)).toBe(`30 of 40 products (${formatPercent(0.75)})`);
    expect(coverageLabel(30, null)).toBe("30 products");
  });
});
