using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Tributary.Components.Sources.Platform;

/// <summary>Parameters shared by the platform export sources.</summary>
public sealed record PlatformSourceParameters
{
    /// <summary>File, folder or glob.</summary>
    [Description("Export file, folder of exports, or glob, relative to the project. Files already loaded (same path, size and modification time) are skipped.")]
    public required string Path { get; init; }

    /// <summary>Most rejected rows tolerated.</summary>
    [Description("Largest share of rejected rows in one load before the step fails (nothing is then written). Default 0.05.")]
    [Range(0, 1)]
    public double MaxRejectedRatio { get; init; } = 0.05;

    /// <summary>CSV delimiter.</summary>
    [Description("Field delimiter of CSV exports. Default ','.")]
    public string Delimiter { get; init; } = ",";
}
