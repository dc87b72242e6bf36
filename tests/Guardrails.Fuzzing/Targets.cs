using System.Globalization;
using System.Text;
using System.Text.Json;
using Guardrails.Actions;
using Guardrails.Policies;
using Guardrails.Shell.Syntax;

namespace Guardrails.Fuzzing;

/// <summary>
/// <c>shell</c>: the bash parser on arbitrary text. Invariants: it returns (never throws); the result is complete
/// exactly when there are no diagnostics; every node, here-document body and diagnostic span lies inside the text;
/// every word can be displayed.
/// </summary>
internal sealed class ShellParseTarget : FuzzTarget
{
    public override string Name => "shell";

    public override string CorpusName => "shell";

    public override string Description => "BashParser.Parse: never throws, spans inside the source, complete ⇔ no diagnostics";

    public override string Dictionary => "shell.dict";

    public override string Run(ReadOnlySpan<byte> input)
    {
        var source = Text(input);
        var result = BashParser.Parse(source, ParserLimits.Default);
        Require(result.IsComplete == (result.Diagnostics.Count == 0), "complete-iff-no-diagnostics", $"complete {result.IsComplete}, {result.Diagnostics.Count} diagnostics");
        var kinds = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var diagnostic in result.Diagnostics)
        {
            Require(Inside(diagnostic.Span, source), "span-inside", $"diagnostic {diagnostic.Kind} at {diagnostic.Span} of {source.Length} characters");
            kinds.Add(diagnostic.Kind.ToString());
        }

        foreach (var node in SyntaxWalker.DescendantsAndSelf(result.Script))
        {
            Require(Inside(node.Span, source), "span-inside", $"{node.GetType().Name} at {node.Span} of {source.Length} characters");
            if (node is HereDoc hereDoc)
            {
                Require(Inside(hereDoc.BodySpan, source), "span-inside", $"here-document body at {hereDoc.BodySpan}");
            }

            if (node is Word word)
            {
                word.TryGetStaticText(out _);
                Require(word.ToDisplayText() is not null, "word-displayable", word.Span.ToString());
            }

            kinds.Add(node.GetType().Name);
        }

        return string.Join(",", kinds);
    }

    internal static bool Inside(TextSpan span, string source) => span.Start >= 0 && span.Length >= 0 && span.End <= source.Length;
}

/// <summary>
/// <c>shell-decision</c>: a shell tool call decided by the default policy. Invariants: a decision with a defined
/// verdict (no exception); the same decision twice; no allow when the parser gave up, when the analysis reported a
/// problem, or when code stayed opaque; evidence spans inside the command.
/// </summary>
internal sealed class ShellDecisionTarget : FuzzTarget
{
    public override string Name => "shell-decision";

    public override string CorpusName => "shell";

    public override string Description => "Guard.Evaluate of a bash call under builtin:default: deterministic, fail-closed on give-up";

    public override string Dictionary => "shell.dict";

    public override string Run(ReadOnlySpan<byte> input)
    {
        var command = Text(input);
        var decision = Decisions.Check(ToolCall.Shell(command, Decisions.Home));
        var parse = BashParser.Parse(command, ParserLimits.Default);
        if (!parse.IsComplete && decision.Verdict == Verdict.Allow)
        {
            throw new InvariantViolationException("parser-give-up-allowed", $"the parse failed ({parse.Diagnostics[0].Kind}) but the verdict is allow");
        }

        foreach (var finding in decision.Findings)
        {
            Require(finding.Evidence.Source != "command" || ShellParseTarget.Inside(finding.Evidence.Span, command), "span-inside", $"finding {finding.RuleId} at {finding.Evidence.Span}");
        }

        return Decisions.Describe(decision);
    }
}

/// <summary>
/// <c>policy</c>: policy JSON through <see cref="GuardPolicy.Parse"/>. Invariants: only
/// <see cref="PolicyLoadException"/> escapes; a load is deterministic (same diagnostics, same version); no unexpected
/// failure (GR1999); a policy that loads decides a few calls of every interpreter without throwing and with the same
/// decision twice. Inputs that extend a file (not builtin:NAME) are skipped: they would make the fuzzer read the file
/// system (a FIFO or a terminal would hang it).
/// </summary>
internal sealed class PolicyLoadTarget : FuzzTarget
{
    private static readonly ToolCall[] Calls =
    [
        ToolCall.Shell("ls -la", Decisions.Home),
        ToolCall.Shell("nohup vllm serve /models/qwen --port 8001 &", Decisions.Home),
        ToolCall.Shell("echo 'unterminated", Decisions.Home),
        ToolCall.FromJson("write_file", """{"path": "/etc/cron.d/agent", "content": "@reboot root /opt/agent/run"}"""),
        ToolCall.FromJson("execute_python", """{"code": "import shutil; shutil.copytree('/models/qwen', '/tmp/q')"}"""),
        ToolCall.FromJson("http_request", """{"url": "https://upload.example/", "method": "PUT"}"""),
        ToolCall.FromJson("start_process", """{"program": "vllm", "args": ["serve", "/models"]}"""),
        ToolCall.FromJson("custom_tool", """{"path": "/models/qwen"}"""),
    ];

    public override string Name => "policy";

    public override string CorpusName => "policy";

    public override string Description => "GuardPolicy.Parse + decisions under the loaded policy: only PolicyLoadException, deterministic";

    public override string Dictionary => "json.dict";

    public override string Run(ReadOnlySpan<byte> input)
    {
        var text = Text(input);
        if (ExtendsAFile(text))
        {
            return "skipped:extends-file";
        }

        var (policy, diagnostics) = Load(text);
        var (again, diagnosticsAgain) = Load(text);
        Require(Describe(diagnostics) == Describe(diagnosticsAgain) && policy?.Version == again?.Version, "load-deterministic", $"{Describe(diagnostics)} then {Describe(diagnosticsAgain)}");
        Require(!diagnostics.Any(d => d.Code == "GR1999"), "no-unexpected-failure", string.Join("; ", diagnostics.Where(d => d.Code == "GR1999")));
        if (policy is null)
        {
            return "rejected:" + string.Join(",", diagnostics.Where(d => d.Severity == PolicyDiagnosticSeverity.Error).Select(d => d.Code).Distinct().Order(StringComparer.Ordinal));
        }

        var guard = new Guard(policy, new GuardOptions { HomeDirectory = Decisions.Home });
        var described = new StringBuilder("loaded:");
        foreach (var call in Calls)
        {
            described.Append(Decisions.Describe(Decisions.Check(call, guard))).Append(';');
        }

        return described.ToString();
    }

    private static (GuardPolicy? Policy, IReadOnlyList<PolicyDiagnostic> Diagnostics) Load(string text)
    {
        try
        {
            var policy = GuardPolicy.Parse(text, "fuzz.json", Decisions.EmptyDirectory);
            return (policy, policy.Diagnostics);
        }
        catch (PolicyLoadException exception)
        {
            return (null, exception.Diagnostics);
        }
    }

    // Reads the extends list the way the loader does (same serializer options, BOM removed); text that does not
    // deserialize is never followed by the loader either.
    private static bool ExtendsAFile(string text)
    {
        try
        {
            var document = JsonSerializer.Deserialize(text.TrimStart('\uFEFF'), PolicyJsonContext.Default.PolicyDocument);
            return document?.Extends?.Any(e => e is null || !e.StartsWith(PolicyLoader.BuiltinPrefix, StringComparison.Ordinal)) == true;
        }
        catch (JsonException)
        {
            return false;
        }
        catch (Exception exception) when (exception is NotSupportedException or InvalidOperationException or ArgumentException)
        {
            return true; // cannot tell: skip rather than risk reading the file system
        }
    }

    private static string Describe(IReadOnlyList<PolicyDiagnostic> diagnostics) =>
        string.Join("; ", diagnostics.Select(d => string.Create(CultureInfo.InvariantCulture, $"{d.Code}@{d.Line}:{d.Column}")));
}

/// <summary>
/// <c>tool-call</c>: a JSON tool call <c>{"tool": …, "arguments": {…}, "cwd": …}</c> of any interpreter, decided by the
/// default policy. Text that is not such an object is skipped (a host rejects it before asking the guard). Invariants
/// as for <c>shell-decision</c>.
/// </summary>
internal sealed class ToolCallTarget : FuzzTarget
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 256 };

    public override string Name => "tool-call";

    public override string CorpusName => "tool-call";

    public override string Description => "Guard.Evaluate of a JSON tool call of any interpreter under builtin:default";

    public override string Dictionary => "json.dict";

    public override string Run(ReadOnlySpan<byte> input)
    {
        ToolCall call;
        try
        {
            using var document = JsonDocument.Parse(Text(input), Options);
            var root = document.RootElement;
            // A tool call has a name (ToolCall rejects an empty one: the host must not ask about a nameless call).
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("tool", out var tool) || tool.ValueKind != JsonValueKind.String || tool.GetString() is not { Length: > 0 }
                || !root.TryGetProperty("arguments", out var arguments))
            {
                return "skipped:shape";
            }

            var cwd = root.TryGetProperty("cwd", out var directory) && directory.ValueKind == JsonValueKind.String ? directory.GetString() : null;
            call = new ToolCall(tool.GetString()!, arguments.Clone()) { WorkingDirectory = cwd };
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Not a tool call an adapter could build: malformed JSON, or a name with a lone surrogate escape that no
            // string can hold (GetString throws InvalidOperationException before the guard is reached).
            return "skipped:json";
        }
        catch (InvalidOperationException)
        {
            // A property name with an unpaired surrogate escape (\ud800): System.Text.Json cannot compare it, so a host
            // reading the call this way cannot read it either. (The guard itself, handed such arguments, fails closed.)
            return "skipped:unicode";
        }

        return Decisions.Describe(Decisions.Check(call));
    }
}

/// <summary>The decision invariants shared by the targets that decide.</summary>
internal static class Decisions
{
    public const string Home = "/home/agent";

    private static readonly Lazy<Guard> DefaultGuard = new(() => new Guard(GuardPolicy.Default, new GuardOptions { HomeDirectory = Home }));

    private static readonly Lazy<string> Empty = new(() => Directory.CreateTempSubdirectory("guardrails-fuzz-").FullName);

    /// <summary>Gets an empty directory, the base of relative extends paths in fuzzed policies.</summary>
    public static string EmptyDirectory => Empty.Value;

    /// <summary>Decides <paramref name="call"/> twice and checks the decision invariants.</summary>
    public static Decision Check(ToolCall call, Guard? guard = null)
    {
        guard ??= DefaultGuard.Value;
        var decision = guard.Evaluate(call);
        if (!Enum.IsDefined(decision.Verdict))
        {
            throw new InvariantViolationException("verdict-defined", ((int)decision.Verdict).ToString(CultureInfo.InvariantCulture));
        }

        var again = guard.Evaluate(call);
        if (Signature(again) != Signature(decision))
        {
            throw new InvariantViolationException("deterministic", $"{Signature(decision)} then {Signature(again)}");
        }

        var reached = decision.ShadowVerdict ?? decision.Verdict;
        if (decision.Error is not null && reached == Verdict.Allow)
        {
            throw new InvariantViolationException("problem-allowed", decision.Error);
        }

        if (ReferenceEquals(guard, DefaultGuard.Value) && reached == Verdict.Allow && decision.Operations.Any(o => o.Operation is OpaqueCode))
        {
            throw new InvariantViolationException("opaque-allowed", string.Join("; ", decision.Operations.Select(o => o.Operation).OfType<OpaqueCode>().Select(o => o.Reason)));
        }

        return decision;
    }

    /// <summary>Gets what the in-process fuzzer treats as "behaviour": the verdict, the rules and the operation kinds.</summary>
    public static string Describe(Decision decision) =>
        $"{decision.Verdict}:{string.Join(",", decision.RuleIds.Order(StringComparer.Ordinal))}:"
        + string.Join(",", decision.Operations.Select(o => o.Operation.Kind.ToString()).Distinct().Order(StringComparer.Ordinal));

    private static string Signature(Decision decision) =>
        string.Create(CultureInfo.InvariantCulture, $"{decision.Verdict}/{decision.ShadowVerdict}/{decision.Score}|")
        + string.Join(",", decision.Findings.Select(f => $"{f.RuleId}@{f.Evidence.Source}{f.Evidence.Span}"))
        + "|" + string.Join(",", decision.Operations.Select(o => $"{o.Operation.Kind}@{o.Operation.Span}"))
        + "|" + decision.Error;
}
