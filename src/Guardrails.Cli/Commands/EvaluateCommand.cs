using System.Globalization;
using Guardrails.Cli.IO;
using Guardrails.Cli.Rendering;

namespace Guardrails.Cli.Commands;

/// <summary>
/// <c>guardrails evaluate</c>: reads tool calls as JSON Lines and writes one decision per line, in order — the contract
/// agent hosts integrate against.
/// </summary>
/// <remarks>
/// One <see cref="Guard"/> decides every line; input is streamed, never loaded whole. Every input line gets exactly one
/// answer: a line that cannot be read is denied with <c>guardrails.input.malformed</c>, and a policy that cannot be
/// loaded denies every line — nothing is ever allowed by accident.
/// </remarks>
internal static class EvaluateCommand
{
    /// <summary>The rule id of the answer to a line that is not a valid tool call.</summary>
    public const string MalformedRule = "guardrails.input.malformed";

    /// <summary>The rule id of the answer to a line whose evaluation failed unexpectedly.</summary>
    public const string InternalErrorRule = "guardrails.error.internal";

    /// <summary>How many answers may wait in the output buffer while reading from standard input.</summary>
    public const int FlushInterval = 1000;

    /// <summary>Gets the usage text.</summary>
    public static string Usage { get; } =
        $$"""
        Usage: {{CliApp.CommandName}} evaluate [--policy FILE|builtin:NAME] [--input FILE] [--cwd DIR]

        Reads tool calls as JSON Lines (standard input, or --input FILE) and writes one decision per
        input line to standard output, in the same order:

          in:  {"id": "c1", "session": "s1", "tool": "bash", "arguments": {"command": "ls"}, "cwd": "/home/agent"}
          out: {"id":"c1","decision":"allow","score":0,"rules":[],"reasons":[]}

        Input fields: tool (required), arguments (required: a JSON object, or a string holding one),
        id (string or number, echoed back), session, agent, cwd (optional strings).
        Output fields: id, decision (allow|deny|escalate), score, rules, reasons; plus error when the
        decision was forced by a failure, and shadow when the policy runs in audit mode.
        A line that is not a valid tool call is denied with rule guardrails.input.malformed and an
        error that names the line; processing continues.

        Options:
          --policy FILE|builtin:NAME  The policy (default: builtin:default). If it cannot be loaded,
                                      its problems go to standard error and every call is denied.
          --input FILE                Read from FILE instead of standard input ('-' for standard input).
          --cwd DIR                   The working directory of calls that carry no 'cwd'.
          -h, --help                  Show this help.

        Exit codes: 0 every line was answered; 64 usage error; 66 the input file cannot be opened.
        """;

    /// <summary>Runs the command.</summary>
    /// <param name="args">The arguments after <c>evaluate</c>.</param>
    /// <param name="console">The console.</param>
    /// <returns>The exit code.</returns>
    public static int Run(ReadOnlySpan<string> args, CliConsole console)
    {
        if (!CommandLine.TryParse(args, ["--policy", "--input", "--cwd"], [], out var commandLine, out var problem))
        {
            return CliApp.UsageError(console, problem, Usage);
        }

        if (commandLine.HelpRequested)
        {
            console.Out.WriteLine(Usage);
            return ExitCodes.Success;
        }

        if (commandLine.Positionals.Count > 0)
        {
            return CliApp.UsageError(console, $"unexpected argument '{commandLine.Positionals[0]}'", Usage);
        }

        var inputPath = commandLine.Value("--input");
        var fromStdin = inputPath is null or "-";
        Stream input;
        try
        {
            input = fromStdin
                ? console.OpenInput()
                : new FileStream(inputPath!, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var reason = ex is FileNotFoundException or DirectoryNotFoundException ? "no such file" : ex.Message;
            console.Error.WriteLine($"{CliApp.CommandName}: cannot open input file '{inputPath}': {reason}");
            return ExitCodes.NoInput;
        }

        using (input)
        {
            var guard = GuardFactory.Create(commandLine.Value("--policy") ?? GuardFactory.DefaultPolicy, console.Error);
            Evaluate(input, guard, commandLine.Value("--cwd"), console.Out, fromStdin);
        }

        return ExitCodes.Success;
    }

    /// <summary>Answers every line of <paramref name="input"/> on <paramref name="output"/>.</summary>
    /// <param name="input">The JSON Lines input.</param>
    /// <param name="guard">The guard that decides.</param>
    /// <param name="defaultWorkingDirectory">The working directory of calls without <c>cwd</c>.</param>
    /// <param name="output">Where the answers go.</param>
    /// <param name="streaming">
    /// Whether a consumer may be waiting for each answer (standard input): answers are then flushed before every read
    /// that may block and at least every <see cref="FlushInterval"/> lines.
    /// </param>
    /// <returns>The number of lines answered.</returns>
    public static long Evaluate(Stream input, Guard guard, string? defaultWorkingDirectory, TextWriter output, bool streaming)
    {
        using var writer = new JsonLinesWriter(output);
        var reader = new LineReader(input, streaming ? writer.Flush : null);
        long lineNumber = 0;
        while (true)
        {
            var status = reader.Read(out var line);
            if (status == LineStatus.End)
            {
                break;
            }

            lineNumber++;
            switch (status)
            {
                case LineStatus.TooLong:
                    Malformed(writer, lineNumber, InputId.None, string.Create(CultureInfo.InvariantCulture, $"line is longer than {LineReader.MaxLineBytes / (1024 * 1024)} MiB"));
                    break;
                case LineStatus.InvalidUtf8:
                    Malformed(writer, lineNumber, InputId.None, "line is not valid UTF-8");
                    break;
                default:
                    Answer(writer, guard, lineNumber, line, defaultWorkingDirectory);
                    break;
            }

            if (streaming && lineNumber % FlushInterval == 0)
            {
                writer.Flush();
            }
        }

        writer.Flush();
        return lineNumber;
    }

    private static void Answer(JsonLinesWriter writer, Guard guard, long lineNumber, ReadOnlyMemory<byte> line, string? defaultWorkingDirectory)
    {
        ToolCallLine? parsed;
        InputId id;
        string problem;
        bool valid;
        try
        {
            valid = ToolCallLine.TryParse(line, defaultWorkingDirectory, out parsed, out id, out problem);
        }
#pragma warning disable CA1031 // Fail closed: a line that cannot be read is denied and the run goes on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            (valid, parsed, id, problem) = (false, null, InputId.None, $"the line cannot be read: {ex.Message}");
        }

        if (!valid || parsed is null)
        {
            Malformed(writer, lineNumber, id, problem);
            return;
        }

        using (parsed)
        {
            Decision decision;
            try
            {
                decision = guard.Evaluate(parsed.Call);
            }
#pragma warning disable CA1031 // Fail closed: a failing evaluation denies this line and the run goes on.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                writer.WriteFailure(id, InternalErrorRule, "the tool call could not be evaluated", Prefix(lineNumber, $"internal error: {ex.GetType().Name}: {ex.Message}"));
                return;
            }

            writer.WriteDecision(id, decision);
        }
    }

    private static void Malformed(JsonLinesWriter writer, long lineNumber, InputId id, string problem) =>
        writer.WriteFailure(id, MalformedRule, "the tool call is malformed: " + problem, Prefix(lineNumber, problem));

    private static string Prefix(long lineNumber, string message) =>
        string.Create(CultureInfo.InvariantCulture, $"line {lineNumber}: {message}");
}
