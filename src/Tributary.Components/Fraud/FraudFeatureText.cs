namespace Tributary.Components.Fraud;

/// <summary>
/// What a fraud feature measures, in words an analyst reads in an alert's reasons ("unusual number of payments by this
/// card in 10 minutes", not "unusual card_count_10m"). A feature this does not know (a column of the user's own) is
/// shown with its underscores as spaces.
/// </summary>
internal static class FraudFeatureText
{
    private static readonly Dictionary<string, string> Keys = new(StringComparer.Ordinal)
    {
        ["card"] = "this card", ["email"] = "this email", ["profile"] = "this customer", ["ip"] = "this IP address",
    };

    private static readonly Dictionary<string, string> Windows = new(StringComparer.Ordinal)
    {
        ["10m"] = "10 minutes", ["1h"] = "1 hour", ["24h"] = "24 hours",
    };

    private static readonly Dictionary<string, string> Singles = new(StringComparer.Ordinal)
    {
        ["amount"] = "amount",
        ["amount_z"] = "amount for this customer (standard deviations from their mean)",
        ["amount_ratio"] = "amount for this customer (against their average payment)",
        ["amount_percentile"] = "amount against the store's earlier payments",
        ["profile_prior_transactions"] = "number of the customer's earlier payments",
        ["new_card_for_profile"] = "new card for this customer",
        ["new_country_for_profile"] = "new card country for this customer",
        ["country_mismatch"] = "card country against the billing country",
        ["profile_age_days"] = "age of the customer's profile",
        ["is_night"] = "time of day (night)",
        ["profile_night_share"] = "share of the customer's payments at night",
        ["card_country_profiles"] = "number of customers with cards from this country",
        ["prior_profiles"] = "number of customers seen before",
    };

    /// <summary>The words for <paramref name="feature"/>, a column of features.transactions or another numeric column.</summary>
    public static string Describe(string feature)
    {
        if (Singles.TryGetValue(feature, out var single)) return single;
        var parts = feature.Split('_');
        if (parts.Length == 3 && Keys.TryGetValue(parts[0], out var who) && Windows.TryGetValue(parts[2], out var window))
        {
            if (parts[1] == "count") return $"number of payments by {who} in {window}";
            if (parts[1] == "amount") return $"amount paid by {who} in {window}";
        }
        if (parts.Length == 4 && Keys.TryGetValue(parts[0], out who) && parts[1] == "decline" && parts[2] == "ratio" && Windows.TryGetValue(parts[3], out window))
            return $"share of declined payments by {who} in {window}";
        if (parts.Length == 4 && parts[1] == "distinct" && Windows.TryGetValue(parts[3], out window))
        {
            if (parts[0] == "email" && parts[2] == "cards") return $"number of cards used with this email in {window}";
            if (parts[0] == "card" && parts[2] == "emails") return $"number of emails used with this card in {window}";
        }
        return feature.Replace('_', ' ');
    }
}
