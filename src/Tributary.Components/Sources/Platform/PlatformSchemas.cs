using Tributary.Components.Standardize;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Sources.Platform;

/// <summary>The tables a platform source declares at plan time: its rows, the rows it refused, and its files ledger.</summary>
internal static class PlatformSchemas
{
    /// <summary>The output holding refused lines with the reason.</summary>
    public const string Rejected = "rejected";
    /// <summary>The output recording each loaded file, so no file loads twice.</summary>
    public const string Files = "files";

    public static TableSchema Of(PlatformLayout layout) =>
        new(layout.OutputColumns.Select(c => new ColumnSchema(c.Name, c.Kind.ToString().ToUpperInvariant(), c.Kind)).ToList());

    public static ComponentPlan Plan(PlatformLayout layout) => new(Of(layout), [])
    {
        SideOutputs =
        [
            new DeclaredOutput(Rejected, OutputRole.Rejected, "A line of an export file that could not be read: file, line, raw text and reason.", Schema.Of(PlatformFileLoader.RejectedColumns)),
            new DeclaredOutput(Files, OutputRole.Internal, "A loaded file: path, size, modification time, SHA-256 and rows, one entry per path; files listed here are not loaded again, and a path whose content changes replaces its entry and rows.", Schema.Of(PlatformFileLoader.FileColumns)),
        ],
    };
}
