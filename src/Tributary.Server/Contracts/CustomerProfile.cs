namespace Tributary.Server.Contracts;

/// <summary>Everything the warehouse holds about one person (<c>GET /api/customers/{profileId}</c>), one section per table.</summary>
/// <param name="ProfileId">The identity graph's profile id.</param>
/// <param name="Sections">Every section in a fixed order; a section whose table is absent is empty, with no table.</param>
public sealed record CustomerProfile(string ProfileId, IReadOnlyList<ProfileSection> Sections);

/// <summary>One part of a customer profile: the person's rows of one warehouse table.</summary>
/// <param name="Key">Stable key of the section (identifiers, merges, orders, events, churn, ...).</param>
/// <param name="Title">What the section shows.</param>
/// <param name="Table">The warehouse table it was read from; null when the project has no such table (or it lacks the column that finds the person).</param>
/// <param name="Columns">Its columns in order.</param>
/// <param name="Rows">The person's rows, newest first where the table has a time; at most <see cref="Limit"/>.</param>
/// <param name="Limit">The most rows a section holds.</param>
public sealed record ProfileSection(string Key, string Title, string? Table, IReadOnlyList<ColumnView> Columns, IReadOnlyList<IReadOnlyList<object?>> Rows, int Limit);
