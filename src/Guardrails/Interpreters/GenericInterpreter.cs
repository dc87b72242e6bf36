using System.Text.Json;
using Guardrails.Actions;
using Guardrails.Shell;
using Guardrails.Shell.Syntax;

namespace Guardrails.Interpreters;

/// <summary>
/// Interprets a tool nothing is known about. Its semantics are unknown, but the paths it names are not: each
/// string argument that looks like a path becomes an operation on that path, so that an unknown tool handed a weight
/// file, a credential or the guard's policy still meets the rules about those resources. Each such path is read; when
/// the tool's name says it also changes what it is given (<c>delete_file</c>, <c>fs_rename</c>, <c>write_note</c>,
/// <c>replace</c>), that change is derived as well, so that the name can only add findings, never hide one.
/// And an argument named like a command line (<c>command</c>, <c>cmd</c>, <c>command_line</c>, …) whose text is valid
/// bash is read as the shell command it most likely is — an unknown <c>terminal_run</c> or <c>docker_exec</c> tool gets
/// the shell analysis too.
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

            Visit(context, context.Call.Arguments, string.Empty, 0, ActionOf(context.Call.Name));
        }
    }

    /// <summary>Reads what a tool does to the paths it is given from the words of its name; a read when it does not say.</summary>
    internal static FileAction ActionOf(string toolName)
    {
        var action = FileAction.Read;
        foreach (var word in Words(toolName))
        {
            switch (word)
            {
                case "delete" or "remove" or "rm" or "unlink" or "rmdir" or "erase" or "trash" or "truncate" or "purge" or "wipe" or "shred":
                    return FileAction.Delete;
                case "move" or "mv" or "rename":
                    action = FileAction.Move;
                    break;
                case "chmod" or "chown" or "chattr" or "permission" or "permissions":
                    action = action == FileAction.Move ? action : FileAction.PermissionChange;
                    break;
                case "write" or "edit" or "replace" or "save" or "create" or "append" or "patch" or "modify" or "update" or "overwrite" or "insert" or "set":
                    action = action == FileAction.Read ? FileAction.Write : action;
                    break;
            }
        }

        return action;
    }

    // The lower-case words of a tool name: split at anything but letters and digits, and where camelCase changes case.
    private static IEnumerable<string> Words(string name)
    {
        var start = 0;
        for (var i = 1; i <= name.Length; i++)
        {
            if (i == name.Length || !char.IsAsciiLetterOrDigit(name[i]) || (char.IsAsciiLetterUpper(name[i]) && char.IsAsciiLetterLower(name[i - 1])))
            {
                if (i > start && char.IsAsciiLetterOrDigit(name[start]))
                {
                    yield return name[start..i].ToLowerInvariant();
                }

                start = i < name.Length && !char.IsAsciiLetterOrDigit(name[i]) ? i + 1 : i;
            }
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

    private static void Visit(InterpretationContext context, JsonElement element, string name, int depth, FileAction action)
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
                    Visit(context, property.Value, depth == 0 ? property.Name : name, depth + 1, action);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Visit(context, item, name, depth + 1, action);
                }

                break;
            case JsonValueKind.String:
                var text = element.GetString();
                if (text is { Length: > 0 } && text.Length <= 4096 && (LooksLikePath(text) || (action != FileAction.Read && NamesAPath(name) && !text.AsSpan().ContainsAny(" \n\t"))))
                {
                    var path = context.Normalize(text);
                    context.Sink.Add(new FileOperation(FileAction.Read, path) { Program = context.Call.Name, Source = name, Span = new TextSpan(0, text.Length) });
                    if (action != FileAction.Read)
                    {
                        context.Sink.Add(new FileOperation(action, path) { Program = context.Call.Name, Source = name, Span = new TextSpan(0, text.Length) });
                    }
                }

                break;
        }
    }

    // An argument whose name says it holds a path (target_file, path, from, …): for a tool that changes what it is
    // given, a relative name such as .claude/settings.json counts too.
    private static bool NamesAPath(string argument)
    {
        var name = argument.ToLowerInvariant();
        return name.Contains("path", StringComparison.Ordinal) || name.Contains("file", StringComparison.Ordinal) || name.Contains("dir", StringComparison.Ordinal)
            || name is "source" or "src" or "destination" or "dest" or "dst" or "from" or "to" or "target" or "folder" or "name";
    }

    private static bool LooksLikePath(string text) =>
        (text[0] == '/' || text.StartsWith("~/", StringComparison.Ordinal) || text.StartsWith("./", StringComparison.Ordinal) || text.StartsWith("../", StringComparison.Ordinal))
        && !text.AsSpan().ContainsAny(" \n\t");
}
