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

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The secret in <paramref name="path"/>, created (256 random bits, file mode 600) when there is none yet.</summary>
    public static string LoadOrCreate(string path)
    {
        // Made private before anything is read from or written to it.
        if (File.Exists(path) && !OperatingSystem.IsWindows()) File.SetUnixFileMode(path, OwnerOnly);
        if (Read(path) is { } existing) return existing;
        Core.Projects.PrivateFiles.CreateFolder(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var options = new FileStreamOptions { Mode = File.Exists(path) ? FileMode.Truncate : FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows() && options.Mode == FileMode.CreateNew) options.UnixCreateMode = OwnerOnly;
        try
        {
            using var writer = new StreamWriter(path, options);
            writer.Write(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));
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
