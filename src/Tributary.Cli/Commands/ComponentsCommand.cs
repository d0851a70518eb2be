using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tributary.Cli.Output;
using Tributary.Components;
using Tributary.Core.Components;

namespace Tributary.Cli.Commands;

/// <summary><c>trib components</c> and <c>trib schema [TYPE]</c>: the catalog and its generated JSON Schemas.</summary>
internal static class ComponentsCommand
{
    // Read by people: descriptions keep their +, ' and <> (not \u002B), which only HTML embedding would need escaped.
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command CreateList(CliContext cli)
    {
        var format = CliContext.FormatOption();
        var command = new Command("components", "List component types with a one-line description.") { format };
        command.SetAction((parse, _) => cli.RunAsync(() =>
        {
            var types = BuiltInComponents.CreateCatalog().Types;
            var f = parse.GetValue(format);
            // A table is for people, within 80 columns piped: the type already starts with its category, the inputs are counted
            // (0, 1, 1+, any), and each description wraps beside its type. CSV and JSON keep every field for programs.
            if (f == OutputFormat.Table)
                DataWriter.Write(cli.Out, f, ["type", "inputs", "description"], types.Select(t => new object?[] { t.TypeName, Count(t.Inputs), t.Description }), prose: ["description"]);
            else
                DataWriter.Write(cli.Out, f, ["type", "category", "inputs", "description"], types.Select(t => new object?[] { t.TypeName, t.Category, t.Inputs.ToString(), t.Description }));
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }

    private static string Count(InputArity inputs) =>
        inputs.Max == int.MaxValue ? (inputs.Min == 0 ? "any" : $"{inputs.Min}+")
        : inputs.Min == inputs.Max ? $"{inputs.Min}" : $"{inputs.Min}-{inputs.Max}";

    public static Command CreateSchema(CliContext cli)
    {
        var type = new Argument<string?>("type") { Description = "Component type; all types when absent.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("schema", "Print the JSON Schema of a component type's parameters.") { type };
        command.SetAction((parse, _) => cli.RunAsync(() =>
        {
            var catalog = BuiltInComponents.CreateCatalog();
            JsonNode node = parse.GetValue(type) is { } name
                ? catalog.Get(name).JsonSchema()
                : new JsonObject(catalog.Types.Select(t => KeyValuePair.Create(t.TypeName, (JsonNode?)t.JsonSchema())));
            cli.Out.WriteLine(node.ToJsonString(Indented));
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }
}
