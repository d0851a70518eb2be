/**
 * Plain-language meanings of the statistics the dashboards show, one short sentence each, for the caption line beside
 * the table or chart where an analyst meets them (see ui/Explain). Written for a marketer, not a statistician.
 */
export const glossary = {
  similarity: "how alike two products' buyers are, from 0 (no shared buyers) to 1 (the same buyers)",
  supportSimilar: "customers who bought both products",
  supportTogether: "orders that held both products",
  lift: "how many times more often the two are bought together than if they were unrelated (1 = chance; only pairs above 1 are listed)",
  confidence: "of the orders with the asked product, the share that also held this one",
  ndcg: "NDCG@k: how high the products a customer really took up next sit in their top k (1 = all at the top, 0 = none in the list)",
  map: "MAP@k: the average precision over each customer's top k, rewarding hits near the top",
  precision: "precision@k: the share of the top k that the customer took up",
  recall: "recall@k: the share of what the customer took up that was in their top k",
  hitRate: "hit rate: customers with at least one of their top k taken up",
  coverage: "catalog coverage: the share of the catalog that appears in anyone's list",
  novelty: "novelty: how unpopular (surprising) the recommended products are, in bits; higher is less obvious",
  bgnbd: "BG/NBD r, α: how often customers buy (r/α is the average purchase rate); a, b: how likely they are to stop after a purchase",
  gammaGamma: "Gamma-Gamma p, q, γ: how order values vary between customers (p·γ/(q−1) is the average order value)",
  pAlive: "p alive: the model's chance that the customer is still buying from you",
  pNoOrder: "p no order: the chance that they place no order within the horizon",
  qini: "Qini: the extra buyers gained by contacting customers in the model's order rather than at random, as an area under the curve (higher is better; 0 = no better than random)",
  auuc: "AUUC: area under the uplift curve, the uplift gained when targeting by the model; compare it with random targeting",
  prAuc: "PR-AUC: how well the score ranks fraud above legitimate transactions, from the base rate (random) to 1 (perfect)",
  theta: "θ (carry-over): the share of a day's ad effect that carries over to the next day",
  kappa: "κ: the carried-over spend level at which the response is half its ceiling (in spend units, including carry-over)",
  halfSaturation: "half-saturation spend: the daily spend, held every day, at which the response reaches half its ceiling; κ × (1 − θ)",
  shape: "shape: how sharply the response bends as spend grows (above 1: an S-curve)",
  rSquared: "R²: the share of the day-to-day ups and downs the curve explains (1 = all)",
} as const;

export type Term = keyof typeof glossary;

/** The attribution models by the names a marketer knows them by (analytics.attribution's models list). */
export const attributionModelNames: Readonly<Record<string, string>> = {
  first_touch: "first touch", last_touch: "last touch", last_non_direct: "last non-direct", linear: "linear", time_decay: "time decay",
  position_based: "position-based", w_shaped: "W-shaped", markov: "Markov", markov_1: "Markov (1st order)", markov_2: "Markov (2nd order)",
  markov_3: "Markov (3rd order)", shapley: "Shapley", shapley_simplified: "Shapley (simplified)",
};

/** A model's or channel's name as a reader writes it: a known model's own name, any other with spaces for underscores (paid_search → paid search). */
export const readableName = (name: string) => attributionModelNames[name] ?? name.replaceAll("_", " ");

/** A recommender (recs.evaluate's models, a list item's source) as a reader writes it: als → ALS, item_similarity → item similarity. */
export const recommenderName = (name: string) => (name === "als" ? "ALS" : name.replaceAll("_", " "));
