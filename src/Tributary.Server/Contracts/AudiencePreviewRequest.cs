using Tributary.Components.Segments;

namespace Tributary.Server.Contracts;

/// <summary>An audience to count before it is saved (<c>POST /api/audiences/preview</c>): a warehouse table and conditions on its columns, as <c>segment.audience</c> takes them.</summary>
/// <param name="Table">The warehouse table (an asset) the audience selects from, typically a profile table such as customer_value.</param>
/// <param name="Conditions">The conditions, in order; none selects every row.</param>
/// <param name="Match">all: every condition holds; any: at least one does.</param>
/// <param name="Limit">Most rows in the audience, the first by <paramref name="OrderBy"/>; absent: every matching row.</param>
/// <param name="OrderBy">Column ordering the rows for the limit, optionally followed by asc or desc (clv desc).</param>
public sealed record AudiencePreviewRequest(string Table, IReadOnlyList<AudienceConditionView> Conditions, AudienceMatch Match = AudienceMatch.All, int? Limit = null, string? OrderBy = null);
