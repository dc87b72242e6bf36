using System.Text.Json;
using Guardrails.Actions;
using Guardrails.Python;
using Guardrails.Shell;
using Guardrails.Shell.Programs;

namespace Guardrails.Interpreters;

/// <summary>Routes a tool call to the interpreter its binding names and resolves the working directory first.</summary>
internal static class ToolInterpreter
{
    /// <summary>The shell argument name whose array value is a list of command lines rather than an argument vector.</summary>
    internal const string CommandListName = "commands";

    public static void Interpret(InterpretationContext context)
    {
        context.WorkingDirectory = context.Call.WorkingDirectory is { Length: > 0 } callCwd ? context.Catalog.Normalize(callCwd, null) : null;
        if (context.TryGetString("cwd", out var cwd, out _) && cwd.Length > 0)
        {
            context.WorkingDirectory = context.Catalog.Normalize(cwd, context.Call.WorkingDirectory);
        }

        switch (context.Binding.Interpreter)
        {
            case InterpreterKind.Shell:
                if (context.TryGetElement("command", out var commandElement, out var commandName) && commandElement.ValueKind == JsonValueKind.Array)
                {
                    if (CommandLineOf(context, commandElement, commandName) is { } commandLine)
                    {
                        new ShellAnalyzer(context).AnalyzeCommand(commandLine, commandName);
                    }

                    return;
                }

                if (!context.RequireString("command", out var command, out commandName))
                {
                    return;
                }

                new ShellAnalyzer(context).AnalyzeCommand(command, commandName);
                break;
            case InterpreterKind.Python:
                if (!context.RequireString("code", out var code, out var codeName))
                {
                    return;
                }

                new ShellAnalyzer(context).AnalyzePythonSource(code, codeName);
                break;
            case InterpreterKind.FileWrite:
                FileInterpreters.Write(context, FileAction.Write);
                break;
            case InterpreterKind.FileEdit:
                FileInterpreters.Write(context, FileAction.Write);
                break;
            case InterpreterKind.FileRead:
                FileInterpreters.Read(context);
                break;
            case InterpreterKind.FileCopy:
                FileInterpreters.Copy(context);
                break;
            case InterpreterKind.Process:
                InterpretProcess(context);
                break;
            case InterpreterKind.Http:
                HttpInterpreter.Interpret(context);
                break;
            default:
                GenericInterpreter.Interpret(context);
                break;
        }
    }

    /// <summary>
    /// Reads a shell tool's command given as an array of strings, as the shell line it stands for: an argument vector
    /// (<c>["bash", "-lc", "ls"]</c>, as Codex's <c>shell</c> and OpenAI's <c>local_shell</c> send it) becomes the
    /// quoted command line that runs exactly that program with exactly those arguments; a list named
    /// <see cref="CommandListName"/> (<c>["ls", "pwd"]</c>, as LangChain's terminal tool sends it) is one command line
    /// per item, all of which run. Spans of findings index into that line. Records a shape or size problem, and returns
    /// <see langword="null"/>, for an empty array, a non-string item, or a line over the input limit.
    /// </summary>
    internal static string? CommandLineOf(InterpretationContext context, JsonElement array, string name)
    {
        var items = new List<string>();
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                context.Sink.AddProblem("guardrails.input.shape", $"argument '{name}' of tool '{context.Call.Name}' should be a string or an array of strings", name, TextSpan.Empty);
                return null;
            }

            items.Add(item.GetString() ?? string.Empty);
        }

        if (items.Count == 0)
        {
            context.Sink.AddProblem("guardrails.input.shape", $"argument '{name}' of tool '{context.Call.Name}' is an empty array: there is no command to read", name, TextSpan.Empty);
            return null;
        }

        var line = string.Equals(name, CommandListName, StringComparison.Ordinal)
            ? string.Join('\n', items)
            : string.Join(' ', items.Select(ShellQuoting.Quote));
        if (line.Length > context.Limits.MaxInputLength)
        {
            context.Sink.AddProblem("guardrails.limit.input-size", $"argument '{name}' is {line.Length} characters long as a command line, over the limit of {context.Limits.MaxInputLength}", name, TextSpan.Empty);
            return null;
        }

        return line;
    }

    private static void InterpretProcess(InterpretationContext context)
    {
        if (!context.RequireString("program", out var program, out var programName))
        {
            return;
        }

        var analyzer = new ShellAnalyzer(context);
        if (!context.TryGetElement("args", out var args, out var argsName) || args.ValueKind == JsonValueKind.Null)
        {
            // A process tool given a whole command line and no argument list: read it the way a shell would.
            analyzer.AnalyzeCommand(program, programName);
            return;
        }

        if (args.ValueKind == JsonValueKind.String)
        {
            analyzer.AnalyzeCommand(ShellQuoting.Quote(program) + " " + args.GetString(), argsName);
            return;
        }

        if (args.ValueKind != JsonValueKind.Array)
        {
            context.Sink.AddProblem("guardrails.input.shape", $"argument '{argsName}' of tool '{context.Call.Name}' should be an array of strings", argsName, TextSpan.Empty);
            return;
        }

        var argv = new List<string>();
        var spans = new List<TextSpan>();
        foreach (var item in args.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                context.Sink.AddProblem("guardrails.input.shape", $"argument '{argsName}' of tool '{context.Call.Name}' should contain only strings", argsName, TextSpan.Empty);
                return;
            }

            argv.Add(item.GetString() ?? string.Empty);
            spans.Add(new TextSpan(0, program.Length));
        }

        analyzer.AnalyzeInvocation(new CommandInvocation
        {
            Program = program,
            Arguments = argv,
            ArgumentSpans = spans,
            Span = new TextSpan(0, program.Length),
            ProgramSpan = new TextSpan(0, program.Length),
            Source = programName,
            WorkingDirectory = context.WorkingDirectory,
        });
    }
}
