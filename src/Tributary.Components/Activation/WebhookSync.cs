namespace Tributary.Components.Activation;

/// <summary>What each run of <c>activate.webhook</c> sends.</summary>
public enum WebhookSync
{
    /// <summary>Only rows new or changed since the receiver last accepted them, and with send_removals the rows that left.</summary>
    Diff,
    /// <summary>Every row on every run.</summary>
    Full,
}
