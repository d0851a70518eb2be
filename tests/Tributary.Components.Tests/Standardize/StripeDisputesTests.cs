using System.Globalization;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Standardize;

/// <summary>Stripe's payments export carries chargebacks in Disputed Amount and Dispute Status; a lost one takes the money back like a refund.</summary>
public sealed class StripeDisputesTests(PostgresCluster postgres)
{
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Materialize_LostDispute_ReducesNetAmountLikeARefund(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        // The unified payments export's own headers; ch_1 lost a fraud dispute, ch_2 won one, ch_3 was half refunded, ch_4 failed.
        h.Temp.File("payments.csv", "id,Created date (UTC),Amount,Amount Refunded,Currency,Captured,Status,Customer ID,Customer Email,Disputed Amount,Dispute Status,Dispute Reason,Dispute Date (UTC)\n"
            + "ch_1,2025-01-01 10:00:00,80.00,0.00,usd,true,Paid,cus_1,a@x.com,80.00,lost,fraudulent,2025-01-20 08:00:00\n"
            + "ch_2,2025-01-02 10:00:00,40.00,0.00,usd,true,Paid,cus_2,b@x.com,40.00,won,product_not_received,2025-01-21 08:00:00\n"
            + "ch_3,2025-01-03 10:00:00,30.00,15.00,usd,true,Paid,cus_3,c@x.com,,,,\n"
            + "ch_4,2025-01-04 10:00:00,25.00,0.00,usd,false,Failed,cus_4,d@x.com,,,,\n");

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: stripe, type: source.stripe_charges, with: { path: payments.csv } }
              - { id: transactions, type: standardize.transactions, inputs: [stripe] }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var rows = await h.RowsAsync("SELECT transaction_id, net_amount, dispute_status, dispute_reason, disputed_amount FROM transactions ORDER BY transaction_id");
        Assert.Equal([("ch_1", 0.0, "lost", "fraudulent", 80.0), ("ch_2", 40.0, "won", "product_not_received", 40.0), ("ch_3", 15.0, null, null, null), ("ch_4", 0.0, null, null, null)],
            rows.Select(r => ((string)r[0]!, Convert.ToDouble(r[1], CultureInfo.InvariantCulture), r[2] as string, r[3] as string, r[4] is null ? (double?)null : Convert.ToDouble(r[4], CultureInfo.InvariantCulture))));
    }
}
