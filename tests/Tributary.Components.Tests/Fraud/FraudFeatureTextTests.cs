using Tributary.Components.Fraud;

namespace Tributary.Components.Tests.Fraud;

/// <summary>An alert's reasons name what a feature measures, in words: every feature features.transactions writes has them.</summary>
public sealed class FraudFeatureTextTests
{
    [Theory]
    [InlineData("card_count_10m", "number of payments by this card in 10 minutes")]
    [InlineData("profile_amount_24h", "amount paid by this customer in 24 hours")]
    [InlineData("ip_decline_ratio_24h", "share of declined payments by this IP address in 24 hours")]
    [InlineData("email_distinct_cards_10m", "number of cards used with this email in 10 minutes")]
    [InlineData("card_distinct_emails_1h", "number of emails used with this card in 1 hour")]
    [InlineData("amount_ratio", "amount for this customer (against their average payment)")]
    [InlineData("country_mismatch", "card country against the billing country")]
    [InlineData("risk_of_my_own", "risk of my own")]
    public void Describe_NamesWhatTheFeatureMeasures(string feature, string words) => Assert.Equal(words, FraudFeatureText.Describe(feature));

    [Fact]
    public void Describe_EveryFeatureOfTheTransactionFeatures_InWordsWithoutUnderscores()
    {
        foreach (var feature in TransactionFeatures.FeatureNames)
            Assert.DoesNotContain("_", FraudFeatureText.Describe(feature), StringComparison.Ordinal);
        Assert.Equal(TransactionFeatures.FeatureNames.Length, TransactionFeatures.FeatureNames.Select(FraudFeatureText.Describe).Distinct().Count());
    }
}
