namespace Tributary.Server.Contracts;

/// <summary>Items of the recommendation lists that came from one source.</summary>
/// <param name="Source">The model (als, item_similarity…) or popular, the fill for lists the model left short.</param>
/// <param name="Items">Items from it.</param>
/// <param name="Share">Those items as a share of all items (0..1).</param>
public sealed record RecommendationSourceCount(string Source, int Items, double Share);
