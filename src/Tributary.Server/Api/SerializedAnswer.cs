using System.Buffers;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Tributary.Server.Contracts;

namespace Tributary.Server.Api;

/// <summary>
/// A 200 answer of <typeparamref name="T"/> whose list part was serialized when the snapshot was loaded: the few fields
/// that depend on the request are written, then the list's bytes copied, then the closing brace. OpenAPI sees a
/// <typeparamref name="T"/> as with <c>Ok&lt;T&gt;</c>.
/// </summary>
/// <param name="fields">Writes the object's other members (the list is written last under <paramref name="listName"/>).</param>
/// <param name="listName">The list's member name.</param>
/// <param name="list">The list, serialized.</param>
/// <param name="count">How many of its first elements to answer.</param>
internal sealed class SerializedAnswer<T>(Action<Utf8JsonWriter> fields, string listName, SerializedList list, int count) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    /// <inheritdoc />
    public int? StatusCode => StatusCodes.Status200OK;

    /// <inheritdoc />
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var head = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(head, new JsonWriterOptions { SkipValidation = true, Encoder = ApiJson.Options.Encoder }))
        {
            json.WriteStartObject();
            fields(json);
            json.WritePropertyName(listName);
            json.Flush();
        }
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = head.WrittenCount + list.Length(count) + 1;
        var body = response.BodyWriter;
        body.Write(head.WrittenSpan);
        list.WriteFirst(body, count);
        body.Write("}"u8);
        await body.FlushAsync(httpContext.RequestAborted).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json"]));
    }
}
