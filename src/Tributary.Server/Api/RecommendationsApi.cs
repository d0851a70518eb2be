using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Tributary.Server.Contracts;

namespace Tributary.Server.Api;

/// <summary>
/// The recommendation API: a customer's recommendations by any identifier the identity graph knows, similar products and
/// products bought together, answered from an in-memory snapshot of the latest materialization (recs.for_customers,
/// recs.item_similarity, recs.bought_together), with the popular fallback for customers never seen.
/// </summary>
internal static class RecommendationsApi
{
    private const int MaxLimit = 100;

    public static void Map(RouteGroupBuilder api, RecommendationSnapshots snapshots)
    {
        api.MapGet("/recommendations/{customer}", async Task<Results<SerializedAnswer<CustomerRecommendations>, Ok<CustomerRecommendations>, NotFound<ProblemDetails>, BadRequest<ProblemDetails>>> (
            string customer, int? limit, string? exclude, string? source, [FromQuery(Name = "max_per_category")] int? maxPerCategory,
            [FromQuery(Name = "min_price")] double? minPrice, [FromQuery(Name = "max_price")] double? maxPrice, CancellationToken ct) =>
        {
            if (Limit(limit) is not { } n) return ApiProblems.BadRequest($"limit must be between 1 and {MaxLimit}, got {limit}");
            var rules = RecommendationRules.Validate(maxPerCategory, minPrice, maxPrice, MaxLimit, out var invalid);
            if (invalid is not null) return ApiProblems.BadRequest(invalid);
            if (await snapshots.GetAsync(ct).ConfigureAwait(false) is not { } s) return NoneYet();
            var profile = s.Resolve(customer);
            var known = profile is not null && s.ByProfile.ContainsKey(profile);
            if (exclude is not { Length: > 0 } && source is not { Length: > 0 } && rules is null)
            {
                // The common request: the stored list as serialized at load time.
                var serialized = known ? s.ByProfileJson[profile!] : s.FallbackJson;
                return new SerializedAnswer<CustomerRecommendations>(json =>
                {
                    json.WriteString("customer", customer);
                    if (profile is null) json.WriteNull("profile_id");
                    else json.WriteString("profile_id", profile);
                    json.WriteBoolean("cold_start", !known);
                    json.WriteString("materialized_at", s.MaterializedAt);
                }, "items", serialized, n);
            }
            if (rules is not null && s.Products is null)
                return ApiProblems.BadRequest("max_per_category, min_price and max_price need a materialized products table (sku, category, price, is_active), e.g. standardize.products");
            IEnumerable<RecommendedItem> items = known ? s.ByProfile[profile!] : s.Fallback;
            if (exclude is { Length: > 0 })
            {
                var skip = exclude.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
                items = items.Where(i => !skip.Contains(i.Sku));
            }
            if (source is { Length: > 0 }) items = items.Where(i => i.Source == source);
            // Rules drop items from the stored list; popular items that pass them fill it up again, as recs.for_customers does.
            var list = rules is null ? items.Take(n).ToList() : rules.Apply(items, known ? s.Fallback : [], s.Products!, n);
            return TypedResults.Ok(new CustomerRecommendations(customer, profile, !known,
                list.Select((i, r) => i.Rank == r + 1 ? i : i with { Rank = r + 1 }).ToList(), s.MaterializedAt));
        }).WithName("GetRecommendations").WithTags("Recommendations");

        // What the lists hold overall, for the dashboard's overview; the lookups answer one product or customer.
        api.MapGet("/recommendation-overview", async Task<Results<Ok<RecommendationOverview>, NotFound<ProblemDetails>, BadRequest<ProblemDetails>>> (int? limit, CancellationToken ct) =>
        {
            if (Limit(limit) is not { } n) return ApiProblems.BadRequest($"limit must be between 1 and {MaxLimit}, got {limit}");
            if (await snapshots.GetAsync(ct).ConfigureAwait(false) is not { } s) return NoneYet();
            return TypedResults.Ok(s.Overview(n));
        }).WithName("GetRecommendationOverview").WithTags("Recommendations");

        api.MapGet("/similar/{sku}", (string sku, int? limit, CancellationToken ct) => RelatedAsync(snapshots, s => s.SimilarJson, sku, limit, ct))
            .WithName("GetSimilarItems").WithTags("Recommendations");
        api.MapGet("/bought-together/{sku}", (string sku, int? limit, CancellationToken ct) => RelatedAsync(snapshots, s => s.TogetherJson, sku, limit, ct))
            .WithName("GetBoughtTogether").WithTags("Recommendations");
    }

    private static readonly SerializedList NoItems = SerializedList.Of(Array.Empty<RelatedItem>());

    private static async Task<Results<SerializedAnswer<RelatedItems>, NotFound<ProblemDetails>, BadRequest<ProblemDetails>>> RelatedAsync(RecommendationSnapshots snapshots,
        Func<RecommendationSnapshot, IReadOnlyDictionary<string, SerializedList>> table, string sku, int? limit, CancellationToken ct)
    {
        if (Limit(limit) is not { } n) return ApiProblems.BadRequest($"limit must be between 1 and {MaxLimit}, got {limit}");
        if (await snapshots.GetAsync(ct).ConfigureAwait(false) is not { } s) return NoneYet();
        // A product with no neighbours (new, or sold too rarely) has an empty list, not a 404: the caller shows nothing.
        var list = table(s).TryGetValue(sku, out var found) ? found : NoItems;
        return new SerializedAnswer<RelatedItems>(json => json.WriteString("sku", sku), "items", list, n);
    }

    private static int? Limit(int? limit) => limit switch { null => 10, >= 1 and <= MaxLimit => limit, _ => null };

    private static NotFound<ProblemDetails> NoneYet() =>
        ApiProblems.NotFound("no recommendations materialized yet: run a pipeline with recs.for_customers (e.g. the product_recommendations template)");
}
