namespace Tributary.Core.Projects;

/// <summary>
/// Owner-only folders (700) and files (600) for what Tributary keeps about people: the <c>.tributary/</c> folder (warehouse,
/// run store, intake log, secrets) and the files pipelines export. Nothing is done on Windows, whose ACLs come from the
/// parent folder.
/// </summary>
public static class PrivateFiles
{
    /// <summary>rwx for the owner only (700).</summary>
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>rw for the owner only (600).</summary>
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode GroupAndOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Creates <paramref name="path"/> and any missing parent, each new folder 700; one that exists keeps its mode.</summary>
    public static void CreateFolder(string path)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, FolderMode);
    }

    /// <summary>
    /// Makes the folder <paramref name="path"/> 700 when group or others have any access; returns its mode before, or null
    /// when it was private already, does not exist, or this is Windows.
    /// </summary>
    public static UnixFileMode? TightenFolder(string path)
    {
        if (OperatingSystem.IsWindows() || !Directory.Exists(path)) return null;
        var mode = File.GetUnixFileMode(path);
        if ((mode & GroupAndOthers) == 0) return null;
        try
        {
            File.SetUnixFileMode(path, mode & ~GroupAndOthers);
        }
        catch (UnauthorizedAccessException)
        {
            // Another user owns it (a shared deployment): theirs to change, and no reason to refuse to open the project.
            return null;
        }
        return mode;
    }

    /// <summary>Makes each of <paramref name="files"/> that exists 600 (a database another library created with the umask's mode).</summary>
    public static void Tighten(params ReadOnlySpan<string> files)
    {
        if (OperatingSystem.IsWindows()) return;
        foreach (var file in files)
        {
            if (!File.Exists(file) || (File.GetUnixFileMode(file) & GroupAndOthers) == 0) continue;
            try
            {
                File.SetUnixFileMode(file, FileMode);
            }
            catch (UnauthorizedAccessException)
            {
                // Owned by another user, who chose its mode; the database still opens.
            }
        }
    }

    /// <summary>A mode as <c>ls</c> and <c>chmod</c> write it in octal, e.g. 755.</summary>
    public static string Octal(UnixFileMode mode) => Convert.ToString((int)mode & 0x1FF, 8);
}
