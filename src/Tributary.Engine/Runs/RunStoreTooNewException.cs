namespace Tributary.Engine.Runs;

/// <summary>
/// The run store was migrated by a newer Tributary than this one. Nothing was changed; the message names the store, both
/// schema versions and what to do (a user's situation, not a crash: the CLI exits 1 with it).
/// </summary>
public sealed class RunStoreTooNewException : InvalidOperationException
{
    /// <summary>A refusal of <paramref name="store"/>, which is at <paramref name="storeVersion"/>, by a build that knows up to <paramref name="knownVersion"/>.</summary>
    public RunStoreTooNewException(string store, int storeVersion, int knownVersion)
        : base($"{store}: this run store was upgraded by a newer Tributary (schema {storeVersion}, this version knows up to {knownVersion}); upgrade trib")
    {
        (Store, StoreVersion, KnownVersion) = (store, storeVersion, knownVersion);
    }

    /// <summary>Where the store is: the SQLite file, or the PostgreSQL database and schema.</summary>
    public string Store { get; }

    /// <summary>The store's schema version.</summary>
    public int StoreVersion { get; }

    /// <summary>The newest schema version this build knows.</summary>
    public int KnownVersion { get; }
}
