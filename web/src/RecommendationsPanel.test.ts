import { describe, expect, it } from "vitest";
import { findProduct, productLabel, recommendationReason, type Product } from "./RecommendationsPanel";

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
