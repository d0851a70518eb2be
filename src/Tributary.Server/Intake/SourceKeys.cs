using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Tributary.Server.Security;

namespace Tributary.Server.Intake;

/// <summary>
/// The event sources of a project and their write keys (<c>.tributary/sources.json</c>): a key is shown once when its
/// source is added and only its SHA-256 hash is stored, so the file lets nobody send events.
/// </summary>
public sealed class SourceKeys
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };
    private readonly List<(SourceEntry Entry, HashedSecret Key)> _sources;

    private SourceKeys(IEnumerable<SourceEntry> entries) => _sources = entries.Select(e => (e, HashedSecret.FromHashHex(e.KeySha256))).ToList();

    /// <summary>The file name inside the project's <c>.tributary/</c> folder.</summary>
    public const string FileName = "sources.json";

    /// <summary>The sources, by name.</summary>
    public IReadOnlyList<SourceEntry> Sources => _sources.Select(s => s.Entry).ToList();

    /// <summary>The sources stored in <paramref name="path"/>; none when the file does not exist.</summary>
    public static SourceKeys Load(string path) =>
        new(File.Exists(path) ? JsonSerializer.Deserialize<List<SourceEntry>>(File.ReadAllText(path), Json) ?? [] : []);

    /// <summary>
    /// Adds a source named <paramref name="name"/> to <paramref name="path"/> and returns its new write key (256 random bits),
    /// which is not stored and cannot be shown again.
    /// </summary>
    /// <exception cref="ArgumentException">The name is blank, not a plain name, or taken.</exception>
    public static string Add(string path, string name, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(name) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            throw new ArgumentException($"a source name is letters, digits, '_', '-' and '.'; got '{name}'.", nameof(name));
        var existing = Load(path);
        if (existing.Sources.Any(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase)))
            throw new ArgumentException($"a source named '{name}' already exists; its key was shown when it was added.", nameof(name));
        var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var entries = existing.Sources.Append(new SourceEntry(name, new HashedSecret(key).HashHex, now)).ToList();
        Core.Projects.PrivateFiles.CreateFolder(Path.GetDirectoryName(Path.GetFullPath(path))!);
        // Written aside and moved in, so a reader never sees half a file.
        var temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = OwnerOnly;
        using (var writer = new StreamWriter(temp, options)) writer.Write(JsonSerializer.Serialize(entries, Json));
        File.Move(temp, path, overwrite: true);
        return key;
    }

    /// <summary>The source whose write key is <paramref name="key"/>, or null. Every source is compared, in constant time each.</summary>
    public string? Find(string? key)
    {
        if (string.IsNullOrEmpty(key)) return null;
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        string? found = null;
        foreach (var (entry, secret) in _sources)
            if (secret.MatchesHash(hash)) found ??= entry.Name;
        return found;
    }
}

/// <summary>One event source: its name, its write key's SHA-256 (hex) and when it was added.</summary>
public sealed record SourceEntry(string Name, string KeySha256, DateTimeOffset CreatedAt);
