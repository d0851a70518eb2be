using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tributary.Engine.Orchestration;
using Tributary.Engine.Runs;
using Tributary.Server.Api;
using Tributary.Server.Contracts;
using Tributary.Server.Intake;
using Tributary.Server.Security;

namespace Tributary.Server;

/// <summary>
/// <c>trib serve</c>: one process hosting the daemon (schedules, sensors, run queue, backfills), the REST API under
/// <c>/api</c> and the web UI's static files. Stopping it (Ctrl+C, SIGTERM) stops launching, cancels running runs
/// (their tables keep the previous version) and puts them back in the queue for the next start.
/// </summary>
public sealed class TributaryServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TributaryServer(WebApplication app, Daemon daemon)
    {
        _app = app;
        Daemon = daemon;
    }

    /// <summary>The daemon this server hosts.</summary>
    public Daemon Daemon { get; }

    /// <summary>The services the host composed.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>The address it listens on, once started.</summary>
    public Uri Address => new(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    /// <summary>
    /// Builds the server. <paramref name="compose"/> is the host's composition root: it registers the
    /// <see cref="TributaryProject"/>, the <see cref="Daemon"/> (hosted, so it starts and stops with the server), the
    /// <see cref="RunEventHub"/>, a <see cref="TimeProvider"/> and the logging providers; the server adds only the web parts.
    /// </summary>
    public static TributaryServer Create(ServerOptions options, Action<IHostApplicationBuilder> compose)
    {
        ArgumentNullException.ThrowIfNull(compose);
        options.Validate();
        // Empty: no configuration files, environment variables or logging providers of its own; everything is said here or by compose.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.Services.AddRouting();
        compose(builder);
        builder.WebHost.UseUrls($"http://{(options.Host.Contains(':', StringComparison.Ordinal) ? $"[{options.Host}]" : options.Host)}:{options.Port}");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes);
        builder.Services.Configure<JsonOptions>(o => ApiJson.Configure(o.SerializerOptions));
        // A body the endpoint cannot read is thrown, so that its reason reaches the ProblemDetails answer.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
            c.ProblemDetails.Detail ??= ApiProblems.Describe(c.HttpContext, c.ProblemDetails.Status ?? c.HttpContext.Response.StatusCode, options));
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<IExceptionHandler, ApiExceptionHandler>();
        builder.Services.Insert(0, ServiceDescriptor.Transient<IStartupFilter, ProblemAnswers>());
        builder.Services.AddHostFiltering(o =>
        {
            o.AllowedHosts = [.. options.AllowedHosts];
            o.AllowEmptyHosts = false;
            o.IncludeFailureMessage = false;
        });
        builder.Services.AddSingleton<SignInThrottle>();
        builder.Services.AddAuthentication(BearerTokenHandler.SchemeName)
            .AddScheme<BearerTokenOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, o => o.Token = options.Token is { } t ? new HashedSecret(t) : null);
        builder.Services.AddOptions<BearerTokenOptions>(BearerTokenHandler.SchemeName).Configure<SignInThrottle>((o, throttle) => o.Throttle = throttle);
        var bearer = new AuthorizationPolicyBuilder(BearerTokenHandler.SchemeName).RequireAuthenticatedUser().Build();
        // With a token, every endpoint needs it: the API group says so, and the fallback covers any endpoint mapped outside it.
        builder.Services.AddAuthorization(o => o.FallbackPolicy = options.Token is null ? null : bearer);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        // A lambda, not a method group: only this form is intercepted by the generator that puts the XML docs into the document.
        builder.Services.AddOpenApi(options => ApiDocument.Configure(options));
        var app = builder.Build();
        var project = app.Services.GetRequiredService<TributaryProject>();
        var daemon = app.Services.GetRequiredService<Daemon>();
        var events = app.Services.GetRequiredService<RunEventHub>();
        var time = app.Services.GetRequiredService<TimeProvider>();
        var loggers = app.Services.GetRequiredService<ILoggerFactory>();

        // The web host's defaults already filter hosts first; said here too so that the check does not depend on them.
        app.UseHostFiltering();
        // Tracking libraries post events from other origins with a source's write key (IntakeApi checks it): no UI file,
        // endpoint, bearer token or write secret concerns them, so they are answered before any of those is looked at.
        if (app.Services.GetService<IntakeLog>() is { } intake)
        {
            var intakeCall = IntakeApi.Handler(intake, app.Services.GetRequiredService<SourceKeyFile>(), app.Services.GetRequiredService<Tributary.Core.Projects.IntakeSettings>(), time);
            app.MapWhen(c => IntakeApi.Handles(c.Request.Path), b => b.Run(intakeCall));
        }
        // After the intake branch: tracking libraries on other sites read its answers under CORS, which these do not concern.
        app.Use(SecurityHeaders.InvokeAsync);
        // Without the UI's index.html (not built), '/' answers with a page that says how to build it.
        var webUi = options.StaticFiles is { } staticFiles && File.Exists(Path.Combine(staticFiles, "index.html"));
        if (webUi)
        {
            var folder = options.StaticFiles!;
            var files = new PhysicalFileProvider(Path.GetFullPath(folder));
            // Not under /api: looking for a file costs file system calls on every API request.
            app.UseWhen(c => !c.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase), web =>
            {
                web.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
                web.UseStaticFiles(new StaticFileOptions { FileProvider = files });
            });
        }
        app.UseRouting();
        if (options.Token is not null)
        {
            var throttle = app.Services.GetRequiredService<SignInThrottle>();
            app.Use((context, next) => throttle.Refuses(context.Connection.RemoteIpAddress, out var wait)
                ? TooManyWrongTokens(context, wait)
                : next(context));
        }
        app.UseAuthentication();
        app.UseAuthorization();
        var writeProtection = new WriteProtection(options.Token is null && options.WriteSecret is { } secret ? new HashedSecret(secret) : null);
        app.Use(writeProtection.InvokeAsync);
        var api = app.MapGroup("/api").AddEndpointFilter(new ProblemAnswerFilter());
        var openApi = app.MapOpenApi(ApiDocument.Route);
        if (options.Token is not null)
        {
            api.RequireAuthorization(bearer);
            openApi.RequireAuthorization(bearer);
        }
        // A daemon whose ticks fail schedules and launches nothing: the server is up, but not healthy.
        api.MapGet("/health", Results<Ok<HealthStatus>, ProblemHttpResult> () => daemon.Health is { Failing: true } h
            ? TypedResults.Problem(ApiProblems.Problem(StatusCodes.Status503ServiceUnavailable, $"the daemon's ticks fail since {h.FailingSince:O}: {h.Error}"))
            : TypedResults.Ok(new HealthStatus("ok"))).ProducesProblem(StatusCodes.Status503ServiceUnavailable).WithTags("Server")
            // A load balancer's liveness probe has no token: without it, only the status code and word are answered.
            .AllowAnonymous().AddEndpointFilter(new LivenessOnly(options.Token is not null));
        PipelinesApi.Map(api, project, daemon, time, loggers.CreateLogger(typeof(PipelinesApi)));
        RunsApi.Map(api, project, daemon, events, time);
        BackfillsApi.Map(api, project, daemon);
        ActivationsApi.Map(api, project, daemon, time);
        DesignerApi.Map(api, project, daemon, time);
        DemoTruthApi.Map(api, project);
        // One snapshot of the latest recommendations serves the API and Customer 360, so both show a person the same list.
        var recommendations = new RecommendationSnapshots(project, loggers.CreateLogger(typeof(RecommendationsApi)));
        app.Lifetime.ApplicationStarted.Register(() => _ = recommendations.FollowAsync(events, app.Lifetime.ApplicationStopping));
        CustomerProfileApi.Map(api, project, recommendations);
        if (!webUi) MissingWebUi.Map(app);
        QueryApi.Map(api, project, options.MaxQueryAnswerBytes);
        TablesApi.Map(api, project);
        AudiencesApi.Map(api, project, time);
        RecommendationsApi.Map(api, recommendations);
        FraudApi.Map(api, project, events, app.Lifetime, time, loggers.CreateLogger(typeof(FraudApi)));
        // For the web UI: a page of another origin cannot read the answer, and a browser tells when it asks.
        api.MapGet("/write-secret", Results<Ok<WriteSecretGrant>, ProblemHttpResult> (HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            return WriteProtection.CrossSiteReason(context.Request) is { } reason
                ? TypedResults.Problem(ApiProblems.Problem(StatusCodes.Status403Forbidden, $"{reason}; the write secret is given only to this server's own pages"))
                : TypedResults.Ok(new WriteSecretGrant(WriteSecret.Header, options.Token is null ? options.WriteSecret : null));
        }).ProducesProblem(StatusCodes.Status403Forbidden).WithTags("Server");

        return new TributaryServer(app, daemon);
    }

    private static Task TooManyWrongTokens(HttpContext context, TimeSpan wait)
    {
        var seconds = (int)Math.Ceiling(wait.TotalSeconds);
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests,
            detail: $"{SignInThrottle.Limit} wrong tokens came from this address within a minute; try again in {seconds} s").ExecuteAsync(context);
    }

    /// <summary>Starts listening and the daemon.</summary>
    public Task StartAsync(CancellationToken cancellationToken) => _app.StartAsync(cancellationToken);

    /// <summary>Serves until <paramref name="cancellationToken"/> or a shutdown signal.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await _app.StartAsync(cancellationToken).ConfigureAwait(false);
        await _app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops gracefully.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => _app.StopAsync(cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
