using System.Globalization;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Activation;

/// <summary>
/// The consent filter the marketing activations (<c>activate.audience_file</c>, <c>activate.webhook</c>,
/// <c>activate.customer_feed</c>) share: which rows a <see cref="ConsentRule"/> keeps, and how many it left out.
/// </summary>
internal static class MarketingConsent
{
    /// <summary>The column the templates' contact tables carry: true, false, or NULL when no source said.</summary>
    public const string DefaultColumn = "marketing_consent";

    /// <summary>What the consent parameters say, word for word, in every activation's parameter docs.</summary>
    public const string RuleDescription =
        "required (default): send only rows whose consent_column is true; opted-out (false) and unknown (NULL) rows are left out, and the step log counts them. " +
        "unless_refused: leave out only explicit opt-outs (false), for opt-out regimes such as CAN-SPAM where unknown may be mailed. " +
        "ignore: no filter, for destinations that are not marketing (fraud review, service). See docs/consent.md.";

    /// <summary>What the consent column parameter says.</summary>
    public const string ColumnDescription = "Boolean column holding each row's marketing consent (true, false, NULL for unknown). Default marketing_consent.";

    /// <summary>The plan's requirement on the consent column; none when the rule is ignore.</summary>
    public static IEnumerable<ColumnRequirement> Requirement(ConsentRule rule, string column) => rule == ConsentRule.Ignore ? [] :
        [new(0, column, [DataKind.Boolean], $"Marketing activations send only people who consented. Add a boolean {column} column to the input (see docs/consent.md), " +
            "set consent_column to the column that holds it, or set consent: ignore when this destination is not marketing.")];

    /// <summary>The WHERE clause (with its leading space) that keeps the rows the rule allows; empty for ignore.</summary>
    public static string Where(ConsentRule rule, string column, ISqlDialect dialect) => rule switch
    {
        ConsentRule.Required => $" WHERE {dialect.Quote(column)} IS TRUE",
        ConsentRule.UnlessRefused => $" WHERE {dialect.Quote(column)} IS NOT FALSE",
        _ => "",
    };

    /// <summary>
    /// Checks the input has the consent column (the plan could not when the input's schema was unknown), counts the rows the
    /// rule leaves out, and says so in the step log.
    /// </summary>
    public static async Task<long> ExcludeAsync(ComponentContext context, ConsentRule rule, string column, CancellationToken cancellationToken)
    {
        if (rule == ConsentRule.Ignore) return 0;
        var w = context.Warehouse;
        var schema = await w.DescribeTableAsync(context.Inputs[0], cancellationToken).ConfigureAwait(false);
        if (schema is not null && schema.Find(column) is null)
            throw new InputDataException($"input '{context.Inputs[0]}' has no column '{column}', and consent is {Name(rule)}: a marketing activation sends only people who consented. " +
                $"Add a boolean {column} column (see docs/consent.md), set consent_column to the column that holds it, or set consent: ignore when this destination is not marketing.");
        var q = w.Dialect.Quote(column);
        var counts = (await w.QueryAsync($"SELECT count(*), count(CASE WHEN {q} IS FALSE THEN 1 END), count(CASE WHEN {q} IS NULL THEN 1 END) FROM {w.Dialect.Quote(context.Inputs[0])}",
            null, 1, cancellationToken).ConfigureAwait(false)).Rows[0];
        long Count(int i) => Convert.ToInt64(counts[i], CultureInfo.InvariantCulture);
        var (refused, unknown) = (Count(1), Count(2));
        var excluded = refused + (rule == ConsentRule.Required ? unknown : 0);
        context.Log(rule == ConsentRule.Required
            ? $"consent required: {excluded} of {Count(0)} row(s) left out for no marketing consent ({refused} opted out, {unknown} unknown)"
            : $"consent unless_refused: {excluded} of {Count(0)} row(s) left out as opted out; {unknown} with unknown consent kept");
        return excluded;
    }

    private static string Name(ConsentRule rule) => rule == ConsentRule.Required ? "required" : "unless_refused";
}
