using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Guardrails.Actions;
using Guardrails.Policies;

namespace Guardrails.Tests.Policies;

/// <summary>docs/policy.schema.json and the DTOs of PolicyDocument.cs describe the same format.</summary>
public sealed class PolicySchemaTests
{
    private static readonly Lazy<JsonDocument> Schema = new(() => JsonDocument.Parse(File.ReadAllText(FindSchema())));

    private static JsonElement Root => Schema.Value.RootElement;

    [Fact]
    public void Schema_EveryDtoProperty_AppearsAtTheMatchingPlaceAndViceVersa()
    {
        var problems = new List<string>();
        CompareObject(typeof(PolicyDocument), Root, "#", problems, new HashSet<Type>());

        problems.Should().BeEmpty();
    }

    [Fact]
    public void Schema_Header_IsDraft202012()
    {
        Root.GetProperty("$schema").GetString().Should().Be("https://json-schema.org/draft/2020-12/schema");
        Root.GetProperty("additionalProperties").GetBoolean().Should().BeFalse();
    }

    [Fact]
    public void Schema_EveryProperty_HasADescription()
    {
        var missing = new List<string>();
        Walk(Root, "#", (node, where) =>
        {
            if (node.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in properties.EnumerateObject())
                {
                    if (!property.Value.TryGetProperty("description", out var description) || string.IsNullOrWhiteSpace(description.GetString()))
                    {
                        // Properties of if/then helper schemas only constrain; they are not documentation.
                        if (!where.Contains("/allOf/", StringComparison.Ordinal))
                        {
                            missing.Add($"{where}/properties/{property.Name}");
                        }
                    }
                }
            }
        });

        missing.Should().BeEmpty();
    }

    [Fact]
    public void Schema_RuleIdAndPortPatterns_MatchTheValidator()
    {
        var defs = Root.GetProperty("$defs");
        defs.GetProperty("ruleId").GetProperty("pattern").GetString().Should().Be("^[a-z0-9][a-z0-9._-]*$");
        var port = defs.GetProperty("port").GetProperty("oneOf");
        port[0].GetProperty("maximum").GetInt32().Should().Be(65535);
        port[1].GetProperty("pattern").GetString().Should().Be("^[0-9]{1,5}-[0-9]{1,5}$");
    }

    [Fact]
    public void Schema_Enums_MatchTheValidatorVocabularies()
    {
        var defs = Root.GetProperty("$defs");
        Enum(defs.GetProperty("operation")).Should().Equal(OperationKinds.AllNames);
        Enum(defs.GetProperty("capability").GetProperty("anyOf")[0]).Should().Equal(Capability.WellKnown.Select(c => c.Value));
        Enum(defs.GetProperty("resourceKind").GetProperty("anyOf")[0]).Should().Equal(PolicyValidator.WellKnownResourceKinds);
        Enum(defs.GetProperty("rule").GetProperty("properties").GetProperty("effect")).Should().Equal(PolicyValidator.Effects);
        Enum(defs.GetProperty("condition").GetProperty("properties").GetProperty("direction")).Should().Equal(PolicyValidator.Directions);
        Enum(defs.GetProperty("toolBinding").GetProperty("properties").GetProperty("interpreter")).Should().Equal(PolicyValidator.InterpreterRoles.Keys);
        Enum(defs.GetProperty("toolBinding").GetProperty("properties").GetProperty("arguments").GetProperty("propertyNames"))
            .Should().BeEquivalentTo(PolicyValidator.InterpreterRoles.Values.SelectMany(r => r).Distinct());
        var properties = Root.GetProperty("properties");
        Enum(properties.GetProperty("onError")).Should().Equal(PolicyValidator.OnErrorValues);
        Enum(properties.GetProperty("unknownTools")).Should().Equal(PolicyValidator.UnknownToolsValues);
        Enum(properties.GetProperty("mode")).Should().Equal(PolicyValidator.Modes);
    }

    private static void CompareObject(Type type, JsonElement node, string where, List<string> problems, HashSet<Type> visited)
    {
        node = Resolve(node);
        if (!visited.Add(type))
        {
            return;
        }

        if (!node.TryGetProperty("additionalProperties", out var additional) || additional.ValueKind != JsonValueKind.False)
        {
            problems.Add($"{where}: {type.Name} must have \"additionalProperties\": false");
        }

        if (!node.TryGetProperty("properties", out var schemaProperties))
        {
            problems.Add($"{where}: {type.Name} has no \"properties\"");
            return;
        }

        var dtoProperties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).ToDictionary(JsonName, StringComparer.Ordinal);
        foreach (var name in schemaProperties.EnumerateObject().Select(p => p.Name).Where(n => !dtoProperties.ContainsKey(n)))
        {
            problems.Add($"{where}/properties/{name}: not a property of {type.Name}");
        }

        foreach (var (name, property) in dtoProperties)
        {
            if (!schemaProperties.TryGetProperty(name, out var propertySchema))
            {
                problems.Add($"{where}/properties: {type.Name}.{property.Name} is missing as '{name}'");
                continue;
            }

            CompareValue(property.PropertyType, propertySchema, $"{where}/properties/{name}", problems, visited);
        }
    }

    private static void CompareValue(Type type, JsonElement node, string where, List<string> problems, HashSet<Type> visited)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        var resolved = Resolve(node);
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            ExpectType(resolved, "array", where, problems);
            if (resolved.TryGetProperty("items", out var items))
            {
                CompareValue(type.GetGenericArguments()[0], items, where + "/items", problems, visited);
            }
            else
            {
                problems.Add($"{where}: array without \"items\"");
            }
        }
        else if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            ExpectType(resolved, "object", where, problems);
            if (resolved.TryGetProperty("additionalProperties", out var values) && values.ValueKind == JsonValueKind.Object)
            {
                CompareValue(type.GetGenericArguments()[1], values, where + "/additionalProperties", problems, visited);
            }
            else
            {
                problems.Add($"{where}: map without an \"additionalProperties\" schema");
            }
        }
        else if (type.IsClass && type != typeof(string))
        {
            ExpectType(resolved, "object", where, problems);
            CompareObject(type, resolved, where, problems, visited);
        }
        else if (type == typeof(int))
        {
            ExpectType(resolved, "integer", where, problems);
        }
        else if (type == typeof(bool))
        {
            ExpectType(resolved, "boolean", where, problems);
        }
        else if (type == typeof(string))
        {
            ExpectType(resolved, "string", where, problems);
        }
    }

    // A schema node "is" a type when it says so, or when every value it allows (enum, const, anyOf/oneOf branches) has it.
    private static void ExpectType(JsonElement node, string type, string where, List<string> problems)
    {
        var actual = TypesOf(node);
        if (actual.Count > 0 && !actual.All(t => t == type))
        {
            problems.Add($"{where}: expected type {type} but the schema allows {string.Join(", ", actual)}");
        }
    }

    private static List<string> TypesOf(JsonElement node)
    {
        node = Resolve(node);
        if (node.TryGetProperty("type", out var type))
        {
            return [type.GetString()!];
        }

        if (node.TryGetProperty("enum", out var values) || node.TryGetProperty("const", out values))
        {
            var all = values.ValueKind == JsonValueKind.Array ? values.EnumerateArray().ToList() : [values];
            return [.. all.Select(v => v.ValueKind switch
            {
                JsonValueKind.String => "string",
                JsonValueKind.Number => "integer",
                JsonValueKind.True or JsonValueKind.False => "boolean",
                _ => "other",
            }).Distinct()];
        }

        foreach (var combinator in new[] { "anyOf", "oneOf" })
        {
            if (node.TryGetProperty(combinator, out var branches))
            {
                return [.. branches.EnumerateArray().SelectMany(TypesOf).Distinct()];
            }
        }

        return [];
    }

    private static JsonElement Resolve(JsonElement node)
    {
        while (node.ValueKind == JsonValueKind.Object && node.TryGetProperty("$ref", out var reference))
        {
            var target = Root;
            foreach (var part in reference.GetString()!.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                target = target.GetProperty(part);
            }

            node = target;
        }

        return node;
    }

    private static void Walk(JsonElement node, string where, Action<JsonElement, string> visit)
    {
        if (node.ValueKind == JsonValueKind.Object)
        {
            visit(node, where);
            foreach (var property in node.EnumerateObject())
            {
                Walk(property.Value, $"{where}/{property.Name}", visit);
            }
        }
        else if (node.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var item in node.EnumerateArray())
            {
                Walk(item, $"{where}/{i++}", visit);
            }
        }
    }

    private static string[] Enum(JsonElement node) => [.. node.GetProperty("enum").EnumerateArray().Select(v => v.GetString()!)];

    private static string JsonName(PropertyInfo property) =>
        property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(property.Name);

    // The test binaries may sit far from the sources (or the sources' paths may be mapped), so try both routes.
    private static string FindSchema([CallerFilePath] string sourceFile = "")
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile) ?? string.Empty })
        {
            for (var dir = start.Length == 0 ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "docs", "policy.schema.json");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new FileNotFoundException("docs/policy.schema.json was not found above the test binaries or the test sources.");
    }
}
