namespace Tributary.Components.Activation;

/// <summary>Who a marketing activation may send, by the input's consent column.</summary>
public enum ConsentRule
{
    /// <summary>Only rows whose consent column is true: opted out (false) and unknown (NULL) are left out.</summary>
    Required,
    /// <summary>Rows whose consent column is true or unknown: only an explicit opt-out (false) is left out.</summary>
    UnlessRefused,
    /// <summary>No consent filter, for destinations that are not marketing (a fraud queue, a service tool).</summary>
    Ignore,
}
