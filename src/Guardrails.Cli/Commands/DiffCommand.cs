using System.Globalization;
using System.Text;
using System.Text.Json;
using Guardrails.Cli.IO;
using Guardrails.Cli.Rendering;

namespace Guardrails.Cli.Commands;

/// <summary>
/// <c>guardrails diff OLD NEW --replay FILE.jsonl</c>: replays recorded tool calls through two policies and lists every
/// decision that changed, so a team sees the effect of a policy change before shipping it.
/// </summary>
/// <remarks>
/// Each policy gets its own guard and sees every call in file order, so session histories build up on both sides
/// exactly as they did live. A line that is not a valid tool call is denied by both and never counts as a change.
/// </remarks>
internal static class DiffCommand
{
    /// <summary>Gets the usage text.</summary>
    public static string Usage { get; } =
        $$$"""
        Usage: {{{CliApp.CommandName}}} diff OLD NEW --replay FILE.jsonl [--cwd DIR] [--json] [--rules]

        Replays recorded tool calls (the JSON Lines input of 'evaluate', '-' for standard input) through
        two policies (each a file or builtin:NAME) and lists every call whose decision changed:

          line 3 (c3) bash: cp -r /models/qwen /tmp/q
            allow (0) -> deny (100): weights.copy.local

        then a summary: how many calls were replayed, how many changed, how many became stricter or looser.

        Options:
          --replay FILE   The recorded calls (required).
          --cwd DIR       The working directory of calls that carry no 'cwd'.
          --rules         Also list calls whose verdict stayed the same but whose rules changed.
          --json          Write one JSON object per change instead of text:
                          {"line": 3, "id": "c3", "tool": "bash", "old": {...}, "new": {...}}
          -h, --help      Show this help.

        Exit codes: 0 no decision changed; 1 some changed; 64 usage error; 65 a policy cannot be loaded;
        66 the replay file cannot be opened.
        """;

    /// <summary>Runs the command.</summary>
    /// <param name="args">The arguments after <c>diff</c>.</param>
    /// <param name="console">The console.</param>
    /// <returns>The exit code.</returns>
    public static int Run(ReadOnlySpan<string> args, CliConsole console)
    {
        if (!CommandLine.TryParse(args, ["--replay", "--cwd"], ["--json", "--rules"], out var commandLine, out var problem))
        {
            return CliApp.UsageError(console, problem, Usage);
        }

        if (commandLine.HelpRequested)
        {
            console.Out.WriteLine(Usage);
            return ExitCodes.Success;
        }

        if (commandLine.Positionals.Count != 2)
        {
            return CliApp.UsageError(console, commandLine.Positionals.Count < 2 ? "diff needs two policies: OLD and NEW" : $"unexpected argument '{commandLine.Positionals[2]}'", Usage);
        }

        if (commandLine.Value("--replay") is not { } replay)
        {
            return CliApp.UsageError(console, "no --replay FILE given", Usage);
        }

        var guards = new Guard[2];
        for (var i = 0; i < 2; i++)
        {
            var name = commandLine.Positionals[i];
            if (!GuardPolicy.TryLoad(name, out var policy, out var diagnostics))
            {
                ValidateCommand.WriteDiagnostics(diagnostics, console.Error, gcc: true);
                console.Error.WriteLine($"{CliApp.CommandName}: policy '{name}' could not be loaded");
                return ExitCodes.DataError;
            }

            guards[i] = new Guard(policy);
        }

        Stream input;
        try
        {
            input = replay == "-" ? console.OpenInput() : new FileStream(replay, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            console.Error.WriteLine($"{CliApp.CommandName}: cannot open replay file '{replay}': {(ex is FileNotFoundException or DirectoryNotFoundException ? "no such file" : ex.Message)}");
            return ExitCodes.NoInput;
        }

        using (input)
        {
            var diff = new Diff(console.Out, commandLine.Flag("--json"), commandLine.Flag("--rules"), commandLine.Value("--cwd"));
            diff.Replay(input, guards[0], guards[1]);
            diff.WriteSummary(commandLine.Positionals[0], commandLine.Positionals[1]);
            return diff.Changed > 0 ? ExitCodes.Changed : ExitCodes.Success;
        }
    }

    private sealed class Diff(TextWriter output, bool json, bool rules, string? cwd)
    {
        private long _calls;
        private long _malformed;
        private long _stricter;
        private long _looser;
        private long _rulesOnly;

        public long Changed => _stricter + _looser + (rules ? _rulesOnly : 0);

        public void Replay(Stream input, Guard before, Guard after)
        {
            var reader = new LineReader(input, null);
            long lineNumber = 0;
            while (true)
            {
                var status = reader.Read(out var line);
                if (status == LineStatus.End)
                {
                    break;
                }

                lineNumber++;
                if (status != LineStatus.Line || line.Span.Trim(" \t\r"u8).IsEmpty)
                {
                    _malformed += status == LineStatus.Line ? 0 : 1;
                    continue;
                }

                bool valid;
                ToolCallLine? parsed;
                InputId id;
                try
                {
                    valid = ToolCallLine.TryParse(line, cwd, out parsed, out id, out _);
                }
#pragma warning disable CA1031 // An unreadable line is denied by both policies: not a change.
                catch (Exception)
#pragma warning restore CA1031
                {
                    valid = false;
                    parsed = null;
                    id = InputId.None;
                }

                if (!valid || parsed is null)
                {
                    _malformed++;
                    continue;
                }

                using (parsed)
                {
                    _calls++;
                    var old = before.Evaluate(parsed.Call);
                    var updated = after.Evaluate(parsed.Call);
                    Compare(lineNumber, id, parsed.Call, old, updated);
                }
            }
        }

        public void WriteSummary(string oldName, string newName)
        {
            if (json)
            {
                return;
            }

            if (Changed > 0)
            {
                output.WriteLine();
            }

            var summary = string.Create(CultureInfo.InvariantCulture,
                $"{_calls} call(s) replayed through {oldName} and {newName}: {_stricter + _looser} decision(s) changed ({_stricter} stricter, {_looser} looser)");
            if (rules)
            {
                summary += string.Create(CultureInfo.InvariantCulture, $", {_rulesOnly} with the same verdict but other rules");
            }

            if (_malformed > 0)
            {
                summary += string.Create(CultureInfo.InvariantCulture, $"; {_malformed} line(s) skipped as malformed");
            }

            output.WriteLine(summary);
        }

        private void Compare(long lineNumber, InputId id, ToolCall call, Decision old, Decision updated)
        {
            var oldVerdict = old.ShadowVerdict ?? old.Verdict;
            var newVerdict = updated.ShadowVerdict ?? updated.Verdict;
            var sameRules = old.RuleIds.SequenceEqual(updated.RuleIds, StringComparer.Ordinal);
            if (oldVerdict == newVerdict && (!rules || sameRules))
            {
                return;
            }

            if (newVerdict > oldVerdict)
            {
                _stricter++;
            }
            else if (newVerdict < oldVerdict)
            {
                _looser++;
            }
            else
            {
                _rulesOnly++;
            }

            if (json)
            {
                WriteJson(lineNumber, id, call, old, updated);
                return;
            }

            var label = id.Text is null ? string.Empty : $" ({id.Text})";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"line {lineNumber}{label} {call.Name}: {Summarize(call)}"));
            output.WriteLine($"  {Describe(old)} -> {Describe(updated)}");
        }

        private void WriteJson(long lineNumber, InputId id, ToolCall call, Decision old, Decision updated)
        {
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream, JsonLinesWriter.CompactOptions))
            {
                writer.WriteStartObject();
                writer.WriteNumber("line", lineNumber);
                writer.WritePropertyName("id");
                id.WriteTo(writer);
                writer.WriteString("tool", call.Name);
                WriteDecision(writer, "old", old);
                WriteDecision(writer, "new", updated);
                writer.WriteEndObject();
            }

            output.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
        }

        private static void WriteDecision(Utf8JsonWriter writer, string name, Decision decision)
        {
            writer.WriteStartObject(name);
            writer.WriteString("decision", Names.Of(decision.ShadowVerdict ?? decision.Verdict));
            writer.WriteNumber("score", decision.Score);
            writer.WriteStartArray("rules");
            foreach (var rule in decision.RuleIds)
            {
                writer.WriteStringValue(rule);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        private static string Describe(Decision decision)
        {
            var verdict = Names.Of(decision.ShadowVerdict ?? decision.Verdict);
            return decision.RuleIds.Count == 0
                ? string.Create(CultureInfo.InvariantCulture, $"{verdict} ({decision.Score})")
                : string.Create(CultureInfo.InvariantCulture, $"{verdict} ({decision.Score}): {string.Join(", ", decision.RuleIds)}");
        }

        private static string Summarize(ToolCall call)
        {
            string text;
            if (call.Arguments.ValueKind == JsonValueKind.Object && call.Arguments.TryGetProperty("command", out var command) && command.ValueKind == JsonValueKind.String)
            {
                text = command.GetString() ?? string.Empty;
            }
            else
            {
                text = call.Arguments.ValueKind == JsonValueKind.Undefined ? "{}" : call.Arguments.GetRawText();
            }

            text = new string(text.ReplaceLineEndings("\\n").Select(c => char.IsControl(c) ? '?' : c).ToArray());
            return text.Length > 120 ? text[..119] + "…" : text;
        }
    }
}
