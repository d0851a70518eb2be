namespace Tributary.Server.Contracts;

/// <summary>A product and the customers whose list holds it.</summary>
/// <param name="Sku">The product.</param>
/// <param name="Customers">Lists that hold it.</param>
/// <param name="Share">Those lists as a share of all lists (0..1).</param>
public sealed record RecommendedProductCount(string Sku, int Customers, double Share);
