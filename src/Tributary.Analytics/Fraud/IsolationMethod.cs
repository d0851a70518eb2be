namespace Tributary.Analytics.Fraud;

/// <summary>How the trees of an isolation forest cut a node.</summary>
public enum IsolationMethod
{
    /// <summary>Isolation Forest (Liu, Ting &amp; Zhou 2008): one random feature, cut at a random value between its minimum and maximum in the node.</summary>
    IsolationForest,

    /// <summary>
    /// Extended Isolation Forest (Hariri, Kind &amp; Brunner 2019): a random hyperplane, its slope drawn from N(0, 1) per
    /// dimension (with <see cref="IsolationForestOptions.ExtensionLevel"/> + 1 dimensions non-zero), through a random point
    /// of the node's bounding box.
    /// </summary>
    Extended,
}
