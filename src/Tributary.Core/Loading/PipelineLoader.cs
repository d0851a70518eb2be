using System.Globalization;
using System.Text.RegularExpressions;
using Cronos;
using Tributary.Core.Components;
using Tributary.Core.Diagnostics;
using Tributary.Core.Pipelines;
using Tributary.Core.Projects;
using Tributary.Core.Warehousing;
using Tributary.Core.Yaml;

namespace Tributary.Core.Loading;

/// <summary>
/// Loads and validates a pipeline file, reporting every problem at once as <c>FILE:LINE:COL</c> diagnostics:
/// structure, component types and parameters, substitutions, the input graph and planned columns.
/// </summary>
public sealed partial class PipelineLoader(ComponentCatalog catalog)
{
    private static readonly string[] TopKeys = ["pipeline", "description", "params", "schedule", "partitions", "retry", "sensors", "on_failure", "components", "groups", "pools"];
    private static readonly string[] GroupKeys = ["description", "assets", "schedule", "sensors", "retry", "partitions"];
    private static readonly string[] ParamKeys = ["type", "default", "min", "max", "enum", "description"];
    private static readonly string[] ComponentKeys = ["id", "type", "description", "inputs", "with", "checks", "partition_mapping", "pool"];
    private static readonly string[] CheckKeys = ["type", "output", "column", "columns", "value", "values", "sql", "blocking", "description"];
    private static readonly string[] ScheduleKeys = ["cron", "timezone", "catch_up"];
    private static readonly Dictionary<string, CatchUpPolicy> CatchUpPolicies = new() { ["latest"] = CatchUpPolicy.Latest, ["skip"] = CatchUpPolicy.Skip };
    private static readonly string[] PartitionKeys = ["type", "start", "timezone", "keys", "column"];
    private static readonly string[] RetryKeys = ["max_retries", "delay", "backoff", "jitter"];

    private static readonly Dictionary<string, ParamType> ParamTypes = new()
    {
        ["string"] = ParamType.String, ["integer"] = ParamType.Integer, ["number"] = ParamType.Number, ["boolean"] = ParamType.Boolean,
    };
    private static readonly Dictionary<string, PartitionGranularity> PartitionTypes = new()
    {
        ["hourly"] = PartitionGranularity.Hourly, ["daily"] = PartitionGranularity.Daily, ["weekly"] = PartitionGranularity.Weekly,
        ["monthly"] = PartitionGranularity.Monthly, ["static"] = PartitionGranularity.Static,
    };
    private static readonly Dictionary<string, BackoffKind> Backoffs = new()
    {
        ["constant"] = BackoffKind.Constant, ["linear"] = BackoffKind.Linear, ["exponential"] = BackoffKind.Exponential,
    };

    // Each sensor type with its required and optional settings.
    private static readonly Dictionary<string, (string[] Required, string[] Optional)> SensorTypes = new()
    {
        ["file_arrival"] = (["path"], ["pattern"]),
        ["table_rows"] = (["table", "cursor_column"], []),
        // run_status of one group (group: NAME) may leave out pipeline: it then means this pipeline.
        ["run_status"] = (["pipeline"], ["status", "group"]),
        ["freshness"] = (["asset", "max_age"], ["action"]),
    };

    [GeneratedRegex("^[a-z0-9_]+$")]
    private static partial Regex PipelineName();

    [GeneratedRegex("^[a-z_][a-z0-9_]*$")]
    private static partial Regex Identifier();

    /// <summary>Loads a file from disk; reads no more than <see cref="YamlTreeReader.MaxChars"/> characters of it.</summary>
    public LoadResult LoadFile(string path, LoadOptions? options = null)
    {
        string text;
        try
        {
            // In chunks, so a small file costs little and an endless one (a device, a pipe) stops at the limit.
            using var stream = new StreamReader(path);
            var read = new System.Text.StringBuilder();
            var chunk = new char[16 * 1024];
            int n;
            while ((n = stream.Read(chunk, 0, chunk.Length)) > 0)
            {
                read.Append(chunk, 0, n);
                if (read.Length > YamlTreeReader.MaxChars) return new LoadResult(null, [YamlTreeReader.TooLong(path)]);
            }
            text = read.ToString();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new LoadResult(null, [new Diagnostic(DiagnosticCodes.UnreadableFile, SourceLocation.StartOf(path), $"cannot read the file: {e.Message}")]);
        }
        return Load(text, path, options);
    }

    /// <summary>
    /// Loads pipeline text; <paramref name="file"/> names it in diagnostics. Never throws for any text: a failure of
    /// the loader itself becomes a <see cref="DiagnosticCodes.InternalError"/> diagnostic that carries no exception text.
    /// </summary>
    public LoadResult Load(string text, string file, LoadOptions? options = null)
    {
        var diagnostics = new List<Diagnostic>();
        try
        {
            return LoadChecked(text, file, options ?? LoadOptions.Default, diagnostics);
        }
        catch (NodeReader.TooManyDiagnostics)
        {
            return new LoadResult(null, Sorted(diagnostics));
        }
        catch (Exception e)
        {
            diagnostics.Add(new Diagnostic(DiagnosticCodes.InternalError, SourceLocation.StartOf(file),
                "the validator failed on this file; this is a bug in Tributary, not necessarily a mistake in the file.",
                InternalHint(e)));
            return new LoadResult(null, Sorted(diagnostics));
        }
    }

    private static List<Diagnostic> Sorted(List<Diagnostic> diagnostics) =>
        diagnostics.OrderBy(d => d.Location.Line).ThenBy(d => d.Location.Column).ToList();

    private LoadResult LoadChecked(string text, string file, LoadOptions options, List<Diagnostic> diagnostics)
    {
        var root = YamlTreeReader.Read(text, file, diagnostics);
        if (root is null)
        {
            if (diagnostics.Count == 0)
                diagnostics.Add(new Diagnostic(DiagnosticCodes.MissingKey, SourceLocation.StartOf(file), "the file is empty.", "A pipeline needs at least 'pipeline:' and 'components:'."));
            return new LoadResult(null, diagnostics);
        }
        var reader = new NodeReader(file, diagnostics);
        if (root is not YamlMapping top)
        {
            reader.Error(DiagnosticCodes.WrongType, root.Location, $"a pipeline file must be a mapping, got {root.KindName}.");
            return new LoadResult(null, diagnostics);
        }
        reader.CheckKeys(top, "pipeline", TopKeys);

        var name = reader.Scalar(top, "pipeline", "the pipeline", required: true);
        var description = reader.Text(top, "description", "the pipeline");
        if (name is not null && !PipelineName().IsMatch(name.Value))
            reader.Error(DiagnosticCodes.InvalidName, name.Location, $"pipeline name '{name.Value}' may use only a-z, 0-9 and _.");
        if (name is not null && options.NamedAfterFile && Path.GetFileNameWithoutExtension(file) is var stem && name.Value != stem)
            reader.Error(DiagnosticCodes.NameNotFileName, name.Location,
                $"pipeline name '{name.Value}' is not the file's name '{stem}': the project runs, lists and schedules this file as '{stem}', and would record its runs as '{name.Value}'.",
                $"Write 'pipeline: {stem}', or rename the file to {name.Value}{Path.GetExtension(file)}.");

        var parameters = ReadParams(reader, top, options);
        var schedule = ReadSchedule(reader, top, options.Timezone);
        var partitions = ReadPartitions(reader, top["partitions"], "'partitions'", options.Time.GetUtcNow(), options.Timezone);
        var groupPartitions = ReadGroupPartitions(reader, top, partitions, options.Time.GetUtcNow(), options.Timezone);
        var substitution = new Substitution(parameters.ToDictionary(p => p.Name, p => p.Value), options.Environment,
            partitions is null || partitions is { Type: PartitionGranularity.Static, Keys.Count: 0 }
                ? (groupPartitions.Count > 0 ? options.Partition ?? WholeHistory : null)
                : options.Partition ?? (partitions is { Type: not PartitionGranularity.Static, Column: not null } ? WholeHistory : new PartitionScheme(partitions).First().Variables),
            parameters.ToDictionary(p => p.Name, p => p.Type), options.ReservedEnvironment, options.Timezone);
        var retry = ReadRetry(reader, top);
        var sensors = ReadSensors(reader, top, substitution, name?.Value);
        var onFailure = ReadAlert(reader, top, options);
        var pools = ReadPools(reader, top);
        // A component's definition takes the params' defaults, as the file says: a run's --param is that run's choice.
        var definitions = new Substitution(parameters.ToDictionary(p => p.Name, p => p.Default), options.Environment, reserved: options.ReservedEnvironment);
        var components = ReadComponents(reader, top, substitution, definitions,
            ((top["pools"] as YamlMapping)?.Entries ?? []).Select(e => e.Key.Value).ToHashSet(StringComparer.Ordinal), options.ReservedEnvironment, options.Paths, options.Environment, options.Timezone);

        var groups = ReadGroups(reader, top, components.Select(c => c.Spec.Id).ToList(), substitution, name?.Value, groupPartitions, options.Timezone);
        if (groupPartitions.Count > 0) CheckPartitionReferences(reader, components, groups);
        if (name is not null) CheckRunStatusOfGroups(reader, name.Value, sensors, groups);

        CheckPlan(reader, components, options.Queries);
        if (diagnostics.Any(d => !d.IsWarning) || name is null)
            return new LoadResult(null, Sorted(diagnostics)) { DeclaredName = name };

        return new LoadResult(new PipelineSpec
        {
            Name = name.Value,
            Description = description,
            File = file,
            Params = parameters,
            Schedule = schedule,
            Partitions = partitions,
            Retry = retry ?? RetrySpec.None,
            Sensors = sensors,
            OnFailure = onFailure,
            Components = components.Select(c => c.Spec).ToList(),
            Groups = groups,
            Timezone = options.Timezone,
            Pools = pools,
            EnvironmentValues = substitution.EnvironmentValues.Concat(definitions.EnvironmentValues)
                .DistinctBy(e => e.Key, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal),
            Warnings = Sorted(diagnostics),
        }, diagnostics) { DeclaredName = name };
    }

    private static List<ParamSpec> ReadParams(NodeReader reader, YamlMapping top, LoadOptions options)
    {
        var result = new List<ParamSpec>();
        var map = reader.Mapping(top["params"], "'params'");
        foreach (var (key, node) in map?.Entries ?? [])
        {
            var what = $"param '{key.Value}'";
            if (!Identifier().IsMatch(key.Value))
                reader.Error(DiagnosticCodes.InvalidName, key.Location, $"param name '{key.Value}' may use only a-z, 0-9 and _, and not start with a digit.");
            // Stryker disable once Statement: without this continue 'p' is unassigned below; that mutant cannot compile
            if (reader.Mapping(node, what) is not { } p) continue;
            reader.CheckKeys(p, what, ParamKeys);
            var type = reader.OneOf(p, "type", what, ParamTypes, required: true) ?? ParamType.String;
            var min = Number(reader, p, "min", what);
            var max = Number(reader, p, "max", what);
            var allowed = reader.TextList(p["enum"], $"'enum' of {what}");
            if (p["enum"] is YamlSequence { Items.Count: 0 } noValues)
                reader.Error(DiagnosticCodes.NotAllowed, noValues.Location, $"'enum' of {what} is empty, so no value is allowed.", "List the allowed values, or remove 'enum'.");
            var spec = new ParamSpec(key.Value, type, null, reader.Text(p, "description", what), min, max, allowed, key.Location);
            string? value = null;
            var defaultNode = reader.Scalar(p, "default", what);
            if (defaultNode is not null && CheckParamValue(reader, spec, defaultNode.Value, defaultNode.Location)) value = defaultNode.Value;
            spec = spec with { Default = value };
            if (options.ParamOverrides.TryGetValue(key.Value, out var over))
                value = CheckParamValue(reader, spec, over, key.Location, fromCommandLine: true) ? over : value;
            else if (defaultNode is null)
                reader.Error(DiagnosticCodes.MissingKey, key.Location, $"{what} has no default and no value was given.", $"Pass --param {key.Value}=VALUE or add 'default:'.");
            result.Add(spec with { Value = value });
        }
        var declared = result.Select(p => p.Name).ToList();
        var at = top.KeyNode("params")?.Location ?? SourceLocation.StartOf(reader.File);
        var list = declared.Count == 0 ? " The pipeline declares no params." : $" Params: {string.Join(", ", declared)}.";
        foreach (var unknown in options.ParamOverrides.Keys.Where(k => !declared.Contains(k)))
            reader.Error(DiagnosticCodes.UndefinedParam, at,
                $"--param {unknown}: the pipeline has no param '{unknown}'.{NameSuggestion.Format(unknown, declared, byWord: true)}{list}");
        return result;
    }

    private static double? Number(NodeReader reader, YamlMapping map, string key, string what)
    {
        if (reader.Scalar(map, key, what) is not { } s) return null;
        if (double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)) return v;
        reader.Error(DiagnosticCodes.WrongType, s.Location, $"'{key}' of {what} must be a finite number, got '{s.Value}'.");
        return null;
    }

    private static bool CheckParamValue(NodeReader reader, ParamSpec p, string value, SourceLocation at, bool fromCommandLine = false)
    {
        var source = fromCommandLine ? $"--param {p.Name}" : $"default of param '{p.Name}'";
        double? number = null;
        switch (p.Type)
        {
            case ParamType.Integer when long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i):
                number = i;
                break;
            case ParamType.Number when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && double.IsFinite(x):
                number = x;
                break;
            case ParamType.Boolean when value is "true" or "false":
            case ParamType.String:
                break;
            default:
                reader.Error(DiagnosticCodes.WrongType, at, $"{source} must be {Article(p.Type)}, got '{value}'.");
                return false;
        }
        if (number is { } n && ((p.Min is { } lo && n < lo) || (p.Max is { } hi && n > hi)))
        {
            reader.Error(DiagnosticCodes.OutOfRange, at, $"{source} must be within [{p.Min?.ToString(CultureInfo.InvariantCulture) ?? "-inf"}, {p.Max?.ToString(CultureInfo.InvariantCulture) ?? "inf"}], got {value}.");
            return false;
        }
        if (p.Values.Count > 0 && !p.Values.Contains(value))
        {
            reader.Error(DiagnosticCodes.NotAllowed, at, $"{source} must be one of {string.Join(", ", p.Values)}, got '{value}'.");
            return false;
        }
        return true;
    }

    private static string Article(ParamType type) => type switch
    {
        ParamType.Integer => "a whole number",
        ParamType.Number => "a number",
        ParamType.Boolean => "true or false",
        _ => "text",
    };

    private static ScheduleSpec? ReadSchedule(NodeReader reader, YamlMapping top, string projectZone)
    {
        if (reader.Mapping(top["schedule"], "'schedule'") is not { } map) return null;
        reader.CheckKeys(map, "'schedule'", ScheduleKeys);
        var cron = reader.Scalar(map, "cron", "'schedule'", required: true);
        var zone = ReadTimezone(reader, map, "'schedule'", projectZone);
        if (cron is null) return null;
        var fields = cron.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        if (fields is not (5 or 6))
        {
            reader.Error(DiagnosticCodes.BadCron, cron.Location, $"cron expression '{cron.Value}' has {fields} fields; expected 5 (minute hour day-of-month month day-of-week), or 6 with seconds first.",
                "For example \"0 6 * * *\" runs daily at 06:00.");
            return null;
        }
        try
        {
            CronExpression.Parse(cron.Value, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
        }
        catch (CronFormatException e)
        {
            reader.Error(DiagnosticCodes.BadCron, cron.Location, $"invalid cron expression '{cron.Value}': {e.Message.Replace("The given cron expression has an invalid format. ", "", StringComparison.Ordinal).TrimEnd('.')}.",
                "Use five fields: minute hour day-of-month month day-of-week, e.g. \"0 6 * * *\".");
            return null;
        }
        catch (MissingSeedException)
        {
            reader.Error(DiagnosticCodes.BadCron, cron.Location, $"invalid cron expression '{cron.Value}': hashed values (H) are not supported.", "Write the minute or hour as a number.");
            return null;
        }
        var catchUp = reader.OneOf(map, "catch_up", "'schedule'", CatchUpPolicies) ?? CatchUpPolicy.Latest;
        return zone is null ? null : new ScheduleSpec(cron.Value, zone, map.Location, catchUp);
    }

    // Without its own timezone a schedule or partition set follows the project's: "daily 07:00" is 07:00 where the shop is.
    private static string? ReadTimezone(NodeReader reader, YamlMapping map, string what, string projectZone)
    {
        if (reader.Scalar(map, "timezone", what) is not { } zone) return projectZone;
        if (TimeZoneInfo.TryFindSystemTimeZoneById(zone.Value, out _)) return zone.Value;
        reader.Error(DiagnosticCodes.BadTimezone, zone.Location, $"unknown timezone '{zone.Value}'.",
            "Use an IANA name such as UTC, Europe/Berlin or America/New_York.");
        return null;
    }

    private static PartitionsSpec? ReadPartitions(NodeReader reader, YamlNode? node, string what, DateTimeOffset now, string projectZone)
    {
        if (reader.Mapping(node, what) is not { } map) return null;
        reader.CheckKeys(map, what, PartitionKeys);
        var type = reader.OneOf(map, "type", what, PartitionTypes, required: true);
        var zone = ReadTimezone(reader, map, what, projectZone);
        var keys = reader.TextList(map["keys"], $"'keys' of {what}");
        var column = reader.Text(map, "column", what);
        DateOnly? start = null;
        YamlScalar? startNode = null;
        if (type is PartitionGranularity.Static)
        {
            if (keys.Count == 0) reader.Error(DiagnosticCodes.MissingKey, map.Location, "static partitions need 'keys': the list of partition keys.");
        }
        else if (type is not null && (startNode = reader.Scalar(map, "start", what, required: true)) is { } s)
        {
            if (DateOnly.TryParseExact(s.Value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) start = d;
            else reader.Error(DiagnosticCodes.BadTime, s.Location, $"'start' must be a date as YYYY-MM-DD, got '{s.Value}'.");
        }
        if (type is null || zone is null) return null;
        var spec = new PartitionsSpec(type.Value, start, zone, keys, map.Location) { Column = column };

        // Every partition is listed and tracked, so their number is bounded where the file is checked.
        var count = PartitionScheme.Count(spec, DateOnly.FromDateTime(now.UtcDateTime));
        if (start is { } from && count > PartitionScheme.MaxPartitions)
        {
            var typeName = PartitionTypes.First(t => t.Value == type).Key;
            var times = keys.Count > 0 ? $" times {keys.Count} keys" : "";
            reader.Error(DiagnosticCodes.OutOfRange, startNode!.Location,
                $"{typeName} partitions from {from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}{times} make {count.ToString("N0", CultureInfo.InvariantCulture)} partitions by today; at most {PartitionScheme.MaxPartitions.ToString("N0", CultureInfo.InvariantCulture)} are allowed.",
                "Move 'start' later, or use coarser partitions (daily, weekly, monthly) or fewer keys.");
            return spec with { Start = null };
        }
        if (start is { } first && (first < PartitionScheme.EarliestStart || first > PartitionScheme.LatestStart))
        {
            reader.Error(DiagnosticCodes.BadTime, startNode!.Location,
                $"'start' must be between {PartitionScheme.EarliestStart.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} and {PartitionScheme.LatestStart.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}, got '{startNode.Value}'.");
            return spec with { Start = null };
        }
        return spec;
    }

    // pools: { NAME: LIMIT }: at most LIMIT steps that name the pool run at once.
    private static Dictionary<string, int> ReadPools(NodeReader reader, YamlMapping top)
    {
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        var map = reader.Mapping(top["pools"], "'pools'");
        foreach (var (key, _) in map?.Entries ?? [])
        {
            if (!Identifier().IsMatch(key.Value))
                reader.Error(DiagnosticCodes.InvalidName, key.Location, $"pool name '{key.Value}' may use only a-z, 0-9 and _, and not start with a digit.");
            else if (reader.Integer(map!, key.Value, $"pool '{key.Value}'", 1, 1000) is { } limit) result[key.Value] = limit;
        }
        return result;
    }

    // A step's pool is one of 'pools' (whose own mistakes are reported there).
    private static string? ReadPool(NodeReader reader, YamlMapping component, string what, IReadOnlyCollection<string> pools)
    {
        if (reader.Scalar(component, "pool", what) is not { } pool) return null;
        if (!pools.Contains(pool.Value))
            reader.Error(DiagnosticCodes.UnknownInput, pool.Location, $"{what} names pool '{pool.Value}', which 'pools' does not define.{NameSuggestion.Format(pool.Value, pools)}",
                $"Define it with its limit, e.g. 'pools: {{ {pool.Value}: 1 }}'.");
        return pool.Value;
    }

    private static RetrySpec? ReadRetry(NodeReader reader, YamlMapping top)
    {
        if (reader.Mapping(top["retry"], "'retry'") is not { } map) return null;
        reader.CheckKeys(map, "'retry'", RetryKeys);
        return new RetrySpec(
            reader.Integer(map, "max_retries", "'retry'", 0, 100) ?? 0,
            reader.Duration(map, "delay", "'retry'", allowZero: true) ?? TimeSpan.FromSeconds(1),
            reader.OneOf(map, "backoff", "'retry'", Backoffs) ?? BackoffKind.Exponential,
            reader.Boolean(map, "jitter", "'retry'") ?? false);
    }

    // partition_mapping: { input: identity | all | last | offset -1 }
    private static Dictionary<string, PartitionMapping> ReadPartitionMappings(NodeReader reader, YamlMapping component, string what, List<YamlScalar> inputs)
    {
        var result = new Dictionary<string, PartitionMapping>(StringComparer.Ordinal);
        if (reader.Mapping(component["partition_mapping"], $"'partition_mapping' of {what}") is not { } map) return result;
        foreach (var (key, node) in map.Entries)
        {
            if (!inputs.Any(i => i.Value == key.Value))
            {
                reader.Error(DiagnosticCodes.UnknownInput, key.Location, $"partition_mapping names '{key.Value}', which is not an input of {what}.{NameSuggestion.Format(key.Value, inputs.Select(i => i.Value))}");
                continue;
            }
            var text = (node as YamlScalar)?.Value.Trim() ?? "";
            var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            PartitionMapping? mapping = parts switch
            {
                ["identity"] => PartitionMapping.Identity,
                ["all"] => new PartitionMapping(PartitionMappingKind.All),
                ["last"] => new PartitionMapping(PartitionMappingKind.Last),
                ["offset", var n] when int.TryParse(n, System.Globalization.NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var offset) => new PartitionMapping(PartitionMappingKind.Offset, offset),
                _ => null,
            };
            if (mapping is null)
                reader.Error(DiagnosticCodes.NotAllowed, node.Location, $"partition mapping '{text}' of input '{key.Value}' is not one of identity, all, last, offset N (e.g. offset -1).");
            else result[key.Value] = mapping;
        }
        return result;
    }

    private static AlertSpec? ReadAlert(NodeReader reader, YamlMapping top, LoadOptions options)
    {
        if (reader.Mapping(top["on_failure"], "'on_failure'") is not { } map) return null;
        reader.CheckKeys(map, "'on_failure'", ["webhook_url_env"]);
        var env = reader.Scalar(map, "webhook_url_env", "'on_failure'", required: true);
        if (env is null) return null;
        if (ReservedVariables.IsReserved(env.Value, options.ReservedEnvironment))
        {
            reader.Diagnostics.Add(ReservedVariables.Refused(env.Value, env.Location, "on_failure's webhook_url_env"));
            return null;
        }
        // Read only when a run fails, the variable was found missing only then: the failure went unreported. A warning, not
        // an error: the machine that checks the file is not always the one that runs it.
        var url = options.Environment(env.Value);
        if (string.IsNullOrEmpty(url))
            reader.Diagnostics.Add(new Diagnostic(DiagnosticCodes.UndefinedEnv, env.Location,
                $"on_failure's webhook_url_env names environment variable '{env.Value}', which is not set here: a failed run would send no alert.",
                $"Set {env.Value} to the webhook URL where runs happen (trib serve's environment, or the shell of trib run).") { IsWarning = true });
        // The value is not shown: it may be a secret (a Slack webhook's URL is its own credential).
        else if (!AlertSpec.IsWebhookUrl(url))
            reader.Diagnostics.Add(new Diagnostic(DiagnosticCodes.BadAlertUrl, env.Location,
                $"on_failure's webhook_url_env names environment variable '{env.Value}', whose value here is not an absolute http:// or https:// URL: a failed run would send no alert.",
                $"Set {env.Value} to the whole webhook URL, scheme included, e.g. https://hooks.slack.com/services/...") { IsWarning = true });
        return new AlertSpec(env.Value, map.Location);
    }

    // Settings may use ${param.NAME} and ${env.NAME} (a table_rows sensor on the table a param names).
    private static List<SensorSpec> ReadSensors(NodeReader reader, YamlMapping top, Substitution substitution, string? pipeline)
    {
        var result = new List<SensorSpec>();
        foreach (var node in reader.Sequence(top["sensors"], "'sensors'")?.Items ?? [])
        {
            // Stryker disable once Statement: without this continue 'map' is unassigned below; that mutant cannot compile
            if (reader.Mapping(node, "a sensor") is not { } map) continue;
            var type = reader.Scalar(map, "type", "a sensor", required: true);
            if (type is null) continue;
            if (!SensorTypes.TryGetValue(type.Value, out var keys))
            {
                reader.Error(DiagnosticCodes.NotAllowed, type.Location,
                    $"unknown sensor type '{type.Value}'.{NameSuggestion.Format(type.Value, SensorTypes.Keys)}", $"Sensor types: {string.Join(", ", SensorTypes.Keys)}.");
                continue;
            }
            var what = $"sensor '{type.Value}'";
            reader.CheckKeys(map, what, ["type", "interval", .. keys.Required, .. keys.Optional]);
            var settings = new Dictionary<string, string>(StringComparer.Ordinal);
            var ofGroup = type.Value == "run_status" && map["group"] is not null;
            foreach (var key in keys.Required.Concat(keys.Optional))
                if (reader.Scalar(map, key, what, required: keys.Required.Contains(key) && !(ofGroup && key == "pipeline")) is { } v
                    && substitution.Expand(v, reader.Diagnostics) is { } expanded)
                    settings[key] = expanded;
            if (ofGroup && !settings.ContainsKey("pipeline") && pipeline is not null) settings["pipeline"] = pipeline;
            if (type.Value == "freshness" && map["max_age"] is not null) reader.Duration(map, "max_age", what);
            result.Add(new SensorSpec(type.Value, settings, reader.Duration(map, "interval", what) ?? TimeSpan.FromSeconds(30), map.Location));
        }
        return result;
    }

    // groups: { NAME: { description, assets: [ids], schedule, sensors, retry } }; an asset belongs to one group at most.
    private static List<GroupSpec> ReadGroups(NodeReader reader, YamlMapping top, IReadOnlyList<string> ids, Substitution substitution, string? pipeline,
        IReadOnlyDictionary<string, PartitionsSpec> partitions, string projectZone)
    {
        var result = new List<GroupSpec>();
        var owner = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, node) in reader.Mapping(top["groups"], "'groups'")?.Entries ?? [])
        {
            var what = $"group '{key.Value}'";
            if (!Identifier().IsMatch(key.Value))
                reader.Error(DiagnosticCodes.InvalidName, key.Location, $"group name '{key.Value}' may use only a-z, 0-9 and _, and not start with a digit.");
            // Stryker disable once Statement: without this continue 'map' is unassigned below; that mutant cannot compile
            if (reader.Mapping(node, what) is not { } map) continue;
            reader.CheckKeys(map, what, GroupKeys);
            var assets = new List<string>();
            if (map["assets"] is null) reader.Error(DiagnosticCodes.MissingKey, map.Location, $"{what} is missing required key 'assets'.", "List the component ids the group runs.");
            foreach (var item in reader.Sequence(map["assets"], $"'assets' of {what}")?.Items ?? [])
            {
                if (item is not YamlScalar { IsNull: false } s)
                    reader.Error(DiagnosticCodes.WrongType, item.Location, $"assets of {what} must be component ids, got {item.KindName}.");
                else if (!ids.Contains(s.Value))
                    reader.Error(DiagnosticCodes.UnknownInput, s.Location, $"asset '{s.Value}' of {what} names no component.{NameSuggestion.Format(s.Value, ids)}");
                else if (!owner.TryAdd(s.Value, key.Value))
                    reader.Error(DiagnosticCodes.DuplicateId, s.Location, $"asset '{s.Value}' of {what} is already in group '{owner[s.Value]}'.",
                        "An asset belongs to one group at most, so that one schedule and one retry policy apply to it.");
                else assets.Add(s.Value);
            }
            result.Add(new GroupSpec(key.Value, reader.Text(map, "description", what), assets, ReadSchedule(reader, map, projectZone), ReadSensors(reader, map, substitution, pipeline),
                ReadRetry(reader, map), key.Location) { Partitions = partitions.GetValueOrDefault(key.Value) });
        }
        return result;
    }

    // Partition values of a run without a partition: the whole history, so a partitioned group's (or, with a time column, pipeline's) window filters keep every row.
    private static readonly IReadOnlyDictionary<string, string> WholeHistory = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["key"] = "",
        ["start"] = PartitionScheme.EarliestStart.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + " 00:00:00",
        ["end"] = "9999-12-31 00:00:00",
        ["static"] = "",
    };

    // Groups' partitions are read before the components, whose ${partition.*} values depend on them; one scheme per asset.
    private static Dictionary<string, PartitionsSpec> ReadGroupPartitions(NodeReader reader, YamlMapping top, PartitionsSpec? pipelinePartitions, DateTimeOffset now, string projectZone)
    {
        var result = new Dictionary<string, PartitionsSpec>(StringComparer.Ordinal);
        foreach (var (key, node) in (top["groups"] as YamlMapping)?.Entries ?? [])
        {
            if (node is not YamlMapping { } map || map["partitions"] is not { } partitions) continue;
            if (pipelinePartitions is not null)
            {
                reader.Error(DiagnosticCodes.NotAllowed, partitions.Location, $"group '{key.Value}' has 'partitions', but the pipeline partitions every asset already.",
                    "Partition either the whole pipeline (top-level 'partitions') or the groups whose data is time-based, not both.");
                continue;
            }
            if (ReadPartitions(reader, partitions, $"'partitions' of group '{key.Value}'", now, projectZone) is { } spec) result[key.Value] = spec;
        }
        return result;
    }

    // With partitioned groups only, ${partition.*} belongs in their assets: elsewhere it would always be the whole history.
    private static void CheckPartitionReferences(NodeReader reader, IReadOnlyList<LoadedComponent> components, IReadOnlyList<GroupSpec> groups)
    {
        var partitioned = groups.Where(g => g.Partitions is not null).SelectMany(g => g.Assets).ToHashSet(StringComparer.Ordinal);
        foreach (var c in components.Where(c => !partitioned.Contains(c.Spec.Id)))
            if (FirstPartitionReference(c.Node) is { } at)
                reader.Error(DiagnosticCodes.BadSubstitution, at.Location, $"component '{c.Spec.Id}' uses '${{partition.*}}' but is in no partitioned group.",
                    $"Move it into a group with 'partitions' ({string.Join(", ", groups.Where(g => g.Partitions is not null).Select(g => g.Name))}), or remove the reference.");
    }

    private static YamlScalar? FirstPartitionReference(YamlNode node) => node switch
    {
        YamlScalar s => s.Value.Contains("${partition.", StringComparison.Ordinal) ? s : null,
        YamlMapping m => m.Entries.Select(e => FirstPartitionReference(e.Value)).FirstOrDefault(r => r is not null),
        YamlSequence q => q.Items.Select(FirstPartitionReference).FirstOrDefault(r => r is not null),
        _ => null,
    };

    // A run_status sensor on a group of this pipeline names a group it has, and never its own group (its runs would trigger it again).
    private static void CheckRunStatusOfGroups(NodeReader reader, string pipeline, IReadOnlyList<SensorSpec> sensors, IReadOnlyList<GroupSpec> groups)
    {
        var names = groups.Select(g => g.Name).ToList();
        foreach (var (sensor, owner) in sensors.Select(s => (s, (GroupSpec?)null)).Concat(groups.SelectMany(g => g.Sensors.Select(s => (s, (GroupSpec?)g)))))
        {
            if (sensor.Type != "run_status" || !sensor.Settings.TryGetValue("group", out var group)) continue;
            if (sensor.Settings.TryGetValue("pipeline", out var other) && other != pipeline) continue;
            if (!names.Contains(group))
                reader.Error(DiagnosticCodes.UnknownInput, sensor.Location, $"run_status sensor waits on group '{group}', which pipeline '{pipeline}' does not have.{NameSuggestion.Format(group, names)}");
            else if (owner?.Name == group)
                reader.Error(DiagnosticCodes.NotAllowed, sensor.Location, $"run_status sensor of group '{group}' waits on its own group, so each of its runs would start the next.",
                    "Wait on the group whose results this one reads.");
        }
    }

    private sealed record LoadedComponent(ComponentSpec Spec, ComponentDescriptor Descriptor, IReadOnlyList<YamlScalar> InputNodes, YamlMapping Node);

    private List<LoadedComponent> ReadComponents(NodeReader reader, YamlMapping top, Substitution substitution, Substitution definitions, IReadOnlyCollection<string> pools,
        IReadOnlySet<string> reserved, ProjectPaths? paths, Func<string, string?> environment, string projectZone)
    {
        var binder = new ParameterBinder(reader, substitution, paths);
        var list = new List<LoadedComponent>();
        var seq = reader.Sequence(top["components"], "'components'");
        if (seq is null)
        {
            if (top["components"] is null) reader.Error(DiagnosticCodes.MissingKey, top.Location, "the pipeline is missing required key 'components'.");
            else if (top["components"] is YamlScalar { IsNull: true } nothing) reader.Error(DiagnosticCodes.MissingKey, nothing.Location, EmptyComponents);
            return list;
        }
        if (seq.Items.Count == 0) reader.Error(DiagnosticCodes.MissingKey, seq.Location, EmptyComponents);

        var ids = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
        var pending = new List<(YamlMapping Map, string Id, ComponentDescriptor Type, List<YamlScalar> Inputs)>();
        foreach (var node in seq.Items)
        {
            // Stryker disable once Statement: without this continue 'map' is unassigned below; that mutant cannot compile
            if (reader.Mapping(node, "a component") is not { } map) continue;
            var idNode = reader.Scalar(map, "id", "a component", required: true);
            var what = idNode is null ? "a component" : $"component '{idNode.Value}'";
            reader.CheckKeys(map, what, ComponentKeys);
            var typeNode = reader.Scalar(map, "type", what, required: true);
            // Only a component with a valid, unique id is planned: ids key every table below.
            var idOk = false;
            if (idNode is not null)
            {
                if (ids.TryGetValue(idNode.Value, out var first))
                    // A component repeated through an alias shares its id node with the first; point at the repetition.
                    reader.Error(DiagnosticCodes.DuplicateId, first == idNode.Location ? map.Location : idNode.Location,
                        $"component id '{idNode.Value}' is already used at line {first.Line}.", "Ids name tables, so each must be unique.");
                else if (!Identifier().IsMatch(idNode.Value))
                    reader.Error(DiagnosticCodes.InvalidName, idNode.Location, $"component id '{idNode.Value}' may use only a-z, 0-9 and _, and not start with a digit; it names a table.");
                else if (idNode.Value.Contains(OutputTables.Separator, StringComparison.Ordinal))
                    reader.Error(DiagnosticCodes.InvalidName, idNode.Location, $"component id '{idNode.Value}' may not contain '{OutputTables.Separator}', which marks tables a component writes beside its asset.");
                else idOk = true;
                ids.TryAdd(idNode.Value, idNode.Location);
            }
            ComponentDescriptor? type = null;
            if (typeNode is not null && !catalog.TryGet(typeNode.Value, out type))
                reader.Error(DiagnosticCodes.UnknownComponentType, typeNode.Location,
                    $"unknown component type '{typeNode.Value}'.{NameSuggestion.Format(typeNode.Value, catalog.Types.Select(t => t.TypeName))}",
                    "Run 'trib components' to list them.");
            var inputs = new List<YamlScalar>();
            foreach (var item in reader.Sequence(map["inputs"], $"'inputs' of {what}")?.Items ?? [])
                if (item is YamlScalar { IsNull: false } s) inputs.Add(s);
                else reader.Error(DiagnosticCodes.WrongType, item.Location, $"inputs of {what} must be component ids, got {item.KindName}.");
            if (!idOk || type is null) continue;
            pending.Add((map, idNode!.Value, type, inputs));
        }

        foreach (var (map, id, type, inputs) in pending)
        {
            var what = $"component '{id}' ({type.TypeName})";
            var listed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var input in inputs)
            {
                // A table listed twice reads the same as once: a slip for another input, which the component then misses.
                if (!listed.Add(input.Value))
                    reader.Error(DiagnosticCodes.DuplicateInput, input.Location, $"input '{input.Value}' of component '{id}' is listed twice.",
                        "List each input once; an input that a parameter names (e.g. a suppression table) must still be listed, but only once.");
                else if (input.Value == id) reader.Error(DiagnosticCodes.Cycle, input.Location, $"component '{id}' lists itself as an input.");
                else if (!ids.ContainsKey(input.Value))
                    reader.Error(DiagnosticCodes.UnknownInput, input.Location,
                        $"input '{input.Value}' of component '{id}' names no component.{NameSuggestion.Format(input.Value, ids.Keys)}");
            }
            if (inputs.Count < type.Inputs.Min || inputs.Count > type.Inputs.Max)
                reader.Error(DiagnosticCodes.InputCount, map["inputs"]?.Location ?? map.Location,
                    $"{what} takes {type.Inputs}, got {inputs.Count}.");
            var with = reader.Mapping(map["with"], $"'with' of {what}");
            // A component reads the variable a *_env setting names (a connection string, a signing secret) while it runs.
            foreach (var (key, value) in with?.Entries ?? [])
            {
                if (!key.Value.EndsWith("_env", StringComparison.Ordinal) || value is not YamlScalar { IsNull: false } env) continue;
                if (ReservedVariables.IsReserved(env.Value, reserved))
                    reader.Diagnostics.Add(ReservedVariables.Refused(env.Value, env.Location, $"'{key.Value}' of {what}"));
                // A warning, as on_failure's webhook_url_env's: the machine that checks the file is not always the one that runs it.
                // A name made of ${...} is checked where it is substituted.
                else if (!env.Value.Contains("${", StringComparison.Ordinal) && string.IsNullOrEmpty(environment(env.Value)))
                    reader.Diagnostics.Add(new Diagnostic(DiagnosticCodes.UndefinedEnv, env.Location,
                        $"'{key.Value}' of {what} names environment variable '{env.Value}', which is not set here: the step would fail when it runs.",
                        $"Set {env.Value} where runs happen (trib serve's environment, or the shell of trib run).") { IsWarning = true });
            }
            var parameters = binder.Bind(type, id, with, withIsInvalid: with is null && map["with"] is not (null or YamlScalar { IsNull: true }), map.Location);
            var checks = ReadChecks(reader, map, what);
            var mappings = ReadPartitionMappings(reader, map, what, inputs);
            var pool = ReadPool(reader, map, what, pools);
            if (parameters is null) continue;
            list.Add(new LoadedComponent(new ComponentSpec
            {
                Id = id, Type = type.TypeName, Inputs = inputs.Select(i => i.Value).ToList(), Parameters = parameters,
                Checks = checks, Location = map.Location, PartitionMappings = mappings, Pool = pool,
                Definition = ComponentDefinition.Of(map, definitions, type.ReadsTimeZone, projectZone), ResolvedWith = ComponentDefinition.With(map, substitution),
            }, type, inputs, map));
        }

        var graph = new AssetGraph(pending.Select(p => (p.Id, (IReadOnlyList<string>)p.Inputs.Select(i => i.Value).Where(v => v != p.Id).ToList())));
        if (graph.FindCycle() is { } cycle)
        {
            var at = pending.First(p => p.Id == cycle[0]).Map.Location;
            reader.Error(DiagnosticCodes.Cycle, at, $"inputs form a cycle: {string.Join(" -> ", cycle)}.", "Remove one of these inputs.");
        }
        return list;
    }

    private static List<CheckSpec> ReadChecks(NodeReader reader, YamlMapping component, string owner)
    {
        var result = new List<CheckSpec>();
        foreach (var node in reader.Sequence(component["checks"], $"'checks' of {owner}")?.Items ?? [])
        {
            // Stryker disable once Statement: without this continue 'map' is unassigned below; that mutant cannot compile
            if (reader.Mapping(node, "a check") is not { } map) continue;
            reader.CheckKeys(map, "a check", CheckKeys);
            // Stryker disable once Statement: without this continue 'type' is unassigned below; that mutant cannot compile
            if (reader.OneOf(map, "type", "a check", CheckTypeNames.All, required: true) is not { } type) continue;
            var what = $"check '{CheckTypeNames.Of(type)}'";
            var columns = reader.TextList(map["column"], "'column'").Concat(reader.TextList(map["columns"], "'columns'")).ToList();
            var values = reader.TextList(map["values"], "'values'");
            var sql = reader.Text(map, "sql", what, required: type == CheckType.Expression);
            double? value = null;
            if (type == CheckType.RowCountMin)
                value = reader.Integer(map, "value", what, 0, int.MaxValue) ?? (map["value"] is null ? Missing("value") : null);
            if (type is CheckType.NotNull or CheckType.Unique or CheckType.AcceptedValues && columns.Count == 0) Missing("column");
            if (type == CheckType.AcceptedValues && values.Count == 0) Missing("values");
            result.Add(new CheckSpec(type, columns, value, values, sql, reader.Boolean(map, "blocking", what) ?? false, map.Location)
            {
                Output = reader.Text(map, "output", what) ?? DeclaredOutput.MainName,
            });

            double? Missing(string key)
            {
                reader.Error(DiagnosticCodes.MissingKey, map.Location, $"{what} is missing required key '{key}'.");
                return null;
            }
        }
        return result;
    }

    // Plans every component with its inputs' declared schemas and reports columns that cannot be there.
    private static void CheckPlan(NodeReader reader, List<LoadedComponent> components, IQueryDescriber? queries)
    {
        var byId = components.ToDictionary(c => c.Spec.Id);
        var schemas = new Dictionary<string, TableSchema?>(StringComparer.Ordinal);
        var plans = new Dictionary<string, ComponentPlan>(StringComparer.Ordinal);
        var graph = new AssetGraph(components.Select(c => (c.Spec.Id, c.Spec.Inputs)));
        if (graph.FindCycle() is not null) return; // reported already; nothing can be planned in order
        foreach (var id in graph.TopologicalOrder())
        {
            var c = byId[id];
            // A wrong number of inputs is reported already; a plan step may rely on the count it declared.
            if (c.Spec.Inputs.Count < c.Descriptor.Inputs.Min || c.Spec.Inputs.Count > c.Descriptor.Inputs.Max) continue;
            var context = new PlanContext(id, c.Spec.Inputs.Select(i => new PlannedInput(i, schemas.GetValueOrDefault(i))).ToList()) { Queries = queries };
            ComponentPlan plan;
            try
            {
                plan = c.Descriptor.Plan(c.Spec.Parameters, context);
            }
            catch (SqlDoesNotRunException e)
            {
                var sql = c.Node["with"] is YamlMapping with ? with["sql"] : null;
                reader.Error(DiagnosticCodes.SqlDoesNotRun, sql?.Location ?? c.Spec.Location, $"component '{id}' ({c.Spec.Type}): {e.Message}",
                    $"Checked on empty tables with its inputs' columns ({string.Join(", ", context.Inputs.Select(i => i.Id))}).");
                continue;
            }
            catch (PlanException e)
            {
                reader.Error(DiagnosticCodes.NotAllowed, c.Spec.Location, $"component '{id}' ({c.Spec.Type}): {e.Message}");
                // Stryker disable once Statement: without this continue 'plan' is unassigned below; that mutant cannot compile
                continue;
            }
            catch (Exception e)
            {
                reader.Error(DiagnosticCodes.InternalError, c.Spec.Location,
                    $"component '{id}' ({c.Spec.Type}) failed while checking its parameters; this is a bug in Tributary, not necessarily a mistake in the file.",
                    InternalHint(e));
                continue;
            }
            schemas[id] = plan.Output;
            plans[id] = plan;
            CheckRequirements(reader, c, context, plan);
            var outputs = plan.OutputsOf(id);
            var columnsOf = new Dictionary<string, Dictionary<string, ColumnSchema>>(StringComparer.Ordinal); // by output, built once
            foreach (var check in c.Spec.Checks)
            {
                var target = outputs.FirstOrDefault(o => o.Output.Name == check.Output);
                if (check.Output != DeclaredOutput.MainName && target is null)
                {
                    var names = outputs.Select(o => o.Output.Name).ToList();
                    reader.Error(DiagnosticCodes.UnknownOutput, check.Location,
                        $"check '{CheckTypeNames.Of(check.Type)}' names output '{check.Output}', which component '{id}' ({c.Spec.Type}) does not declare.{NameSuggestion.Format(check.Output, names)}",
                        $"Its outputs: {string.Join(", ", names)}.");
                    continue;
                }
                if (!plan.HasTable)
                {
                    reader.Error(DiagnosticCodes.NotAllowed, check.Location,
                        $"check '{CheckTypeNames.Of(check.Type)}' cannot run on asset '{id}': {c.Spec.Type} writes a file, not a table.", "Put the check on its input.");
                    continue;
                }
                if (target!.Output.Columns is not { } columns) continue;
                if (!columnsOf.TryGetValue(check.Output, out var byName)) columnsOf[check.Output] = byName = ByName(columns);
                foreach (var col in check.Columns)
                    if (!byName.ContainsKey(col))
                        reader.Error(DiagnosticCodes.MissingColumn, check.Location,
                            $"check '{CheckTypeNames.Of(check.Type)}' names column '{col}', which {(target.Output.Role == OutputRole.Main ? "asset" : "table")} '{target.Table}' does not have.{NameSuggestion.Format(col, columns.Columns.Select(x => x.Name))}");
            }
        }
        var declared = PipelinePlans.Tables(plans);
        var written = new Dictionary<string, LoadedComponent>(StringComparer.Ordinal);
        foreach (var id in graph.TopologicalOrder().Where(plans.ContainsKey))
            CheckWrites(reader, byId[id], plans[id], byId, declared, written);
    }

    private static void CheckRequirements(NodeReader reader, LoadedComponent c, PlanContext context, ComponentPlan plan)
    {
        var columnsOf = new Dictionary<int, Dictionary<string, ColumnSchema>>();
        foreach (var need in plan.Requires)
        {
            if (need.InputIndex < 0 || need.InputIndex >= context.Inputs.Count)
                throw new System.Diagnostics.UnreachableException($"{c.Spec.Type} requires input {need.InputIndex} of {context.Inputs.Count}.");
            var input = context.Inputs[need.InputIndex];
            if (input.Schema is null) continue;
            var at = c.InputNodes[need.InputIndex].Location;
            if (!columnsOf.TryGetValue(need.InputIndex, out var columns)) columnsOf[need.InputIndex] = columns = ByName(input.Schema);
            var column = columns.GetValueOrDefault(need.Column);
            if (column is null)
                reader.Error(DiagnosticCodes.MissingColumn, at,
                    $"input '{input.Id}' has no column '{need.Column}', which {c.Spec.Type} needs.{NameSuggestion.Format(need.Column, input.Schema.Columns.Select(x => x.Name))}",
                    need.Hint ?? $"Its columns: {Listed(input.Schema.Columns.Select(x => x.Name))}.");
            else if (need.Kinds.Count > 0 && !need.Kinds.Contains(column.Kind))
                reader.Error(DiagnosticCodes.MissingColumn, at,
                    $"column '{need.Column}' of input '{input.Id}': expected {string.Join(" or ", need.Kinds.Select(k => k.ToString().ToUpperInvariant()))}, got {column.Kind.ToString().ToUpperInvariant()}.",
                    need.Hint ?? "Cast it in an upstream transform.");
        }
    }

    // A table written besides the declared outputs must belong to no other component: not another's declared output, nor another's writes.
    private static void CheckWrites(NodeReader reader, LoadedComponent c, ComponentPlan plan, Dictionary<string, LoadedComponent> byId,
        IReadOnlyDictionary<string, StepOutput> declared, Dictionary<string, LoadedComponent> written)
    {
        foreach (var table in plan.Writes)
        {
            var at = (c.Node["with"] as YamlMapping)?.Entries.FirstOrDefault(e => e.Value is YamlScalar v && v.Value == table).Value?.Location ?? c.Spec.Location;
            var owner = (declared.TryGetValue(table, out var output) ? byId.GetValueOrDefault(output.Step) : null) ?? byId.GetValueOrDefault(table);
            if (owner is not null && owner != c)
                reader.Error(DiagnosticCodes.TableConflict, at,
                    $"component '{c.Spec.Id}' ({c.Spec.Type}) writes table '{table}', which belongs to component '{owner.Spec.Id}' (line {owner.Spec.Location.Line}); it would overwrite that asset.",
                    "Write to a table that no component of this pipeline owns.");
            else if (written.TryGetValue(table, out var other))
                reader.Error(DiagnosticCodes.TableConflict, at,
                    $"component '{c.Spec.Id}' ({c.Spec.Type}) writes table '{table}', which component '{other.Spec.Id}' (line {other.Spec.Location.Line}) writes too.",
                    "Each table has one writer; write to another table.");
            else written[table] = c;
        }
    }

    // TableSchema.Find as a lookup: the first column of each name, compared as SQL folds names.
    private static Dictionary<string, ColumnSchema> ByName(TableSchema schema)
    {
        var byName = new Dictionary<string, ColumnSchema>(StringComparer.OrdinalIgnoreCase);
        foreach (var column in schema.Columns) byName.TryAdd(column.Name, column);
        return byName;
    }

    // A list for a message: the first names and how many more, so a wide table does not flood the output.
    private static string Listed(IEnumerable<string> names)
    {
        var all = names.ToList();
        return all.Count <= 20 ? string.Join(", ", all) : $"{string.Join(", ", all.Take(20))} and {all.Count - 20} more";
    }

    private const string EmptyComponents = "'components' is empty; a pipeline needs at least one component.";

    // Names the failure for a bug report without its message, which may be framework text that means nothing to a user.
    private static string InternalHint(Exception e) =>
        $"Please report it with the file ({e.GetType().Name} in {e.TargetSite?.DeclaringType?.Name}.{e.TargetSite?.Name}).";
}
