using Tributary.Core.Components;
using Tributary.Core.Projects;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Exports;

/// <summary>Writes query results to files: to a temporary name first, then renamed, so readers never see half a file.</summary>
internal static class FileExport
{
    /// <summary>The description of every file writer's <c>file_mode</c>.</summary>
    public const string FileModeDescription = "Unix permissions of the written file, in octal: 600 (the default) lets only the owner read it, as it holds "
        + "people's data; 640 or 660 also the owner's group; 644 or 664 every local user. Ignored on Windows.";

    /// <summary>An octal <c>file_mode</c> as a mode.</summary>
    public static UnixFileMode Mode(string octal) => (UnixFileMode)Convert.ToInt32(octal, 8);

    /// <summary>
    /// Creates the empty file <paramref name="path"/> with <paramref name="mode"/> (narrowed by the umask until <see cref="SetMode"/>),
    /// so its rows are never readable by others while they are written.
    /// </summary>
    public static void CreateEmpty(string path, UnixFileMode mode)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = mode & PrivateFiles.FileMode;
        using var _ = new FileStream(path, options);
    }

    /// <summary>Gives <paramref name="path"/> exactly <paramref name="mode"/> (the umask does not apply).</summary>
    public static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, mode);
    }

    /// <summary>Writes the rows of <paramref name="sql"/> to <paramref name="path"/> (relative to the project) with <paramref name="mode"/>; returns the full path.</summary>
    public static async Task<string> WriteQueryAsync(ComponentContext context, string sql, IReadOnlyList<object?>? args, string path, FileFormat format,
        UnixFileMode mode, CancellationToken cancellationToken)
    {
        var target = context.ResolveOutputPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temp = target + ".tmp-" + context.RunId;
        try
        {
            // The engine truncates the file it finds, keeping its mode; set again in case it replaced it.
            CreateEmpty(temp, mode);
            await context.Warehouse.ExportAsync(sql, args, temp, format, cancellationToken).ConfigureAwait(false);
            SetMode(temp, mode);
            File.Move(temp, target, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
        return target;
    }

    /// <summary>Writes the component's input table to a file and reports rows, path and size.</summary>
    public static Task<Materialization> WriteAsync(ComponentContext context, string path, FileFormat format, string fileMode, CancellationToken cancellationToken) =>
        WriteAsync(context, $"SELECT * FROM {context.Warehouse.Dialect.Quote(context.Inputs[0])}", path, format, fileMode, cancellationToken);

    /// <summary>Writes <paramref name="select"/>, a projection of the component's input table, to a file and reports rows, path and size.</summary>
    public static async Task<Materialization> WriteAsync(ComponentContext context, string select, string path, FileFormat format, string fileMode, CancellationToken cancellationToken)
    {
        var table = context.Warehouse.Dialect.Quote(context.Inputs[0]);
        var target = await WriteQueryAsync(context, select, null, path, format, Mode(fileMode), cancellationToken).ConfigureAwait(false);
        var rows = Convert.ToInt64(await context.Warehouse.ScalarAsync($"SELECT count(*) FROM {table}", null, cancellationToken).ConfigureAwait(false),
            System.Globalization.CultureInfo.InvariantCulture);
        context.Log($"wrote {rows} rows to {Path.GetRelativePath(context.ProjectDirectory, target)}");
        return new Materialization(rows, new Dictionary<string, object?> { ["path"] = target, ["bytes"] = new FileInfo(target).Length });
    }
}
