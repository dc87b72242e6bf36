using System.Reflection;
using System.Text;
using Guardrails.Cli.Commands;
using Guardrails.Cli.IO;

namespace Guardrails.Cli;

/// <summary>The <c>guardrails</c> command: dispatches to <c>evaluate</c>, <c>check</c> and <c>validate</c>.</summary>
internal static class CliApp
{
    /// <summary>The name users type.</summary>
    public const string CommandName = "guardrails";

    private const int OutputBufferSize = 64 * 1024;

    // `hook` writes one short answer per process: a 64 KiB writer would allocate (and page in) about 400 KB of buffers,
    // a measurable part of a hook call (docs/hook-startup.md).
    private const int HookOutputBufferSize = 4 * 1024;

    /// <summary>Gets the general usage text.</summary>
    public static string Usage { get; } =
        $"""
        {CommandName} - decides whether an AI agent's tool calls may run, before they execute.

        Usage:
          {CommandName} evaluate [--policy FILE|builtin:NAME] [--input FILE] [--cwd DIR]
          {CommandName} check "<shell command>" [--policy FILE|builtin:NAME] [--cwd DIR] [--tool NAME] [--json]
          {CommandName} validate [FILE|builtin:NAME]
          {CommandName} replay FILE.jsonl [--policy FILE|builtin:NAME] [--self-config FILE]
          {CommandName} mcp-proxy [--policy FILE|builtin:NAME] -- <command> [args...]
          {CommandName} test [PATH...] [--policy FILE|builtin:NAME] [--mutate] [--coverage own|all|none]
          {CommandName} explain "<shell command>" | --tool NAME --args JSON [--policy FILE|builtin:NAME] [--json]
          {CommandName} diff OLD NEW --replay FILE.jsonl [--json]
          {CommandName} hook [--agent claude|gemini] [--policy FILE|builtin:NAME] [--defer-allow]
          {CommandName} serve [--policy FILE|builtin:NAME] [--port N | --urls URLS]
          {CommandName} help [COMMAND]
          {CommandName} --version

        Commands:
          evaluate   Read tool calls as JSON Lines and write one decision per line.
          check      Evaluate one shell command and explain the verdict.
          validate   Load a policy and report every problem in it.
          replay     Replay recorded agent trajectories and show where each was stopped.
          mcp-proxy  Serve an MCP server's tools over stdio, deciding every tool call first.
          test       Run declarative policy tests (*.guardrails-tests.json), with coverage and bypass mutations.
          explain    Show how the policy decides one tool call: operations, rules, conditions, score.
          diff       Replay recorded tool calls through two policies and list the decisions that changed.
          hook       Answer a coding agent's pre-tool-use hook (Claude Code, Gemini CLI); fails closed.
          serve      Serve decisions over HTTP on loopback, reloading the policy when it changes.

        Run '{CommandName} <command> --help' for the options of a command.
        """;

    /// <summary>Runs the command line <paramref name="args"/>.</summary>
    /// <param name="args">The arguments, without the program name.</param>
    /// <param name="stdin">Standard input. When it is <see cref="Console.In"/>, the raw stdin byte stream is read instead.</param>
    /// <param name="stdout">Standard output. When it is <see cref="Console.Out"/>, a 64 KiB buffered UTF-8 writer over the raw stdout stream is used instead.</param>
    /// <param name="stderr">Standard error.</param>
    /// <returns>The process exit code (see <see cref="ExitCodes"/>).</returns>
    public static int Run(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdin);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);

        var realOut = ReferenceEquals(stdout, Console.Out);
        var realIn = ReferenceEquals(stdin, Console.In);
        var bufferSize = args is ["hook", ..] ? HookOutputBufferSize : OutputBufferSize;
        var output = realOut
            ? new StreamWriter(new BufferedStream(Console.OpenStandardOutput(), bufferSize), new UTF8Encoding(false), bufferSize) { AutoFlush = false }
            : stdout;
        Func<Stream> openInput = realIn ? Console.OpenStandardInput : () => new TextReaderStream(stdin);
        var console = new CliConsole(stdin, output, stderr, openInput, realOut && IsStyledTerminal());
        try
        {
            return Dispatch(args, console);
        }
        catch (IOException ex)
        {
            stderr.WriteLine($"{CommandName}: I/O error: {ex.Message}");
            return ExitCodes.IOError;
        }
#pragma warning disable CA1031 // The last line of defence: report, never crash with a stack trace in the user's pipeline.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            stderr.WriteLine($"{CommandName}: internal error: {ex}");
            return ExitCodes.Software;
        }
        finally
        {
            try
            {
                output.Flush();
                if (realOut)
                {
                    output.Dispose();
                }
            }
            catch (IOException)
            {
                // The reader went away (closed pipe); nothing left to tell it.
            }
        }
    }

    /// <summary>Gets the informational version of the tool, for example <c>0.1.0+abc123</c>.</summary>
    public static string Version =>
        typeof(CliApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(CliApp).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    /// <summary>Writes a usage error: the problem, then the usage of the command (or of the tool).</summary>
    /// <param name="console">The console.</param>
    /// <param name="problem">What is wrong with the command line.</param>
    /// <param name="usage">The usage text to show.</param>
    /// <returns><see cref="ExitCodes.Usage"/>.</returns>
    public static int UsageError(CliConsole console, string problem, string usage)
    {
        console.Error.WriteLine($"{CommandName}: {problem}");
        console.Error.WriteLine();
        console.Error.WriteLine(usage);
        return ExitCodes.Usage;
    }

    private static int Dispatch(string[] args, CliConsole console)
    {
        if (args.Length == 0)
        {
            return UsageError(console, "no command given", Usage);
        }

        var rest = args.AsSpan(1);
        switch (args[0])
        {
            case "-h" or "--help" or "-?":
                console.Out.WriteLine(Usage);
                return ExitCodes.Success;
            case "help":
                return Help(rest, console);
            case "--version":
                console.Out.WriteLine(Version);
                return ExitCodes.Success;
            case "evaluate":
                return EvaluateCommand.Run(rest, console);
            case "check":
                return CheckCommand.Run(rest, console);
            case "validate":
                return ValidateCommand.Run(rest, console);
            case "replay":
                return ReplayCommand.Run(rest, console);
            case "mcp-proxy":
                return McpProxyCommand.Run(rest, console);
            case "test":
                return TestCommand.Run(rest, console);
            case "explain":
                return ExplainCommand.Run(rest, console);
            case "diff":
                return DiffCommand.Run(rest, console);
            case "hook":
                return HookCommand.Run(rest, console);
            case "serve":
                return ServeCommand.Run(rest, console);
            default:
                return UsageError(console, args[0].StartsWith('-') ? $"unknown option '{args[0]}'" : $"unknown command '{args[0]}'", Usage);
        }
    }

    private static int Help(ReadOnlySpan<string> args, CliConsole console)
    {
        if (args.Length == 0)
        {
            console.Out.WriteLine(Usage);
            return ExitCodes.Success;
        }

        var usage = args[0] switch
        {
            "evaluate" => EvaluateCommand.Usage,
            "check" => CheckCommand.Usage,
            "validate" => ValidateCommand.Usage,
            "replay" => ReplayCommand.Usage,
            "mcp-proxy" => McpProxyCommand.Usage,
            "test" => TestCommand.Usage,
            "explain" => ExplainCommand.Usage,
            "diff" => DiffCommand.Usage,
            "hook" => HookCommand.Usage,
            "serve" => ServeCommand.Usage,
            _ => null,
        };
        if (usage is null || args.Length > 1)
        {
            return UsageError(console, usage is null ? $"unknown command '{args[0]}'" : "help takes one command name", Usage);
        }

        console.Out.WriteLine(usage);
        return ExitCodes.Success;
    }

    private static bool IsStyledTerminal() =>
        !Console.IsOutputRedirected
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"))
        && !string.Equals(Environment.GetEnvironmentVariable("TERM"), "dumb", StringComparison.Ordinal);
}
