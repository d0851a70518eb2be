namespace Tributary.Server.Api;

/// <summary>What the per-request rules of the recommendation API need to know of a product.</summary>
/// <param name="Category">Its category, or null.</param>
/// <param name="Price">Its price, or null when unknown (such a product falls outside any price band).</param>
internal sealed record ProductFacts(string? Category, double? Price);
