namespace Tributary.Server.Contracts;

/// <summary>
/// What the recommendation lists hold overall (<c>GET /api/recommendation-overview</c>): how many customers have a list,
/// how much of the catalog the lists cover, the products recommended to most customers, and where the items come from.
/// </summary>
/// <param name="Customers">Customers (profiles) with a list.</param>
/// <param name="Items">Items over all lists.</param>
/// <param name="Products">Distinct products recommended to anyone.</param>
/// <param name="CatalogProducts">Products in the catalog the step reads; null without a products input.</param>
/// <param name="Top">The products on most lists, most first.</param>
/// <param name="Sources">Items per source (the model, or the popular fill), most first.</param>
/// <param name="MaterializedAt">When the lists were written.</param>
public sealed record RecommendationOverview(int Customers, int Items, int Products, int? CatalogProducts,
    IReadOnlyList<RecommendedProductCount> Top, IReadOnlyList<RecommendationSourceCount> Sources, DateTimeOffset MaterializedAt);
