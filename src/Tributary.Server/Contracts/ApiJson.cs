using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tributary.Server.Contracts;

/// <summary>
/// How the API writes and reads JSON: snake_case member names and enum values, numbers as numbers, and a non-nullable
/// member present and not null both ways (a request that breaks this is refused, and the server never sends one). The
/// server, its OpenAPI document and its clients (trib's hand-over to a running server) use these.
/// </summary>
public static class ApiJson
{
    /// <summary>Options for a client of the API, read-only.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary>Sets the API's conventions on <paramref name="options"/> (the server's own options).</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        options.NumberHandling = JsonNumberHandling.Strict;
        options.RespectNullableAnnotations = true;
        options.RespectRequiredConstructorParameters = true;
    }

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(options);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
