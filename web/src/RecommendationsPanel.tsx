import { useEffect, useState, type FormEvent } from "react";
import { api, errorMessage, type Schemas } from "./api/client";
import { getSection, toGraph } from "./pipelineGraph";
import { pipelineCurrency } from "./ltv";
import { Explain } from "./ui/Explain";
import { useOutputTable } from "./sideTables";
import { Card, DataTable, EmptyState, ErrorNotice, Loading } from "./ui/components";
import { alignedPercentFormat, formatMoney, formatNumber, formatPercent } from "./ui/format";
import { recommenderName } from "./glossary";

type RecommendedItem = Schemas["RecommendedItem"];
type RelatedItem = Schemas["RelatedItem"];

/** A product as the catalog names it; a SKU the catalog does not know is shown as itself. */
export interface Product {
  sku: string;
  name: string;
  category?: string;
  price?: number;
}

/** "Name (SKU)", or the SKU alone when the catalog does not name it. */
export function productLabel(sku: string, catalog: ReadonlyMap<string, Product>): string {
  const p = catalog.get(sku);
  return p && p.name !== sku ? `${p.name} (${sku})` : sku;
}

/** Why a product is on a customer's list, in words, from the source and the customer's own product it follows from. */
export function recommendationReason(item: Pick<RecommendedItem, "sku" | "source" | "because_sku">, catalog: ReadonlyMap<string, Product>): string {
  const name = (sku: string) => catalog.get(sku)?.name ?? sku;
  if (item.because_sku) return `Bought ${name(item.because_sku)}; people who bought ${name(item.because_sku)} bought ${name(item.sku)}`;
  switch (item.source) {
    case "als": return "Customers whose purchases resemble theirs bought it (ALS)";
    case "item_similarity": return "Similar to what they bought (item-item)";
    case "popular": return "Popular with all customers (no personal signal yet)";
    default: return `From ${item.source}`;
  }
}

/**
 * The product a search means: an exact SKU, else an exact name, else the first product whose name or SKU contains the
 * text (case-insensitive); the text itself when nothing matches, so that a SKU missing from the catalog can still be asked.
 */
export function findProduct(text: string, products: readonly Product[]): string {
  const t = text.trim();
  const lower = t.toLowerCase();
  const hit = products.find((p) => p.sku === t) ?? products.find((p) => p.name.toLowerCase() === lower)
    ?? products.find((p) => p.name.toLowerCase().includes(lower) || p.sku.toLowerCase().includes(lower));
  return hit?.sku ?? t;
}

// The catalog the recommendation step reads: its products input (standardize.products), when it has one.
function useCatalog(pipeline: string, step: string) {
  const [productsStep, setProductsStep] = useState<string | null>(null);
  const [currency, setCurrency] = useState<string | null>(null);
  useEffect(() => {
    api.yaml(pipeline).then(({ yaml }) => {
      setCurrency(pipelineCurrency(getSection(yaml, "params"))?.currency ?? null);
      const components = toGraph(yaml).components;
      const inputs = components.find((c) => c.id === step)?.inputs ?? [];
      setProductsStep(components.find((c) => inputs.includes(c.id) && c.type === "standardize.products")?.id ?? "");
    }, () => setProductsStep(""));
  }, [pipeline, step]);
  const table = useOutputTable({ step: productsStep || "(none)", output: "main" }, 10_000);
  const products: Product[] = (productsStep ? table.rows ?? [] : []).map((r) => ({
    sku: String(r.sku), name: r.product_name == null ? String(r.sku) : String(r.product_name),
    category: r.category == null ? undefined : String(r.category), price: typeof r.price === "number" ? r.price : undefined,
  }));
  return { products, catalog: new Map(products.map((p) => [p.sku, p])), currency };
}

/** "41.50 USD" when the pipeline's params name the currency, else "41.50 (catalog price)": the catalog itself names none. */
export function priceLabel(price: number, currency: string | null): string {
  return currency ? `${formatMoney(price)} ${currency}` : `${formatMoney(price)} (catalog price)`;
}

/** "3 of 40 products (8%)", or the count alone without a catalog to compare with. */
export function coverageLabel(products: number, catalog: number | null | undefined): string {
  return catalog ? `${products} of ${catalog} products (${formatPercent(products / catalog)})` : `${products} products`;
}

/**
 * Recommendations served by trib serve, as a shop would see them: a product's similar items and bought-together items,
 * and a customer's list (by email or any identifier the identity graph knows) with why each product is on it.
 */
export function RecommendationsPanel({ asset, pipeline }: { asset: string; pipeline: string }) {
  const { products, catalog, currency } = useCatalog(pipeline, asset);
  return (
    <>
      <RecommendationOverviewCard catalog={catalog} />
      <ProductLookup products={products} catalog={catalog} currency={currency} />
      <CustomerLookup catalog={catalog} />
    </>
  );
}

/** What the lists hold overall: customers with a list, catalog coverage, the products recommended most, and the sources. */
function RecommendationOverviewCard({ catalog }: { catalog: ReadonlyMap<string, Product> }) {
  const [overview, setOverview] = useState<Schemas["RecommendationOverview"] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => { api.recommendationOverview(15).then(setOverview, (e: unknown) => setError(errorMessage(e))); }, []);
  const title = "Recommendations overview: what customers are offered";
  // One precision for the column: 27.0% under 27.1%, not 27%.
  const share = alignedPercentFormat(overview?.top.map((r) => r.share) ?? []);
  return (
    <Card title={title} label="Recommendations overview">
      {error ? <ErrorNotice>{error}</ErrorNotice> : !overview ? <Loading /> : (
        <>
          <dl className="stats">
            <div><dt>Customers with a list</dt><dd>{overview.customers.toLocaleString()}</dd></div>
            <div><dt>Products recommended</dt><dd data-testid="recs-coverage">{coverageLabel(overview.products, overview.catalog_products)}</dd></div>
            <div><dt>Items per list</dt><dd>{overview.customers > 0 ? formatNumber(overview.items / overview.customers) : "—"}</dd></div>
            <div><dt>From</dt><dd>{overview.sources.map((x) => `${recommenderName(x.source)} ${formatPercent(x.share)}`).join(" · ")}</dd></div>
          </dl>
          <p className="muted">"popular" items fill lists the model left short (a customer with few purchases, or the business rules excluded its picks).</p>
          <DataTable stacked caption="Products recommended to the most customers" rows={overview.top} rowKey={(r) => r.sku} maxHeight={420}
            columns={[
              { key: "product", header: "Product", cell: (r) => productLabel(r.sku, catalog) },
              { key: "category", header: "Category", cell: (r) => catalog.get(r.sku)?.category ?? "—" },
              { key: "customers", header: "Customers offered it", numeric: true, cell: (r) => r.customers.toLocaleString() },
              { key: "share", header: "Share of lists", numeric: true, cell: (r) => share(r.share) },
            ]} />
        </>
      )}
    </Card>
  );
}

function ProductLookup({ products, catalog, currency }: { products: Product[]; catalog: ReadonlyMap<string, Product>; currency: string | null }) {
  const [text, setText] = useState("");
  const [answer, setAnswer] = useState<{ sku: string; similar: RelatedItem[]; together: RelatedItem[] } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const search = (e: FormEvent) => {
    e.preventDefault();
    const sku = findProduct(text, products);
    if (!sku) return;
    setBusy(true);
    setError(null);
    Promise.all([api.similar(sku), api.boughtTogether(sku)])
      .then(([similar, together]) => setAnswer({ sku, similar: similar.items, together: together.items }), (err: unknown) => setError(errorMessage(err)))
      .finally(() => setBusy(false));
  };
  const related = (caption: string, rows: RelatedItem[], scoreHeader: string, empty: string) => (
    <DataTable stacked caption={caption} rows={rows} rowKey={(r) => r.sku} empty={empty} maxHeight={360}
      columns={[
        { key: "rank", header: "#", numeric: true, cell: (r) => r.rank },
        { key: "product", header: "Product", cell: (r) => productLabel(r.sku, catalog) },
        { key: "score", header: scoreHeader, numeric: true, cell: (r) => formatNumber(r.score) },
        { key: "support", header: "Support", numeric: true, cell: (r) => r.support },
        ...(rows.some((r) => r.confidence != null) ? [{ key: "confidence", header: "Confidence", numeric: true, cell: (r: RelatedItem) => (r.confidence == null ? "—" : formatPercent(r.confidence)) }] : []),
      ]} />
  );
  return (
    <Card title="Product lookup: similar and bought together" label="Product lookup">
      <form className="toolbar" onSubmit={search} role="search" aria-label="Find a product">
        <label>Product (name or SKU) <input type="search" list="recs-products" value={text} onChange={(e) => setText(e.target.value)} /></label>
        <datalist id="recs-products">{products.map((p) => <option key={p.sku} value={p.sku}>{p.name}</option>)}</datalist>
        <button type="submit" disabled={busy || text.trim() === ""}>Show related products</button>
      </form>
      {error && <ErrorNotice>{error}</ErrorNotice>}
      {busy && <Loading what="Asking the recommendation API" />}
      {answer && !busy && (
        <>
          <p>For <strong>{productLabel(answer.sku, catalog)}</strong>{catalog.get(answer.sku)?.price !== undefined && <> at {priceLabel(catalog.get(answer.sku)!.price!, currency)}</>}:</p>
          <h3>Similar items</h3>
          {related("Similar items", answer.similar, "Similarity", "No similar items: the product is new or sold too rarely.")}
          <Explain terms={["similarity", "supportSimilar"]} lead="Similarity and support:" />
          <h3>Bought together</h3>
          {related("Bought together", answer.together, "Lift", "No product is bought with this one more often than chance in enough orders.")}
          <Explain terms={["lift", "supportTogether", "confidence"]} lead="Lift, support and confidence:" />
        </>
      )}
    </Card>
  );
}

function CustomerLookup({ catalog }: { catalog: ReadonlyMap<string, Product> }) {
  const [text, setText] = useState("");
  const [answer, setAnswer] = useState<Schemas["CustomerRecommendations"] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const lookUp = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    api.recommendations(text.trim()).then(setAnswer, (err: unknown) => setError(errorMessage(err))).finally(() => setBusy(false));
  };
  return (
    <Card title="Customer lookup: recommendations and why" label="Customer lookup">
      <form className="toolbar" onSubmit={lookUp} role="search" aria-label="Find a customer">
        <label>Customer (email or id) <input type="search" value={text} onChange={(e) => setText(e.target.value)} /></label>
        <button type="submit" disabled={busy || text.trim() === ""}>Show recommendations</button>
      </form>
      {error && <ErrorNotice>{error}</ErrorNotice>}
      {busy && <Loading what="Asking the recommendation API" />}
      {answer && !busy && (
        <>
          {answer.cold_start
            ? <p className="notice warning" role="note">{answer.customer} is not a customer the recommendations know: these are the popular products every new customer gets.</p>
            : <p>For <strong>{answer.customer}</strong> (profile {answer.profile_id}).</p>}
          {answer.items.length === 0 ? <EmptyState title="No recommendations">Every eligible product is excluded for this customer.</EmptyState> : (
            <DataTable stacked caption={`Recommendations for ${answer.customer}`} rows={answer.items} rowKey={(r) => r.sku} maxHeight={420}
              columns={[
                { key: "rank", header: "#", numeric: true, cell: (r) => r.rank },
                { key: "product", header: "Product", cell: (r) => productLabel(r.sku, catalog) },
                { key: "category", header: "Category", cell: (r) => catalog.get(r.sku)?.category ?? "—" },
                { key: "why", header: "Why", cell: (r) => recommendationReason(r, catalog) },
                { key: "score", header: "Score", numeric: true, cell: (r) => formatNumber(r.score) },
              ]} />
          )}
        </>
      )}
    </Card>
  );
}
