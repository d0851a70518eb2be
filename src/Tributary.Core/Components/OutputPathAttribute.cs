namespace Tributary.Core.Components;

/// <summary>
/// Marks a parameter that names a file the component writes. The loader checks its value as the run will
/// (<see cref="Projects.ProjectPaths.ResolveOutput"/>) when it knows the project, so a path outside the project or to a
/// control file is a diagnostic at its key (TRIB0111) before any run; the component resolves it with
/// <see cref="ComponentContext.ResolveOutputPath"/> all the same.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class OutputPathAttribute : Attribute;
