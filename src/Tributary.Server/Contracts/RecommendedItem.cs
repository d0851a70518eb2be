namespace Tributary.Server.Contracts;

/// <summary>One recommended product.</summary>
/// <param name="Rank">1 is the best.</param>
/// <param name="Sku">The product.</param>
/// <param name="Score">The model's score (ALS preference, item-item sum of similarities, or popularity share).</param>
/// <param name="Source">Where it came from: als, item_similarity, popular (the cold-start fallback or a short list filled up).</param>
/// <param name="BecauseSku">The customer's own product it follows from, when known: "bought X; people who bought X bought this" (item-item: the
/// neighbour it came through; ALS: the history item contributing most to the score, Hu, Koren and Volinsky 2008, §5).</param>
public sealed record RecommendedItem(int Rank, string Sku, double Score, string Source, string? BecauseSku);
