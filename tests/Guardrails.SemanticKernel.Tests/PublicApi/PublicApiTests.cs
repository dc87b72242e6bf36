using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace Guardrails.SemanticKernel.Tests.PublicApi;

/// <summary>
/// Keeps the public surface deliberate: the list of public types and members must equal the approved file. After an
/// intended change, copy the .received.txt file written to the test output's PublicApi folder over Guardrails.SemanticKernel.approved.txt.
/// </summary>
public sealed class PublicApiTests
{
    [Fact]
    public void PublicSurface_MatchesTheApprovedList()
    {
        var actual = Describe(typeof(GuardrailsFunctionInvocationFilter).Assembly);
        var approvedPath = Path.Combine(AppContext.BaseDirectory, "PublicApi", "Guardrails.SemanticKernel.approved.txt");
        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).ReplaceLineEndings("\n") : string.Empty;

        if (actual != approved)
        {
            Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "PublicApi"));
            File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "PublicApi", "Guardrails.SemanticKernel.received.txt"), actual);
        }

        actual.Should().Be(approved, "the public API changed; review Guardrails.SemanticKernel.received.txt and copy it over tests/Guardrails.SemanticKernel.Tests/PublicApi/Guardrails.SemanticKernel.approved.txt if intended");
    }

    internal static string Describe(Assembly assembly)
    {
        var lines = new List<string>();
        foreach (var type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            lines.Add(TypeLine(type));
            const BindingFlags Flags = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            var members = type.GetMembers(Flags)
                .Where(m => m is not MethodInfo { IsSpecialName: true } || m.Name.StartsWith("op_", StringComparison.Ordinal))
                .Where(m => !m.IsDefined(typeof(CompilerGeneratedAttribute)))
                .Select(m => "  " + MemberLine(m))
                .Distinct()
                .OrderBy(l => l, StringComparer.Ordinal);
            lines.AddRange(members);
        }

        return string.Join("\n", lines) + "\n";
    }

    private static string TypeLine(Type type)
    {
        var kind = type.IsEnum ? "enum" : type.IsInterface ? "interface" : type.IsValueType ? "struct" : type.IsAbstract && type.IsSealed ? "static class" : type.IsAbstract ? "abstract class" : type.IsSealed ? "sealed class" : "class";
        var bases = type.BaseType is { } b && b != typeof(object) && b != typeof(ValueType) && b != typeof(Enum) ? " : " + Name(b) : string.Empty;
        return $"{kind} {type.FullName}{bases}";
    }

    private static string MemberLine(MemberInfo member) => member switch
    {
        ConstructorInfo c => $"ctor({Parameters(c.GetParameters())})",
        MethodInfo m => $"{(m.IsStatic ? "static " : string.Empty)}{Name(m.ReturnType)} {m.Name}({Parameters(m.GetParameters())})",
        PropertyInfo p => $"{(p.GetMethod?.IsStatic == true ? "static " : string.Empty)}{Name(p.PropertyType)} {p.Name} {{ {(p.GetMethod?.IsPublic == true ? "get; " : string.Empty)}{(p.SetMethod?.IsPublic == true ? (p.SetMethod.ReturnParameter.GetRequiredCustomModifiers().Any(t => t.Name == "IsExternalInit") ? "init; " : "set; ") : string.Empty)}}}",
        FieldInfo f => $"{(f.IsStatic ? "static " : string.Empty)}{(f.IsLiteral ? "const " : string.Empty)}{Name(f.FieldType)} {f.Name}",
        EventInfo e => $"event {Name(e.EventHandlerType!)} {e.Name}",
        Type t => $"nested {t.Name}",
        _ => member.ToString() ?? member.Name,
    };

    private static string Parameters(ParameterInfo[] parameters) =>
        string.Join(", ", parameters.Select(p => $"{Name(p.ParameterType)} {p.Name}{(p.HasDefaultValue ? " = " + (p.DefaultValue ?? "null") : string.Empty)}"));

    private static string Name(Type type)
    {
        if (type.IsGenericType)
        {
            var name = type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)];
            return $"{type.Namespace}.{name}<{string.Join(", ", type.GetGenericArguments().Select(Name))}>";
        }

        return type.FullName ?? type.Name;
    }
}
