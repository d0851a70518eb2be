namespace Tributary.Server.Contracts;

/// <summary>A profile found by <c>GET /api/customers?q=</c>.</summary>
/// <param name="ProfileId">The identity graph's profile id.</param>
/// <param name="Email">One of its email addresses, if any.</param>
/// <param name="Phone">One of its phone numbers, if any.</param>
/// <param name="Identifiers">How many identifiers the profile joins.</param>
public sealed record CustomerMatch(string ProfileId, string? Email, string? Phone, long Identifiers);
