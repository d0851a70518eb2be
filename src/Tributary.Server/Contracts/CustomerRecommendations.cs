namespace Tributary.Server.Contracts;

/// <summary>A customer's recommendations from the latest materialization.</summary>
/// <param name="Customer">The identifier asked for (an email, user id, phone... or the profile id).</param>
/// <param name="ProfileId">The profile the identity graph resolved it to; null for a customer never seen.</param>
/// <param name="ColdStart">True when the customer is unknown and the list is the popular fallback.</param>
/// <param name="Items">Best first.</param>
/// <param name="MaterializedAt">When the recommendations being served were written.</param>
public sealed record CustomerRecommendations(string Customer, string? ProfileId, bool ColdStart, IReadOnlyList<RecommendedItem> Items, DateTimeOffset MaterializedAt);
