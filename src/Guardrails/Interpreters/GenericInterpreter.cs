using System.Text.Json;
using Guardrails.Actions;
using Guardrails.Shell;
using Guardrails.Shell.Syntax;

namespace Guardrails.Interpreters;

/// <summary>
/// Interprets a tool nothing is known about. Its semantics are unknown, but the paths it names are not: each
/// string argument that looks like a path becomes a read of that path, so that an unknown tool handed a weight file,
/// a credential or the guard's policy still meets the rules about those resources. And an argument named like a
/// command line (<c>command</c>, <c>cmd</c>, <c>command_line</c>, …) whose text is valid bash is read as the shell
/// command it most likely is — an unknown <c>terminal_run</c> or <c>docker_exec</c> tool gets the shell analysis too.
/// </summary>
internal static class GenericInterpreter
{
    private const int MaxDepth = 16;

    /// <summary>The argument names that carry a command line in the shell tools of every framework seen so far.</summary>
    private static readonly HashSet<string> CommandNames = new(StringComparer.Ordinal)
    {
        "command", "cmd", "commandLine", "command_line", "CommandLine", "shell_command", "bash_command",
    };

    private static readonly ToolBinding ShellBinding = ToolBinding.Create(InterpreterKind.Shell);

    public static void Interpret(InterpretationContext context)
    {
        if (context.Call.Arguments.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
        {
            if (context.Call.Arguments.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in context.Call.Arguments.EnumerateObject())
                {
                    if (CommandNames.Contains(property.Name) && property.Value.ValueKind == JsonValueKind.String)
                    {
                        AnalyzeIfShell(context, property.Value.GetString()!, property.Name);
                    }
                }
            }

            Visit(context, context.Call.Arguments, string.Empty, 0);
        }
    }

    /// <summary>
    /// Analyses <paramref name="command"/> as a shell command when it parses as bash. Text that does not (SQL, prose, a
    /// program's own syntax) is left alone: the tool is unknown, so that is data, not a command the guard failed to read.
    /// </summary>
    private static void AnalyzeIfShell(InterpretationContext context, string command, string name)
    {
        if (command.Length == 0 || command.Length > context.Limits.MaxInputLength)
        {
            return;
        }

        var parsed = BashParser.Parse(command, ParserLimits.Default with { MaxLength = context.Limits.MaxInputLength });
        if (parsed.Diagnostics.Any(static d => d.Kind is ParseDiagnosticKind.SyntaxError or ParseDiagnosticKind.UnterminatedQuote or ParseDiagnosticKind.UnterminatedHereDoc))
        {
            return;
        }

        var shell = new InterpretationContext(context.Call, ShellBinding, context.Policy, context.Sink) { WorkingDirectory = context.WorkingDirectory };
        new ShellAnalyzer(shell).AnalyzeCommand(command, name);
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
