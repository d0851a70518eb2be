using Tributary.Core.Pipelines;

namespace Tributary.Server.Contracts;

/// <summary>A use-case template shipped with trib, with the params a new pipeline from it can set (<c>GET /api/templates</c>).</summary>
/// <param name="Name">The template's name.</param>
/// <param name="Description">What it does, when it loads.</param>
/// <param name="Yaml">Its YAML text.</param>
/// <param name="Components">Its components.</param>
/// <param name="Schedule">Cron expression of its schedule, if any.</param>
/// <param name="Params">Its template params.</param>
public sealed record TemplateView(string Name, string? Description, string Yaml, IReadOnlyList<TemplateComponent> Components, string? Schedule, IReadOnlyList<TemplateParam> Params);

/// <summary>A component of a template.</summary>
/// <param name="Id">Its id (the asset it produces).</param>
/// <param name="Type">Its component type.</param>
public sealed record TemplateComponent(string Id, string Type);

/// <summary>A template param.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Type">string, integer, number or boolean.</param>
/// <param name="Default">Its default value, if any.</param>
/// <param name="Description">What it sets.</param>
/// <param name="Min">Smallest value allowed, for numbers.</param>
/// <param name="Max">Largest value allowed, for numbers.</param>
/// <param name="Allowed">The values allowed; empty when any is.</param>
public sealed record TemplateParam(string Name, ParamType Type, string? Default, string? Description, double? Min, double? Max, IReadOnlyList<string> Allowed);
