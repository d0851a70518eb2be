using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Tributary.Core.Warehousing;
using Tributary.Server.Contracts;

namespace Tributary.Server.Api;

/// <summary>
/// Customer 360 from the warehouse: <c>GET /api/customers?q=</c> finds profiles by email, phone, any identifier or
/// profile id in the identity graph; <c>GET /api/customers/{profileId}</c> gathers the person's rows from the tables the
/// templates write (identity, Customer 360, orders, events, sessions, tickets, every score with its reason, segments and
/// audiences). A table the project does not have gives an empty section, not an error.
/// </summary>
internal static class CustomerProfileApi
{
    /// <summary>The identity graph every section finds the person through (identity.resolve's asset in the templates).</summary>
    public const string IdentityTable = "identity_graph";

    private const int SectionLimit = 100;
    private const int SearchLimit = 20;
    private const int MaxSearchLimit = 100;

    // Shorter parts of an identifier match too many people to be a search.
    private const int MinPartialSearch = 3;

    // A column of the section's table and what it is compared with: the profile id itself (no types) or the person's identifiers of those types.
    private sealed record Match(string Column, params string[] IdentifierTypes);

    // A SKU column of the section's table, named from the catalog in another column added beside the table's own.
    private sealed record ProductName(string SkuColumn, string NameColumn);

    private sealed record Section(string Key, string Title, string Table, Match[] Matches, string? OrderBy = null, bool Descending = true, ProductName[]? Names = null);

    // The catalog product names are read from (standardize.products' asset in the templates: sku, product_name).
    private const string CatalogTable = "products";

    // In the order the page shows them; table names are those the templates (full_cdp above all) give their assets.
    private static readonly Section[] Sections =
    [
        new("profile", "Customer 360", "customer_360", [new("profile_id")]),
        new("identifiers", "Identifiers", IdentityTable, [new("profile_id")], "last_seen"),
        new("merges", "Merge history", IdentityTable + "__merges", [new("surviving_profile"), new("merged_profile")], "merged_at"),
        // The CRM's record of the person (standardize.customers: HubSpot), where the templates without customer_360 keep the name.
        new("contact", "CRM contact", "customers", [new("hubspot_id", "hubspot_id"), new("email", "email")], "created_at"),
        new("value", "Value tier and RFM segment", "customer_value", [new("customer_id")]),
        new("ltv", "Lifetime value", "customer_ltv", [new("customer_id")]),
        new("churn", "Churn risk", "churn_scores", [new("customer_id")]),
        new("propensity", "Purchase propensity", "propensity_scores", [new("customer_id")]),
        new("uplift", "Uplift from the campaign", "uplift_scores", [new("customer_id")]),
        new("recommendations", "Recommendations", "recommendations", [new("customer_id")], "rank", Descending: false,
            [new("sku", "product_name"), new("because_sku", "because_product_name")]),
        new("fraud", "Fraud risk of payments", "risk_scores", [new("email", "email")], "created_at"),
        new("experiments", "Experiment variants", "exposures", [new("visitor_id", "user_id", "anonymous_id")], "first_exposed_at"),
        new("segments_rfm", "RFM segment", "rfm_segments", [new("customer_id")]),
        new("segments_propensity", "Propensity decile", "propensity_deciles", [new("customer_id")]),
        new("segments_uplift", "Uplift band", "uplift_bands", [new("customer_id")]),
        new("audience_winback", "Win-back audience (churn alerts)", "churn_contacts", [new("customer_id")], "alerted_on"),
        new("audience_campaign", "Campaign audience", "campaign_contacts", [new("customer_id")], "rank", Descending: false),
        new("orders", "Orders", "customer_orders", [new("customer_id")], "ordered_at"),
        new("events", "Event timeline", "web_events", [new("user_id", "user_id"), new("anonymous_id", "anonymous_id"), new("email", "email")], "occurred_at"),
        new("sessions", "Sessions and channels", "sessions", [new("anonymous_id", "anonymous_id")], "started_at"),
        new("tickets", "Support tickets", "tickets", [new("email", "email")], "created_at"),
    ];

    public static void Map(RouteGroupBuilder api, TributaryProject project, RecommendationSnapshots recommendations)
    {
        var customers = api.MapGroup("/customers").WithTags("Customers");
        customers.MapGet("/", async Task<Results<Ok<CustomerSearchPage>, BadRequest<ProblemDetails>>> (string? q, long? offset, int? limit, CancellationToken ct) =>
        {
            var text = q?.Trim() ?? "";
            if (text.Length == 0) return ApiProblems.BadRequest("q is empty: give an email, a phone number, a profile id or another identifier");
            if (text.Length > 320) return ApiProblems.BadRequest($"q is {text.Length} characters; at most 320");
            if (offset is < 0) return ApiProblems.BadRequest($"offset must be 0 or more, not {offset}");
            if (limit is < 1 or > MaxSearchLimit) return ApiProblems.BadRequest($"limit must be 1 to {MaxSearchLimit}, not {limit}");
            return TypedResults.Ok(await SearchAsync(project.Warehouse, text, offset ?? 0, limit ?? SearchLimit, ct).ConfigureAwait(false));
        }).WithName("SearchCustomers");
        customers.MapGet("/{profileId}", async Task<Results<Ok<CustomerProfile>, NotFound<ProblemDetails>>> (string profileId, CancellationToken ct) =>
        {
            var w = project.Warehouse;
            if (await w.DescribeTableAsync(IdentityTable, ct).ConfigureAwait(false) is null)
                return ApiProblems.NotFound($"no table '{IdentityTable}': run a pipeline whose identity.resolve step is named {IdentityTable} (full_cdp, churn_prevention, ...)");
            var d = w.Dialect;
            var known = await w.ScalarAsync($"SELECT count(*) FROM {d.Quote(IdentityTable)} WHERE {d.Quote("profile_id")} = $1", [profileId], ct).ConfigureAwait(false);
            if (Convert.ToInt64(known, CultureInfo.InvariantCulture) == 0) return ApiProblems.NotFound($"no profile '{profileId}' in {IdentityTable}");
            var sections = new List<ProfileSection>();
            foreach (var s in Sections)
                sections.Add(s.Key == "recommendations" && await ServedRecommendationsAsync(w, s, profileId, recommendations, ct).ConfigureAwait(false) is { } served
                    ? served : await ReadAsync(w, s, profileId, ct).ConfigureAwait(false));
            return TypedResults.Ok(new CustomerProfile(profileId, sections));
        }).WithName("GetCustomerProfile");
    }

    private static async Task<CustomerSearchPage> SearchAsync(IWarehouse w, string text, long offset, int limit, CancellationToken ct)
    {
        if (await w.DescribeTableAsync(IdentityTable, ct).ConfigureAwait(false) is null) return new CustomerSearchPage(0, offset, limit, []);
        var d = w.Dialect;
        string C(string name) => d.Quote(name);
        // Identity stores emails lower-cased and phones as + and digits; an id or other identifier is compared as typed.
        var digits = new string(text.Where(char.IsAsciiDigit).ToArray());
        var phone = text.StartsWith('+') ? "+" + digits : digits;
        // Each profile with an identifier matching `where`, with its email and phone ($1 and $2 name those types); a page of them by profile id.
        string Sql(string where) => $"""
            SELECT {C("profile_id")},
                   min(CASE WHEN {C("identifier_type")} = $1 THEN {C("identifier_value")} END) AS email,
                   min(CASE WHEN {C("identifier_type")} = $2 THEN {C("identifier_value")} END) AS phone,
                   count(*) AS identifiers
            FROM {C(IdentityTable)}
            WHERE {C("profile_id")} IN (SELECT {C("profile_id")} FROM {C(IdentityTable)} WHERE {where})
            GROUP BY {C("profile_id")}
            ORDER BY {C("profile_id")}
            LIMIT {limit.ToString(CultureInfo.InvariantCulture)} OFFSET {offset.ToString(CultureInfo.InvariantCulture)}
            """;
        // The same profiles counted: the page says how many match in all.
        string Count(string where) => $"SELECT count(DISTINCT {C("profile_id")}) FROM {C(IdentityTable)} WHERE {where}";
        // The match as a condition whose values are bound from $first on (the page's query binds the two types before them).
        string Exact(int first) => $"{C("profile_id")} = ${first} OR {C("identifier_value")} = ${first + 1} OR {C("identifier_value")} = ${first + 2} OR {C("identifier_value")} = ${first + 3}";
        string Part(int first) => $"lower({C("identifier_value")}) LIKE ${first} ESCAPE '\\'";
        Func<int, string> where = Exact;
        object?[] values = [text, text, text.ToLowerInvariant(), phone.Length > 1 ? phone : text];
        var total = Convert.ToInt64(await w.ScalarAsync(Count(where(1)), values, ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
        // Nothing exact: part of an identifier ("noah.lopez" of an email), as an analyst types it; wildcards in the text are literal.
        if (total == 0 && text.Length >= MinPartialSearch)
        {
            where = Part;
            values = ["%" + text.ToLowerInvariant().Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal) + "%"];
            total = Convert.ToInt64(await w.ScalarAsync(Count(where(1)), values, ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }
        if (total == 0) return new CustomerSearchPage(0, offset, limit, []);
        var result = await w.QueryAsync(Sql(where(3)), ["email", "phone", .. values], limit, ct).ConfigureAwait(false);
        return new CustomerSearchPage(total, offset, limit, result.Rows.Select(r => new CustomerMatch(Convert.ToString(r[0], CultureInfo.InvariantCulture)!, r[1] as string, r[2] as string,
            Convert.ToInt64(r[3], CultureInfo.InvariantCulture))).ToList());
    }

    private static async Task<ProfileSection> ReadAsync(IWarehouse w, Section s, string profileId, CancellationToken ct)
    {
        var schema = await w.DescribeTableAsync(s.Table, ct).ConfigureAwait(false);
        var matches = schema is null ? [] : s.Matches.Where(m => schema.Find(m.Column) is not null).ToList();
        if (schema is null || matches.Count == 0) return new ProfileSection(s.Key, s.Title, null, [], [], SectionLimit);
        var d = w.Dialect;
        string T(string column) => "t." + d.Quote(column);
        var parameters = new List<object?> { profileId };
        var conditions = new List<string>();
        foreach (var m in matches)
        {
            if (m.IdentifierTypes.Length == 0)
            {
                conditions.Add($"CAST({T(m.Column)} AS VARCHAR) = $1");
                continue;
            }
            var types = new List<string>();
            foreach (var type in m.IdentifierTypes)
            {
                parameters.Add(type);
                types.Add($"${parameters.Count}");
            }
            conditions.Add($"{T(m.Column)} IN (SELECT {d.Quote("identifier_value")} FROM {d.Quote(IdentityTable)} " +
                $"WHERE {d.Quote("profile_id")} = $1 AND {d.Quote("identifier_type")} IN ({string.Join(", ", types)}))");
        }
        var (names, joins) = await NameJoinsAsync(w, s, schema, ct).ConfigureAwait(false);
        var order = s.OrderBy is not null && schema.Find(s.OrderBy) is not null ? $" ORDER BY {T(s.OrderBy)}{(s.Descending ? " DESC" : "")}" : "";
        var sql = $"SELECT t.*{names} FROM {d.Quote(s.Table)} AS t{joins} WHERE {string.Join(" OR ", conditions)}{order}";
        var result = await w.QueryAsync(sql, parameters, SectionLimit, ct).ConfigureAwait(false);
        return new ProfileSection(s.Key, s.Title, s.Table, result.Schema.Columns.Select(c => new ColumnView(c.Name, c.Kind)).ToList(), JsonCells.Finite(result.Rows), SectionLimit);
    }

    // The list the recommendation API serves the person, which holds the lists of profiles merged into theirs since the
    // recommendations were built (their table still has them under the merged ids); null where it serves them none.
    private static async Task<ProfileSection?> ServedRecommendationsAsync(IWarehouse w, Section s, string profileId, RecommendationSnapshots recommendations, CancellationToken ct)
    {
        if (await recommendations.GetAsync(ct).ConfigureAwait(false) is not { } snapshot || !snapshot.ByProfile.TryGetValue(profileId, out var items)) return null;
        var names = await ProductNamesAsync(w, items.SelectMany(i => new[] { i.Sku, i.BecauseSku }).OfType<string>().Distinct(StringComparer.Ordinal).ToList(), ct).ConfigureAwait(false);
        ColumnView[] columns =
        [
            new("customer_id", DataKind.Text), new("rank", DataKind.Integer), new("sku", DataKind.Text), new("score", DataKind.Number),
            new("source", DataKind.Text), new("because_sku", DataKind.Text), new("product_name", DataKind.Text), new("because_product_name", DataKind.Text),
        ];
        var rows = items.Take(SectionLimit).Select(i => (IReadOnlyList<object?>)
            [profileId, i.Rank, i.Sku, i.Score, i.Source, i.BecauseSku, names.GetValueOrDefault(i.Sku), i.BecauseSku is null ? null : names.GetValueOrDefault(i.BecauseSku)]).ToList();
        return new ProfileSection(s.Key, s.Title, snapshot.Asset, columns, rows, SectionLimit);
    }

    // The catalog's name of each SKU that has one.
    private static async Task<Dictionary<string, string>> ProductNamesAsync(IWarehouse w, List<string> skus, CancellationToken ct)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        if (skus.Count == 0 || await w.DescribeTableAsync(CatalogTable, ct).ConfigureAwait(false) is not { } catalog
            || catalog.Find("sku") is null || catalog.Find("product_name") is null) return names;
        var q = new SqlBuilder(w.Dialect);
        var sku = $"CAST({q.Quote("sku")} AS VARCHAR)";
        var result = await w.QueryAsync($"SELECT {sku}, min({q.Quote("product_name")}) FROM {q.Quote(CatalogTable)} WHERE {sku} IN ({q.BindList(skus, DataKind.Text)}) GROUP BY {sku}",
            q.Parameters, skus.Count, ct).ConfigureAwait(false);
        foreach (var r in result.Rows)
            if (r[0] is string key && r[1] is string name) names[key] = name;
        return names;
    }

    // People read product names, not SKUs: each SKU column the table has gets the catalog's name beside it (null for a SKU the catalog lacks).
    private static async Task<(string Columns, string Joins)> NameJoinsAsync(IWarehouse w, Section s, TableSchema schema, CancellationToken ct)
    {
        var wanted = (s.Names ?? []).Where(n => schema.Find(n.SkuColumn) is not null && schema.Find(n.NameColumn) is null).ToList();
        if (wanted.Count == 0 || await w.DescribeTableAsync(CatalogTable, ct).ConfigureAwait(false) is not { } catalog
            || catalog.Find("sku") is null || catalog.Find("product_name") is null) return ("", "");
        var d = w.Dialect;
        // One name per SKU, so that a catalog with a SKU twice never doubles the person's rows.
        var named = $"(SELECT CAST({d.Quote("sku")} AS VARCHAR) AS {d.Quote("sku")}, min({d.Quote("product_name")}) AS {d.Quote("product_name")} " +
            $"FROM {d.Quote(CatalogTable)} GROUP BY CAST({d.Quote("sku")} AS VARCHAR))";
        var columns = new StringBuilder();
        var joins = new StringBuilder();
        for (var i = 0; i < wanted.Count; i++)
        {
            var alias = $"n{i.ToString(CultureInfo.InvariantCulture)}";
            columns.Append(CultureInfo.InvariantCulture, $", {alias}.{d.Quote("product_name")} AS {d.Quote(wanted[i].NameColumn)}");
            joins.Append(CultureInfo.InvariantCulture, $" LEFT JOIN {named} AS {alias} ON {alias}.{d.Quote("sku")} = CAST(t.{d.Quote(wanted[i].SkuColumn)} AS VARCHAR)");
        }
        return (columns.ToString(), joins.ToString());
    }
}
