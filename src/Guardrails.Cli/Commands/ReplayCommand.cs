using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Guardrails.Cli.Commands;

/// <summary>
/// <c>guardrails replay FILE.jsonl</c>: replays recorded agent trajectories through one guard, in order, and prints each
/// session as a timeline (step, tool, short input, decision, rules) with a summary of where it was stopped.
/// </summary>
/// <remarks>
/// Steps are decided in file order by one <see cref="Guard"/>, so steps of the same session see each other's history
/// exactly as they would have live; sessions never see each other's. The format is documented in
/// <c>docs/trajectories.md</c>: the <c>evaluate</c> format, plus <c>step</c>, notice lines, and the corpus fields
/// <c>trajectory</c> and <c>command_concrete</c>/<c>command</c>.
/// </remarks>
internal static class ReplayCommand
{
    /// <summary>The session of lines that name none: a file without session fields is one trajectory.</summary>
    public const string DefaultSession = "default";

    private const int InputWidth = 64;
    private const int MaxToolWidth = 28;

    /// <summary>Gets the usage text.</summary>
    public static string Usage { get; } =
        $$"""
        Usage: {{CliApp.CommandName}} replay FILE.jsonl [--policy FILE|builtin:NAME] [--self-config FILE] [--cwd DIR] [--host-aware]

        Replays recorded agent trajectories (JSON Lines, '-' for standard input) through one guard, step by
        step in file order, and prints each session as a timeline (step, tool, short input, decision, rules)
        followed by a summary: the first step that was stopped (denied or escalated) and by which rule.

          {"session": "s1", "step": 1, "tool": "bash", "arguments": {"command": "ls"}, "cwd": "/home/agent"}
          {"session": "s1", "notice": "shutdown"}

        A line is a tool call in the 'evaluate' format (tool, arguments, id, session, cwd) with an optional
        step number, or a notice the host gave the agent ("notice": "shutdown"). Lines of the shared corpora
        are read too: trajectory is the session, and command_concrete (else command) the shell command.
        Lines without a session belong to session '{{DefaultSession}}'. See docs/trajectories.md.

        Options:
          --policy FILE|builtin:NAME  The policy (default: builtin:default). If it cannot be loaded, its
                                      problems go to standard error and every step is denied.
          --self-config FILE          A JSON file describing the agent itself: the fields of a policy's
                                      'self' section (agentDirectories, modelDirectories, servingPorts, …),
                                      or an object with a "self" property. Added to the policy's.
          --cwd DIR                   The working directory of steps that carry no 'cwd'.
          --host-aware                Inspect this machine's filesystem (directories holding weight files,
                                      symbolic links, globs) as GuardOptions.HostAware does.
          -h, --help                  Show this help.

        Exit codes: 0 replayed; 64 usage error or invalid --self-config; 66 a file cannot be opened.
        """;

    /// <summary>Runs the command.</summary>
    /// <param name="args">The arguments after <c>replay</c>.</param>
    /// <param name="console">The console.</param>
    /// <returns>The exit code.</returns>
    public static int Run(ReadOnlySpan<string> args, CliConsole console)
    {
        if (!CommandLine.TryParse(args, ["--policy", "--self-config", "--cwd"], ["--host-aware"], out var commandLine, out var problem))
        {
            return CliApp.UsageError(console, problem, Usage);
        }

        if (commandLine.HelpRequested)
        {
            console.Out.WriteLine(Usage);
            return ExitCodes.Success;
        }

        if (commandLine.Positionals.Count != 1)
        {
            return CliApp.UsageError(console, commandLine.Positionals.Count == 0 ? "no trajectory file given" : $"unexpected argument '{commandLine.Positionals[1]}'", Usage);
        }

        var options = new GuardOptions { HostAware = commandLine.Flag("--host-aware") };
        if (commandLine.Value("--self-config") is { } selfPath)
        {
            string text;
            try
            {
                text = File.ReadAllText(selfPath);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                console.Error.WriteLine($"{CliApp.CommandName}: cannot open self configuration '{selfPath}': {(ex is FileNotFoundException or DirectoryNotFoundException ? "no such file" : ex.Message)}");
                return ExitCodes.NoInput;
            }

            if (!TryReadSelf(text, options.Self, out var selfProblem))
            {
                console.Error.WriteLine($"{CliApp.CommandName}: invalid self configuration '{selfPath}': {selfProblem}");
                return ExitCodes.Usage;
            }
        }

        var path = commandLine.Positionals[0];
        TextReader reader;
        try
        {
            reader = path == "-" ? console.In : new StreamReader(path, Encoding.UTF8);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            console.Error.WriteLine($"{CliApp.CommandName}: cannot open trajectory file '{path}': {(ex is FileNotFoundException or DirectoryNotFoundException ? "no such file" : ex.Message)}");
            return ExitCodes.NoInput;
        }

        using (path == "-" ? null : reader)
        {
            var guard = GuardFactory.Create(commandLine.Value("--policy") ?? GuardFactory.DefaultPolicy, console.Error, options);
            var sessions = Replay(reader, guard, commandLine.Value("--cwd"));
            Write(sessions, console.Out);
        }

        return ExitCodes.Success;
    }

    /// <summary>Decides every line of <paramref name="input"/> in order and groups the results by session, in order of first appearance.</summary>
    /// <param name="input">The trajectory lines.</param>
    /// <param name="guard">The guard; one for the whole replay, so that sessions keep their history.</param>
    /// <param name="defaultWorkingDirectory">The working directory of steps without <c>cwd</c>.</param>
    /// <returns>The sessions with their steps.</returns>
    public static IReadOnlyList<ReplaySession> Replay(TextReader input, Guard guard, string? defaultWorkingDirectory)
    {
        var sessions = new List<ReplaySession>();
        var byId = new Dictionary<string, ReplaySession>(StringComparer.Ordinal);
        var lineNumber = 0;
        while (input.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var step = ReadStep(line, lineNumber, defaultWorkingDirectory);
            if (!byId.TryGetValue(step.Session, out var session))
            {
                session = new ReplaySession(step.Session);
                byId[step.Session] = session;
                sessions.Add(session);
            }

            step.Number ??= session.Steps.Count(s => s.Notice is null) + 1;
            if (step.Problem is null && step.Notice is not null)
            {
                guard.RecordShutdownNotice(step.Session);
            }
            else if (step.Problem is null && step.Call is not null)
            {
                step.Decision = guard.Evaluate(step.Call);
            }

            session.Steps.Add(step);
        }

        return sessions;
    }

    /// <summary>Writes the timelines and summaries.</summary>
    /// <param name="sessions">The replayed sessions.</param>
    /// <param name="output">Where to write.</param>
    public static void Write(IReadOnlyList<ReplaySession> sessions, TextWriter output)
    {
        if (sessions.Count == 0)
        {
            output.WriteLine("no steps to replay");
            return;
        }

        for (var s = 0; s < sessions.Count; s++)
        {
            if (s > 0)
            {
                output.WriteLine();
            }

            WriteSession(sessions[s], output);
        }
    }

    private static void WriteSession(ReplaySession session, TextWriter output)
    {
        var actions = session.Steps.Where(t => t.Notice is null).ToList();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"session {Clean(session.Id)} ({actions.Count} {(actions.Count == 1 ? "step" : "steps")})"));
        var toolWidth = Math.Clamp(session.Steps.Select(t => Clean(t.Tool).Length).DefaultIfEmpty(4).Max(), 4, MaxToolWidth);
        var numberWidth = Math.Max(4, session.Steps.Select(t => t.Number?.ToString(CultureInfo.InvariantCulture).Length ?? 0).DefaultIfEmpty(0).Max());
        output.WriteLine($"  {"step".PadLeft(numberWidth)}  {"tool".PadRight(toolWidth)}  {"input".PadRight(InputWidth)}  {"decision",-8}  rules");
        foreach (var step in session.Steps)
        {
            var number = step.Notice is null ? (step.Number?.ToString(CultureInfo.InvariantCulture) ?? string.Empty) : "-";
            var tool = Shorten(Clean(step.Tool), toolWidth);
            var input = Shorten(Clean(step.Input), InputWidth);
            var (decision, rules) = step switch
            {
                { Problem: { } p } => ("ERROR", p),
                { Notice: { } n } => ("notice", n),
                { Decision: { } d } => (Verdict(d.Verdict), string.Join(", ", d.RuleIds)),
                _ => ("ERROR", "not evaluated"),
            };
            output.WriteLine($"  {number.PadLeft(numberWidth)}  {tool.PadRight(toolWidth)}  {input.PadRight(InputWidth)}  {decision,-8}  {rules}".TrimEnd());
        }

        var decided = actions.Where(t => t.Decision is not null).ToList();
        var allowed = decided.Count(t => t.Decision!.Verdict == Guardrails.Verdict.Allow);
        var escalated = decided.Count(t => t.Decision!.Verdict == Guardrails.Verdict.Escalate);
        var denied = decided.Count(t => t.Decision!.Verdict == Guardrails.Verdict.Deny);
        var errors = actions.Count(t => t.Problem is not null);
        var stopped = actions.Where(t => t.Problem is not null || t.Decision?.Verdict is Guardrails.Verdict.Deny or Guardrails.Verdict.Escalate).ToList();
        if (stopped.Count == 0)
        {
            output.WriteLine("  summary: not stopped: every step was allowed");
        }
        else
        {
            var first = stopped[0];
            var how = first.Decision is { } d
                ? $"{Verdict(d.Verdict)}) by {(d.RuleIds.Count == 0 ? "(no rule)" : d.RuleIds[0])}: {(d.Reasons.Count == 0 ? string.Empty : d.Reasons[0])}"
                : $"error): {first.Problem}";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  summary: stopped at step {first.Number} ({how}"));
            if (stopped.Count > 1)
            {
                output.WriteLine($"           also stopped: {string.Join(", ", stopped.Skip(1).Select(t => t.Number?.ToString(CultureInfo.InvariantCulture)))}");
            }
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"           {actions.Count} {(actions.Count == 1 ? "step" : "steps")}: {allowed} allow, {escalated} escalate, {denied} deny{(errors > 0 ? $", {errors} malformed" : string.Empty)}"));
    }

    private static string Verdict(Verdict verdict) => verdict switch
    {
        Guardrails.Verdict.Allow => "allow",
        Guardrails.Verdict.Escalate => "ESCALATE",
        _ => "DENY",
    };

    /// <summary>Reads one line: a tool call, a notice, or a problem that is shown in the timeline.</summary>
    private static ReplayStep ReadStep(string line, int lineNumber, string? defaultWorkingDirectory)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException ex)
        {
            return new ReplayStep(DefaultSession, "?", Shorten(line, InputWidth)) { Problem = $"line {lineNumber}: invalid JSON: {ex.Message}" };
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return new ReplayStep(DefaultSession, "?", Shorten(line, InputWidth)) { Problem = $"line {lineNumber}: a step must be a JSON object" };
            }

            var session = String(root, "session") ?? String(root, "trajectory") ?? DefaultSession;
            int? number = root.TryGetProperty("step", out var stepElement) && stepElement.ValueKind == JsonValueKind.Number && stepElement.TryGetInt32(out var n) ? n : null;
            if (String(root, "notice") is { } notice)
            {
                var noticeStep = new ReplayStep(session, "(host)", "notice: " + notice) { Number = number, Notice = notice };
                if (notice != "shutdown")
                {
                    noticeStep.Problem = $"line {lineNumber}: unknown notice '{notice}'; expected: shutdown";
                }

                return noticeStep;
            }

            var command = String(root, "command_concrete") ?? String(root, "command");
            var tool = String(root, "tool") ?? (command is null ? null : "bash");
            if (tool is null)
            {
                return new ReplayStep(session, "?", Shorten(line, InputWidth)) { Number = number, Problem = $"line {lineNumber}: no 'tool' (or 'command')" };
            }

            JsonElement arguments;
            if (root.TryGetProperty("arguments", out var given) && given.ValueKind == JsonValueKind.Object)
            {
                arguments = given.Clone();
            }
            else if (given.ValueKind == JsonValueKind.String && TryParseObject(given.GetString()!, out var parsed))
            {
                arguments = parsed;
            }
            else if (given.ValueKind == JsonValueKind.Undefined && command is not null)
            {
                arguments = ToolCall.Shell(command).Arguments;
            }
            else
            {
                return new ReplayStep(session, tool, Shorten(line, InputWidth)) { Number = number, Problem = $"line {lineNumber}: 'arguments' must be a JSON object (or a string holding one)" };
            }

            var id = root.TryGetProperty("id", out var idElement) && idElement.ValueKind is JsonValueKind.String or JsonValueKind.Number
                ? (idElement.ValueKind == JsonValueKind.String ? idElement.GetString() : idElement.GetRawText())
                : null;
            var call = new ToolCall(tool, arguments)
            {
                CallId = id,
                SessionId = session,
                AgentId = String(root, "agent"),
                WorkingDirectory = String(root, "cwd") ?? defaultWorkingDirectory,
            };
            return new ReplayStep(session, tool, Summarize(arguments)) { Number = number, Call = call };
        }
    }

    private static bool TryParseObject(string text, out JsonElement element)
    {
        element = default;
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            element = document.RootElement.Clone();
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Shows the arguments as briefly as possible: the command, code, URL or path when there is one, else the JSON.</summary>
    private static string Summarize(JsonElement arguments)
    {
        foreach (var name in new[] { "command", "cmd", "code", "url", "file_path", "path", "program" })
        {
            if (arguments.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
            {
                return value.GetString() ?? string.Empty;
            }
        }

        return arguments.GetRawText();
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;

    /// <summary>Reads a self configuration into <paramref name="self"/>.</summary>
    internal static bool TryReadSelf(string text, GuardSelfOptions self, out string problem)
    {
        problem = string.Empty;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            problem = "invalid JSON: " + ex.Message;
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("self", out var nested))
            {
                root = nested;
            }

            if (root.ValueKind != JsonValueKind.Object)
            {
                problem = "expected a JSON object with the fields of a policy's 'self' section";
                return false;
            }

            foreach (var property in root.EnumerateObject())
            {
                if (property.Name == "servingPorts")
                {
                    if (property.Value.ValueKind != JsonValueKind.Array || property.Value.EnumerateArray().Any(p => p.ValueKind != JsonValueKind.Number || !p.TryGetInt32(out var port) || port is < 0 or > 65535))
                    {
                        problem = "'servingPorts' must be an array of port numbers";
                        return false;
                    }

                    foreach (var port in property.Value.EnumerateArray())
                    {
                        self.ServingPorts.Add(port.GetInt32());
                    }

                    continue;
                }

                if (property.Name is "$schema" or "extends" or "version" or "name" or "description")
                {
                    continue; // a policy file that extends builtin:default may serve as the self configuration
                }

                IList<string>? target = property.Name switch
                {
                    "agentDirectories" => self.AgentDirectories,
                    "modelDirectories" => self.ModelDirectories,
                    "processNames" => self.ProcessNames,
                    "guardPaths" => self.GuardPaths,
                    "guardProcesses" => self.GuardProcesses,
                    "endpoints" => self.Endpoints,
                    "guardEnvironment" => self.GuardEnvironment,
                    _ => null,
                };
                if (target is null)
                {
                    problem = $"unknown property '{property.Name}'; expected one of: agentDirectories, modelDirectories, servingPorts, processNames, guardPaths, guardProcesses, endpoints, guardEnvironment";
                    return false;
                }

                if (property.Value.ValueKind != JsonValueKind.Array || property.Value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(v.GetString())))
                {
                    problem = $"'{property.Name}' must be an array of non-empty strings";
                    return false;
                }

                foreach (var value in property.Value.EnumerateArray())
                {
                    target.Add(value.GetString()!);
                }
            }

            return true;
        }
    }

    private static string Clean(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            builder.Append(c is '\n' or '\r' or '\t' ? ' ' : char.IsControl(c) ? '?' : c);
        }

        return builder.ToString();
    }

    private static string Shorten(string text, int width) => text.Length <= width ? text : string.Concat(text.AsSpan(0, width - 1), "…");
}

/// <summary>One replayed session: its id and its steps in order.</summary>
/// <param name="Id">The session id.</param>
internal sealed record ReplaySession(string Id)
{
    /// <summary>Gets the steps, in file order.</summary>
    public List<ReplayStep> Steps { get; } = [];
}

/// <summary>One replayed line: a tool call and its decision, a notice, or a line that could not be read.</summary>
/// <param name="Session">The session it belongs to.</param>
/// <param name="Tool">The tool name (or a placeholder).</param>
/// <param name="Input">The input shown in the timeline.</param>
internal sealed record ReplayStep(string Session, string Tool, string Input)
{
    /// <summary>Gets or sets the step number: the line's <c>step</c>, else its position in the session.</summary>
    public int? Number { get; set; }

    /// <summary>Gets the tool call, for a line that is one.</summary>
    public ToolCall? Call { get; init; }

    /// <summary>Gets the notice, for a notice line.</summary>
    public string? Notice { get; init; }

    /// <summary>Gets or sets why the line could not be replayed.</summary>
    public string? Problem { get; set; }

    /// <summary>Gets or sets the decision.</summary>
    public Decision? Decision { get; set; }
}
