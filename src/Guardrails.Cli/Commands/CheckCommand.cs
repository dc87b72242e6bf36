using System.Text.Json;
using Guardrails.Cli.Rendering;

namespace Guardrails.Cli.Commands;

/// <summary>
/// <c>guardrails check "&lt;shell command&gt;"</c>: evaluates one shell tool call and explains the verdict to a person
/// (or, with <c>--json</c>, to a script). The exit code is the verdict.
/// </summary>
internal static class CheckCommand
{
    /// <summary>The tool name used unless <c>--tool</c> says otherwise.</summary>
    public const string DefaultTool = "bash";

    /// <summary>The argument the command is passed in.</summary>
    public const string CommandArgument = "command";

    /// <summary>Gets the usage text.</summary>
    public static string Usage { get; } =
        $"""
        Usage: {CliApp.CommandName} check "<shell command>" [--policy FILE|builtin:NAME] [--cwd DIR] [--tool NAME] [--json]

        Evaluates one shell command as the tool call {DefaultTool} {"{"}"{CommandArgument}": "<shell command>"{"}"} and explains the
        verdict: the rules that fired, their capability and message, and the part of the command that
        triggered each one. Use '-' as the command to read it (possibly several lines) from standard
        input, and '--' before a command that starts with '-'.

        Options:
          --policy FILE|builtin:NAME  The policy (default: builtin:default). If it cannot be loaded, its
                                      problems go to standard error and the verdict is deny.
          --cwd DIR                   The working directory relative paths resolve against (default: unknown).
          --tool NAME                 The tool name of the call (default: {DefaultTool}); the command is still
                                      passed as the argument '{CommandArgument}'.
          --json                      Print the whole decision as JSON instead of text.
          -h, --help                  Show this help.

        Exit codes: 0 allow; 1 escalate; 2 deny; 64 usage error.
        """;

    /// <summary>Runs the command.</summary>
    /// <param name="args">The arguments after <c>check</c>.</param>
    /// <param name="console">The console.</param>
    /// <returns>The exit code: 0 allow, 1 escalate, 2 deny, 64 usage.</returns>
    public static int Run(ReadOnlySpan<string> args, CliConsole console)
    {
        if (!CommandLine.TryParse(args, ["--policy", "--cwd", "--tool"], ["--json"], out var commandLine, out var problem))
        {
            return CliApp.UsageError(console, problem, Usage);
        }

        if (commandLine.HelpRequested)
        {
            console.Out.WriteLine(Usage);
            return ExitCodes.Success;
        }

        switch (commandLine.Positionals.Count)
        {
            case 0:
                return CliApp.UsageError(console, "no command given", Usage);
            case > 1:
                return CliApp.UsageError(console, $"unexpected argument '{commandLine.Positionals[1]}' (quote the whole command as one argument)", Usage);
        }

        var command = commandLine.Positionals[0];
        if (command == "-")
        {
            command = console.In.ReadToEnd();
        }

        var tool = commandLine.Value("--tool") ?? DefaultTool;
        var guard = GuardFactory.Create(commandLine.Value("--policy") ?? GuardFactory.DefaultPolicy, console.Error);
        var decision = Evaluate(guard, tool, command, commandLine.Value("--cwd"));
        if (commandLine.Flag("--json"))
        {
            DecisionJson.Write(decision, tool, CommandArgument, command, console.Out);
        }
        else
        {
            new TextRenderer(console.Styled).Write(decision, CommandArgument, command, console.Out);
        }

        return decision.Verdict switch
        {
            Verdict.Allow => ExitCodes.Success,
            Verdict.Escalate => ExitCodes.Escalate,
            _ => ExitCodes.Deny,
        };
    }

    private static Decision Evaluate(Guard guard, string tool, string command, string? workingDirectory)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString(CommandArgument, command);
            writer.WriteEndObject();
        }

        using var arguments = JsonDocument.Parse(stream.ToArray());
        return guard.Evaluate(new ToolCall(tool, arguments.RootElement) { WorkingDirectory = workingDirectory });
    }
}
