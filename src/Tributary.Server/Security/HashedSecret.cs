using System.Security.Cryptography;
using System.Text;

namespace Tributary.Server.Security;

/// <summary>
/// A secret kept only as its SHA-256 hash. A candidate is hashed and the two hashes compared in constant time, so
/// neither the content nor the length of the secret shows in how long a comparison takes.
/// </summary>
internal sealed class HashedSecret
{
    private readonly byte[] _hash;

    public HashedSecret(string secret) => _hash = SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    private HashedSecret(byte[] hash) => _hash = hash;

    /// <summary>A secret known only by its stored hash (<see cref="HashHex"/>), such as a source's write key.</summary>
    public static HashedSecret FromHashHex(string hashHex) => new(Convert.FromHexString(hashHex));

    /// <summary>The hash as lower-case hex, what is stored instead of the secret.</summary>
    public string HashHex => Convert.ToHexStringLower(_hash);

    /// <summary>True when <paramref name="candidate"/> is the secret; null never is.</summary>
    public bool Matches(string? candidate) =>
        candidate is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(candidate)), _hash);

    /// <summary>True when <paramref name="candidateHash"/> (a candidate's SHA-256, hashed once for many secrets) is this secret's hash.</summary>
    public bool MatchesHash(ReadOnlySpan<byte> candidateHash) => CryptographicOperations.FixedTimeEquals(candidateHash, _hash);
}
