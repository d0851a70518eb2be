using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tributary.Core.Projects;
using Tributary.Core.Warehousing;

namespace Tributary.Server.Intake;

/// <summary>Adds the event intake (<c>/v1/*</c>, its write-ahead log and its loader) to a server's services.</summary>
public static class IntakeServices
{
    /// <summary>
    /// Registers the intake with its log and source keys in <paramref name="stateDirectory"/> (the project's
    /// <c>.tributary/</c>); <see cref="TributaryServer"/> maps its routes when it is registered.
    /// </summary>
    public static IServiceCollection AddIntake(this IServiceCollection services, string stateDirectory, IntakeSettings settings)
    {
        services.AddSingleton(settings);
        services.AddSingleton(sp => IntakeLog.Open(Path.Combine(stateDirectory, LogFileName), TimeSpan.FromHours(settings.DedupHours), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new SourceKeyFile(Path.Combine(stateDirectory, SourceKeys.FileName), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new IntakeLoader(sp.GetRequiredService<IntakeLog>(), sp.GetRequiredService<IWarehouse>(), settings, sp.GetRequiredService<ILogger<IntakeLoader>>()));
        services.AddHostedService(sp => sp.GetRequiredService<IntakeLoader>());
        return services;
    }

    /// <summary>The write-ahead log's file name in the project's <c>.tributary/</c>.</summary>
    public const string LogFileName = "intake.db";
}
