using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Tributary.Components.Exports;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Activation;

/// <summary>Parameters of <c>activate.audience_file</c>.</summary>
public sealed record AudienceFileParameters : IValidatableObject
{
    /// <summary>Target file path; <c>{segment}</c> makes one file per segment.</summary>
    [Description("File to write, relative to the project; put {segment} in it to write one file per value of segment_column (at most 10000), e.g. out/audiences/{segment}.csv. The value is lower-cased with other characters than letters, digits, - and _ made _; values that end up with the same name get an 8-character hash suffix (x_y-1a2b3c4d). A segment that had people in the last run and has none now gets a file with the header only, so an uploader reading the folder stops targeting them. Never tributary.yaml, the pipelines folder or .tributary/ (TRIB0111).")]
    [OutputPath]
    public required string Path { get; init; }

    /// <summary>Unix permissions of the file.</summary>
    [Description(FileExport.FileModeDescription)]
    [AllowedValues("600", "640", "660", "644", "664")]
    public string FileMode { get; init; } = "600";

    /// <summary>Output format.</summary>
    [Description("csv or parquet (the input's rows and columns as they are: raw contact data, so write them to another folder than hashed files), or meta_custom_audience / google_customer_match (normalized, SHA-256 hashed email and phone with the platform's headers, each person once per file; for Google, gmail.com and googlemail.com addresses lose their dots and +tags before hashing, as Google asks, and Meta's are hashed as written, lower-cased). Default csv.")]
    public AudienceFormat Format { get; init; } = AudienceFormat.Csv;

    /// <summary>Segment column.</summary>
    [Description("Column whose values split the audience into files (e.g. segment or tier). Required when path contains {segment}.")]
    public string? SegmentColumn { get; init; }

    /// <summary>Segments to export.</summary>
    [Description("Only these segment values; all when absent.")]
    public IReadOnlyList<string>? Segments { get; init; }

    /// <summary>Email column.</summary>
    [Description("Column holding the email, for the ad-platform formats. Default email.")]
    public string EmailColumn { get; init; } = "email";

    /// <summary>Phone column.</summary>
    [Description("Column holding the phone number, for the ad-platform formats; none when absent.")]
    public string? PhoneColumn { get; init; }

    /// <summary>Country for national phone numbers.</summary>
    [Description("Country whose national phone numbers the rows hold: a calling code (1, 44, 49: its main region, so 1 is the US) or an ISO 3166-1 region code (GB, DE). A number written with + or 00 keeps its own country. Default 1.")]
    public string DefaultCountryCode { get; init; } = "1";

    /// <summary>Who may be sent, by marketing consent.</summary>
    [Description(MarketingConsent.RuleDescription)]
    public ConsentRule Consent { get; init; } = ConsentRule.Required;

    /// <summary>The consent column.</summary>
    [Description(MarketingConsent.ColumnDescription)]
    public string ConsentColumn { get; init; } = MarketingConsent.DefaultColumn;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Path.Contains("{segment}", StringComparison.Ordinal) && SegmentColumn is null)
            yield return new ValidationResult("path contains {segment}, so segment_column must name the column to split by.", [nameof(SegmentColumn)]);
        if (ContactNormalizer.DefaultRegion(DefaultCountryCode) is null)
            yield return new ValidationResult(
                $"default_country_code must be a country calling code (e.g. 1, 44, 49) or an ISO 3166-1 region code (e.g. GB, DE), got '{DefaultCountryCode}'.", [nameof(DefaultCountryCode)]);
    }
}

/// <summary>Audience file formats.</summary>
public enum AudienceFormat
{
    /// <summary>CSV of the input columns.</summary>
    Csv,
    /// <summary>Parquet of the input columns.</summary>
    Parquet,
    /// <summary>Meta Custom Audience customer list: email, phone (E.164 digits), SHA-256.</summary>
    MetaCustomAudience,
    /// <summary>Google Ads Customer Match: Email, Phone (E.164 with +), SHA-256.</summary>
    GoogleCustomerMatch,
}

/// <summary>
/// Writes audience files, one per segment if asked. The ad-platform formats keep only match keys, normalized and
/// SHA-256 hashed as Meta and Google require, so no raw PII leaves; the asset records exactly what was written.
/// </summary>
public sealed class AudienceFile : IComponent<AudienceFileParameters>
{
    /// <inheritdoc />
    public static string TypeName => "activate.audience_file";
    /// <inheritdoc />
    public static string Description => "Write audience files per segment as CSV, Parquet, or hashed Meta / Google Customer Match uploads.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;

    /// <inheritdoc />
    public ComponentPlan Plan(AudienceFileParameters p, PlanContext context)
    {
        var requires = new List<ColumnRequirement>(MarketingConsent.Requirement(p.Consent, p.ConsentColumn));
        if (p.SegmentColumn is { } s) requires.Add(new(0, s, []));
        if (p.Format is AudienceFormat.MetaCustomAudience or AudienceFormat.GoogleCustomerMatch)
        {
            requires.Add(new(0, p.EmailColumn, [DataKind.Text], "Set email_column to the column holding emails."));
            if (p.PhoneColumn is { } phone) requires.Add(new(0, phone, []));
            var google = p.Format == AudienceFormat.GoogleCustomerMatch;
            return new ComponentPlan(new TableSchema([.. new[] { "segment", google ? "Email" : "email", google ? "Phone" : "phone" }
                .Select(c => new ColumnSchema(c, "VARCHAR", DataKind.Text))]), requires);
        }
        // csv and parquet copy the input as it is.
        return new ComponentPlan(context.Inputs[0].Schema, requires);
    }

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(AudienceFileParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var w = context.Warehouse;
        var d = w.Dialect;
        var input = d.Quote(context.Inputs[0]);
        var hashed = p.Format is AudienceFormat.MetaCustomAudience or AudienceFormat.GoogleCustomerMatch;
        var segmented = p.Path.Contains("{segment}", StringComparison.Ordinal);
        var previous = segmented ? await PreviousSegmentsAsync(context, hashed ? "segment" : p.SegmentColumn!, cancellationToken).ConfigureAwait(false) : [];
        // Counted apart from the written rows: the hashed formats also leave out rows with neither email nor phone.
        var rowsIn = Convert.ToInt64(await w.ScalarAsync($"SELECT count(*) FROM {input}", null, cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        var excluded = await MarketingConsent.ExcludeAsync(context, p.Consent, p.ConsentColumn, cancellationToken).ConfigureAwait(false);
        var consented = MarketingConsent.Where(p.Consent, p.ConsentColumn, d);
        long rows;
        // The hashed formats' other drops, said in the log and the metadata: no usable email or phone, and duplicates merged.
        long considered = 0, withoutContact = 0, duplicates = 0;
        if (hashed)
        {
            // Normalize and hash in .NET, so the rule is one tested function for every engine.
            var google = p.Format == AudienceFormat.GoogleCustomerMatch;
            var segment = p.SegmentColumn is { } sc ? $"CAST({d.Quote(sc)} AS VARCHAR)" : "CAST(NULL AS VARCHAR)";
            var phone = p.PhoneColumn is { } pc ? $"CAST({d.Quote(pc)} AS VARCHAR)" : "CAST(NULL AS VARCHAR)";
            var source = w.StreamAsync($"SELECT {segment}, CAST({d.Quote(p.EmailColumn)} AS VARCHAR), {phone} FROM {input}{consented}", null, cancellationToken).ToBlockingEnumerable(cancellationToken)
                .Select(r =>
                {
                    var e164 = ContactNormalizer.PhoneE164(r[2] as string, p.DefaultCountryCode);
                    return new object?[]
                    {
                        r[0], ContactNormalizer.Sha256(google ? ContactNormalizer.GoogleEmail(r[1] as string) : ContactNormalizer.Email(r[1] as string)),
                        ContactNormalizer.Sha256(google ? e164 : e164?.TrimStart('+')),
                    };
                })
                .Where(r =>
                {
                    considered++;
                    if (r[1] is not null || r[2] is not null) return true;
                    withoutContact++;
                    return false;
                });
            await w.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAndAppendAsync(
                [("segment", DataKind.Text), (google ? "Email" : "email", DataKind.Text), (google ? "Phone" : "phone", DataKind.Text)], source, ct), cancellationToken).ConfigureAwait(false);
            // The same person twice (two orders, "A@x.com" and "a@x.com") is one row once normalized and hashed: kept once.
            var hashedTable = d.Quote(context.Asset);
            rows = await w.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAsSelectAsync($"SELECT DISTINCT * FROM {hashedTable}", null, ct), cancellationToken).ConfigureAwait(false);
            duplicates = considered - withoutContact - rows;
            context.Log($"{considered} consented row(s): {withoutContact} left out with no usable email or phone, {duplicates} merged as duplicates once normalized, {rows} in the audience");
        }
        else
        {
            rows = await w.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAsSelectAsync($"SELECT * FROM {input}{consented}", null, ct), cancellationToken).ConfigureAwait(false);
        }

        var table = d.Quote(context.Asset);
        var segmentColumn = hashed ? "segment" : p.SegmentColumn;
        var dropSegment = hashed ? (p.Format == AudienceFormat.GoogleCustomerMatch ? "\"Email\", \"Phone\"" : "email, phone") : "*";
        // A person in two of the segments one file holds is in it once.
        var distinct = hashed ? "DISTINCT " : "";
        var files = new List<string>();
        var format = p.Format == AudienceFormat.Parquet ? FileFormat.Parquet : FileFormat.Csv;
        if (segmented)
        {
            var q0 = new SqlBuilder(d);
            var only = p.Segments is { Count: > 0 } ? $" WHERE CAST({d.Quote(segmentColumn!)} AS VARCHAR) IN ({q0.BindList(p.Segments, DataKind.Text)})" : "";
            // One more row than the limit, so a column past it is refused rather than cut short.
            var values = (await w.QueryAsync($"SELECT DISTINCT CAST({d.Quote(segmentColumn!)} AS VARCHAR) FROM {table}{only} ORDER BY 1", q0.Parameters, MaxSegmentFiles + 1, cancellationToken).ConfigureAwait(false))
                .Rows.Select(r => r[0] as string).Where(v => v is not null).Cast<string>().ToList();
            if (values.Count > MaxSegmentFiles)
                throw new InputDataException($"segment_column '{p.SegmentColumn}' has more than {MaxSegmentFiles} distinct values, and {{segment}} in path writes one file per value. " +
                    "Split by a column with fewer values, or list the wanted ones in segments.");
            // A segment that had people last run, or is listed in segments, and has none now gets a file with no one in
            // it: left alone, its old file would go on feeding an ad platform the people who have left the segment.
            var emptied = previous.Concat(p.Segments ?? []).Where(v => p.Segments is not { Count: > 0 } || p.Segments.Contains(v))
                .Except(values, StringComparer.Ordinal).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            var names = SegmentFileNames([.. values, .. emptied]);
            foreach (var value in emptied)
                context.Log($"segment '{value}' has no one in it now: {p.Path.Replace("{segment}", names[value], StringComparison.Ordinal)} is written empty");
            foreach (var value in values.Concat(emptied))
            {
                var path = p.Path.Replace("{segment}", names[value], StringComparison.Ordinal);
                var q = new SqlBuilder(d);
                await FileExport.WriteQueryAsync(context, $"SELECT {distinct}{dropSegment} FROM {table} WHERE CAST({d.Quote(segmentColumn!)} AS VARCHAR) = {q.Bind(value)}", q.Parameters, path, format, FileExport.Mode(p.FileMode), cancellationToken)
                    .ConfigureAwait(false);
                files.Add(path);
            }
        }
        else
        {
            var q = new SqlBuilder(d);
            var filter = p.Segments is { Count: > 0 } && segmentColumn is not null
                ? $" WHERE CAST({d.Quote(segmentColumn)} AS VARCHAR) IN ({q.BindList(p.Segments, DataKind.Text)})" : "";
            await FileExport.WriteQueryAsync(context, $"SELECT {distinct}{dropSegment} FROM {table}{filter}", q.Parameters, p.Path, format, FileExport.Mode(p.FileMode), cancellationToken).ConfigureAwait(false);
            files.Add(p.Path);
        }
        context.Log($"wrote {files.Count} audience file(s): {string.Join(", ", files)}");
        var metadata = new Dictionary<string, object?> { ["files"] = files, ["format"] = p.Format.ToString(), ["excluded_no_consent"] = excluded, ["rows_in"] = rowsIn };
        if (hashed)
        {
            metadata["rows_without_contact"] = withoutContact;
            metadata["duplicates_merged"] = duplicates;
        }
        return new Materialization(rows, metadata);
    }

    // The segment values of the audience table this step wrote last time, before this run replaces it.
    private static async Task<IReadOnlyList<string>> PreviousSegmentsAsync(ComponentContext context, string column, CancellationToken cancellationToken)
    {
        var w = context.Warehouse;
        var schema = await w.DescribeTableAsync(context.Asset, cancellationToken).ConfigureAwait(false);
        if (schema is null || !schema.Columns.Any(c => c.Name == column)) return [];
        var result = await w.QueryAsync($"SELECT DISTINCT CAST({w.Dialect.Quote(column)} AS VARCHAR) FROM {w.Dialect.Quote(context.Asset)}", null, MaxSegmentFiles + 1, cancellationToken)
            .ConfigureAwait(false);
        return result.Rows.Select(r => r[0] as string).OfType<string>().ToList();
    }

    /// <summary>Most files one step writes for {segment}.</summary>
    internal const int MaxSegmentFiles = 10_000;

    // Distinct values can clean to one name ("x y", "X_Y"); those get a hash suffix so no file overwrites another.
    internal static IReadOnlyDictionary<string, string> SegmentFileNames(IReadOnlyList<string> values)
    {
        var cleaned = values.ToDictionary(v => v, FileSafe, StringComparer.Ordinal);
        var shared = cleaned.Values.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var names = cleaned.ToDictionary(kv => kv.Key, kv => shared.Contains(kv.Value) || kv.Value.Length == 0
            ? $"{kv.Value}-{ContactNormalizer.Sha256(kv.Key)![..8]}" : kv.Value, StringComparer.Ordinal);
        var clash = names.GroupBy(kv => kv.Value, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
            throw new InputDataException($"segment values '{clash.First().Key}' and '{clash.Skip(1).First().Key}' both map to the file name '{clash.Key}'. " +
                "Rename one of them in the input, or write them with segments in two steps.");
        return names;
    }

    private static string FileSafe(string value) =>
        string.Concat(value.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? char.ToLowerInvariant(c) : '_'));
}
