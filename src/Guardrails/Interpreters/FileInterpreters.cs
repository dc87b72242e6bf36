using System.Text;
using System.Text.Json;
using Guardrails.Actions;

namespace Guardrails.Interpreters;

/// <summary>Interprets the file tools: write, edit, read and copy.</summary>
internal static class FileInterpreters
{
    public static void Write(InterpretationContext context, FileAction action)
    {
        var problems = context.Sink.Problems.Count;
        if (!context.TryGetString("path", out var path, out var pathName))
        {
            // Patch tools (Codex's apply_patch, tools taking a unified diff) name their files inside the patch.
            if (context.Sink.Problems.Count == problems && !(context.Binding.Interpreter == InterpreterKind.FileEdit && PatchFiles.Interpret(context)))
            {
                context.Missing("path");
            }

            return;
        }

        var content = ReadContent(context);
        context.Sink.Add(new FileOperation(action, context.Normalize(path))
        {
            Content = content,
            Program = context.Call.Name,
            Source = pathName,
            Span = new TextSpan(0, path.Length),
        });
    }

    public static void Read(InterpretationContext context)
    {
        if (!context.RequireString("path", out var path, out var pathName))
        {
            return;
        }

        context.Sink.Add(new FileOperation(FileAction.Read, context.Normalize(path))
        {
            Program = context.Call.Name,
            Source = pathName,
            Span = new TextSpan(0, path.Length),
        });
    }

    public static void Copy(InterpretationContext context)
    {
        if (!context.RequireString("source", out var source, out _))
        {
            return;
        }

        if (!context.RequireString("destination", out var destination, out var destinationName))
        {
            return;
        }

        var move = context.Call.Name.Contains("move", StringComparison.OrdinalIgnoreCase) || context.Call.Name.Contains("rename", StringComparison.OrdinalIgnoreCase);
        context.Sink.Add(new FileOperation(move ? FileAction.Move : FileAction.Copy, context.Normalize(destination))
        {
            Sources = [context.Normalize(source)],
            Recursive = true,
            Program = context.Call.Name,
            Source = destinationName,
            Span = new TextSpan(0, destination.Length),
        });
    }

    // Edit tools carry the new text in different shapes (a string, or an array of edits): keep whatever text there is.
    private static string? ReadContent(InterpretationContext context)
    {
        if (!context.TryGetElement("content", out var element, out _))
        {
            return null;
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                var text = element.GetString();
                return text is not null && text.Length <= context.Limits.MaxInputLength ? text : null;
            case JsonValueKind.Array or JsonValueKind.Object:
                var builder = new StringBuilder();
                CollectStrings(element, builder, context.Limits.MaxInputLength, 0);
                return builder.ToString();
            default:
                return null;
        }
    }

    internal static void CollectStrings(JsonElement element, StringBuilder builder, int maxLength, int depth)
    {
        if (builder.Length >= maxLength || depth > 32)
        {
            return;
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                builder.Append(element.GetString()).Append('\n');
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    CollectStrings(item, builder, maxLength, depth + 1);
                }

                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    CollectStrings(property.Value, builder, maxLength, depth + 1);
                }

                break;
        }
    }
}
