namespace Tributary.Server.Contracts;

/// <summary>A product related to another: similar (item-item) or bought together (association rule).</summary>
/// <param name="Rank">1 is the best.</param>
/// <param name="Sku">The related product.</param>
/// <param name="Score">Shrunk cosine for similar items, lift for bought-together rules.</param>
/// <param name="Support">Customers (similar) or orders (bought together) that had both.</param>
/// <param name="Confidence">P(this | the asked product), for bought-together rules.</param>
public sealed record RelatedItem(int Rank, string Sku, double Score, long Support, double? Confidence);
