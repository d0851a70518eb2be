using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Tributary.Core.Components;

namespace Tributary.Components.Sources;

/// <summary>
/// The files a source's <c>path</c> names, and why none when none: a file; a folder (the files directly inside it with one
/// of the format's extensions, gzip-compressed ones included); or a glob, whose <c>*</c> and <c>?</c> match within one name
/// and <c>**</c> any number of folders. A glob ending in <c>**</c> or in a separator (naming folders) reads their files
/// with the extensions; any other reads the files it names. Folders that are symbolic links are not searched (no loops); each file found is
/// still checked against the project's paths by the caller.
/// </summary>
internal static class SourceFileMatch
{
    /// <summary>The names a format's files end with in a folder: <paramref name="extension"/>, and gzip-compressed, read as such.</summary>
    public static IReadOnlyList<string> Extensions(string extension) => extension switch
    {
        // Segment's S3 and webhook dumps are NDJSON named .json, .jsonl or only .gz (segment-logs/<source>/<day>/<time>.<id>.gz).
        ".ndjson" => [".ndjson", ".jsonl", ".json", ".gz"],
        ".csv" => [".csv", ".csv.gz"],
        _ => [extension],
    };

    /// <summary>Whether a file is read through gzip: by its extension.</summary>
    public static bool IsGzip(string path) => path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);

    /// <summary>The files <paramref name="full"/> (an absolute path, perhaps a glob) matches, sorted.</summary>
    public static IReadOnlyList<string> Find(string full, IReadOnlyList<string> extensions)
    {
        if (Directory.Exists(full))
            return Directory.EnumerateFiles(full).Where(f => HasExtension(f, extensions)).Order(StringComparer.Ordinal).ToList();
        if (full.IndexOfAny(['*', '?']) < 0) return File.Exists(full) ? [full] : [];
        var (root, pattern) = Split(full);
        if (!Directory.Exists(root)) return [];
        var whole = Pattern(pattern);
        // A pattern ending in a separator names folders (segment-logs/*/*/); one without names files, as before.
        var folders = pattern[^1] != "**" && full.EndsWith(Path.DirectorySeparatorChar) ? whole : null;
        var depth = pattern.Contains("**") ? int.MaxValue : pattern.Length + 1;
        var found = new List<string>();
        foreach (var (file, relative) in Walk(root, "", depth))
        {
            var slash = relative.LastIndexOf('/');
            var named = pattern[^1] == "**" ? whole.IsMatch(relative) && HasExtension(file, extensions) : whole.IsMatch(relative);
            var inFolder = folders is not null && slash > 0 && folders.IsMatch(relative[..slash]) && HasExtension(file, extensions);
            if (named || inFolder) found.Add(file);
        }
        return found.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Why <paramref name="path"/> matched nothing: what is read, and what the folder holds instead.</summary>
    public static string NoMatch(string path, string full, IReadOnlyList<string> extensions)
    {
        var kinds = string.Join(", ", extensions.Select(e => "*" + e));
        if (Directory.Exists(full))
        {
            var others = Directory.EnumerateFiles(full).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList();
            var subfolders = Directory.EnumerateDirectories(full).Count();
            var hint = subfolders > 0 ? $" To read the files of its folders too, set path to '{path.TrimEnd('/')}/**'." : "";
            return string.Create(CultureInfo.InvariantCulture,
                $"no file matches '{path}' (looked for {full}): a folder is read for {kinds} files directly inside it, and it holds {others.Count} other file(s){Examples(others)} and {subfolders} folder(s).{hint}");
        }
        if (full.IndexOfAny(['*', '?']) < 0)
        {
            var folder = Path.GetDirectoryName(full);
            var near = folder is not null && Directory.Exists(folder)
                ? Close(Path.GetFileName(full), Directory.EnumerateFiles(folder).Select(f => Path.GetFileName(f)).ToList())
                : "";
            return $"no file matches '{path}' (looked for {full}).{(near.Length > 0 ? $" Its folder holds {near}." : "")}";
        }
        var (root, pattern) = Split(full);
        var held = Directory.Exists(root) ? Walk(root, "", int.MaxValue).Select(f => f.Relative).Order(StringComparer.Ordinal).ToList() : null;
        var close = held is null ? "" : Close(pattern[^1], held);
        var there = held is null ? $"The folder {root} does not exist."
            : close.Length > 0 ? string.Create(CultureInfo.InvariantCulture, $"{root} holds {held.Count} file(s), none matching; the closest: {close}.")
            : string.Create(CultureInfo.InvariantCulture, $"{root} holds {held.Count} file(s){Examples(held)}, none matching.");
        return $"no file matches '{path}' (looked for {full}): * and ? match within one name, ** any number of folders; a pattern ending in ** or / reads the {kinds} files of the folders it names. {there}";
    }

    /// <summary>
    /// Up to three of <paramref name="names"/> (relative paths) whose file name is close to <paramref name="wanted"/> (a name or
    /// a glob's last name), by edit distance, ignoring case, with runs of digits read as <c>*</c>: names differing only in
    /// digits are shown once as their pattern with a count, <c>orders-*-*.csv (12 files)</c>. Empty when none is close.
    /// </summary>
    internal static string Close(string wanted, IReadOnlyList<string> names)
    {
        var target = wanted.ToLowerInvariant();
        var limit = Math.Max(2, target.Length / 3);
        var groups = names.GroupBy(Shape, StringComparer.Ordinal)
            .Select(g =>
            {
                var name = Path.GetFileName(g.First()).ToLowerInvariant();
                var distance = Math.Min(NameSuggestion.Distance(target, name), NameSuggestion.Distance(target, Shape(name)));
                return (Shown: g.Count() > 1 ? string.Create(CultureInfo.InvariantCulture, $"{g.Key} ({g.Count()} files)") : g.First(), Distance: distance);
            })
            .Where(g => g.Distance <= limit)
            .OrderBy(g => g.Distance).ThenBy(g => g.Shown, StringComparer.Ordinal)
            .Take(3)
            .ToList();
        return string.Join(", ", groups.Select(g => g.Shown));
    }

    // A name with each run of digits as '*': orders-2024-01.csv → orders-*-*.csv.
    private static string Shape(string name) => Regex.Replace(name, "[0-9]+", "*", RegexOptions.CultureInvariant);

    private static string Examples(List<string> names) => names.Count == 0 ? "" : $" ({string.Join(", ", names.Take(5))}{(names.Count > 5 ? ", …" : "")})";

    private static bool HasExtension(string file, IReadOnlyList<string> extensions) => extensions.Any(e => file.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    // The folders before the first wildcard, and the pattern's names after it.
    private static (string Root, string[] Pattern) Split(string full)
    {
        var names = full.Split(Path.DirectorySeparatorChar);
        var first = Array.FindIndex(names, n => n.IndexOfAny(['*', '?']) >= 0);
        var root = string.Join(Path.DirectorySeparatorChar, names[..first]);
        return (root.Length == 0 ? Path.DirectorySeparatorChar.ToString() : root, names[first..].Where(n => n.Length > 0).ToArray());
    }

    // A relative path (names joined by '/') matching the pattern's names.
    private static Regex Pattern(string[] pattern)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var last = i == pattern.Length - 1;
            if (pattern[i] == "**")
            {
                regex.Append(last ? ".*" : "(?:[^/]+/)*");
                continue;
            }
            foreach (var c in pattern[i])
                regex.Append(c switch { '*' => "[^/]*", '?' => "[^/]", _ => Regex.Escape(c.ToString()) });
            if (!last) regex.Append('/');
        }
        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant);
    }

    // Files under a folder, depth folders deep at most; folders that are symbolic links are not entered.
    private static IEnumerable<(string File, string Relative)> Walk(string folder, string prefix, int depth)
    {
        if (depth <= 0) yield break;
        foreach (var file in Directory.EnumerateFiles(folder))
            yield return (file, prefix + Path.GetFileName(file));
        foreach (var sub in Directory.EnumerateDirectories(folder))
        {
            if (new DirectoryInfo(sub).LinkTarget is not null) continue;
            foreach (var f in Walk(sub, prefix + Path.GetFileName(sub) + "/", depth - 1)) yield return f;
        }
    }
}
