namespace Tributary.Server.Contracts;

/// <summary>Products related to one product.</summary>
/// <param name="Sku">The product asked for.</param>
/// <param name="Items">Best first.</param>
public sealed record RelatedItems(string Sku, IReadOnlyList<RelatedItem> Items);
