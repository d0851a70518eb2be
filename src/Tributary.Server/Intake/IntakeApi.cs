using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

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

    /// <summary>
    /// The intake's request handler, run as a branch of its own ahead of the UI's files, routing, authentication and
    /// authorization: none of them applies to these calls (the write key is checked here), and on the single-event path they
    /// cost a noticeable share of a request's CPU. Answers 404 for a path under <see cref="Prefix"/> that is not a call and
    /// 405 for a call that is not a POST, as routing did.
    /// </summary>
    public static RequestDelegate Handler(IntakeLog log, SourceKeyFile keys, Core.Projects.IntakeSettings settings, TimeProvider time) => context =>
    {
        if (!Call(context.Request.Path, out var type))
            return Problem(context, StatusCodes.Status404NotFound, $"{context.Request.Path} is not a call of the tracking API (identify, track, page, screen, group, alias, batch)");
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.Headers.Allow = "POST";
            return Problem(context, StatusCodes.Status405MethodNotAllowed, "the tracking API's calls are POST requests");
        }
        return AcceptAsync(context, type, log, keys, settings, time);
    };

    // The call named by the path after the prefix: a message type, or null for a batch (/batch or /b). A trailing '/' is
    // allowed, as routing allowed it; letter case is not significant.
    private static bool Call(PathString path, out string? type)
    {
        type = null;
        var rest = path.Value.AsSpan(Prefix.Length);
        if (rest.EndsWith("/")) rest = rest[..^1];
        if (rest.Length < 2 || rest[0] != '/') return false;
        rest = rest[1..];
        if (rest.Equals("batch", StringComparison.OrdinalIgnoreCase) || rest.Equals("b", StringComparison.OrdinalIgnoreCase)) return true;
        foreach (var name in SegmentMessages.CallTypes)
            if (rest.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                type = name;
                return true;
            }
        return false;
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
        // With its length known the answer is one write; without it, chunked encoding adds a second write for the last chunk.
        context.Response.ContentLength = Success.Length;
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
