using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Exports;

/// <summary>Writes query results to files: to a temporary name first, then renamed, so readers never see half a file.</summary>
internal static class FileExport
{
    /// <summary>Writes the rows of <paramref name="sql"/> to <paramref name="path"/> (relative to the project); returns the full path.</summary>
    public static async Task<string> WriteQueryAsync(ComponentContext context, string sql, IReadOnlyList<object?>? args, string path, FileFormat format,
        CancellationToken cancellationToken)
    {
        var target = context.ResolveOutputPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temp = target + ".tmp-" + context.RunId;
        try
        {
            await context.Warehouse.ExportAsync(sql, args, temp, format, cancellationToken).ConfigureAwait(false);
            File.Move(temp, target, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
        return target;
    }

    /// <summary>Writes the component's input table to a file and reports rows, path and size.</summary>
    public static async Task<Materialization> WriteAsync(ComponentContext context, string path, FileFormat format, CancellationToken cancellationToken)
    {
        var table = context.Warehouse.Dialect.Quote(context.Inputs[0]);
        var target = await WriteQueryAsync(context, $"SELECT * FROM {table}", null, path, format, cancellationToken).ConfigureAwait(false);
        var rows = Convert.ToInt64(await context.Warehouse.ScalarAsync($"SELECT count(*) FROM {table}", null, cancellationToken).ConfigureAwait(false),
            System.Globalization.CultureInfo.InvariantCulture);
        context.Log($"wrote {rows} rows to {Path.GetRelativePath(context.ProjectDirectory, target)}");
        return new Materialization(rows, new Dictionary<string, object?> { ["path"] = target, ["bytes"] = new FileInfo(target).Length });
    }
}
