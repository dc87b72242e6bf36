using System.Globalization;
using System.Text.Json;
using Guardrails.Evaluation;
using Guardrails.Interpreters;

namespace Guardrails.Verification;

/// <summary>
/// Runs declarative policy test cases against a policy: evaluates each case's calls as one session, compares the
/// outcome with the expectation, records rule coverage, and on request evaluates bypass variants
/// (<see cref="BypassMutations"/>) of every case that expects the policy to stop it.
/// </summary>
/// <remarks>
/// A runner is thread-safe. Every run of a case gets a fresh session id, so running a case twice, or cases in
/// parallel, never mixes their histories.
/// </remarks>
public sealed class PolicyTestRunner
{
    private static long s_sessions;
    private readonly Guard _guard;

    /// <summary>Initializes a new runner for <paramref name="policy"/>.</summary>
    /// <param name="policy">The policy under test.</param>
    /// <exception cref="ArgumentNullException"><paramref name="policy"/> is null.</exception>
    public PolicyTestRunner(GuardPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        Policy = policy;
        _guard = new Guard(policy);
    }

    /// <summary>Gets the policy under test.</summary>
    public GuardPolicy Policy { get; }

    /// <summary>Gets the verdict a decision counts as in tests: the shadow verdict of an audit-mode policy, else the verdict.</summary>
    /// <param name="decision">The decision.</param>
    /// <returns>The verdict.</returns>
    public static Verdict EffectiveVerdict(Decision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return decision.ShadowVerdict ?? decision.Verdict;
    }

    /// <summary>Determines whether <paramref name="actual"/> meets <paramref name="expected"/>.</summary>
    /// <param name="expected">The expectation.</param>
    /// <param name="actual">The verdict.</param>
    /// <returns><see langword="true"/> when the verdict meets the expectation.</returns>
    public static bool Meets(ExpectedVerdict expected, Verdict actual) => expected switch
    {
        ExpectedVerdict.Allow => actual == Verdict.Allow,
        ExpectedVerdict.Escalate => actual == Verdict.Escalate,
        ExpectedVerdict.Deny => actual == Verdict.Deny,
        _ => actual != Verdict.Allow,
    };

    /// <summary>Runs one case.</summary>
    /// <param name="testCase">The case.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="testCase"/> is null.</exception>
    public PolicyTestResult Run(PolicyTestCase testCase)
    {
        ArgumentNullException.ThrowIfNull(testCase);
        var session = NewSession(testCase.Name);
        var decisions = new List<Decision>(testCase.Steps.Count);
        var fired = new List<string>();
        var matched = new List<string>();
        var failures = new List<string>();
        var actual = Verdict.Allow;
        for (var i = 0; i < testCase.Steps.Count; i++)
        {
            var step = testCase.Steps[i];
            var call = WithSession(step.Call, session, i + 1);
            var decision = _guard.Evaluate(call);
            decisions.Add(decision);
            var verdict = EffectiveVerdict(decision);
            actual = verdict > actual ? verdict : actual;
            Collect(call, decision, fired, matched);
            if (step.Expect is { } stepExpect && !Meets(stepExpect, verdict))
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"call {i + 1}: expected {Name(stepExpect)}, got {Name(verdict)} (score {decision.Score}){Rules(decision)}"));
            }
        }

        if (!Meets(testCase.Expect, actual))
        {
            var scores = string.Join(", ", decisions.Select(d => d.Score.ToString(CultureInfo.InvariantCulture)));
            var rules = decisions.SelectMany(d => d.RuleIds).Distinct(StringComparer.Ordinal).ToList();
            failures.Insert(0, $"expected {Name(testCase.Expect)}, got {Name(actual)} (score {scores})" + (rules.Count == 0 ? "; no rule fired" : "; rules: " + string.Join(", ", rules)));
        }

        foreach (var rule in testCase.Rules)
        {
            if (!fired.Contains(rule, StringComparer.Ordinal))
            {
                failures.Add(matched.Contains(rule, StringComparer.Ordinal)
                    ? $"rule '{rule}' matched but its finding was suppressed by an allow rule"
                    : $"rule '{rule}' did not fire" + (Policy.Compiled.Rules.Any(r => r.Id == rule) ? string.Empty : " (the policy has no rule with that id)"));
            }
        }

        foreach (var rule in testCase.NotRules)
        {
            if (fired.Contains(rule, StringComparer.Ordinal))
            {
                failures.Add($"rule '{rule}' fired, but must not");
            }
        }

        return new PolicyTestResult(testCase, decisions, actual, failures, fired, matched);
    }

    /// <summary>Evaluates the bypass variants of a case that expects escalate, deny or block.</summary>
    /// <param name="testCase">The case.</param>
    /// <param name="result">The case's result from <see cref="Run(PolicyTestCase)"/>; run anew when <see langword="null"/>.</param>
    /// <returns>
    /// One result per variant of the call that stopped the case (the first call not allowed), when it is a shell command;
    /// empty when the case expects allow, has <see cref="PolicyTestCase.Mutate"/> off, was not stopped, or the stopping
    /// call is not a shell command.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="testCase"/> is null.</exception>
    public IReadOnlyList<MutationResult> Mutate(PolicyTestCase testCase, PolicyTestResult? result = null)
    {
        ArgumentNullException.ThrowIfNull(testCase);
        if (testCase.Expect == ExpectedVerdict.Allow || !testCase.Mutate)
        {
            return [];
        }

        result ??= Run(testCase);
        var stopped = -1;
        for (var i = 0; i < result.Decisions.Count; i++)
        {
            if (EffectiveVerdict(result.Decisions[i]) != Verdict.Allow)
            {
                stopped = i;
                break;
            }
        }

        if (stopped < 0)
        {
            return [];
        }

        var step = testCase.Steps[stopped];
        var original = EffectiveVerdict(result.Decisions[stopped]);
        var argument = ShellArgumentName(step.Call);
        var command = argument is not null && step.Call.Arguments.TryGetProperty(argument, out var value) ? value.GetString() : null;
        if (command is null || argument is null)
        {
            return [];
        }

        var results = new List<MutationResult>();
        foreach (var mutation in BypassMutations.Generate(command))
        {
            var calls = new List<ToolCall>();
            for (var i = 0; i < stopped; i++)
            {
                calls.Add(testCase.Steps[i].Call);
            }

            foreach (var mutationStep in mutation.Steps)
            {
                calls.Add(mutationStep.Command is { } text
                    ? ReplaceArgument(step.Call, argument, text)
                    : WriteFileCall(mutationStep.FilePath!, mutationStep.FileContent!, step.Call.WorkingDirectory));
            }

            var session = NewSession(testCase.Name + "/" + mutation.Family + "/" + mutation.Technique);
            var decisions = new List<Decision>(calls.Count);
            var actual = Verdict.Allow;
            for (var i = 0; i < calls.Count; i++)
            {
                calls[i] = WithSession(calls[i], session, i + 1);
                var decision = _guard.Evaluate(calls[i]);
                decisions.Add(decision);
                var verdict = EffectiveVerdict(decision);
                actual = verdict > actual ? verdict : actual;
            }

            results.Add(new MutationResult(testCase, mutation, calls, decisions, actual, original));
        }

        return results;
    }

    /// <summary>Runs cases, and optionally their bypass variants, and computes rule coverage.</summary>
    /// <param name="cases">The cases.</param>
    /// <param name="mutate">Whether to evaluate bypass variants.</param>
    /// <param name="coverage">Which rules coverage reports.</param>
    /// <returns>The report.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="cases"/> is null.</exception>
    public PolicyTestReport RunAll(IEnumerable<PolicyTestCase> cases, bool mutate = false, CoverageScope coverage = CoverageScope.Own)
    {
        ArgumentNullException.ThrowIfNull(cases);
        var results = new List<PolicyTestResult>();
        var mutations = new List<MutationResult>();
        foreach (var testCase in cases)
        {
            var result = Run(testCase);
            results.Add(result);
            if (mutate)
            {
                mutations.AddRange(Mutate(testCase, result));
            }
        }

        return new PolicyTestReport(Policy, results, mutations, Coverage(results, coverage));
    }

    /// <summary>Computes which rules of the policy none of <paramref name="results"/> exercised.</summary>
    /// <param name="results">Results of cases run by this runner (or any runner of the same policy).</param>
    /// <param name="scope">Which rules to consider.</param>
    /// <returns>The coverage.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="results"/> is null.</exception>
    public RuleCoverage Coverage(IEnumerable<PolicyTestResult> results, CoverageScope scope = CoverageScope.Own)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (scope == CoverageScope.None)
        {
            return new RuleCoverage(scope, 0, [], ownRulesOnly: false);
        }

        var exercised = new HashSet<string>(results.SelectMany(r => r.MatchedRules), StringComparer.Ordinal);
        var rules = Policy.Compiled.Rules;
        var origins = Policy.RuleOrigins;
        var ownOnly = scope == CoverageScope.Own && origins.Any(o => o.File is not null && !o.IsBuiltin) && origins.Any(o => o.IsBuiltin);
        var uncovered = new List<UncoveredRule>();
        var count = 0;
        for (var i = 0; i < rules.Length; i++)
        {
            var origin = i < origins.Count ? origins[i] : null;
            var inherited = origin?.IsBuiltin == true;
            if (ownOnly && inherited)
            {
                continue;
            }

            count++;
            if (!exercised.Contains(rules[i].Id))
            {
                var (line, column) = origin?.Locate() ?? (0, 0);
                uncovered.Add(new UncoveredRule(rules[i].Id, origin?.FileName, line, column, inherited));
            }
        }

        return new RuleCoverage(scope, count, uncovered, ownOnly);
    }

    private void Collect(ToolCall call, Decision decision, List<string> fired, List<string> matched)
    {
        foreach (var id in decision.RuleIds)
        {
            AddOnce(fired, id);
        }

        var policy = Policy.Compiled;
        foreach (var id in decision.RuleIds)
        {
            if (policy.Rules.Any(r => r.Id == id))
            {
                AddOnce(matched, id); // includes rules whose condition needs the session's history
            }
        }

        var trace = RuleTrace.Run(policy, call);
        foreach (var index in trace.MatchedRules().Order())
        {
            var rule = policy.Rules[index];
            AddOnce(matched, rule.Id);
            if (rule.Effect == RuleEffect.Allow)
            {
                AddOnce(fired, rule.Id);
            }
        }
    }

    private static void AddOnce(List<string> list, string value)
    {
        if (!list.Contains(value, StringComparer.Ordinal))
        {
            list.Add(value);
        }
    }

    // The argument a shell tool call carries its command in, per the policy's binding of the tool.
    private string? ShellArgumentName(ToolCall call)
    {
        var binding = Policy.Compiled.FindTool(call.Name);
        if (binding is null || binding.Interpreter != InterpreterKind.Shell || call.Arguments.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var name in binding.Names("command"))
        {
            if (call.Arguments.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
            {
                return name;
            }
        }

        return null;
    }

    private static ToolCall ReplaceArgument(ToolCall call, string argument, string value)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            if (call.Arguments.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in call.Arguments.EnumerateObject())
                {
                    if (property.NameEquals(argument))
                    {
                        continue;
                    }

                    property.WriteTo(writer);
                }
            }

            writer.WriteString(argument, value);
            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(stream.ToArray());
        return new ToolCall(call.Name, document.RootElement.Clone()) { WorkingDirectory = call.WorkingDirectory, AgentId = call.AgentId };
    }

    private static ToolCall WriteFileCall(string path, string content, string? workingDirectory)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("file_path", path);
            writer.WriteString("content", content);
            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(stream.ToArray());
        return new ToolCall("write_file", document.RootElement.Clone()) { WorkingDirectory = workingDirectory };
    }

    private static ToolCall WithSession(ToolCall call, string session, int number) =>
        new(call.Name, call.Arguments)
        {
            SessionId = session,
            CallId = session + "#" + number.ToString(CultureInfo.InvariantCulture),
            AgentId = call.AgentId,
            WorkingDirectory = call.WorkingDirectory,
        };

    private static string NewSession(string name) =>
        string.Create(CultureInfo.InvariantCulture, $"guardrails-test:{Interlocked.Increment(ref s_sessions)}:{name}");

    private static string Rules(Decision decision) =>
        decision.RuleIds.Count == 0 ? string.Empty : "; rules: " + string.Join(", ", decision.RuleIds);

    internal static string Name(Verdict verdict) => verdict switch
    {
        Verdict.Allow => "allow",
        Verdict.Escalate => "escalate",
        _ => "deny",
    };

    internal static string Name(ExpectedVerdict expected) => expected switch
    {
        ExpectedVerdict.Allow => "allow",
        ExpectedVerdict.Escalate => "escalate",
        ExpectedVerdict.Deny => "deny",
        _ => "block (escalate or deny)",
    };
}
