namespace Tributary.Components.Standardize;

/// <summary>
/// Classifies a visit into a marketing channel from its UTM tags, click ids and referrer, in portable SQL:
/// paid search, paid social, organic search, email, display, affiliate, referral, or direct. Paid before organic,
/// tags before referrers, as GA4's default channel grouping does.
/// </summary>
internal static class ChannelSql
{
    public static string Classify(string source, string medium, string url, string referrer) => $"""
        CASE
            WHEN lower({medium}) IN ('paid_social', 'paidsocial', 'social_paid', 'paid-social')
                 OR (lower({medium}) IN ('cpc', 'ppc', 'paid') AND lower({source}) IN ('facebook', 'instagram', 'meta', 'tiktok', 'linkedin', 'twitter', 'x', 'pinterest'))
                 OR {url} LIKE '%fbclid=%' THEN 'paid_social'
            WHEN lower({medium}) IN ('cpc', 'ppc', 'paid_search', 'paidsearch', 'sem') OR {url} LIKE '%gclid=%' OR {url} LIKE '%msclkid=%' THEN 'paid_search'
            WHEN lower({medium}) IN ('display', 'banner', 'cpm', 'programmatic') THEN 'display'
            WHEN lower({medium}) = 'email' OR lower({source}) IN ('newsletter', 'email') THEN 'email'
            WHEN lower({medium}) = 'affiliate' THEN 'affiliate'
            WHEN lower({medium}) = 'organic' OR {referrer} LIKE '%://www.google.%' OR {referrer} LIKE '%://google.%' OR {referrer} LIKE '%bing.com%'
                 OR {referrer} LIKE '%duckduckgo.com%' OR {referrer} LIKE '%search.yahoo.%' OR {referrer} LIKE '%ecosia.org%' THEN 'organic_search'
            WHEN lower({medium}) = 'referral' OR ({referrer} IS NOT NULL AND {referrer} <> '') THEN 'referral'
            ELSE 'direct'
        END
        """;
}
