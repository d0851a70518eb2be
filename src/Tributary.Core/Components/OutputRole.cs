namespace Tributary.Core.Components;

/// <summary>What a table a component writes is for; the UI groups and hides outputs by it.</summary>
public enum OutputRole
{
    /// <summary>The step's asset, named as the component id.</summary>
    Main,
    /// <summary>Finer-grained rows behind the asset (per conversion, per day…).</summary>
    Detail,
    /// <summary>Summaries and checks of the asset for people to read (tier totals, holdout errors, refused links).</summary>
    Diagnostics,
    /// <summary>Fitted model parameters.</summary>
    Model,
    /// <summary>Input rows the component refused, with the reason.</summary>
    Rejected,
    /// <summary>Bookkeeping of the component itself (a source's file ledger); hidden from asset lists by default.</summary>
    Internal,
    /// <summary>A table the step writes under a name given in its parameters (a sync's target), not named after the step.</summary>
    Target,
}
