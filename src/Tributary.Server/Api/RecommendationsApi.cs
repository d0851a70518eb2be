using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tributary.Engine.Runs;
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

    public static void Map(RouteGroupBuilder api, TributaryProject project, RunEventHub events, IHostApplicationLifetime lifetime, ILogger log)
    {
        var snapshots = new RecommendationSnapshots(project, log);
        lifetime.ApplicationStarted.Register(() => _ = snapshots.FollowAsync(events, lifetime.ApplicationStopping));

        api.MapGet("/recommendations/{customer}", async Task<Results<Ok<CustomerRecommendations>, NotFound<ProblemDetails>, BadRequest<ProblemDetails>>> (
            string customer, int? limit, string? exclude, string? source, CancellationToken ct) =>
        {
            if (Limit(limit) is not { } n) return ApiProblems.BadRequest($"limit must be between 1 and {MaxLimit}, got {limit}");
            if (await snapshots.GetAsync(ct).ConfigureAwait(false) is not { } s) return NoneYet();
            var profile = s.Resolve(customer);
            var known = profile is not null && s.ByProfile.ContainsKey(profile);
            IEnumerable<RecommendedItem> items = known ? s.ByProfile[profile!] : s.Fallback;
            if (exclude is { Length: > 0 })
            {
                var skip = exclude.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
                items = items.Where(i => !skip.Contains(i.Sku));
            }
            if (source is { Length: > 0 }) items = items.Where(i => i.Source == source);
            var list = items.Take(n).Select((i, r) => i.Rank == r + 1 ? i : i with { Rank = r + 1 }).ToList();
            return TypedResults.Ok(new CustomerRecommendations(customer, profile, !known, list, s.MaterializedAt));
        }).WithName("GetRecommendations").WithTags("Recommendations");

        api.MapGet("/similar/{sku}", (string sku, int? limit, CancellationToken ct) => RelatedAsync(snapshots, s => s.Similar, sku, limit, "similar items (recs.item_similarity)", ct))
            .WithName("GetSimilarItems").WithTags("Recommendations");
        api.MapGet("/bought-together/{sku}", (string sku, int? limit, CancellationToken ct) => RelatedAsync(snapshots, s => s.Together, sku, limit, "bought-together rules (recs.bought_together)", ct))
            .WithName("GetBoughtTogether").WithTags("Recommendations");
    }

    private static async Task<Results<Ok<RelatedItems>, NotFound<ProblemDetails>, BadRequest<ProblemDetails>>> RelatedAsync(RecommendationSnapshots snapshots,
        Func<RecommendationSnapshot, IReadOnlyDictionary<string, RelatedItem[]>> table, string sku, int? limit, string what, CancellationToken ct)
    {
        if (Limit(limit) is not { } n) return ApiProblems.BadRequest($"limit must be between 1 and {MaxLimit}, got {limit}");
        if (await snapshots.GetAsync(ct).ConfigureAwait(false) is not { } s) return NoneYet();
        // A product with no neighbours (new, or sold too rarely) has an empty list, not a 404: the caller shows nothing.
        var items = table(s).TryGetValue(sku, out var list) ? list.Take(n).ToList() : [];
        return TypedResults.Ok(new RelatedItems(sku, items));
    }

    private static int? Limit(int? limit) => limit switch { null => 10, >= 1 and <= MaxLimit => limit, _ => null };

    private static NotFound<ProblemDetails> NoneYet() =>
        ApiProblems.NotFound("no recommendations materialized yet: run a pipeline with recs.for_customers (e.g. the product_recommendations template)");
}
