using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization;

namespace Tributary.Core.Components;

/// <summary>A registered component type: its metadata, parameter schema and the two steps, erased to objects for the engine.</summary>
public sealed class ComponentDescriptor
{
    /// <summary>Serializer settings for parameters records: snake_case names and enum values, unknown members refused.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = CreateJsonOptions();

    private readonly Func<object, PlanContext, ComponentPlan> _plan;
    private readonly Func<object, ComponentContext, CancellationToken, Task<Materialization>> _materialize;

    private ComponentDescriptor(string typeName, string description, InputArity inputs, Type parametersType,
        Func<object, PlanContext, ComponentPlan> plan, Func<object, ComponentContext, CancellationToken, Task<Materialization>> materialize)
    {
        TypeName = typeName;
        Description = description;
        Inputs = inputs;
        ParametersType = parametersType;
        Parameters = ReadParameters(parametersType);
        _plan = plan;
        _materialize = materialize;
    }

    /// <summary>The YAML type name.</summary>
    public string TypeName { get; }
    /// <summary>One-line description.</summary>
    public string Description { get; }
    /// <summary>Allowed number of inputs.</summary>
    public InputArity Inputs { get; }
    /// <summary>Whether its output depends on the project's reporting zone (<see cref="IComponent{TParameters}.ReadsTimeZone"/>).</summary>
    public bool ReadsTimeZone { get; private init; }
    /// <summary>The parameters record type.</summary>
    public Type ParametersType { get; }
    /// <summary>Parameters in declaration order.</summary>
    public IReadOnlyList<ParameterDescriptor> Parameters { get; }
    /// <summary>The category: the part of the type name before the dot.</summary>
    public string Category => TypeName[..TypeName.IndexOf('.', StringComparison.Ordinal)];

    /// <summary>Creates the descriptor of a component type.</summary>
    public static ComponentDescriptor Create<TComponent, TParameters>()
        where TComponent : IComponent<TParameters>, new()
        where TParameters : class
    {
        var component = new TComponent();
        return new ComponentDescriptor(TComponent.TypeName, TComponent.Description, TComponent.Inputs, typeof(TParameters),
            (p, ctx) => component.Plan((TParameters)p, ctx),
            (p, ctx, ct) => component.MaterializeAsync((TParameters)p, ctx, ct)) { ReadsTimeZone = TComponent.ReadsTimeZone };
    }

    /// <summary>Declares outputs and needs; no I/O.</summary>
    public ComponentPlan Plan(object parameters, PlanContext context)
    {
        var plan = _plan(parameters, context);
        return plan.MainDescription is null ? plan with { MainDescription = Description } : plan;
    }

    /// <summary>Runs the component.</summary>
    public Task<Materialization> MaterializeAsync(object parameters, ComponentContext context, CancellationToken cancellationToken) =>
        _materialize(parameters, context, cancellationToken);

    /// <summary>Builds the parameters record from values already checked against <see cref="Parameters"/>.</summary>
    public object Bind(JsonObject values) =>
        values.Deserialize(ParametersType, JsonOptions) ?? throw new InvalidOperationException($"{TypeName}: parameters bound to null.");

    /// <summary>The JSON Schema of the parameters, generated from the record and its attributes.</summary>
    public JsonNode JsonSchema()
    {
        var exporter = new JsonSchemaExporterOptions
        {
            TreatNullObliviousAsNonNullable = true,
            TransformSchemaNode = (ctx, node) =>
            {
                // SQL is written as text; its JSON form (template plus typed values) is internal.
                if (ctx.TypeInfo.Type == typeof(Warehousing.SqlText)) node = new JsonObject { ["type"] = "string" };
                // Fields that take lists (FieldsTakeLists) hold text or a list of text, never any JSON.
                if (ctx.TypeInfo.Type == typeof(IReadOnlyDictionary<string, JsonElement>) && node is JsonObject fields)
                    fields["additionalProperties"] = new JsonObject { ["type"] = new JsonArray("string", "array"), ["items"] = new JsonObject { ["type"] = "string" } };
                // A duration is written 500ms, 10s, 5m, 2h or 1d (Durations), as its default is: not TimeSpan's hh:mm:ss.
                if (ctx.TypeInfo.Type == typeof(TimeSpan) || ctx.TypeInfo.Type == typeof(TimeSpan?))
                    node = new JsonObject
                    {
                        ["type"] = ctx.TypeInfo.Type == typeof(TimeSpan) ? JsonValue.Create("string") : new JsonArray("string", "null"),
                        ["pattern"] = Durations.Pattern,
                    };
                if (ctx.PropertyInfo?.AttributeProvider is not ICustomAttributeProvider attributes || node is not JsonObject obj) return node;
                if (Attribute<DescriptionAttribute>(attributes) is { } d) obj["description"] = d.Description;
                if (Attribute<RangeAttribute>(attributes) is { } r)
                {
                    obj["minimum"] = Convert.ToDouble(r.Minimum, System.Globalization.CultureInfo.InvariantCulture);
                    obj["maximum"] = Convert.ToDouble(r.Maximum, System.Globalization.CultureInfo.InvariantCulture);
                }
                if (Attribute<AllowedValuesAttribute>(attributes) is { } a)
                    obj["enum"] = new JsonArray(a.Values.Select(v => JsonValue.Create(v?.ToString())).ToArray<JsonNode?>());
                return node;
            },
        };
        var schema = JsonOptions.GetJsonSchemaAsNode(ParametersType, exporter);
        if (schema is JsonObject root)
        {
            root["title"] = TypeName;
            root["description"] = Description;
            if (root["properties"] is JsonObject props)
            {
                // Only what a pipeline can set: a computed property (LTV's calibration_end_date) is no parameter.
                var settable = Parameters.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
                foreach (var name in props.Select(p => p.Key).Where(k => !settable.Contains(k)).ToList()) props.Remove(name);
                foreach (var p in Parameters.Where(p => p.Default is not null))
                    if (props[p.Name] is JsonObject prop) prop["default"] = TypedDefault(p);
            }
        }
        return schema;
    }

    // A default as the JSON type the schema declares: 20, not "20".
    private static JsonValue? TypedDefault(ParameterDescriptor p) => p.Kind switch
    {
        ParameterKind.Integer when long.TryParse(p.Default, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var i) => JsonValue.Create(i),
        ParameterKind.Number when double.TryParse(p.Default, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) => JsonValue.Create(d),
        ParameterKind.Boolean when bool.TryParse(p.Default, out var b) => JsonValue.Create(b),
        _ => JsonValue.Create(p.Default),
    };

    private static T? Attribute<T>(ICustomAttributeProvider provider) where T : Attribute =>
        provider.GetCustomAttributes(typeof(T), inherit: true).OfType<T>().FirstOrDefault();

    private static List<ParameterDescriptor> ReadParameters(Type type)
    {
        // 'required' is enforced by the compiler only, so an instance made here shows the initializers' defaults.
        var defaults = type.GetConstructor(Type.EmptyTypes) is not null ? Activator.CreateInstance(type) : null;
        var list = new List<ParameterDescriptor>();
        foreach (var prop in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (prop.SetMethod is null) continue;
            var name = JsonNamingPolicy.SnakeCaseLower.ConvertName(prop.Name);
            var kind = KindOf(prop.PropertyType);
            var range = prop.GetCustomAttribute<RangeAttribute>();
            var allowed = prop.GetCustomAttribute<AllowedValuesAttribute>()?.Values.Select(v => v?.ToString() ?? "").ToList()
                ?? (kind == ParameterKind.Enum ? EnumNames(Nullable.GetUnderlyingType(prop.PropertyType) ?? prop.PropertyType) : []);
            // Without [Range], an int still cannot hold more than int does: say so instead of failing to bind.
            (double? Min, double? Max) bounds = (null, null);
            if (range is not null)
                bounds = (Convert.ToDouble(range.Minimum, System.Globalization.CultureInfo.InvariantCulture), Convert.ToDouble(range.Maximum, System.Globalization.CultureInfo.InvariantCulture));
            else if ((Nullable.GetUnderlyingType(prop.PropertyType) ?? prop.PropertyType) == typeof(int))
                bounds = (int.MinValue, int.MaxValue);
            list.Add(new ParameterDescriptor(name, kind, IsRequired(prop), prop.GetCustomAttribute<DescriptionAttribute>()?.Description,
                bounds.Min, bounds.Max, allowed, DefaultText(defaults is null ? null : prop.GetValue(defaults), kind))
            {
                IsOutputPath = prop.GetCustomAttribute<OutputPathAttribute>() is not null,
                IsTimeZone = prop.GetCustomAttribute<TimeZoneNameAttribute>() is not null,
                FieldsTakeLists = typeof(IEnumerable<IReadOnlyDictionary<string, JsonElement>>).IsAssignableFrom(Nullable.GetUnderlyingType(prop.PropertyType) ?? prop.PropertyType),
            });
        }
        return list;
    }

    private static bool IsRequired(PropertyInfo prop) =>
        prop.GetCustomAttributes().Any(a => a.GetType().FullName == "System.Runtime.CompilerServices.RequiredMemberAttribute");

    private static ParameterKind KindOf(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string)) return ParameterKind.String;
        if (type == typeof(Warehousing.SqlText)) return ParameterKind.Sql;
        if (type == typeof(int) || type == typeof(long)) return ParameterKind.Integer;
        if (type == typeof(double) || type == typeof(decimal)) return ParameterKind.Number;
        if (type == typeof(bool)) return ParameterKind.Boolean;
        if (type == typeof(TimeSpan)) return ParameterKind.Duration;
        if (type.IsEnum) return ParameterKind.Enum;
        if (typeof(IEnumerable<KeyValuePair<string, string>>).IsAssignableFrom(type)) return ParameterKind.StringMap;
        if (typeof(IEnumerable<KeyValuePair<string, double>>).IsAssignableFrom(type)) return ParameterKind.NumberMap;
        if (typeof(IEnumerable<IReadOnlyDictionary<string, string>>).IsAssignableFrom(type)
            || typeof(IEnumerable<IReadOnlyDictionary<string, JsonElement>>).IsAssignableFrom(type)) return ParameterKind.MapList;
        if (typeof(IEnumerable<string>).IsAssignableFrom(type)) return ParameterKind.StringList;
        if (typeof(IEnumerable<double>).IsAssignableFrom(type)) return ParameterKind.NumberList;
        throw new NotSupportedException($"Parameter type {type.Name} is not supported; use text, SQL text, numbers, booleans, enums, durations, lists, maps of text or numbers, or lists of maps of text.");
    }

    private static List<string> EnumNames(Type enumType) =>
        Enum.GetNames(enumType).Select(JsonNamingPolicy.SnakeCaseLower.ConvertName).ToList();

    private static string? DefaultText(object? value, ParameterKind kind) => value switch
    {
        null => null,
        bool b => b ? "true" : "false",
        Enum e => JsonNamingPolicy.SnakeCaseLower.ConvertName(e.ToString()),
        TimeSpan t => Durations.Format(t),
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        string s => s,
        System.Collections.IEnumerable e when kind is ParameterKind.StringList or ParameterKind.NumberList =>
            e.Cast<object>().Any() ? "[" + string.Join(", ", e.Cast<object>().Select(v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture))) + "]" : null,
        _ => null,
    };

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            RespectNullableAnnotations = true,
            TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        options.MakeReadOnly();
        return options;
    }
}
