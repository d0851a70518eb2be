namespace Tributary.Server.Intake;

/// <summary>
/// The project's <see cref="SourceKeys"/>, read again when the file changes (looked at once a second at most), so a
/// source added with <c>trib sources add</c> can send while the server runs.
/// </summary>
internal sealed class SourceKeyFile(string path, TimeProvider time)
{
    private static readonly TimeSpan LookEvery = TimeSpan.FromSeconds(1);
    private readonly Lock _lock = new();
    private (SourceKeys Keys, DateTime Written, long LookedAt)? _current;

    /// <summary>The source whose write key is <paramref name="key"/>, or null.</summary>
    public string? Find(string? key) => Current().Find(key);

    private SourceKeys Current()
    {
        lock (_lock)
        {
            if (_current is { } c && time.GetElapsedTime(c.LookedAt) < LookEvery) return c.Keys;
            var written = File.Exists(path) ? File.GetLastWriteTimeUtc(path) : DateTime.MinValue;
            var keys = _current is { } old && old.Written == written ? old.Keys : SourceKeys.Load(path);
            _current = (keys, written, time.GetTimestamp());
            return keys;
        }
    }
}
