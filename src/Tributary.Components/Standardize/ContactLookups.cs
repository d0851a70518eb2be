using System.Globalization;
using Tributary.Components.Activation;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Standardize;

/// <summary>
/// Phones (libphonenumber, through <see cref="ContactNormalizer.PhoneE164"/>) and countries (<see cref="CountryCodes"/>)
/// normalized in .NET once per distinct value, then joined back in SQL from work tables: the same on every engine, and a
/// number repeated on a million rows is parsed once. Drop the work tables with <see cref="DisposeAsync"/>, also after a failure.
/// </summary>
internal sealed class ContactLookups(ComponentContext context) : IAsyncDisposable
{
    private readonly string _prefix = $"{WriteFence.TablePrefix}std_{Guid.NewGuid():N}"[..36];
    private readonly List<string> _tables = [];
    private readonly List<(string Value, long Rows)> _unknownCountries = [];

    /// <summary>
    /// A work table (phone_raw, phone_country, phone_e164) of every distinct phone of <paramref name="relation"/> with its row's country
    /// ('' when none), and the E.164 number or NULL. Join it with <see cref="JoinPhones"/>.
    /// </summary>
    public async Task<string> PhonesAsync(string relation, string phone, string? country, string defaultCountryCode, CancellationToken cancellationToken)
    {
        var w = context.Warehouse;
        var countrySql = country is null ? "''" : $"coalesce(CAST({country} AS VARCHAR), '')";
        var pairs = new List<object?[]>();
        await foreach (var r in w.StreamAsync($"SELECT DISTINCT CAST({phone} AS VARCHAR), {countrySql} FROM {relation} AS s WHERE {phone} IS NOT NULL", null, cancellationToken)
                           .ConfigureAwait(false))
            pairs.Add([r[0], r[1]]);
        // Parsed on every core: at 100k demo customers the orders hold ~190k distinct (phone, country) pairs, ~2 CPU s of parsing.
        var parsed = pairs.AsParallel().WithCancellation(cancellationToken)
            .Select(x => new[] { x[0], x[1], ContactNormalizer.ParsePhone((string)x[0]!, defaultCountryCode, (string)x[1]! is "" ? null : (string)x[1]!) })
            .ToList();
        var table = Table("phones");
        await w.ReplaceTableAsync(table, (b, ct) => b.CreateAndAppendAsync([("phone_raw", DataKind.Text), ("phone_country", DataKind.Text), ("phone_e164", DataKind.Text)],
            parsed, ct), cancellationToken).ConfigureAwait(false);
        return w.Dialect.Quote(table);
    }

    /// <summary>
    /// A work table (country_raw, country_code) of every distinct value of the country <paramref name="columns"/> of <paramref name="relation"/>
    /// with its ISO 3166-1 alpha-2 code, or the value as given when it names no known country (counted for <see cref="Warning"/>).
    /// </summary>
    public async Task<string> CountriesAsync(string relation, IReadOnlyList<string> columns, CancellationToken cancellationToken)
    {
        var w = context.Warehouse;
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var union = string.Join(" UNION ALL ", columns.Select(c => $"SELECT CAST({c} AS VARCHAR) AS v FROM {relation} AS s"));
        await foreach (var r in w.StreamAsync($"SELECT v, count(*) FROM ({union}) AS u WHERE v IS NOT NULL GROUP BY v", null, cancellationToken).ConfigureAwait(false))
            counts[(string)r[0]!] = Convert.ToInt64(r[1], CultureInfo.InvariantCulture);
        var rows = counts.Select(c => (Raw: c.Key, Code: CountryCodes.ToAlpha2(c.Key), c.Value)).ToList();
        _unknownCountries.AddRange(rows.Where(r => r.Code is null && !string.IsNullOrWhiteSpace(r.Raw)).Select(r => (r.Raw, r.Value)));
        var table = Table("countries");
        await w.ReplaceTableAsync(table, (b, ct) => b.CreateAndAppendAsync([("country_raw", DataKind.Text), ("country_code", DataKind.Text)],
            rows.Select(r => new object?[] { r.Raw, r.Code ?? r.Raw }), ct), cancellationToken).ConfigureAwait(false);
        return w.Dialect.Quote(table);
    }

    /// <summary>A LEFT JOIN of <paramref name="phones"/> (aliased <paramref name="alias"/>) on a row's phone and country expressions.</summary>
    public static string JoinPhones(string phones, string alias, string phone, string? country) =>
        $"LEFT JOIN {phones} AS {alias} ON {alias}.phone_raw = CAST({phone} AS VARCHAR) AND {alias}.phone_country = "
        + (country is null ? "''" : $"coalesce(CAST({country} AS VARCHAR), '')");

    /// <summary>A LEFT JOIN of <paramref name="countries"/> (aliased <paramref name="alias"/>) on a row's country expression.</summary>
    public static string JoinCountries(string countries, string alias, string country) =>
        $"LEFT JOIN {countries} AS {alias} ON {alias}.country_raw = CAST({country} AS VARCHAR)";

    /// <summary>The countries kept as given because no ISO code is known for them, with their rows; null when there are none.</summary>
    public string? Warning => _unknownCountries.Count == 0 ? null
        : $"{_unknownCountries.Sum(u => u.Rows):N0} country values name no ISO 3166-1 country and are kept as given: "
          + string.Join(", ", _unknownCountries.OrderByDescending(u => u.Rows).ThenBy(u => u.Value, StringComparer.Ordinal).Take(10).Select(u => $"'{u.Value}' ({u.Rows:N0})"))
          + (_unknownCountries.Count > 10 ? $" and {_unknownCountries.Count - 10} more" : "")
          + ". Write them as a code (GB) or an English name (United Kingdom) in the export.";

    /// <summary>The materialization of <paramref name="rows"/>, with <see cref="Warning"/> when there is one.</summary>
    public Materialization Result(long rows)
    {
        if (Warning is { } warning) context.Log("warning: " + warning);
        return new Materialization(rows, new Dictionary<string, object?> { ["unknown_countries"] = _unknownCountries.Sum(u => u.Rows) })
        {
            Warnings = Warning is { } w ? [w] : [],
        };
    }

    private string Table(string name)
    {
        var table = $"{_prefix}_{name}";
        _tables.Add(table);
        return table;
    }

    /// <summary>Drops the work tables.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var table in _tables)
            await context.Warehouse.ExecuteAsync($"DROP TABLE IF EXISTS {context.Warehouse.Dialect.Quote(table)}", null, CancellationToken.None).ConfigureAwait(false);
    }
}
