using System.Globalization;

namespace Tributary.Components.Churn;

/// <summary>
/// Groups of features that tell one story (recency, falling orders, few orders, fewer visits, fewer email opens,
/// support trouble, discounts and refunds) and the sentence each writes from the customer's own values.
/// </summary>
internal static class ChurnReasons
{
    /// <summary>Reason codes in a fixed order.</summary>
    public static readonly string[] Codes = ["recency", "order_decline", "low_frequency", "browsing_decline", "email_disengaged", "support_issue", "discount_refund"];

    /// <summary>The reason code a model feature belongs to.</summary>
    public static string CodeOf(string feature) => feature switch
    {
        "recency_days" or "recency_ratio" or "mean_interpurchase_days" or "days_to_last_order" or "orders_30d" or "p_alive" or "expected_purchases" or "p_no_order" => "recency",
        "orders_90d" or "orders_prior_90d" or "orders_trend" or "revenue_90d" or "revenue_prior_90d" => "order_decline",
        "orders" or "frequency" or "tenure_days" or "revenue" or "average_order_value" => "low_frequency",
        "sessions_7d" or "sessions_30d" or "sessions_prior_30d" or "sessions_90d" or "sessions_trend" or "days_since_last_session" or "distinct_channels_90d" => "browsing_decline",
        "emails_opened_30d" or "emails_opened_prior_30d" or "emails_opened_90d" or "email_trend" => "email_disengaged",
        "tickets_90d" or "open_tickets" or "oldest_open_ticket_days" or "bad_ratings_90d" => "support_issue",
        _ => "discount_refund",
    };

    /// <summary>A sentence for a reason from the customer's feature values (by feature name; missing values are NaN).</summary>
    public static string Sentence(string code, Func<string, double> value)
    {
        static string N(double v) => double.IsNaN(v) ? "?" : Math.Round(v).ToString("0", CultureInfo.InvariantCulture);
        string Plural(double v, string one, string many) => $"{N(v)} {(Math.Round(v) == 1 ? one : many)}";
        var recency = value("recency_days");
        switch (code)
        {
            case "recency":
                var gap = value("mean_interpurchase_days");
                return gap > 0 ? $"no order in {N(recency)} days, usually every {N(gap)}" : $"no order in {N(recency)} days since the first and only one";
            case "order_decline":
                return $"{Plural(value("orders_90d"), "order", "orders")} in the last 90 days, down from {N(value("orders_prior_90d"))} the 90 days before";
            case "low_frequency":
                return $"{Plural(value("orders"), "order", "orders")} in {N(value("tenure_days"))} days as a customer";
            case "browsing_decline":
                var last = value("days_since_last_session");
                var visits = $"{Plural(value("sessions_30d"), "visit", "visits")} in the last 30 days against {N(value("sessions_prior_30d"))} the month before";
                return last >= 30 ? $"no visit to the shop in {N(last)} days" : double.IsNaN(last) || last < 0 ? "never visited the shop signed in" : visits;
            case "email_disengaged":
                return $"opened {Plural(value("emails_opened_30d"), "email", "emails")} in the last 30 days against {N(value("emails_opened_prior_30d"))} the month before";
            case "support_issue":
                var open = value("open_tickets");
                if (open >= 1) return $"support ticket unsolved for {N(value("oldest_open_ticket_days"))} days";
                var bad = value("bad_ratings_90d");
                return bad >= 1 ? $"rated support as bad {(bad == 1 ? "once" : $"{N(bad)} times")} in the last 90 days" : $"{Plural(value("tickets_90d"), "support ticket", "support tickets")} in the last 90 days";
            default:
                var refunded = value("refunded_orders");
                return refunded >= 1 ? $"{Plural(refunded, "refunded order", "refunded orders")}"
                    : $"{Math.Round(100 * Math.Max(0, value("discount_share"))).ToString("0", CultureInfo.InvariantCulture)}% of spend was discount";
        }
    }
}
