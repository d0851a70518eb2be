using Tributary.Components.Churn;

namespace Tributary.Components.Tests.Churn;

/// <summary>
/// Reasons on one constructed customer: the trees push toward churn through a reason group (a positive contribution on
/// one of its features), and the customer's own values decide whether that group's story may be told. The contradictions
/// are the ones a review of the demo project found in churn_scores.
/// </summary>
public sealed class ChurnReasonsTests
{
    // A steady customer: every story false unless a test changes a value.
    private static Dictionary<string, double> Steady() => new()
    {
        ["tenure_days"] = 300, ["orders"] = 6, ["frequency"] = 5, ["recency_days"] = 20, ["mean_interpurchase_days"] = 40,
        ["orders_90d"] = 2, ["orders_prior_90d"] = 2, ["sessions_30d"] = 4, ["sessions_prior_30d"] = 4, ["days_since_last_session"] = 3,
        ["emails_opened_30d"] = 2, ["emails_opened_prior_30d"] = 2, ["tickets_90d"] = 0, ["open_tickets"] = 0, ["bad_ratings_90d"] = 0,
        ["discount_share"] = 0, ["refunded_orders"] = 0, ["p_no_order"] = 0.82,
    };

    private static List<(string Code, string Text)> Explain(Dictionary<string, double> values, params (string Feature, float Push)[] pushes)
    {
        var features = ChurnPrediction.Features;
        var contributions = new float[features.Length];
        foreach (var (feature, push) in pushes) contributions[Array.IndexOf(features, feature)] = push;
        return ChurnReasons.Explain(features, contributions, f => values.TryGetValue(f, out var v) ? v : double.NaN, required: true);
    }

    [Theory]
    [InlineData(3, 1)]
    [InlineData(1, 0)]
    [InlineData(2, 2)]
    public void Explain_VisitsRoseOrHeld_GivesNoBrowsingDecline(double recent, double before)
    {
        var values = Steady();
        values["sessions_30d"] = recent;
        values["sessions_prior_30d"] = before;

        var reasons = Explain(values, ("sessions_30d", 1f));

        Assert.Equal([(ChurnReasons.ModelSignal, $"no single clear cause; the model's strongest signal is sessions 30d = {recent}")], reasons);
    }

    [Fact]
    public void Explain_NeverVisited_GivesNoBrowsingDecline()
    {
        var values = Steady();
        values["sessions_30d"] = values["sessions_prior_30d"] = 0;
        values["days_since_last_session"] = double.NaN;

        Assert.DoesNotContain(Explain(values, ("sessions_90d", 1f)), r => r.Code == "browsing_decline");
    }

    [Fact]
    public void Explain_OrdersRose_GivesNoOrderDecline()
    {
        var values = Steady();
        values["orders_90d"] = 2;
        values["orders_prior_90d"] = 0;

        Assert.DoesNotContain(Explain(values, ("orders_90d", 1f)), r => r.Code == "order_decline");
    }

    [Fact]
    public void Explain_LastOrderWithinUsualGap_GivesNoRecencyAndTheTrueReasonLeads()
    {
        var values = Steady();
        values["recency_days"] = 2;
        values["mean_interpurchase_days"] = 19;
        values["open_tickets"] = 1;
        values["oldest_open_ticket_days"] = 12;

        var reasons = Explain(values, ("recency_days", 2f), ("open_tickets", 0.5f));

        // The alert's action follows the first reason: a support callback, not a win-back offer.
        Assert.Equal([("support_issue", "support ticket unsolved for 12 days")], reasons);
    }

    [Fact]
    public void Explain_OneTimeBuyerWithinTheUsualGap_GivesNoRecency()
    {
        var values = Steady();
        values["orders"] = 1;
        values["frequency"] = 0;
        values["mean_interpurchase_days"] = double.NaN;
        values["recency_days"] = values["tenure_days"] = 12;

        Assert.Equal([("low_frequency", "1 order in 12 days as a customer")], Explain(values, ("p_alive", 1f), ("orders", 0.5f)));
    }

    [Fact]
    public void Explain_NoDiscountNoRefund_GivesNoDiscountReason()
    {
        var reasons = Explain(Steady(), ("discount_share", 1f));

        Assert.DoesNotContain(reasons, r => r.Code == "discount_refund" || r.Text.Contains("% of spend was discount", StringComparison.Ordinal));
    }

    [Fact]
    public void Explain_NoEmailsOpenedEitherMonth_GivesNoEmailReason()
    {
        var values = Steady();
        values["emails_opened_30d"] = values["emails_opened_prior_30d"] = 0;

        Assert.DoesNotContain(Explain(values, ("emails_opened_30d", 1f)), r => r.Code == "email_disengaged");
    }

    [Fact]
    public void Explain_NoTicket_GivesNoSupportReason()
    {
        Assert.DoesNotContain(Explain(Steady(), ("tickets_90d", 1f)), r => r.Code == "support_issue");
    }

    [Fact]
    public void Explain_RealDeclines_GiveTheirReasonsStrongestFirst()
    {
        var values = Steady();
        values["sessions_30d"] = 1;
        values["sessions_prior_30d"] = 5;
        values["recency_days"] = 94;
        values["mean_interpurchase_days"] = 31;
        values["orders_90d"] = 0;
        values["orders_prior_90d"] = 3;
        values["emails_opened_30d"] = 0;
        values["emails_opened_prior_30d"] = 3;

        var reasons = Explain(values, ("sessions_30d", 3f), ("recency_days", 2f), ("orders_90d", 1f), ("emails_opened_30d", 0.5f));

        Assert.Equal(
        [
            ("browsing_decline", "1 visit in the last 30 days, down from 5 the month before"),
            ("recency", "no order in 94 days, usually every 31"),
            ("order_decline", "0 orders in the last 90 days, down from 3 the 90 days before"),
        ], reasons);
    }

    [Fact]
    public void Explain_VisitsStopped_SaysSo()
    {
        var values = Steady();
        values["sessions_30d"] = values["sessions_prior_30d"] = 0;
        values["days_since_last_session"] = 75;

        Assert.Equal([("browsing_decline", "no visit to the shop in 75 days")], Explain(values, ("days_since_last_session", 1f)));
    }

    [Fact]
    public void Explain_RealDiscountAndRefund_GiveTheDiscountReason()
    {
        var values = Steady();
        values["discount_share"] = 0.35;
        Assert.Equal([("discount_refund", "35% of spend was discount")], Explain(values, ("discount_share", 1f)));

        values["refunded_orders"] = 2;
        Assert.Equal([("discount_refund", "2 refunded orders")], Explain(values, ("refund_share", 1f)));
    }

    [Fact]
    public void Explain_TreesPushNowhereButARiskBandNeedsAReason_NamesBgNbd()
    {
        var reasons = Explain(Steady(), ("recency_days", -1f));

        Assert.Equal([(ChurnReasons.ModelSignal, "no single clear cause; BG/NBD puts the chance of no order in the label window at 82%")], reasons);
    }

    [Fact]
    public void Explain_LowRiskAndNothingPushes_GivesNoReason()
    {
        var features = ChurnPrediction.Features;

        var reasons = ChurnReasons.Explain(features, new float[features.Length], _ => 0, required: false);

        Assert.Empty(reasons);
    }

    [Fact]
    public void Explain_PushAgainstChurn_IsNeverAReason()
    {
        var values = Steady();
        values["orders_90d"] = 0;
        values["orders_prior_90d"] = 3;

        Assert.DoesNotContain(Explain(values, ("orders_90d", -1f), ("open_tickets", 0.1f)), r => r.Code == "order_decline");
    }
}
