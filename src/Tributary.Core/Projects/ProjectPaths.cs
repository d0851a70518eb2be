namespace Tributary.Core.Projects;

/// <summary>
/// Where pipelines may read and write files: the project folder and the folders listed under <c>allowed_paths:</c> in
/// <c>tributary.yaml</c>. Every path a component takes is resolved here; one that leads anywhere else, by <c>..</c>, an
/// absolute path or a symbolic link, is refused. A path to write (<see cref="ResolveOutput"/>) must also stay clear of the
/// project's control files (<see cref="ControlPaths"/>): whoever may save a pipeline may not rewrite the settings that
/// sandbox it, the pipelines that bypass the designer's checks, or the state Tributary keeps.
/// </summary>
public sealed class ProjectPaths
{
    private const int MaxLinks = 40;
    private static readonly StringComparison PathComparison = OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
    private readonly IReadOnlyList<string> _realRoots;
    private readonly IReadOnlyList<(string Written, string Real)> _controls;

    /// <summary>The folder, beside <c>tributary.yaml</c>, where Tributary keeps its state (warehouse, run store, secrets).</summary>
    public const string StateFolder = ".tributary";

    /// <summary>The default folder of pipeline files.</summary>
    public const string PipelinesFolder = "pipelines";

    /// <summary>Paths under <paramref name="directory"/> and the <paramref name="allowedPaths"/> folders.</summary>
    /// <param name="directory">The project folder.</param>
    /// <param name="allowedPaths">More folders pipelines may use; relative ones resolve against <paramref name="directory"/>.</param>
    /// <param name="controlPaths">
    /// Files and folders no component may write besides the fixed ones (<c>tributary.yaml</c>, <c>pipelines/</c>,
    /// <c>.tributary/</c>): where <c>tributary.yaml</c> moves the pipelines folder, the warehouse file or the run store.
    /// </param>
    public ProjectPaths(string directory, IReadOnlyList<string>? allowedPaths = null, IReadOnlyList<string>? controlPaths = null)
    {
        Directory = Path.GetFullPath(directory);
        AllowedPaths = (allowedPaths ?? []).Select(p => Path.GetFullPath(p, Directory)).ToList();
        _realRoots = Roots.Select(RealPath).Distinct(StringComparer.FromComparison(PathComparison)).ToList();
        ControlPaths = new[] { Path.Combine(Directory, ProjectSettings.FileName), Path.Combine(Directory, PipelinesFolder), Path.Combine(Directory, StateFolder) }
            .Concat((controlPaths ?? []).Select(p => Path.GetFullPath(p, Directory)))
            .Distinct(StringComparer.FromComparison(PathComparison)).ToList();
        // Both spellings: a control file may itself be a link, and a path may reach it through one.
        _controls = ControlPaths.Select(c => (c, RealPath(c))).ToList();
    }

    /// <summary>The project folder, a full path.</summary>
    public string Directory { get; }

    /// <summary>The <c>allowed_paths</c> folders, full paths.</summary>
    public IReadOnlyList<string> AllowedPaths { get; }

    /// <summary>The project folder and the allowed folders: everything a pipeline may read or write.</summary>
    public IReadOnlyList<string> Roots => [Directory, .. AllowedPaths];

    /// <summary>
    /// The project's control files and folders, full paths: <c>tributary.yaml</c>, <c>pipelines/</c>, <c>.tributary/</c>, and
    /// any others given (a pipelines folder, warehouse file or run store that <c>tributary.yaml</c> puts elsewhere). Pipelines
    /// may read them but no component writes them, whatever <c>allowed_paths</c> says.
    /// </summary>
    public IReadOnlyList<string> ControlPaths { get; }

    /// <summary>
    /// The full path of <paramref name="path"/> (relative ones resolve against the project folder), after checking that
    /// it, with every symbolic link on the way followed, stays inside the project folder or an allowed folder. The path
    /// need not exist yet (a file about to be written); glob characters are kept as they are.
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">The path leads outside; the message names it and <c>allowed_paths</c>.</exception>
    public string Resolve(string path)
    {
        var full = Path.GetFullPath(path, Directory);
        var real = RealPath(full);
        if (_realRoots.Any(root => IsInside(real, root))) return full;
        var how = string.Equals(real, full, PathComparison) ? "" : $" (through a symbolic link, to '{real}')";
        throw new UnauthorizedAccessException(
            $"path '{path}' resolves to '{full}'{how}, outside the project folder '{Directory}'" +
            (AllowedPaths.Count > 0 ? $" and the allowed_paths ({string.Join(", ", AllowedPaths)})" : "") +
            ". Use a path inside the project, or list its folder under allowed_paths: in tributary.yaml.");
    }

    /// <summary>
    /// As <see cref="Resolve"/>, for a file a component is about to write: the path, with every symbolic link followed,
    /// must also not be or lie inside one of the <see cref="ControlPaths"/>.
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">The path leads outside, or to a control file; the message names which.</exception>
    public string ResolveOutput(string path)
    {
        var full = Resolve(path);
        var real = RealPath(full);
        foreach (var (written, realControl) in _controls)
        {
            if (!IsInside(full, written) && !IsInside(real, written) && !IsInside(full, realControl) && !IsInside(real, realControl)) continue;
            var how = string.Equals(real, full, PathComparison) ? "" : $" (through a symbolic link, to '{real}')";
            var same = string.Equals(full, written, PathComparison) || string.Equals(real, written, PathComparison) || string.Equals(real, realControl, PathComparison);
            throw new UnauthorizedAccessException(
                $"path '{path}' resolves to '{full}'{how}, {(same ? "which is" : "inside")} '{Path.GetRelativePath(Directory, written)}', one of the project's control files: " +
                "no pipeline may write tributary.yaml, the pipelines folder or .tributary/ (the warehouse, the run store, the secrets). Write to another folder, such as out/.");
        }
        return full;
    }

    private static bool IsInside(string path, string root)
    {
        if (string.Equals(path, root, PathComparison)) return true;
        var prefix = Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar;
        return path.StartsWith(prefix, PathComparison);
    }

    // The path with every symbolic link along it replaced by its target, as the operating system would follow them;
    // the part that does not exist yet is kept as written.
    internal static string RealPath(string fullPath)
    {
        var links = 0;
        return Follow(fullPath, ref links);
    }

    private static string Follow(string fullPath, ref int links)
    {
        var root = Path.GetPathRoot(fullPath)!;
        var parts = fullPath[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        var current = root;
        for (var i = 0; i < parts.Length; i++)
        {
            var next = Path.Combine(current, parts[i]);
            FileSystemInfo info = System.IO.Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (info.LinkTarget is { } target)
            {
                if (++links > MaxLinks) throw new IOException($"too many symbolic links in '{fullPath}'.");
                // A relative target is relative to the link's folder, and may itself pass through links.
                next = Follow(Path.GetFullPath(target, current), ref links);
            }
            else if (!info.Exists)
                return Path.Combine([next, .. parts[(i + 1)..]]);
            current = next;
        }
        return current;
    }
}
