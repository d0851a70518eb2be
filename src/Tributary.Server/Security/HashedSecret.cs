using System.Security.Cryptography;
using System.Text;

namespace Tributary.Server.Security;

/// <summary>
/// A secret kept only as its SHA-256 hash. A candidate is hashed and the two hashes compared in constant time, so
/// neither the content nor the length of the secret shows in how long a comparison takes.
/// </summary>
internal sealed class HashedSecret(string secret)
{
    private readonly byte[] _hash = SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    /// <summary>True when <paramref name="candidate"/> is the secret; null never is.</summary>
    public bool Matches(string? candidate) =>
        candidate is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(candidate)), _hash);
}
