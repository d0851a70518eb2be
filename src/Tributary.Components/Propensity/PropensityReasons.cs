using System.Globalization;

namespace Tributary.Components.Propensity;

/// <summary>
/// Groups of snapshot features that tell one story about why a customer is likely to buy (a recent order, many orders,
/// recent browsing, email engagement, spend, tenure, support) and the sentence each writes from the customer's values.
/// </summary>
internal static class PropensityReasons
{
    /// <summary>The reason code a snapshot feature belongs to.</summary>
    public static string CodeOf(string feature) => feature switch
    {
        "recency_days" or "recency_ratio" or "mean_interpurchase_days" or "days_to_last_order" or "orders_30d" => "recent_order",
        "orders" or "frequency" or "orders_90d" or "orders_prior_90d" or "orders_trend" => "frequent_buyer",
        "sessions_7d" or "sessions_30d" or "sessions_prior_30d" or "sessions_90d" or "sessions_trend" or "days_since_last_session" or "distinct_channels_90d" => "browsing",
        "emails_opened_30d" or "emails_opened_prior_30d" or "emails_opened_90d" or "email_trend" => "email_engaged",
        "revenue" or "average_order_value" or "revenue_90d" or "revenue_prior_90d" or "discount_share" or "refunded_orders" or "refund_share" => "spend",
        "tenure_days" => "tenure",
        _ => "support",
    };

    /// <summary>A sentence for a reason from the customer's feature values (by name; missing values are NaN).</summary>
    public static string Sentence(string code, Func<string, double> value)
    {
        static string N(double v) => double.IsNaN(v) ? "?" : Math.Round(v).ToString("0", CultureInfo.InvariantCulture);
        static string Plural(double v, string one, string many) => $"{N(v)} {(Math.Round(v) == 1 ? one : many)}";
        return code switch
        {
            "recent_order" => value("mean_interpurchase_days") > 0
                ? $"last order {N(value("recency_days"))} days ago, usually every {N(value("mean_interpurchase_days"))}"
                : $"first order {N(value("recency_days"))} days ago",
            "frequent_buyer" => $"{Plural(value("orders"), "order", "orders")} so far, {N(value("orders_90d"))} in the last 90 days",
            "browsing" => $"{Plural(value("sessions_30d"), "visit", "visits")} in the last 30 days",
            "email_engaged" => $"opened {Plural(value("emails_opened_30d"), "email", "emails")} in the last 30 days",
            "spend" => $"spent {N(value("revenue"))} in total, {N(value("average_order_value"))} per order",
            "tenure" => $"a customer for {N(value("tenure_days"))} days",
            _ => $"{Plural(value("tickets_90d"), "support ticket", "support tickets")} in the last 90 days",
        };
    }
}
