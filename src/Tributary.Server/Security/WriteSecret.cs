using System.Security.Cryptography;

namespace Tributary.Server.Security;

/// <summary>
/// The per-install secret that state-changing API calls must send in <see cref="Header"/> (unless a bearer token
/// guards the server, or the project turns it off with <c>server: { write_secret: false }</c>). It lives in a file
/// only its owner can read; the web UI gets it from the server, <c>trib</c> commands read the file.
/// </summary>
public static class WriteSecret
{
    /// <summary>The request header that carries the secret.</summary>
    public const string Header = "X-Tributary-Write-Secret";

    /// <summary>The secret in <paramref name="path"/>, created (256 random bits, file mode 600) when there is none yet.</summary>
    public static string LoadOrCreate(string path)
    {
        if (Read(path) is { } existing)
        {
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            return existing;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using var writer = new StreamWriter(path, options);
            writer.Write(secret);
        }
        catch (IOException) when (Read(path) is not null)
        {
            // Another process created it first: use theirs.
        }
        return Read(path)!;
    }

    /// <summary>The secret in <paramref name="path"/>, or null when the file does not exist or is empty.</summary>
    public static string? Read(string path) =>
        File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } secret ? secret : null;
}
