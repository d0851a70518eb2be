using Microsoft.Extensions.Hosting;
using Tributary.Cli.Projects;
using Tributary.Server.Intake;

namespace Tributary.Cli.Hosting;

/// <summary>Adds the event intake to <c>trib serve</c>'s composition: its log and source keys live in the project's <c>.tributary/</c>.</summary>
internal static class IntakeHost
{
    public static Action<IHostApplicationBuilder> With(Action<IHostApplicationBuilder> compose, ProjectSession project) => builder =>
    {
        compose(builder);
        builder.Services.AddIntake(Path.GetDirectoryName(project.ServerFile)!, project.Settings.Intake);
    };
}
