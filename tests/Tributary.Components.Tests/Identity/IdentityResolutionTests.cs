using Tributary.Components.Activation;
using Tributary.Components.Samples.DemoStore;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Identity;

/// <summary>Stitching measured against the generator's true identity clusters.</summary>
public sealed class IdentityResolutionTests(PostgresCluster postgres)
{
    internal const string Pipeline = """
        pipeline: identity
        components:
          - { id: shopify_orders, type: source.shopify_orders, with: { path: demo/shopify/orders_export.csv } }
          - { id: segment_events, type: source.segment_events, with: { path: demo/segment } }
          - { id: hubspot_contacts, type: source.hubspot_contacts, with: { path: demo/hubspot } }
          - { id: zendesk_tickets, type: source.zendesk_tickets, with: { path: demo/zendesk } }
          - { id: stripe_charges, type: source.stripe_charges, with: { path: demo/stripe } }
          - { id: orders, type: standardize.orders, inputs: [shopify_orders] }
          - { id: events, type: standardize.events, inputs: [segment_events] }
          - { id: customers, type: standardize.customers, inputs: [hubspot_contacts] }
          - { id: support_tickets, type: standardize.support_tickets, inputs: [zendesk_tickets] }
          - { id: transactions, type: standardize.transactions, inputs: [stripe_charges] }
          - id: identity_graph
            type: identity.resolve
            inputs: [orders, events, customers, support_tickets, transactions]
            with:
              identifiers:
                orders: email, phone
                events: user_id, anonymous_id, email, phone
                customers: hubspot_id, email, phone
                support_tickets: email
                transactions: stripe_customer_id, email
        """;

    public static TheoryData<string, bool> Cases => new() { { "duckdb", false }, { "duckdb", true }, { "postgres", true } };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Resolve_DemoStore_MatchesTrueClustersAndNeverMergesThroughSharedDevices(string engine, bool mess)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        var demo = Path.Combine(h.Temp.Path, "demo");
        DemoStoreGenerator.Write(demo, new DemoStoreOptions(Customers: 400, Days: 200, Seed: 11, Mess: mess));

        var result = await h.RunAsync(Pipeline);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var profileOf = (await h.RowsAsync("SELECT identifier_type, identifier_value, profile_id FROM identity_graph"))
            .ToDictionary(r => ((string)r[0]!, (string)r[1]!), r => (string)r[2]!);
        var truth = File.ReadAllLines(Path.Combine(demo, "ground_truth", "identities.csv")).Skip(1).Select(l => l.Split(','))
            .Select(f => (Person: f[0], Type: f[2] switch { "phone" => "phone", var t => t }, Value: Normalize(f[2], f[3])))
            .Where(t => t.Value is not null).Select(t => (t.Person, Key: (t.Type, t.Value!))).Distinct().ToList();
        var owners = truth.GroupBy(t => t.Key).ToDictionary(g => g.Key, g => g.Select(x => x.Person).Distinct().ToList());
        // Shared devices (kiosk, family tablet) belong to several people: they must not merge them, but have no single true owner.
        // Only identifiers the data links to anything can be stitched deterministically: a device used only before the first login,
        // or a contact with neither email nor phone, carries no evidence of whose it is.
        var linkable = (await h.RowsAsync("SELECT DISTINCT 'anonymous_id', anonymous_id FROM events WHERE user_id IS NOT NULL AND anonymous_id IS NOT NULL UNION ALL SELECT 'hubspot_id', hubspot_id FROM customers WHERE email IS NOT NULL OR phone IS NOT NULL"))
            .Select(r => ((string)r[0]!, (string)r[1]!)).ToHashSet();
        var unique = owners.Where(o => o.Value.Count == 1 && profileOf.ContainsKey(o.Key) && (o.Key.Item1 is not ("anonymous_id" or "hubspot_id") || linkable.Contains(o.Key)))
            .ToDictionary(o => o.Key, o => o.Value[0]);

        var (precision, recall) = PairScores(unique.Select(u => (Truth: u.Value, Predicted: profileOf[u.Key])).ToList());

        if (mess)
        {
            Assert.True(precision >= 0.99, $"precision {precision:0.0000}");
            Assert.True(recall >= 0.99, $"recall {recall:0.0000}");
        }
        else
        {
            Assert.Equal(1.0, precision);
            Assert.Equal(1.0, recall);
        }
        var usersPerProfile = profileOf.Where(p => p.Key.Item1 == "user_id").GroupBy(p => p.Value).Max(g => g.Count());
        Assert.Equal(1, usersPerProfile);
        Assert.True(unique.Count > 1000, $"only {unique.Count} identifiers were evaluated");
    }

    [Fact]
    public async Task Resolve_Rerun_KeepsProfileIdsAndLogsMerges()
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        h.Temp.File("a.csv", "email,phone\nann@x.com,\n,+14155550100\n");
        const string yaml = """
            pipeline: p
            components:
              - { id: contacts, type: source.csv, with: { path: "*.csv", columns: { email: VARCHAR, phone: VARCHAR } } }
              - { id: ids, type: identity.resolve, inputs: [contacts], with: { identifiers: { contacts: "email, phone" } } }
            """;
        Assert.Equal(RunStatus.Succeeded, (await h.RunAsync(yaml)).Status);
        var before = (await h.RowsAsync("SELECT identifier_value, profile_id FROM ids")).ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
        Assert.NotEqual(before["ann@x.com"], before["+14155550100"]);

        h.Temp.File("b.csv", "email,phone\nann@x.com,+14155550100\nbob@x.com,\n");
        Assert.Equal(RunStatus.Succeeded, (await h.RunAsync(yaml)).Status);

        var after = (await h.RowsAsync("SELECT identifier_value, profile_id FROM ids")).ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
        var older = string.CompareOrdinal(before["ann@x.com"], before["+14155550100"]) < 0 ? before["ann@x.com"] : before["+14155550100"];
        Assert.Equal(older, after["ann@x.com"]);
        Assert.Equal(older, after["+14155550100"]);
        Assert.DoesNotContain(after["bob@x.com"], before.Values);
        var merge = Assert.Single(await h.RowsAsync("SELECT surviving_profile, merged_profile FROM ids__merges"));
        Assert.Equal(older, merge[0]);
    }

    public static TheoryData<string, bool> EnginesAndLabelPropagation => new() { { "duckdb", false }, { "duckdb", true }, { "postgres", false }, { "postgres", true } };

    // A graph of its own prefix (marketing_attribution's, customer_journey's) numbers its profiles apart from identity_graph's
    // p_ ones; a rerun keeps its ids, an id of the earlier prefix is kept too, a new profile is numbered after the highest
    // of the prefix, and when an earlier prefix's profile merges with a newer one the earlier id survives, in memory and in
    // SQL alike.
    [Theory]
    [MemberData(nameof(EnginesAndLabelPropagation))]
    public async Task Resolve_ProfilePrefix_NewIdsCarryIt_RerunKeepsThemAndNumbersAfterTheHighest(string engine, bool inSql)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("a.csv", "email,phone\nann@x.com,\ncat@x.com,+14155550100\n");
        string Yaml(string prefix) => $$"""
            pipeline: p
            components:
              - { id: contacts, type: source.csv, with: { path: "*.csv", columns: { email: VARCHAR, phone: VARCHAR } } }
              - id: ids
                type: identity.resolve
                inputs: [contacts]
                with: { identifiers: { contacts: "email, phone" }, profile_prefix: {{prefix}}{{(inSql ? ", label_propagation_above: 0" : "")}} }
            """;
        Assert.Equal(RunStatus.Succeeded, (await h.RunAsync(Yaml("p_"))).Status);
        var first = (await h.RowsAsync("SELECT identifier_value, profile_id FROM ids")).ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
        Assert.Equal(["p_000000001", "p_000000002"], first.Values.Distinct().Order(StringComparer.Ordinal));

        h.Temp.File("b.csv", "email,phone\nbob@x.com,\ndan@x.com,\n");
        Assert.Equal(RunStatus.Succeeded, (await h.RunAsync(Yaml("attr_"))).Status);
        var second = (await h.RowsAsync("SELECT identifier_value, profile_id FROM ids")).ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
        Assert.Equal(first["ann@x.com"], second["ann@x.com"]);
        Assert.Equal(first["cat@x.com"], second["+14155550100"]);
        Assert.Equal(["attr_000000001", "attr_000000002"], new[] { second["bob@x.com"], second["dan@x.com"] }.Order(StringComparer.Ordinal));

        h.Temp.File("c.csv", "email,phone\neve@x.com,\n");
        Assert.Equal(RunStatus.Succeeded, (await h.RunAsync(Yaml("attr_"))).Status);
        var third = (await h.RowsAsync("SELECT identifier_value, profile_id FROM ids")).ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
        Assert.Equal(second["bob@x.com"], third["bob@x.com"]);
        Assert.Equal("attr_000000003", third["eve@x.com"]);

        // ann (p_, the first run's) and bob (attr_, the second's) share a phone now: ann's older id survives the merge.
        h.Temp.File("d.csv", "email,phone\nann@x.com,+14155550199\nbob@x.com,+14155550199\n");
        Assert.Equal(RunStatus.Succeeded, (await h.RunAsync(Yaml("attr_"))).Status);
        var fourth = (await h.RowsAsync("SELECT identifier_value, profile_id FROM ids")).ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
        Assert.Equal(first["ann@x.com"], fourth["bob@x.com"]);
        Assert.Equal(first["ann@x.com"], fourth["+14155550199"]);
        var merge = Assert.Single(await h.RowsAsync("SELECT surviving_profile, merged_profile FROM ids__merges"));
        Assert.Equal((first["ann@x.com"], second["bob@x.com"]), ((string)merge[0]!, (string)merge[1]!));
    }

    [Theory]
    [InlineData("p_", true)]
    [InlineData("attr_", true)]
    [InlineData("a1_b_", true)]
    [InlineData("attr_\n", false)]
    [InlineData("Attr_", false)]
    [InlineData("attr", false)]
    [InlineData("_attr_", false)]
    [InlineData("abcdefghijkl_", false)]
    public void ProfilePrefix_OnlyLowercaseLettersDigitsAndUnderscoresEndingInOne_Validates(string prefix, bool valid)
    {
        var parameters = new Tributary.Components.Identity.IdentityParameters { Identifiers = new Dictionary<string, string> { ["contacts"] = "email" }, ProfilePrefix = prefix };

        var errors = parameters.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(parameters)).ToList();

        Assert.Equal(valid, errors.Count == 0);
    }

    [Fact]
    public async Task Resolve_BlocklistedValues_NeverLink()
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        h.Temp.File("c.csv", "user_id,email\nu1,test@test.com\nu2,test@test.com\nu3,qa+1@shop.invalid\nu4,qa+2@shop.invalid\nu5,anonymous\nu6,anonymous\n");

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: contacts, type: source.csv, with: { path: c.csv, columns: { user_id: VARCHAR, email: VARCHAR } } }
              - id: ids
                type: identity.resolve
                inputs: [contacts]
                with: { identifiers: { contacts: "user_id, email" }, blocklist_patterns: ["@shop\\.invalid$"], caps: { user_id: "5" } }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.Equal(6, (await h.RowsAsync("SELECT DISTINCT profile_id FROM ids")).Count);
        Assert.Empty(await h.RowsAsync("SELECT * FROM ids WHERE identifier_type = 'email'"));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Resolve_PhonesOfZerosOrOneRepeatedDigit_NeverLinkContacts(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("hubspot/contacts.csv", """
            Record ID,First Name,Last Name,Email,Phone Number,Lifecycle Stage,Create Date,Last Activity Date,Country/Region,Original Source
            1,A,A,a@x.com,0000000000,lead,,,US,
            2,B,B,b@x.com,0000000000,lead,,,US,
            3,C,C,c@x.com,+0 000 000 0000,lead,,,US,
            4,D,D,d@x.com,+1 111 111 1111,lead,,,US,
            5,E,E,e@x.com,+1 111 111 1111,lead,,,US,
            6,F,F,f@x.com,555-555-5555,lead,,,US,
            7,G,G,g@x.com,555-555-5555,lead,,,US,
            8,H,H,h@x.com,0049 151 2345 6789,lead,,,US,
            9,I,I,i@x.com,(415) 555-0100,lead,,,US,
            10,J,J,j@x.com,0415 555 0100,lead,,,US,
            """);

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: hubspot_contacts, type: source.hubspot_contacts, with: { path: hubspot } }
              - { id: customers, type: standardize.customers, inputs: [hubspot_contacts] }
              - { id: ids, type: identity.resolve, inputs: [customers], with: { identifiers: { customers: "hubspot_id, email, phone" } } }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var phones = (await h.RowsAsync("SELECT hubspot_id, phone FROM customers")).ToDictionary(r => (string)r[0]!, r => r[1] as string);
        Assert.Null(phones["1"]);
        Assert.Null(phones["2"]);
        Assert.Null(phones["3"]);
        Assert.Equal("+11111111111", phones["4"]);
        Assert.Equal("+15555555555", phones["6"]);
        Assert.Equal("+4915123456789", phones["8"]);
        Assert.Equal("+14155550100", phones["9"]);
        // The US has no trunk 0: "0415 555 0100" is eleven digits, no US number, and no digit is dropped to make it one.
        Assert.Null(phones["10"]);
        // Ten contacts, each its own profile: placeholders link nobody and are not identifiers.
        Assert.Equal(10L, Convert.ToInt64((await h.RowsAsync("SELECT count(DISTINCT profile_id) FROM ids"))[0][0]));
        Assert.Equal(["+14155550100", "+4915123456789"],
            (await h.RowsAsync("SELECT identifier_value FROM ids WHERE identifier_type = 'phone' ORDER BY 1")).Select(r => (string)r[0]!).ToArray());
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Resolve_PlaceholderEmails_NeverLink(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("c.csv", "user_id,email\nu1,test@shop.com\nu2,test@shop.com\nu3,noreply@shop.com\nu4,NoReply@shop.com\nu5,none@x.org\nu6,none@x.org\nu7,test+7@shop.com\nu8,test+8@shop.com\nu9,ann@shop.com\n");

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: contacts, type: source.csv, with: { path: c.csv, columns: { user_id: VARCHAR, email: VARCHAR } } }
              - { id: ids, type: identity.resolve, inputs: [contacts], with: { identifiers: { contacts: "user_id, email" }, caps: { user_id: "5" } } }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.Equal(9L, Convert.ToInt64((await h.RowsAsync("SELECT count(DISTINCT profile_id) FROM ids"))[0][0]));
        Assert.Equal("ann@shop.com", (string)Assert.Single(await h.RowsAsync("SELECT identifier_value FROM ids WHERE identifier_type = 'email'"))[0]!);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Resolve_DeviceSeenWithMoreUsersThanTheCap_JoinsNoneOfThem(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        // The kiosk is seen with u1 first and most often; it is still nobody's.
        h.Temp.File("e.csv", "user_id,anonymous_id\nu1,kiosk\nu1,kiosk\nu1,kiosk\nu2,kiosk\nu2,phone-of-u2\nu3,kiosk\n,kiosk\n");

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: events, type: source.csv, with: { path: e.csv, columns: { user_id: VARCHAR, anonymous_id: VARCHAR } } }
              - { id: ids, type: identity.resolve, inputs: [events], with: { identifiers: { events: "user_id, anonymous_id" } } }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var profileOf = (await h.RowsAsync("SELECT identifier_value, profile_id FROM ids")).ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
        Assert.Equal(profileOf["u2"], profileOf["phone-of-u2"]);
        Assert.Equal(4, new[] { "u1", "u2", "u3", "kiosk" }.Select(k => profileOf[k]).Distinct().Count());
        var refused = await h.RowsAsync("SELECT from_value, to_value, reason FROM ids__refused_links ORDER BY from_value");
        Assert.Equal(["u1", "u2", "u3"], refused.Select(r => (string)r[0]!).ToArray());
        Assert.All(refused, r => Assert.Equal("anonymous_id 'kiosk' is shared: it links more than 1 user_id value(s), so it joins none of their profiles", r[2]));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Resolve_BlocklistPattern_AppliesToTheTrimmedValueThatWouldBeStored(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: contacts, type: transform.sql, with: { sql: "SELECT 'u1' AS user_id, '  qa@shop.com' AS email UNION ALL SELECT 'u2', ' qa@shop.com' UNION ALL SELECT 'u3', ' ann@shop.com ' UNION ALL SELECT 'u3', 'ann@shop.com'" } }
              - id: ids
                type: identity.resolve
                inputs: [contacts]
                with: { identifiers: { contacts: "user_id, email" }, blocklist_patterns: ["^qa@"], caps: { user_id: "5" } }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var profileOf = (await h.RowsAsync("SELECT identifier_value, profile_id FROM ids")).ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
        Assert.Equal(["ann@shop.com", "u1", "u2", "u3"], profileOf.Keys.Order(StringComparer.Ordinal).ToArray());
        Assert.NotEqual(profileOf["u1"], profileOf["u2"]);
        Assert.Equal(profileOf["u3"], profileOf["ann@shop.com"]);
    }

    private static string? Normalize(string type, string value) => type switch
    {
        "email" => ContactNormalizer.Email(value),
        "phone" => ContactNormalizer.PhoneE164(value, "1"),
        _ => value,
    };

    // Pairwise precision and recall from the contingency of (true person, predicted profile).
    private static (double Precision, double Recall) PairScores(List<(string Truth, string Predicted)> items)
    {
        static double Pairs(long n) => n * (n - 1) / 2.0;
        var both = items.GroupBy(i => i).Sum(g => Pairs(g.Count()));
        var predicted = items.GroupBy(i => i.Predicted).Sum(g => Pairs(g.Count()));
        var truth = items.GroupBy(i => i.Truth).Sum(g => Pairs(g.Count()));
        return (predicted == 0 ? 1 : both / predicted, truth == 0 ? 1 : both / truth);
    }
}
