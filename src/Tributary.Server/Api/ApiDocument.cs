using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Tributary.Server.Contracts;

namespace Tributary.Server.Api;

/// <summary>
/// The API's OpenAPI document, served at <c>/openapi/v1.json</c> behind the same rules as <c>/api</c>. The web client's
/// types are generated from a committed copy of it (web/src/api/openapi.json; <c>npm run openapi</c> in web/ renews it).
/// </summary>
internal static class ApiDocument
{
    /// <summary>Where the document is served; <c>{documentName}</c> is <c>v1</c>.</summary>
    public const string Route = "/openapi/{documentName}.json";

    private const string ProblemJson = "application/problem+json";

    public static void Configure(OpenApiOptions options)
    {
        options.AddDocumentTransformer(async (document, context, cancellationToken) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Tributary",
                Version = "v1",
                Description = "The REST API of trib serve: pipelines, runs, the run queue, backfills, assets and the designer.",
            };
            // No server addresses: the document is the same whichever address served it, so the committed copy compares equal.
            document.Servers = [];
            // The run event stream ends with an 'end' event; its data is named here for clients (OpenAPI has no schema per event).
            document.Components ??= new OpenApiComponents();
            document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
            document.Components.Schemas[nameof(RunEnded)] = await context.GetOrCreateSchemaAsync(typeof(RunEnded), null, cancellationToken).ConfigureAwait(false);
        });
        options.AddOperationTransformer((operation, _, _) =>
        {
            // Error answers are ProblemDetails written as application/problem+json (ProblemAnswerFilter).
            foreach (var (status, response) in operation.Responses ?? [])
                if (status[0] is '4' or '5' && response.Content is { } content && content.Remove("application/json", out var media))
                    content[ProblemJson] = media;
            return Task.CompletedTask;
        });
        // A refused pipeline's ProblemDetails lists its problems (ApiProblems.Invalid, ApiExceptionHandler).
        options.AddSchemaTransformer(async (schema, context, cancellationToken) =>
        {
            if (context.JsonTypeInfo.Type != typeof(ProblemDetails)) return;
            var diagnostics = await context.GetOrCreateSchemaAsync(typeof(IReadOnlyList<DiagnosticView>), null, cancellationToken).ConfigureAwait(false);
            diagnostics.Description = "The pipeline's problems, when the request was refused because the pipeline has errors.";
            schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
            schema.Properties[ApiProblems.DiagnosticsMember] = diagnostics;
            schema.Properties[QueryApi.PositionMember] = new OpenApiSchema
            {
                Type = JsonSchemaType.Integer,
                Format = "int32",
                Description = "Where in the SQL the engine stopped (1-based, in characters), when a query failed and the engine says (PostgreSQL).",
            };
        });
    }
}
