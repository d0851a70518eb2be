namespace Tributary.Server.Contracts;

/// <summary>A component type of the catalog (<c>GET /api/components</c>).</summary>
/// <param name="Type">Its type name, e.g. <c>analytics.ltv</c>.</param>
/// <param name="Description">What it does.</param>
public sealed record ComponentTypeSummary(string Type, string Description);
