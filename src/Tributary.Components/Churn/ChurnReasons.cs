using System.Globalization;

namespace Tributary.Components.Churn;

/// <summary>
/// Groups of features that tell one story (recency, falling orders, few orders, fewer visits, fewer email opens,
/// support trouble, discounts and refunds), when the customer's own values bear that story out, and the sentence each
/// writes from them. A reason is given only where the model pushes toward churn and the sentence is true of the customer.
/// </summary>
internal static class ChurnReasons
{
    /// <summary>Reason codes in a fixed order; <see cref="ModelSignal"/> is the neutral reason when no story holds.</summary>
    public static readonly string[] Codes = ["recency", "order_decline", "low_frequency", "browsing_decline", "email_disengaged", "support_issue", "discount_refund", ModelSignal];

    /// <summary>The neutral reason: the model's strongest signal named with its value, when no story is true of the customer.</summary>
    public const string ModelSignal = "model_signal";

    /// <summary>Most reasons per customer.</summary>
    public const int MaxReasons = 3;

    // The usual gap of a one-time buyer, as in the recency rule: after it, the missing second order is overdue.
    internal const double OneTimeBuyerGap = 60;
    // Discount as a churn story needs a real share of spend, not a rounding remainder.
    private const double DiscountShare = 0.1;
    // Low frequency: one order, or fewer than one a quarter on average over the tenure.
    private const double QuarterDays = 90;

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

    /// <summary>
    /// The customer's reasons toward churn, strongest first: reason groups ranked by their summed contribution (only those
    /// pushing toward churn), keeping the first <see cref="MaxReasons"/> whose story the customer's values bear out. When none
    /// does and a reason is <paramref name="required"/> (or anything pushes toward churn), one neutral reason names the
    /// strongest feature and its value, or BG/NBD's P(no order) when the trees push nowhere (the stacked baseline drives the risk).
    /// </summary>
    public static List<(string Code, string Text)> Explain(IReadOnlyList<string> features, ReadOnlySpan<float> contributions, Func<string, double> value, bool required)
    {
        var byCode = new Dictionary<string, double>();
        var strongest = -1;
        for (var k = 0; k < features.Count; k++)
        {
            var code = CodeOf(features[k]);
            byCode[code] = byCode.GetValueOrDefault(code) + contributions[k];
            if (contributions[k] > 0 && (strongest < 0 || contributions[k] > contributions[strongest])) strongest = k;
        }
        var reasons = byCode.Where(c => c.Value > 0).OrderByDescending(c => c.Value).Select(c => c.Key)
            .Where(c => Holds(c, value)).Take(MaxReasons).Select(c => (c, Sentence(c, value))).ToList();
        if (reasons.Count == 0 && (required || strongest >= 0))
            reasons.Add((ModelSignal, Neutral(strongest >= 0 ? features[strongest] : "p_no_order", value)));
        return reasons;
    }

    /// <summary>Whether the customer's own values bear out a reason's story (NaN, a missing value, never does).</summary>
    public static bool Holds(string code, Func<string, double> value)
    {
        switch (code)
        {
            case "recency":
                var gap = value("mean_interpurchase_days");
                return value("recency_days") > (gap > 0 ? gap : OneTimeBuyerGap);
            case "order_decline":
                return value("orders_90d") < value("orders_prior_90d");
            case "low_frequency":
                var orders = value("orders");
                return orders == 1 || orders * QuarterDays < value("tenure_days");
            case "browsing_decline":
                return value("days_since_last_session") >= 30 || value("sessions_30d") < value("sessions_prior_30d");
            case "email_disengaged":
                return value("emails_opened_30d") < value("emails_opened_prior_30d");
            case "support_issue":
                return value("open_tickets") >= 1 || value("bad_ratings_90d") >= 1 || value("tickets_90d") >= 1;
            case "discount_refund":
                return value("refunded_orders") >= 1 || value("discount_share") >= DiscountShare;
            default:
                return false;
        }
    }

    /// <summary>The sentence of a reason whose story holds, from the customer's feature values (by feature name; missing values are NaN).</summary>
    public static string Sentence(string code, Func<string, double> value)
    {
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
                return last >= 30 ? $"no visit to the shop in {N(last)} days"
                    : $"{Plural(value("sessions_30d"), "visit", "visits")} in the last 30 days, down from {N(value("sessions_prior_30d"))} the month before";
            case "email_disengaged":
                return $"opened {Plural(value("emails_opened_30d"), "email", "emails")} in the last 30 days, down from {N(value("emails_opened_prior_30d"))} the month before";
            case "support_issue":
                if (value("open_tickets") >= 1) return $"support ticket unsolved for {N(value("oldest_open_ticket_days"))} days";
                var bad = value("bad_ratings_90d");
                return bad >= 1 ? $"rated support as bad {(bad == 1 ? "once" : $"{N(bad)} times")} in the last 90 days" : $"{Plural(value("tickets_90d"), "support ticket", "support tickets")} in the last 90 days";
            default:
                var refunded = value("refunded_orders");
                return refunded >= 1 ? Plural(refunded, "refunded order", "refunded orders") : $"{N(100 * value("discount_share"))}% of spend was discount";
        }
    }

    // A true statement of what moved the model, without a story the values would not bear out.
    private static string Neutral(string feature, Func<string, double> value)
    {
        var v = value(feature);
        return feature switch
        {
            "p_no_order" => $"no single clear cause; BG/NBD puts the chance of no order in the label window at {N(100 * v)}%",
            "p_alive" => $"no single clear cause; BG/NBD puts the chance the customer is still active at {N(100 * v)}%",
            _ => $"no single clear cause; the model's strongest signal is {feature.Replace('_', ' ')} = {Exact(v)}",
        };
    }

    private static string N(double v) => double.IsNaN(v) ? "?" : Math.Round(v).ToString("0", CultureInfo.InvariantCulture);
    private static string Exact(double v) => double.IsNaN(v) ? "unknown" : v.ToString(Math.Abs(v - Math.Round(v)) < 1e-6 ? "0" : "0.##", CultureInfo.InvariantCulture);
    private static string Plural(double v, string one, string many) => $"{N(v)} {(Math.Round(v) == 1 ? one : many)}";
}
