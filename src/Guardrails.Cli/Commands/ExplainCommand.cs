using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Guardrails.Actions;
using Guardrails.Cli.Rendering;
using Guardrails.Verification;

namespace Guardrails.Cli.Commands;

/// <summary>
/// <c>guardrails explain</c>: shows for one tool call the operations derived from it, every rule considered for each,
/// which matched and why (the condition parts that held or failed), the allow rules that suppressed findings, and the
/// score arithmetic that leads to the verdict.
/// </summary>
internal static class ExplainCommand
{
    /// <summary>Gets the usage text.</summary>
    public static string Usage { get; } =
        $"""
        Usage: {CliApp.CommandName} explain "<shell command>" [--policy FILE|builtin:NAME] [--cwd DIR] [--tool NAME] [--json]
               {CliApp.CommandName} explain --tool NAME --args JSON [--policy FILE|builtin:NAME] [--cwd DIR] [--json]

        Explains how the policy decides one tool call: the interpreter, the operations derived from the call
        (kind, capabilities, resources), every rule considered for each operation with each condition part
        that held (+) or failed (-), the allow rules that suppressed findings, and the score arithmetic from
        the rules that fired to the verdict. A shell command is passed as the tool call
        bash {"{"}"command": "<shell command>"{"}"} ('-' reads it from standard input); --args gives the JSON arguments
        of any other tool.

        Options:
          --policy FILE|builtin:NAME  The policy (default: builtin:default).
          --cwd DIR                   The working directory of the call.
          --tool NAME                 The tool name (default: bash).
          --args JSON                 The tool's arguments as a JSON object, instead of a shell command.
          --json                      Print the explanation as JSON.
          -h, --help                  Show this help.

        Exit codes: 0 allow; 1 escalate; 2 deny; 64 usage error; 65 the policy cannot be loaded.
        """;

    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = true, NewLine = "\n" };

    /// <summary>Runs the command.</summary>
    /// <param name="args">The arguments after <c>explain</c>.</param>
    /// <param name="console">The console.</param>
    /// <returns>The exit code.</returns>
    public static int Run(ReadOnlySpan<string> args, CliConsole console)
    {
        if (!CommandLine.TryParse(args, ["--policy", "--cwd", "--tool", "--args"], ["--json"], out var commandLine, out var problem))
        {
            return CliApp.UsageError(console, problem, Usage);
        }

        if (commandLine.HelpRequested)
        {
            console.Out.WriteLine(Usage);
            return ExitCodes.Success;
        }

        var tool = commandLine.Value("--tool") ?? CheckCommand.DefaultTool;
        var cwd = commandLine.Value("--cwd");
        ToolCall call;
        string? command = null;
        if (commandLine.Value("--args") is { } json)
        {
            if (commandLine.Positionals.Count > 0)
            {
                return CliApp.UsageError(console, "give either a shell command or --args, not both", Usage);
            }

            try
            {
                call = ToolCall.FromJson(tool, json);
            }
            catch (JsonException ex)
            {
                return CliApp.UsageError(console, $"--args is not valid JSON: {ex.Message}", Usage);
            }

            if (call.Arguments.ValueKind != JsonValueKind.Object)
            {
                return CliApp.UsageError(console, "--args must be a JSON object", Usage);
            }

            call = new ToolCall(call.Name, call.Arguments) { WorkingDirectory = cwd };
        }
        else
        {
            switch (commandLine.Positionals.Count)
            {
                case 0:
                    return CliApp.UsageError(console, "no command given (or use --tool NAME --args JSON)", Usage);
                case > 1:
                    return CliApp.UsageError(console, $"unexpected argument '{commandLine.Positionals[1]}' (quote the whole command as one argument)", Usage);
            }

            command = commandLine.Positionals[0] == "-" ? console.In.ReadToEnd() : commandLine.Positionals[0];
            var shell = ToolCall.Shell(command, cwd);
            call = new ToolCall(tool, shell.Arguments) { WorkingDirectory = cwd };
        }

        var policyName = commandLine.Value("--policy") ?? GuardFactory.DefaultPolicy;
        if (!GuardPolicy.TryLoad(policyName, out var policy, out var diagnostics))
        {
            ValidateCommand.WriteDiagnostics(diagnostics, console.Error, gcc: true);
            console.Error.WriteLine($"{CliApp.CommandName}: policy '{policyName}' could not be loaded");
            return ExitCodes.DataError;
        }

        var explanation = PolicyExplainer.Explain(policy, call);
        if (commandLine.Flag("--json"))
        {
            WriteJson(explanation, console.Out);
        }
        else
        {
            new ExplanationRenderer(console.Styled).Write(explanation, command, console.Out);
        }

        return explanation.Decision.Verdict switch
        {
            Verdict.Allow => ExitCodes.Success,
            Verdict.Escalate => ExitCodes.Escalate,
            _ => ExitCodes.Deny,
        };
    }

    private static void WriteJson(DecisionExplanation explanation, TextWriter output)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, JsonOptions))
        {
            var decision = explanation.Decision;
            json.WriteStartObject();
            json.WriteString("tool", explanation.Call.Name);
            json.WritePropertyName("arguments");
            if (explanation.Call.Arguments.ValueKind == JsonValueKind.Undefined)
            {
                json.WriteNullValue();
            }
            else
            {
                explanation.Call.Arguments.WriteTo(json);
            }

            json.WriteString("interpreter", explanation.Interpreter);
            json.WriteString("cwd", explanation.WorkingDirectory);
            json.WriteString("policy", decision.PolicyName);
            json.WriteString("version", decision.PolicyVersion);
            json.WriteNumber("ruleCount", explanation.RuleCount);
            json.WriteString("verdict", Names.Of(decision.Verdict));
            json.WriteNumber("score", decision.Score);
            json.WriteStartArray("problems");
            foreach (var problem in explanation.Problems)
            {
                json.WriteStringValue(problem);
            }

            json.WriteEndArray();
            json.WriteStartArray("operations");
            foreach (var operation in explanation.Operations)
            {
                json.WriteStartObject();
                json.WriteString("kind", operation.Analyzed.Operation.Kind.ToName());
                json.WriteString("text", operation.Text);
                json.WriteStartArray("capabilities");
                foreach (var capability in operation.Analyzed.Capabilities)
                {
                    json.WriteStringValue(capability.Value);
                }

                json.WriteEndArray();
                json.WriteStartArray("resources");
                foreach (var resource in operation.Analyzed.Resources)
                {
                    json.WriteStringValue(resource.Value);
                }

                json.WriteEndArray();
                json.WriteNumber("notConsidered", operation.NotConsidered);
                json.WriteStartArray("rules");
                foreach (var rule in operation.Rules)
                {
                    json.WriteStartObject();
                    json.WriteString("id", rule.RuleId);
                    json.WriteString("effect", rule.Effect);
                    json.WriteNumber("score", rule.Score);
                    json.WriteBoolean("matched", rule.Matched);
                    json.WriteString("suppressedBy", rule.SuppressedBy);
                    json.WriteStartArray("conditions");
                    foreach (var check in rule.Conditions)
                    {
                        json.WriteStartObject();
                        json.WriteString("condition", check.Condition);
                        json.WriteBoolean("held", check.Held);
                        json.WriteString("expected", check.Expected);
                        json.WriteString("actual", check.Actual);
                        json.WriteEndObject();
                    }

                    json.WriteEndArray();
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartObject("scoring");
            json.WriteStartArray("terms");
            foreach (var term in explanation.ScoreTerms)
            {
                json.WriteStartObject();
                json.WriteString("rule", term.RuleId);
                json.WriteNumber("score", term.Score);
                json.WriteString("effect", Names.Of(term.Effect));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteNumber("sum", explanation.RawScore);
            json.WriteNumber("escalateThreshold", explanation.EscalateThreshold);
            json.WriteNumber("denyThreshold", explanation.DenyThreshold);
            json.WriteStartArray("steps");
            foreach (var step in explanation.Steps)
            {
                json.WriteStringValue(step);
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        output.Write(System.Text.Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length));
        output.Write('\n');
    }

    /// <summary>Writes an explanation for people.</summary>
    private sealed class ExplanationRenderer(bool styled)
    {
        public void Write(DecisionExplanation explanation, string? command, TextWriter output)
        {
            var call = explanation.Call;
            var decision = explanation.Decision;
            output.WriteLine(command is not null
                ? $"Tool call: {call.Name} command: {Sanitize(command)}"
                : $"Tool call: {call.Name} {Sanitize(call.Arguments.ValueKind == JsonValueKind.Undefined ? "{}" : call.Arguments.GetRawText())}");
            output.WriteLine($"Interpreter: {explanation.Interpreter}{(explanation.WorkingDirectory is null ? string.Empty : $"; working directory {explanation.WorkingDirectory}")}");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Policy: {decision.PolicyName}@{decision.PolicyVersion} ({explanation.RuleCount} rules)"));
            foreach (var problem in explanation.Problems)
            {
                output.WriteLine($"Problem: {Sanitize(problem)}");
            }

            if (explanation.Operations.Count == 0)
            {
                output.WriteLine();
                output.WriteLine("No operations were derived from the call.");
            }

            for (var i = 0; i < explanation.Operations.Count; i++)
            {
                var operation = explanation.Operations[i];
                var analyzed = operation.Analyzed;
                output.WriteLine();
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Operation {i + 1}: {analyzed.Operation.Kind.ToName()}{(operation.Text.Length > 0 ? "  " + Sanitize(operation.Text) : string.Empty)}"));
                output.WriteLine($"  {Describe(analyzed.Operation)}");
                output.WriteLine($"  capabilities: {List(analyzed.Capabilities.Select(c => c.Value))}");
                output.WriteLine($"  resources: {List(analyzed.Resources.Select(r => r.Value))}");
                var matched = operation.Rules.Count(r => r.Matched);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  rules considered: {operation.Rules.Count}, matched: {matched} ({operation.NotConsidered} other rules cannot apply to this kind of operation with these capabilities)"));
                foreach (var rule in operation.Rules)
                {
                    var status = rule.Matched
                        ? rule.SuppressedBy is { } by ? $"MATCHED, suppressed by allow rule '{by}'" : "MATCHED"
                        : "not matched";
                    var marker = rule.Matched ? Style("+", Green) : Style("-", Dim);
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {marker} {rule.RuleId} ({rule.Effect}, score {rule.Score}): {status}"));
                    foreach (var check in rule.Conditions)
                    {
                        var held = check.Held ? Style("+", Green) : Style("-", Red);
                        output.WriteLine($"        {held} {check.Condition}: {Sanitize(check.Expected)}  (operation: {Sanitize(check.Actual)})");
                    }
                }
            }

            output.WriteLine();
            output.WriteLine("Score:");
            foreach (var step in explanation.Steps)
            {
                output.WriteLine($"  {step}");
            }

            output.WriteLine();
            new TextRenderer(styled).Write(decision, "command", command ?? string.Empty, output);
        }

        private static string Describe(Operation operation) => operation switch
        {
            ProcessLaunch launch => $"program: {launch.Program}{(launch.Arguments.Count > 0 ? " " + Sanitize(string.Join(' ', launch.Arguments)) : string.Empty)}{(launch.Detached ? $"; detached ({launch.DetachedBy})" : string.Empty)}{(launch.Via is null ? string.Empty : $"; via {launch.Via}")}",
            FileOperation file => $"{file.Action.ToString().ToLowerInvariant()} {file.Path}{(file.Sources.Count > 0 ? " from " + string.Join(", ", file.Sources) : string.Empty)}{(file.Recursive ? "; recursive" : string.Empty)}",
            NetworkTransfer transfer => $"{transfer.Direction.ToString().ToLowerInvariant()} with {transfer.Program}{(transfer.Host is null ? string.Empty : " to " + transfer.Host)}{(transfer.LocalPaths.Count > 0 ? "; local paths " + string.Join(", ", transfer.LocalPaths) : string.Empty)}",
            HttpRequestOperation http => $"{http.Method} {http.Url}",
            SignalSend signal => $"signal {signal.Signal} to {string.Join(", ", signal.Targets)}",
            ScheduledTask task => $"scheduled with {task.Mechanism}{(task.Path is null ? string.Empty : " in " + task.Path)}",
            RemoteExecution remote => $"{remote.Transport} to {remote.Host}",
            ComputeProvision compute => $"{compute.Provider} {compute.Action}",
            OpaqueCode opaque => $"opaque {opaque.Language}: {opaque.Reason}",
            EnvironmentChange environment => $"environment variable {environment.Name}{(environment.Value is null ? " removed" : " set")}",
            NetworkListen listen => $"{listen.Program} listens{(listen.Port is { } port ? string.Create(CultureInfo.InvariantCulture, $" on port {port}") : string.Empty)}",
            SignalTrap trap => $"trap of {string.Join(", ", trap.Signals)}",
            _ => operation.Kind.ToName(),
        };

        private static string List(IEnumerable<string> values)
        {
            var text = string.Join(", ", values);
            return text.Length == 0 ? "(none)" : text;
        }

        private const string Red = "\e[31m";
        private const string Green = "\e[32m";
        private const string Dim = "\e[2m";

        private string Style(string text, string style) => styled ? style + text + "\e[0m" : text;

        private static string Sanitize(string text)
        {
            var line = text.ReplaceLineEndings("\\n");
            return new string(line.Select(c => char.IsControl(c) ? '?' : c).ToArray());
        }
    }
}
