using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Exports;

/// <summary>Writes an input table to a file: to a temporary name first, then renamed, so readers never see half a file.</summary>
internal static class FileExport
{
    public static async Task<Materialization> WriteAsync(ComponentContext context, string path, FileFormat format, CancellationToken cancellationToken)
    {
        var target = context.ResolvePath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temp = target + ".tmp-" + context.RunId;
        var table = context.Warehouse.Dialect.Quote(context.Inputs[0]);
        try
        {
            await context.Warehouse.ExportAsync($"SELECT * FROM {table}", null, temp, format, cancellationToken).ConfigureAwait(false);
            File.Move(temp, target, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
        var rows = Convert.ToInt64(await context.Warehouse.ScalarAsync($"SELECT count(*) FROM {table}", null, cancellationToken).ConfigureAwait(false),
            System.Globalization.CultureInfo.InvariantCulture);
        context.Log($"wrote {rows} rows to {Path.GetRelativePath(context.ProjectDirectory, target)}");
        return new Materialization(rows, new Dictionary<string, object?> { ["path"] = target, ["bytes"] = new FileInfo(target).Length });
    }
}
