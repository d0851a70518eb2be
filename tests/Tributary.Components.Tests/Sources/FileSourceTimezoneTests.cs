using System.Globalization;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Sources;

/// <summary>Plain file sources read a timestamp written without an offset in the source's (else the project's) zone; one with an offset as it says.</summary>
public sealed class FileSourceTimezoneTests(PostgresCluster postgres)
{
    private const string NewYork = "America/New_York";

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task CsvSource_InferredColumnsInANewYorkProject_OffsetlessTimesAreNewYorkTimesAndOffsetTimesStay(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        // 2024-03-10: clocks go from 02:00 EST to 03:00 EDT. 01:30 is EST (-5), 03:30 EDT (-4).
        h.Temp.File("data/orders.csv", "id,ordered_at,paid_at\n1,2024-03-10 01:30:00,2024-03-10T01:30:00Z\n2,2024-03-10 03:30:00,2024-03-10T03:30:00Z\n");

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: orders, type: source.csv, with: { path: data/orders.csv } }
            """, timezone: NewYork);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var rows = await h.RowsAsync("SELECT ordered_at, paid_at FROM orders ORDER BY id");
        Assert.Equal(["2024-03-10 06:30", "2024-03-10 07:30"], rows.Select(r => Utc(r[0])));
        Assert.Equal(["2024-03-10 01:30", "2024-03-10 03:30"], rows.Select(r => Utc(r[1])));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task CsvSource_DeclaredTimestampWithMixedValues_ShiftsOnlyTheValuesWithoutAnOffset(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        // 2024-11-03: 01:30 happens twice in New York; a time without an offset takes the standard offset (-5), as .NET and PostgreSQL read it.
        h.Temp.File("data/orders.csv", "id,at\n1,2024-11-03 01:30:00\n2,2024-11-03T01:30:00-04:00\n3,2024-11-03 12:00:00+00:00\n");

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: orders, type: source.csv, with: { path: data/orders.csv, columns: { id: BIGINT, at: TIMESTAMP } } }
            """, timezone: NewYork);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var rows = await h.RowsAsync("""SELECT "at" FROM orders ORDER BY id""");
        Assert.Equal(["2024-11-03 06:30", "2024-11-03 05:30", "2024-11-03 12:00"], rows.Select(r => Utc(r[0])));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task CsvSource_DateFormatInAZoneOfItsOwn_ReadsTheTimesThereWhateverTheProjectZone(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("data/orders.csv", "id,at\n1,03/31/2024 02:30\n2,03/30/2024 02:30\n");

        // Berlin skips 02:00-03:00 on 2024-03-31: 02:30 there takes the standard offset (+1), the day before is +1 as well.
        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: orders, type: source.csv, with: { path: data/orders.csv, date_format: "%m/%d/%Y %H:%M", columns: { id: BIGINT, at: TIMESTAMP }, timezone: Europe/Berlin } }
            """, timezone: NewYork);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var rows = await h.RowsAsync("""SELECT "at" FROM orders ORDER BY id""");
        Assert.Equal(["2024-03-31 01:30", "2024-03-30 01:30"], rows.Select(r => Utc(r[0])));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task NdJsonSource_InANewYorkProject_OffsetlessTimesAreNewYorkTimes(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("data/events.ndjson", "{\"id\":1,\"at\":\"2024-03-10 03:30:00\"}\n{\"id\":2,\"at\":\"2024-03-09 23:00:00\"}\n");

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: events, type: source.ndjson, with: { path: data/events.ndjson, columns: { id: BIGINT, at: TIMESTAMP } } }
            """, timezone: NewYork);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var rows = await h.RowsAsync("""SELECT "at" FROM events ORDER BY id""");
        Assert.Equal(["2024-03-10 07:30", "2024-03-10 04:00"], rows.Select(r => Utc(r[0])));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task CsvSource_TimezoneUtcInANewYorkProject_StoresTimesAsWritten(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("data/orders.csv", "id,ordered_at\n1,2024-03-10 01:30:00\n");

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: orders, type: source.csv, with: { path: data/orders.csv, timezone: UTC } }
            """, timezone: NewYork);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.Equal(["2024-03-10 01:30"], (await h.RowsAsync("SELECT ordered_at FROM orders")).Select(r => Utc(r[0])));
    }

    // A TIMESTAMP comes back as a DateTime in UTC; one WITH TIME ZONE as an instant.
    private static string Utc(object? value) => (value switch
    {
        DateTimeOffset o => o.UtcDateTime,
        DateTime d => d.Kind == DateTimeKind.Local ? d.ToUniversalTime() : d,
        _ => throw new Xunit.Sdk.XunitException($"not a timestamp: {value} ({value?.GetType().Name})"),
    }).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}
