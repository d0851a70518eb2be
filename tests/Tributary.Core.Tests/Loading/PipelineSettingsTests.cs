using Tributary.Core.Loading;
using Tributary.Core.Pipelines;
using Tributary.Components.Transforms;
using static Tributary.Core.Tests.Loading.TestPipelines;

namespace Tributary.Core.Tests.Loading;

/// <summary>
/// The pipeline-wide settings (schedule, partitions, retry, sensors, on_failure): their values reach the spec, their
/// defaults apply when left out, and each mistake is a positioned diagnostic that names the setting.
/// </summary>
public sealed class PipelineSettingsTests
{
    private const string Component = "components: [{ id: t, type: transform.sql, with: { sql: SELECT 1 } }]\n";

    [Fact]
    public void Schedule_SixFieldCronWithTimezoneAndCatchUp_IsKept()
    {
        var s = Valid("pipeline: p\nschedule: { cron: \"30 0 6 * * *\", timezone: Europe/Berlin, catch_up: skip }\n" + Component).Schedule!;

        Assert.Equal(("30 0 6 * * *", "Europe/Berlin", CatchUpPolicy.Skip), (s.Cron, s.Timezone, s.CatchUp));
    }

    [Fact]
    public void Schedule_LeftOutSettingsInAUtcProject_AreUtcAndLatest()
    {
        var s = Valid("pipeline: p\nschedule: { cron: \"0 6 * * *\" }\n" + Component).Schedule!;

        Assert.Equal(("UTC", CatchUpPolicy.Latest), (s.Timezone, s.CatchUp));
    }

    [Fact]
    public void ScheduleAndPartitions_WithoutTimezoneInANewYorkProject_TakeTheProjectsZone()
    {
        var p = Valid("pipeline: p\nschedule: { cron: \"0 7 * * *\" }\npartitions: { type: daily, start: 2025-03-08 }\n" + Component, NewYork);

        Assert.Equal(("America/New_York", "America/New_York"), (p.Schedule!.Timezone, p.Partitions!.Timezone));
    }

    [Fact]
    public void GroupScheduleAndPartitions_WithoutTimezoneInANewYorkProject_TakeTheProjectsZoneAndOwnZonesStay()
    {
        var p = Valid("""
            pipeline: p
            groups:
              daily: { assets: [t], schedule: { cron: "0 7 * * *" }, partitions: { type: daily, start: 2025-03-08 } }
              hourly: { assets: [u], schedule: { cron: "5 * * * *", timezone: UTC }, partitions: { type: hourly, start: 2025-03-08, timezone: UTC } }
            components:
              - { id: t, type: transform.sql, with: { sql: SELECT 1 AS v } }
              - { id: u, type: transform.sql, with: { sql: SELECT 1 AS v } }
            """, NewYork);

        Assert.Equal([("daily", "America/New_York", "America/New_York"), ("hourly", "UTC", "UTC")],
            p.Groups.Select(g => (g.Name, g.Schedule!.Timezone, g.Partitions!.Timezone)));
    }

    [Fact]
    public void DailyPartitions_WithoutTimezoneInANewYorkProject_AreNewYorkDays()
    {
        var p = Valid("pipeline: p\npartitions: { type: daily, start: 2025-03-08 }\n" + Component, NewYork);

        var all = new PartitionScheme(p.Partitions!).All(DateTimeOffset.Parse("2025-03-11T04:00:00Z"));

        // Each key is a New York calendar day: from local midnight (05:00Z in EST, 04:00Z in EDT); the day clocks spring forward has 23 hours.
        Assert.Equal(["2025-03-08", "2025-03-09", "2025-03-10"], all.Select(k => k.Key));
        Assert.Equal(["2025-03-08 05:00:00", "2025-03-09 05:00:00", "2025-03-10 04:00:00"], all.Select(k => k.Variables["start"]));
        Assert.Equal(TimeSpan.FromHours(23), all[1].End - all[1].Start);
    }

    private static LoadOptions NewYork => new() { Environment = _ => null, Timezone = "America/New_York" };

    [Theory]
    [InlineData("schedule: daily", "p.yaml:2:11: error TRIB0103: 'schedule' must be a mapping, got a scalar.")]
    [InlineData("schedule: { cron: \"0 6 * * *\", at: 6 }", "p.yaml:2:32: error TRIB0100: unknown key 'at' in 'schedule'. Allowed keys: cron, timezone, catch_up.")]
    [InlineData("schedule: { timezone: UTC }", "p.yaml:2:11: error TRIB0101: 'schedule' is missing required key 'cron'.")]
    [InlineData("schedule: { cron: \"0 6 * * *\", catch_up: all }", "p.yaml:2:42: error TRIB0105: 'catch_up' must be one of latest, skip, got 'all'.")]
    [InlineData("schedule: { cron: [0, 6] }", "p.yaml:2:19: error TRIB0103: 'cron' in 'schedule' must be a scalar, got a list.")]
    public void Schedule_Mistake_IsReportedWhereItIs(string line, string expected) =>
        Assert.Equal([expected], Problems($"pipeline: p\n{line}\n" + Component));

    [Theory]
    [InlineData("description: [a, b]", "p.yaml:2:14: error TRIB0103: 'description' in the pipeline must be a scalar, got a list.")]
    [InlineData("schedule: { cron: \"0 6 * * *\", timezone: [UTC] }", "p.yaml:2:42: error TRIB0103: 'timezone' in 'schedule' must be a scalar, got a list.")]
    [InlineData("schedule: { cron: \"0 6 * * *\", catch_up: [skip] }", "p.yaml:2:42: error TRIB0103: 'catch_up' in 'schedule' must be a scalar, got a list.")]
    [InlineData("partitions: { type: static, keys: { eu: 1 } }", "p.yaml:2:35: error TRIB0103: 'keys' of 'partitions' must be a list, got a mapping.")]
    public void Setting_OfTheWrongShape_NamesWhereItBelongs(string line, string expected) =>
        Assert.Single(Problems($"pipeline: p\n{line}\n" + Component), p => p == expected);

    [Fact]
    public void Schedule_WithAnUnknownTimezone_IsNotKept()
    {
        var result = Load("pipeline: p\nschedule: { cron: \"0 6 * * *\", timezone: Mars/Olympus }\n" + Component);

        Assert.Equal(["TRIB0401"], DiagnosticCodesOf(result));
        Assert.Null(result.Pipeline);
    }

    [Fact]
    public void Partitions_Static_KeepsKeysAndTimezone()
    {
        var p = Valid("pipeline: p\npartitions: { type: static, keys: [eu, us], timezone: Europe/Paris }\n" + Component).Partitions!;

        Assert.Equal((PartitionGranularity.Static, (DateOnly?)null, "Europe/Paris"), (p.Type, p.Start, p.Timezone));
        Assert.Equal(["eu", "us"], p.Keys);
    }

    [Fact]
    public void Partitions_Daily_KeepsItsStart() =>
        Assert.Equal(new DateOnly(2024, 2, 29), Valid("pipeline: p\npartitions: { type: daily, start: 2024-02-29 }\n" + Component).Partitions!.Start);

    [Theory]
    [InlineData("partitions: { type: static }", "p.yaml:2:13: error TRIB0101: static partitions need 'keys': the list of partition keys.")]
    [InlineData("partitions: { type: daily }", "p.yaml:2:13: error TRIB0101: 'partitions' is missing required key 'start'.")]
    [InlineData("partitions: { start: 2024-01-01 }", "p.yaml:2:13: error TRIB0101: 'partitions' is missing required key 'type'.")]
    [InlineData("partitions: { type: daily, start: 2024-01-01, end: 2024-02-01 }", "p.yaml:2:47: error TRIB0100: unknown key 'end' in 'partitions'. Allowed keys: type, start, timezone, keys, column.")]
    [InlineData("partitions: [daily]", "p.yaml:2:13: error TRIB0103: 'partitions' must be a mapping, got a list.")]
    public void Partitions_Mistake_IsReportedWhereItIs(string line, string expected) =>
        Assert.Equal([expected], Problems($"pipeline: p\n{line}\n" + Component));

    [Fact]
    public void Partitions_PartitionReference_ExpandsToTheFirstPartitionWhenNoneIsGiven()
    {
        var p = Valid("pipeline: p\npartitions: { type: daily, start: 2024-03-01 }\ncomponents: [{ id: t, type: transform.sql, with: { sql: \"SELECT '${partition.key}'\" } }]\n");

        var sql = ((SqlTransformParameters)p.Components[0].Parameters).Sql;
        Assert.Equal(("SELECT '${partition.key}'", "2024-03-01"), (sql.Template, sql.Values["partition.key"]));
    }

    [Fact]
    public void Partitions_PartitionReference_ExpandsToThePartitionBeingRun()
    {
        var options = new LoadOptions { Partition = new Dictionary<string, string> { ["key"] = "2024-03-05" }, Environment = _ => null };

        var p = Valid("pipeline: p\npartitions: { type: daily, start: 2024-03-01 }\ncomponents: [{ id: t, type: transform.sql, with: { sql: \"SELECT '${partition.key}'\" } }]\n", options);

        var sql = ((SqlTransformParameters)p.Components[0].Parameters).Sql;
        Assert.Equal(("SELECT '${partition.key}'", "2024-03-05"), (sql.Template, sql.Values["partition.key"]));
    }

    private const string TwoComponents = "components:\n  - { id: a, type: transform.sql, with: { sql: SELECT 1 } }\n  - { id: b, type: transform.sql, inputs: [a], with: { sql: SELECT 1 } }\n";

    [Fact]
    public void Groups_GivenSettings_AreKeptWithTheirAssets()
    {
        var p = Valid("""
            pipeline: p
            retry: { max_retries: 1 }
            groups:
              hourly:
                description: live data
                assets: [a]
                schedule: { cron: "5 * * * *" }
                sensors: [{ type: table_rows, table: events, cursor_column: received_at }]
                retry: { max_retries: 3, delay: 10s }
              daily: { assets: [b], schedule: { cron: "0 6 * * *", timezone: Europe/Berlin } }

            """ + TwoComponents);

        var hourly = p.Groups[0];
        Assert.Equal(("hourly", "live data", "a", "5 * * * *", "table_rows", 3), (hourly.Name, hourly.Description, string.Join(",", hourly.Assets), hourly.Schedule!.Cron, Assert.Single(hourly.Sensors).Type, hourly.Retry!.MaxRetries));
        Assert.Equal(("daily", "Europe/Berlin", 0, (RetrySpec?)null), (p.Groups[1].Name, p.Groups[1].Schedule!.Timezone, p.Groups[1].Sensors.Count, p.Groups[1].Retry));
        Assert.Equal(("group:hourly", 3, 1), (hourly.Selection, p.RetryOf("a").MaxRetries, p.RetryOf("b").MaxRetries));
    }

    [Theory]
    [InlineData("groups: { hourly: { assets: [c] } }", "p.yaml:2:30: error TRIB0202: asset 'c' of group 'hourly' names no component.")]
    [InlineData("groups: { hourly: { assets: [aa] } }", "p.yaml:2:30: error TRIB0202: asset 'aa' of group 'hourly' names no component. Did you mean 'a'?")]
    [InlineData("groups: { x: { assets: [a] }, y: { assets: [b, a] } }", "p.yaml:2:48: error TRIB0201: asset 'a' of group 'y' is already in group 'x'.")]
    [InlineData("groups: { hourly: { schedule: { cron: \"0 * * * *\" } } }", "p.yaml:2:19: error TRIB0101: group 'hourly' is missing required key 'assets'.")]
    [InlineData("groups: { hourly: { assets: [a], every: 1h } }", "p.yaml:2:34: error TRIB0100: unknown key 'every' in group 'hourly'. Allowed keys: description, assets, schedule, sensors, retry, partitions.")]
    [InlineData("groups: { Hourly: { assets: [a] } }", "p.yaml:2:11: error TRIB0110: group name 'Hourly' may use only a-z, 0-9 and _, and not start with a digit.")]
    [InlineData("groups: { x: { assets: [a] }, y: { assets: [b], sensors: [{ type: run_status, group: z }] } }", "p.yaml:2:59: error TRIB0202: run_status sensor waits on group 'z', which pipeline 'p' does not have.")]
    [InlineData("groups: { x: { assets: [a] }, y: { assets: [b], sensors: [{ type: run_status, group: y }] } }", "p.yaml:2:59: error TRIB0105: run_status sensor of group 'y' waits on its own group, so each of its runs would start the next.")]
    [InlineData("groups: { hourly: { assets: [a], schedule: { cron: \"0 * *\" } } }", "p.yaml:2:52: error TRIB0400: cron expression '0 * *' has 3 fields; expected 5 (minute hour day-of-month month day-of-week), or 6 with seconds first.")]
    public void Groups_Mistake_IsReportedWhereItIs(string line, string expected) =>
        // The message, then the hint where there is one.
        Assert.Single(Problems($"pipeline: p\n{line}\n" + TwoComponents), p => p == expected || p.StartsWith(expected + " ", StringComparison.Ordinal));

    [Fact]
    public void Sensors_SettingsTakeParams_AndRunStatusOfAGroupMeansThisPipeline()
    {
        var p = Valid("""
            pipeline: p
            params: { intake_table: { type: string, default: live } }
            sensors: [{ type: table_rows, table: "${param.intake_table}", cursor_column: received_at }]
            groups:
              x: { assets: [a], sensors: [{ type: table_rows, table: "raw_${param.intake_table}", cursor_column: t }] }
              y: { assets: [b], sensors: [{ type: run_status, group: x }, { type: run_status, pipeline: other, group: y }] }

            """ + TwoComponents);

        Assert.Equal("live", p.Sensors[0].Settings["table"]);
        Assert.Equal("raw_live", p.Groups[0].Sensors[0].Settings["table"]);
        // A group of another pipeline may share the name of this one's: only this pipeline's groups are checked.
        Assert.Equal([("p", "x"), ("other", "y")], p.Groups[1].Sensors.Select(s => (s.Settings["pipeline"], s.Settings["group"])));
    }

    [Fact]
    public void Retry_GivenSettings_AreKept()
    {
        var r = Valid("pipeline: p\nretry: { max_retries: 3, delay: 5s, backoff: linear, jitter: true }\n" + Component).Retry;

        Assert.Equal(new RetrySpec(3, TimeSpan.FromSeconds(5), BackoffKind.Linear, true), r);
    }

    [Fact]
    public void Retry_EmptyMapping_MeansNoRetriesOneSecondExponential() =>
        Assert.Equal(new RetrySpec(0, TimeSpan.FromSeconds(1), BackoffKind.Exponential, false), Valid("pipeline: p\nretry: {}\n" + Component).Retry);

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    public void Retry_MaxRetriesOnTheBoundsOfItsRange_IsAccepted(int retries) =>
        Assert.Equal(retries, Valid($"pipeline: p\nretry: {{ max_retries: {retries} }}\n" + Component).Retry.MaxRetries);

    [Fact]
    public void Retry_LeftOut_IsNone() => Assert.Equal(RetrySpec.None, Valid("pipeline: p\n" + Component).Retry);

    [Theory]
    [InlineData("retry: { max_retries: 2, wait: 1s }", "p.yaml:2:26: error TRIB0100: unknown key 'wait' in 'retry'. Allowed keys: max_retries, delay, backoff, jitter.")]
    [InlineData("retry: { jitter: [true] }", "p.yaml:2:18: error TRIB0103: 'jitter' in 'retry' must be a scalar, got a list.")]
    [InlineData("retry: { delay: [1s] }", "p.yaml:2:17: error TRIB0103: 'delay' in 'retry' must be a scalar, got a list.")]
    [InlineData("retry: { backoff: [linear] }", "p.yaml:2:19: error TRIB0103: 'backoff' in 'retry' must be a scalar, got a list.")]
    [InlineData("retry: { max_retries: [1] }", "p.yaml:2:23: error TRIB0103: 'max_retries' in 'retry' must be a scalar, got a list.")]
    [InlineData("retry: 3", "p.yaml:2:8: error TRIB0103: 'retry' must be a mapping, got a scalar.")]
    public void Retry_Mistake_NamesTheSetting(string line, string expected) =>
        Assert.Equal([expected], Problems($"pipeline: p\n{line}\n" + Component));

    [Fact]
    public void Pools_LimitsAndTheStepsThatNameThem_AreKept()
    {
        var p = Valid("""
            pipeline: p
            pools: { heavy: 1, wide: 3 }
            components:
              - { id: a, type: transform.sql, pool: heavy, with: { sql: SELECT 1 } }
              - { id: b, type: transform.sql, inputs: [a], with: { sql: SELECT 1 } }
            """);

        Assert.Equal(new Dictionary<string, int> { ["heavy"] = 1, ["wide"] = 3 }, p.Pools);
        Assert.Equal(["heavy", null], p.Components.Select(c => c.Pool));
    }

    [Fact]
    public void Pools_LeftOut_AreNone() => Assert.Empty(Valid("pipeline: p\n" + Component).Pools);

    private const string PooledComponent = "components: [{ id: t, type: transform.sql, pool: hevy, with: { sql: SELECT 1 } }]\n";

    [Theory]
    [InlineData("pools: { heavy: 0 }\n" + Component, "p.yaml:2:17: error TRIB0104: 'heavy' must be between 1 and 1000, got 0.")]
    [InlineData("pools: { heavy: two }\n" + Component, "p.yaml:2:17: error TRIB0103: 'heavy' must be a whole number, got 'two'.")]
    [InlineData("pools: { Heavy: 1 }\n" + Component, "p.yaml:2:10: error TRIB0110: pool name 'Heavy' may use only a-z, 0-9 and _, and not start with a digit.")]
    [InlineData("pools: [heavy]\n" + Component, "p.yaml:2:8: error TRIB0103: 'pools' must be a mapping, got a list.")]
    [InlineData("pools: { heavy: 1 }\n" + PooledComponent,
        "p.yaml:3:50: error TRIB0202: component 't' (transform.sql) names pool 'hevy', which 'pools' does not define. Did you mean 'heavy'?")]
    [InlineData(PooledComponent, "p.yaml:2:50: error TRIB0202: component 't' (transform.sql) names pool 'hevy', which 'pools' does not define.")]
    public void Pools_Mistake_IsReportedWhereItIs(string lines, string expected) =>
        // The message, then the hint.
        Assert.Single(Problems($"pipeline: p\n{lines}"), p => p == expected || p.StartsWith(expected + " ", StringComparison.Ordinal));

    [Fact]
    public void OnFailure_WebhookVariable_IsKept() =>
        Assert.Equal("ALERT_URL", Valid("pipeline: p\non_failure: { webhook_url_env: ALERT_URL }\n" + Component).OnFailure!.WebhookUrlEnv);

    [Theory]
    [InlineData("on_failure: {}", "p.yaml:2:13: error TRIB0101: 'on_failure' is missing required key 'webhook_url_env'.")]
    [InlineData("on_failure: { webhook_url_env: X, webhook: Y }", "p.yaml:2:35: error TRIB0100: unknown key 'webhook' in 'on_failure'. Allowed keys: webhook_url_env.")]
    [InlineData("on_failure: [X]", "p.yaml:2:13: error TRIB0103: 'on_failure' must be a mapping, got a list.")]
    public void OnFailure_Mistake_IsReportedWhereItIs(string line, string expected) =>
        Assert.Equal([expected], Problems($"pipeline: p\n{line}\n" + Component, new LoadOptions { Environment = _ => "https://hooks.example/x" }));

    // Read only when a run failed, a missing variable was noticed only then, and that failure went unreported.
    [Fact]
    public void OnFailure_VariableNotSet_IsAWarningAtTheVariable_AndThePipelineLoads()
    {
        var yaml = "pipeline: p\non_failure: { webhook_url_env: ALERT_URL }\n" + Component;
        var unset = Load(yaml, new LoadOptions { Environment = _ => null });

        Assert.True(unset.Succeeded);
        var warning = Assert.Single(unset.Diagnostics);
        Assert.Equal(("TRIB0301", true, 2, 32), (warning.Code, warning.IsWarning, warning.Location.Line, warning.Location.Column));
        Assert.Contains("'ALERT_URL', which is not set here: a failed run would send no alert", warning.Message, StringComparison.Ordinal);
        Assert.Empty(Load(yaml, new LoadOptions { Environment = _ => "https://hooks.example/x" }).Diagnostics);
    }

    // A webhook's secret_env (any *_env setting) naming an unset variable passed trib validate, and the step failed when it ran.
    [Fact]
    public void ComponentEnvSetting_VariableNotSet_IsAWarningAtTheVariable_AndThePipelineLoads()
    {
        const string yaml = """
            pipeline: p
            components:
              - { id: rows, type: transform.sql, with: { sql: "SELECT 'a@x' AS email" } }
              - { id: hook, type: activate.webhook, inputs: [rows], with: { url: "https://hooks.example/x", secret_env: HOOK_SECRET, consent: ignore } }
            """;
        var unset = Load(yaml, new LoadOptions { Environment = _ => null });

        Assert.True(unset.Succeeded);
        var warning = Assert.Single(unset.Diagnostics);
        Assert.Equal(("TRIB0301", true, 4, 109), (warning.Code, warning.IsWarning, warning.Location.Line, warning.Location.Column));
        Assert.Equal("'secret_env' of component 'hook' (activate.webhook) names environment variable 'HOOK_SECRET', which is not set here: the step would fail when it runs.", warning.Message);
        Assert.Equal("Set HOOK_SECRET where runs happen (trib serve's environment, or the shell of trib run).", warning.Hint);
        Assert.Empty(Load(yaml, new LoadOptions { Environment = _ => "secret" }).Diagnostics);
    }

    // A URL without its scheme made the client throw when a run failed: the alert was lost (and the daemon's queue entry with it).
    [Theory]
    [InlineData("hooks.slack.com/services/T0/B0/x")]
    [InlineData("not a url")]
    [InlineData("ftp://hooks.example/x")]
    public void OnFailure_VariableNotAnAbsoluteHttpUrl_IsAWarningAtTheVariableThatDoesNotShowTheValue(string value)
    {
        var loaded = Load("pipeline: p\non_failure: { webhook_url_env: ALERT_URL }\n" + Component, new LoadOptions { Environment = _ => value });

        Assert.True(loaded.Succeeded);
        Assert.Equal(["p.yaml:2:32: warning TRIB0304: on_failure's webhook_url_env names environment variable 'ALERT_URL', whose value here is not an absolute http:// or https:// URL: " +
            "a failed run would send no alert. Set ALERT_URL to the whole webhook URL, scheme included, e.g. https://hooks.slack.com/services/..."],
            loaded.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void Sensors_SettingsAndInterval_AreKeptAndTheIntervalDefaultsToThirtySeconds()
    {
        var sensors = Valid("""
            pipeline: p
            sensors:
              - { type: file_arrival, path: data/in, pattern: "*.csv", interval: 2m }
              - { type: freshness, asset: t, max_age: 1h }
            components: [{ id: t, type: transform.sql, with: { sql: SELECT 1 } }]
            """).Sensors;

        Assert.Equal(("file_arrival", TimeSpan.FromMinutes(2)), (sensors[0].Type, sensors[0].Interval));
        Assert.Equal(new Dictionary<string, string> { ["path"] = "data/in", ["pattern"] = "*.csv" }, sensors[0].Settings);
        Assert.Equal(TimeSpan.FromSeconds(30), sensors[1].Interval);
        Assert.Equal(new Dictionary<string, string> { ["asset"] = "t", ["max_age"] = "1h" }, sensors[1].Settings);
    }

    [Theory]
    [InlineData("sensors: [{ type: file_arival, path: x }]", "p.yaml:2:19: error TRIB0105: unknown sensor type 'file_arival'. Did you mean 'file_arrival'? Sensor types: file_arrival, table_rows, run_status, freshness.")]
    [InlineData("sensors: [{ type: table_rows, table: events }]", "p.yaml:2:11: error TRIB0101: sensor 'table_rows' is missing required key 'cursor_column'.")]
    [InlineData("sensors: [{ type: run_status, pipeline: a, every: 1m }]", "p.yaml:2:44: error TRIB0100: unknown key 'every' in sensor 'run_status'. Allowed keys: type, interval, pipeline, status, group.")]
    [InlineData("sensors: [{ type: freshness, asset: t, max_age: soon }]", "p.yaml:2:49: error TRIB0402: 'max_age' must be a duration such as 500ms, 10s, 5m, 2h or 1d, got 'soon'.")]
    [InlineData("sensors: [{ path: x }]", "p.yaml:2:11: error TRIB0101: a sensor is missing required key 'type'.")]
    [InlineData("sensors: [file_arrival]", "p.yaml:2:11: error TRIB0103: a sensor must be a mapping, got a scalar.")]
    [InlineData("sensors: { type: freshness }", "p.yaml:2:10: error TRIB0103: 'sensors' must be a list, got a mapping.")]
    public void Sensors_Mistake_IsReportedWhereItIs(string line, string expected) =>
        Assert.Equal([expected], Problems($"pipeline: p\n{line}\n" + Component));

    private static List<string> DiagnosticCodesOf(LoadResult result) => result.Diagnostics.Select(d => d.Code).ToList();
}
