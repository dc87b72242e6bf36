using System.Text.Json;
using Guardrails.Actions;

namespace Guardrails.Interpreters;

/// <summary>
/// Interprets a tool nothing is known about. Its semantics are unknown, but the paths it names are not: each
/// string argument that looks like a path becomes a read of that path, so that an unknown tool handed a weight file,
/// a credential or the guard's policy still meets the rules about those resources.
/// </summary>
internal static class GenericInterpreter
{
    private const int MaxDepth = 16;

    public static void Interpret(InterpretationContext context)
    {
        if (context.Call.Arguments.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
        {
            Visit(context, context.Call.Arguments, string.Empty, 0);
        }
    }

    private static void Visit(InterpretationContext context, JsonElement element, string name, int depth)
    {
        if (depth > MaxDepth || context.Sink.IsFull)
        {
            return;
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Visit(context, property.Value, depth == 0 ? property.Name : name, depth + 1);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Visit(context, item, name, depth + 1);
                }

                break;
            case JsonValueKind.String:
                var text = element.GetString();
                if (text is { Length: > 0 } && text.Length <= 4096 && LooksLikePath(text))
                {
                    context.Sink.Add(new FileOperation(FileAction.Read, context.Normalize(text))
                    {
                        Program = context.Call.Name,
                        Source = name,
                        Span = new TextSpan(0, text.Length),
                    });
                }

                break;
        }
    }

    private static bool LooksLikePath(string text) =>
        (text[0] == '/' || text.StartsWith("~/", StringComparison.Ordinal) || text.StartsWith("./", StringComparison.Ordinal) || text.StartsWith("../", StringComparison.Ordinal))
        && !text.AsSpan().ContainsAny(" \n\t");
}
