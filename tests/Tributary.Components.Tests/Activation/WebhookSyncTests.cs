using System.Globalization;
using System.Text.Json;
using Tributary.Engine.Execution;
using Tributary.Engine.Runs;
using Tributary.Testing;
using Receiver = Tributary.Components.Tests.Activation.ActivationTests.Receiver;

namespace Tributary.Components.Tests.Activation;

/// <summary>activate.webhook's sync: diff sends what changed since the receiver last accepted it, full and full refresh everything.</summary>
public sealed class WebhookSyncTests(PostgresCluster postgres)
{
    private const string Customers = """
        pipeline: p
        components:
          - id: customers
            type: source.csv
            with: { path: customers.csv, columns: { customer_id: BIGINT, email: VARCHAR, marketing_consent: BOOLEAN } }
        """ + "\n";

    // Rows as "id,email" (consented) or "id,email,consent".
    private static void WriteCustomers(ComponentHarness h, params string[] rows) =>
        File.WriteAllLines(Path.Combine(h.Temp.Path, "customers.csv"), ["customer_id,email,marketing_consent", .. rows.Select(r => r.Count(c => c == ',') == 1 ? r + ",true" : r)]);

    private static string Hook(string url, string with = "") => Customers + $$"""
          - id: crm_hook
            type: activate.webhook
            inputs: [customers]
            with: { url: "{{url}}", retry_delay: 1ms, max_retries: 0, allow_private_network: true{{(with.Length == 0 ? "" : ", " + with)}} }
        """;

    // Each request after the first `skip`: its event and the customer ids it carried, as "1,2".
    private static List<(string Event, string Ids)> Sent(Receiver receiver, int skip = 0) => receiver.Requests.Skip(skip).Select(r =>
    {
        using var body = JsonDocument.Parse(r.Body);
        return (body.RootElement.GetProperty("event").GetString()!, body.RootElement.GetProperty("rows").EnumerateArray().Select(x => x.GetProperty("customer_id").GetInt64()).Aggregate("", (a, x) => a.Length == 0 ? $"{x}" : $"{a},{x}"));
    }).ToList();

    private static async Task<JsonElement> MetadataAsync(ComponentHarness h, RunResult run) =>
        JsonDocument.Parse((await h.Store.GetMaterializationsAsync(run.RunId, "crm_hook", CancellationToken.None)).Single().MetadataJson!).RootElement.Clone();

    private static async Task<List<long>> StateAsync(ComponentHarness h) =>
        (await h.RowsAsync("SELECT customer_id FROM crm_hook__sync_state ORDER BY 1")).Select(r => Convert.ToInt64(r[0], CultureInfo.InvariantCulture)).ToList();

    private static void Succeeded(RunResult run) => Assert.True(run.Status == RunStatus.Succeeded, run.Error);

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Diff_SecondRunWithNoChange_SendsNothing_AndLogsNoBatch(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        WriteCustomers(h, "1,a@x.com", "2,b@x.com", "3,c@x.com");
        using var receiver = new Receiver(_ => [200]);

        var first = await h.RunAsync(Hook(receiver.Url));
        var second = await h.RunAsync(Hook(receiver.Url));

        Succeeded(first);
        Succeeded(second);
        Assert.Equal([("upsert", "1,2,3")], Sent(receiver));
        Assert.Empty(await h.RowsAsync("SELECT * FROM crm_hook"));
        Assert.Equal([1L, 2L, 3L], await StateAsync(h));
        var metadata = await MetadataAsync(h, second);
        Assert.Equal((0, 0, 0, 3, "diff"), (metadata.GetProperty("rows_delivered").GetInt32(), metadata.GetProperty("upserts").GetInt32(), metadata.GetProperty("batches").GetInt32(),
            metadata.GetProperty("unchanged").GetInt32(), metadata.GetProperty("sync").GetString()));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Diff_OneChangedRow_SendsOneUpsert_AndARemovedRowNothingWithoutSendRemovals(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        WriteCustomers(h, "1,a@x.com", "2,b@x.com", "3,c@x.com");
        using var receiver = new Receiver(_ => [200]);
        Succeeded(await h.RunAsync(Hook(receiver.Url)));

        WriteCustomers(h, "1,a@x.com", "2,new-b@x.com");
        var changed = await h.RunAsync(Hook(receiver.Url));

        Succeeded(changed);
        Assert.Equal([("upsert", "2")], Sent(receiver, skip: 1));
        using (var body = JsonDocument.Parse(receiver.Requests[^1].Body))
            Assert.Equal("new-b@x.com", body.RootElement.GetProperty("rows")[0].GetProperty("email").GetString());
        // Without send_removals, 3 is simply no longer sent, and forgotten: should it come back, it is sent again.
        Assert.Equal([1L, 2L], await StateAsync(h));
        var log = Assert.Single(await h.RowsAsync("SELECT batch, rows, delivered, event, run_id FROM crm_hook"));
        Assert.Equal((1L, 1L, true, "upsert", changed.RunId), (Convert.ToInt64(log[0], CultureInfo.InvariantCulture), Convert.ToInt64(log[1], CultureInfo.InvariantCulture), (bool)log[2]!,
            (string)log[3]!, (string)log[4]!));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Diff_RemovedRowWithSendRemovals_SendsARemovedEventWithTheKeyOnly(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        WriteCustomers(h, "1,a@x.com", "2,b@x.com", "3,c@x.com");
        using var receiver = new Receiver(_ => [200]);
        Succeeded(await h.RunAsync(Hook(receiver.Url, "send_removals: true")));

        WriteCustomers(h, "1,a@x.com", "2,b@x.com");
        var removed = await h.RunAsync(Hook(receiver.Url, "send_removals: true"));
        var again = await h.RunAsync(Hook(receiver.Url, "send_removals: true"));

        Succeeded(removed);
        Succeeded(again);
        Assert.Equal([("removed", "3")], Sent(receiver, skip: 1));
        using (var body = JsonDocument.Parse(receiver.Requests[^1].Body))
            Assert.Equal("""[{"customer_id":3}]""", body.RootElement.GetProperty("rows").GetRawText());
        Assert.Equal([1L, 2L], await StateAsync(h));
        Assert.Equal(1, (await MetadataAsync(h, removed)).GetProperty("removals").GetInt32());
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Diff_500OnOneBatch_LeavesItsRowsToTheNextRun_UnderTheSameIdempotencyKey(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        WriteCustomers(h, "1,a@x.com", "2,b@x.com", "3,c@x.com", "4,d@x.com");
        // The second batch of each run fails; the next run has only one.
        using var receiver = new Receiver(batch => batch == 2 ? [500] : [200]);
        var yaml = Hook(receiver.Url, "batch_size: 2, max_failed_ratio: 0.5");

        var first = await h.RunAsync(yaml);
        var second = await h.RunAsync(yaml);
        var third = await h.RunAsync(yaml);

        Succeeded(first);
        Succeeded(second);
        Succeeded(third);
        Assert.Equal([("upsert", "1,2"), ("upsert", "3,4"), ("upsert", "3,4")], Sent(receiver));
        // The receiver may have taken the failed batch after all: the resend carries the same key, so it can drop it.
        Assert.Equal(receiver.IdempotencyKeys[1], receiver.IdempotencyKeys[2]);
        Assert.NotEqual(receiver.IdempotencyKeys[0], receiver.IdempotencyKeys[1]);
        Assert.Equal([1L, 2L, 3L, 4L], await StateAsync(h));
        var metadata = await MetadataAsync(h, first);
        Assert.Equal((2, 2, 1), (metadata.GetProperty("upserts").GetInt32(), metadata.GetProperty("rows_failed").GetInt32(), metadata.GetProperty("dead_lettered").GetInt32()));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task FullRefresh_ThatFails_SendsItsUnchangedRowsAgainNextRun(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        WriteCustomers(h, "1,a@x.com", "2,b@x.com", "3,c@x.com");
        var failing = false;
        using var receiver = new Receiver(_ => failing ? [500] : [200]);
        Succeeded(await h.RunAsync(Hook(receiver.Url)));

        failing = true;
        var refresh = await h.RunAsync(Hook(receiver.Url), fullRefresh: true);
        failing = false;
        var after = await h.RunAsync(Hook(receiver.Url));

        Assert.Equal(RunStatus.Failed, refresh.Status);
        Succeeded(after);
        // The rows did not change, but the receiver's last answer about them was a failure.
        Assert.Equal([("upsert", "1,2,3"), ("upsert", "1,2,3"), ("upsert", "1,2,3")], Sent(receiver));
        Assert.Equal((3, 0), ((await MetadataAsync(h, after)).GetProperty("upserts").GetInt32(), (await MetadataAsync(h, after)).GetProperty("unchanged").GetInt32()));
        Assert.Equal(0L, Convert.ToInt64((await h.RowsAsync("SELECT count(*) FROM crm_hook__sync_state WHERE content_hash = 'unsent'"))[0][0], CultureInfo.InvariantCulture));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Diff_FailedRemoval_IsSentAgainNextRun(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        WriteCustomers(h, "1,a@x.com", "2,b@x.com");
        var failing = false;
        using var receiver = new Receiver(_ => failing ? [500] : [200]);
        var yaml = Hook(receiver.Url, "send_removals: true");
        Succeeded(await h.RunAsync(yaml));

        WriteCustomers(h, "1,a@x.com");
        failing = true;
        var failed = await h.RunAsync(yaml);
        failing = false;
        var after = await h.RunAsync(yaml);

        Assert.Equal(RunStatus.Failed, failed.Status);
        Succeeded(after);
        Assert.Equal([("upsert", "1,2"), ("removed", "2"), ("removed", "2")], Sent(receiver));
        Assert.Equal([1L], await StateAsync(h));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task FullRefresh_SendsEveryRowAgain_UnderKeysThatNameTheRun(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        WriteCustomers(h, "1,a@x.com", "2,b@x.com");
        using var receiver = new Receiver(_ => [200]);
        Succeeded(await h.RunAsync(Hook(receiver.Url)));

        var refresh = await h.RunAsync(Hook(receiver.Url), fullRefresh: true);
        var after = await h.RunAsync(Hook(receiver.Url));

        Succeeded(refresh);
        Succeeded(after);
        Assert.Equal([("upsert", "1,2"), ("upsert", "1,2")], Sent(receiver));
        // A deliberate resend is not a repeat for the receiver to drop.
        Assert.NotEqual(receiver.IdempotencyKeys[0], receiver.IdempotencyKeys[1]);
        Assert.Equal(0, (await MetadataAsync(h, refresh)).GetProperty("unchanged").GetInt32());
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Full_SendsEveryRowOnEveryRun(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        WriteCustomers(h, "1,a@x.com", "2,b@x.com");
        using var receiver = new Receiver(_ => [200]);

        Succeeded(await h.RunAsync(Hook(receiver.Url, "sync: full")));
        var second = await h.RunAsync(Hook(receiver.Url, "sync: full"));

        Succeeded(second);
        Assert.Equal(["1,2", "1,2"], Sent(receiver).Select(s => s.Ids));
        Assert.Equal("full", (await MetadataAsync(h, second)).GetProperty("sync").GetString());
        Assert.Null(await h.Warehouse.DescribeTableAsync("crm_hook__sync_state", CancellationToken.None));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Diff_PersonWhoOptsOut_IsRemovedWithSendRemovals_AndSentAgainWhenTheyOptBackIn(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        WriteCustomers(h, "1,a@x.com", "2,b@x.com");
        using var receiver = new Receiver(_ => [200]);
        var yaml = Hook(receiver.Url, "send_removals: true");
        Succeeded(await h.RunAsync(yaml));

        WriteCustomers(h, "1,a@x.com", "2,b@x.com,false");
        Succeeded(await h.RunAsync(yaml));
        WriteCustomers(h, "1,a@x.com", "2,b@x.com,true");
        Succeeded(await h.RunAsync(yaml));

        Assert.Equal([("upsert", "1,2"), ("removed", "2"), ("upsert", "2")], Sent(receiver));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Diff_CancelledRun_LogsTheBatchesItSent_AndLeavesTheStateAsItWas(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        WriteCustomers(h, "1,a@x.com", "2,b@x.com", "3,c@x.com", "4,d@x.com");
        using var cancel = new CancellationTokenSource();
        using var receiver = new Receiver(batch =>
        {
            if (batch == 3) cancel.Cancel();
            return [200];
        });
        var yaml = Hook(receiver.Url, "batch_size: 1");

        var cancelled = await h.RunUntilCancelledAsync(yaml, cancel.Token);

        Assert.Equal(RunStatus.Cancelled, cancelled.Status);
        var log = (await h.RowsAsync("SELECT batch, delivered, run_id FROM crm_hook ORDER BY batch"))
            .Select(r => (Convert.ToInt64(r[0], CultureInfo.InvariantCulture), (bool)r[1]!, (string)r[2]!)).ToList();
        // The third batch's answer may come back before the cancellation is seen, or not.
        Assert.Equal([(1L, true, cancelled.RunId), (2L, true, cancelled.RunId)], log.Take(2));
        Assert.InRange(log.Count, 2, 3);
        Assert.Null(await h.Warehouse.DescribeTableAsync("crm_hook__sync_state", CancellationToken.None));

        // So the next run sends them all again, the first two under the keys the receiver has seen.
        var next = await h.RunAsync(yaml);
        Succeeded(next);
        Assert.Equal(receiver.IdempotencyKeys.Take(2), receiver.IdempotencyKeys.Skip(3).Take(2));
        Assert.Equal([1L, 2L, 3L, 4L], await StateAsync(h));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Diff_RepeatedOrMissingKey_FailsBeforeSendingAnything(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        WriteCustomers(h, "1,a@x.com", "1,b@x.com", ",c@x.com", "2,d@x.com");
        using var receiver = new Receiver(_ => [200]);

        var result = await h.RunAsync(Hook(receiver.Url));

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Empty(receiver.Requests);
        Assert.Equal("crm_hook (activate.webhook) failed: input 'customers': 1 row(s) have no customer_id and 1 row(s) repeat another row's customer_id (e.g. 1), " +
            "and sync: diff remembers what the receiver holds by key. Set key to a column with one row per value, make the input one row per key, or set sync: full.",
            Assert.Single(result.Steps, s => s.Asset == "crm_hook").Error);
    }
}
