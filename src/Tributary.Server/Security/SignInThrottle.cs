using System.Collections.Concurrent;
using System.Net;

namespace Tributary.Server.Security;

/// <summary>
/// Counts wrong bearer tokens per client address and refuses an address for the rest of a one-minute window once it
/// has sent <see cref="Limit"/> of them, so that a token cannot be guessed at the speed of the network.
/// </summary>
internal sealed class SignInThrottle(TimeProvider time)
{
    /// <summary>Wrong tokens an address may send in one window.</summary>
    public const int Limit = 10;
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    // Bounded: beyond this many addresses the expired windows are dropped, then the whole table if all are live.
    private const int MaxAddresses = 10_000;
    private readonly ConcurrentDictionary<IPAddress, Failures> _failures = new();

    /// <summary>Records a wrong token from <paramref name="address"/>.</summary>
    public void Failed(IPAddress? address)
    {
        if (address is null) return;
        var now = time.GetUtcNow();
        if (_failures.Count >= MaxAddresses) Forget(now);
        _failures.AddOrUpdate(address, _ => new Failures(now, 1),
            (_, f) => now - f.Since >= Window ? new Failures(now, 1) : f with { Count = f.Count + 1 });
    }

    /// <summary>True when <paramref name="address"/> has used up its wrong tokens; <paramref name="retryAfter"/> says for how long.</summary>
    public bool Refuses(IPAddress? address, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (address is null || !_failures.TryGetValue(address, out var f)) return false;
        var left = f.Since + Window - time.GetUtcNow();
        if (f.Count < Limit || left <= TimeSpan.Zero) return false;
        retryAfter = left;
        return true;
    }

    private void Forget(DateTimeOffset now)
    {
        foreach (var (address, f) in _failures)
            if (now - f.Since >= Window) _failures.TryRemove(address, out _);
        if (_failures.Count >= MaxAddresses) _failures.Clear();
    }

    private sealed record Failures(DateTimeOffset Since, int Count);
}
