namespace Tributary.Server.Contracts;

/// <summary>One page of the profiles a search finds (<c>GET /api/customers?q=</c>), by profile id.</summary>
/// <param name="Total">How many profiles match in all, not just on this page.</param>
/// <param name="Offset">Index of the page's first profile.</param>
/// <param name="Limit">The most profiles a page holds (default 20, at most 100).</param>
/// <param name="Matches">The page's profiles.</param>
public sealed record CustomerSearchPage(long Total, long Offset, int Limit, IReadOnlyList<CustomerMatch> Matches);
