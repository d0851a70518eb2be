using System.ComponentModel;

namespace Tributary.Components.Standardize;

/// <summary>Parameters of <c>standardize.orders</c> and <c>standardize.order_items</c>: the standardizers' ones plus whether gift card sales count.</summary>
public sealed record OrdersParameters : StandardizeParameters
{
    /// <summary>Count gift card line items as sales.</summary>
    [Description("Keep gift card line items in the orders' subtotal, total and items, and in order_items. Default false: a gift card sold is money the store owes (a liability until it is spent, "
        + "when the order paying with it counts), not revenue, so its lines (price times quantity) are taken out of the order's subtotal and total, and an order of gift cards only is left out. "
        + "Shopify's orders export has no gift card flag: a line is taken as a gift card when its Lineitem name contains 'gift card' or 'giftcard' (any case), as Shopify names its gift card product; "
        + "a gift card product named otherwise counts as a sale.")]
    public bool KeepGiftCards { get; init; }

    /// <summary>SQL that is true for a gift card line of source row <paramref name="row"/>, or FALSE when they are kept or the rows have no line item names.</summary>
    internal string GiftCardLine(string row, bool hasNames) => KeepGiftCards || !hasNames
        ? "FALSE"
        : $"coalesce(lower({row}.lineitem_name) LIKE '%gift card%' OR lower({row}.lineitem_name) LIKE '%giftcard%', FALSE)";
}
