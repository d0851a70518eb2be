using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Tributary.Server.Intake;

/// <summary>
/// Segment's HTTP tracking API: <c>POST /v1/identify|track|page|screen|group|alias</c>, <c>/v1/batch</c> and <c>/v1/b</c>.
/// Tracking libraries call it from other origins, so these routes skip the UI API's origin check and write secret and
/// need a source's write key instead (HTTP Basic user name, or <c>writeKey</c> in the body, as Segment takes it). They
/// are left out of the OpenAPI document, which describes the web UI's API.
/// </summary>
internal static class IntakeApi
{
    /// <summary>The path prefix of the intake routes.</summary>
    public const string Prefix = "/v1";

    private static readonly byte[] Success = """{"success":true}"""u8.ToArray();

    /// <summary>True for a request to an intake route.</summary>
    public static bool Handles(PathString path) => path.StartsWithSegments(Prefix, StringComparison.OrdinalIgnoreCase);

    public static void Map(IEndpointRouteBuilder app, IntakeLog log, SourceKeyFile keys, Core.Projects.IntakeSettings settings, TimeProvider time)
    {
        var group = app.MapGroup(Prefix).AllowAnonymous().ExcludeFromDescription();
        foreach (var type in new[] { "identify", "track", "page", "screen", "group", "alias" })
            group.MapPost("/" + type, (HttpContext c) => AcceptAsync(c, type, log, keys, settings, time));
        group.MapPost("/batch", (HttpContext c) => AcceptAsync(c, null, log, keys, settings, time));
        group.MapPost("/b", (HttpContext c) => AcceptAsync(c, null, log, keys, settings, time));
    }

    private static async Task AcceptAsync(HttpContext context, string? type, IntakeLog log, SourceKeyFile keys, Core.Projects.IntakeSettings settings, TimeProvider time)
    {
        var ct = context.RequestAborted;
        var limit = type is null ? SegmentMessages.MaxBatchBytes : SegmentMessages.MaxEventBytes;
        var what = type is null ? "a batch call may be at most 500 KB" : "an event may be at most 32 KB";
        if (context.Request.ContentLength > limit)
        {
            await Problem(context, StatusCodes.Status400BadRequest, $"the body is {context.Request.ContentLength} bytes; {what} ({limit} bytes)").ConfigureAwait(false);
            return;
        }
        var buffer = ArrayPool<byte>.Shared.Rent(limit + 1);
        try
        {
            var length = 0;
            int read;
            while (length <= limit && (read = await context.Request.Body.ReadAsync(buffer.AsMemory(length, limit + 1 - length), ct).ConfigureAwait(false)) > 0) length += read;
            if (length > limit)
            {
                await Problem(context, StatusCodes.Status400BadRequest, $"the body is more than {limit} bytes; {what}").ConfigureAwait(false);
                return;
            }
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(buffer.AsMemory(0, length));
            }
            catch (JsonException e)
            {
                await Problem(context, StatusCodes.Status400BadRequest, $"the body is not valid JSON: {e.Message}").ConfigureAwait(false);
                return;
            }
            using (document)
            {
                var key = BasicUser(context.Request) ?? SegmentMessages.WriteKey(document.RootElement);
                if (keys.Find(key) is null)
                {
                    context.Response.Headers.WWWAuthenticate = "Basic realm=\"tributary intake\"";
                    await Problem(context, StatusCodes.Status401Unauthorized, key is null
                        ? "send a source's write key as the HTTP Basic user name (or as 'writeKey' in the body); 'trib sources add NAME' creates one"
                        : "the write key is not one of this project's sources ('trib sources list' shows them)").ConfigureAwait(false);
                    return;
                }
                if (log.Backlog >= settings.MaxLogRows)
                {
                    context.Response.Headers.RetryAfter = settings.FlushSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    await Problem(context, StatusCodes.Status429TooManyRequests,
                        $"the intake log holds {log.Backlog} events not yet loaded (limit {settings.MaxLogRows}); retry after {settings.FlushSeconds} s").ConfigureAwait(false);
                    return;
                }
                var events = SegmentMessages.Read(type, document.RootElement, time.GetUtcNow().UtcDateTime, context.Connection.RemoteIpAddress, out var problem);
                if (events is null)
                {
                    await Problem(context, StatusCodes.Status400BadRequest, problem!).ConfigureAwait(false);
                    return;
                }
                if (events.Count > 0) await log.AppendAsync(events, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(Success, ct).ConfigureAwait(false);
    }

    // Segment's convention: the write key is the user name and the password is empty.
    private static string? BasicUser(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return null;
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? decoded : decoded[..colon];
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static Task Problem(HttpContext context, int status, string detail) => Results.Problem(statusCode: status, detail: detail).ExecuteAsync(context);
}
