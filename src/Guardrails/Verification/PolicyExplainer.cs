using System.Globalization;
using System.Text.Json;
using Guardrails.Actions;
using Guardrails.Classification;
using Guardrails.Evaluation;
using Guardrails.Interpreters;
using Guardrails.Policies;

namespace Guardrails.Verification;

/// <summary>
/// Explains how a policy decides one tool call: the operations the interpreters derive, every rule considered for
/// each operation with the condition parts that held or failed, the allow rules that suppressed findings, and the
/// score arithmetic that leads to the verdict.
/// </summary>
/// <remarks>
/// The decision in the explanation is the real one (the same <see cref="Guard.Evaluate"/> would give); the per-rule
/// detail re-evaluates the same conditions part by part. Explaining is much slower than deciding: it is a tool for
/// people, not for the hot path. Thread-safe.
/// </remarks>
public static class PolicyExplainer
{
    /// <summary>Explains how <paramref name="policy"/> decides <paramref name="call"/>.</summary>
    /// <param name="policy">The policy.</param>
    /// <param name="call">The tool call.</param>
    /// <returns>The explanation.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static DecisionExplanation Explain(GuardPolicy policy, ToolCall call)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(call);
        var compiled = policy.Compiled;
        var decision = new Guard(policy).Evaluate(call);
        var trace = RuleTrace.Run(compiled, call);
        var documentRules = policy.Document.Rules ?? [];
        var operations = new List<OperationExplanation>();
        foreach (var facts in trace.Facts)
        {
            var candidates = trace.Candidates(facts);
            var explained = new List<RuleExplanation>();
            var matchedAllows = candidates.Where(r => r.Effect == RuleEffect.Allow && RuleTrace.Matches(r, facts)).ToList();
            foreach (var rule in candidates)
            {
                var when = rule.Index < documentRules.Count ? documentRules[rule.Index]?.When : null;
                var checks = ConditionExplainer.Explain(rule.Condition, when, facts, compiled.Catalog);
                var matched = RuleTrace.Matches(rule, facts);
                if (checks.All(c => c.Held) != matched)
                {
                    checks.Add(new ConditionCheck("other", matched, "conditions this explanation cannot break down", matched ? "held" : "failed"));
                }

                string? suppressedBy = null;
                if (matched && rule.Effect != RuleEffect.Allow)
                {
                    var bit = rule.Condition.HasCapabilities ? LowestBit(facts.Capabilities & rule.Condition.Capabilities) : 0;
                    suppressedBy = matchedAllows.FirstOrDefault(a => a.Suppresses(rule, bit != 0 ? bit : CapabilityBits.Of(rule.Capability ?? default)))?.Id;
                }

                explained.Add(new RuleExplanation(rule.Id, EffectName(rule.Effect), rule.Score, matched, checks, suppressedBy));
            }

            var analyzed = new AnalyzedOperation(facts.Operation, CapabilityBits.ToList(facts.Capabilities), Resources(facts.Resources, compiled.Catalog));
            operations.Add(new OperationExplanation(analyzed, TextOf(call, facts.Operation), explained, compiled.Rules.Length - candidates.Count));
        }

        var terms = decision.Findings
            .Where(f => compiled.Rules.Any(r => r.Id == f.RuleId))
            .GroupBy(f => f.RuleId, StringComparer.Ordinal)
            .Select(g => new ScoreTerm(g.Key, g.Max(f => f.Score), g.First().Effect))
            .ToList();
        var sum = terms.Sum(t => t.Score);
        var steps = new List<string>();
        if (terms.Count > 0)
        {
            steps.Add(string.Create(CultureInfo.InvariantCulture, $"score = {string.Join(" + ", terms.Select(t => $"{t.Score} ({t.RuleId})"))} = {sum}{(sum > 100 ? ", capped at 100" : string.Empty)}"));
        }
        else
        {
            steps.Add("score = 0: no rule fired");
        }

        var capped = Math.Min(sum, 100);
        foreach (var term in terms.Where(t => t.Effect != Verdict.Allow))
        {
            steps.Add($"rule '{term.RuleId}' has effect {PolicyTestRunner.Name(term.Effect)}: the verdict is at least {PolicyTestRunner.Name(term.Effect)}");
        }

        if (capped >= compiled.DenyThreshold)
        {
            steps.Add(string.Create(CultureInfo.InvariantCulture, $"score {capped} >= deny threshold {compiled.DenyThreshold}: deny"));
        }
        else if (capped >= compiled.EscalateThreshold)
        {
            steps.Add(string.Create(CultureInfo.InvariantCulture, $"score {capped} >= escalate threshold {compiled.EscalateThreshold} (< deny threshold {compiled.DenyThreshold}): at least escalate"));
        }
        else
        {
            steps.Add(string.Create(CultureInfo.InvariantCulture, $"score {capped} < escalate threshold {compiled.EscalateThreshold}"));
        }

        if (trace.Problems.Count > 0 || decision.Error is not null)
        {
            steps.Add($"the call could not be fully analysed ({decision.Error ?? trace.Problems[0].Message}): score 100 and the policy's onError verdict ({PolicyTestRunner.Name(compiled.OnError)})");
        }

        if (decision.ShadowVerdict is { } shadow)
        {
            steps.Add($"the policy runs in audit mode: the verdict is allow; enforcement would {PolicyTestRunner.Name(shadow)}");
        }

        steps.Add($"verdict: {PolicyTestRunner.Name(decision.Verdict)}");
        var binding = compiled.FindTool(call.Name);
        var interpreter = binding is null
            ? "generic (the tool is not bound to an interpreter)"
            : ToolBinding.InterpreterNames.First(p => p.Value == binding.Interpreter).Key;
        return new DecisionExplanation(call, decision, interpreter, trace.WorkingDirectory, operations, [.. trace.Problems.Select(p => $"{p.Code}: {p.Message}")],
            terms, sum, compiled.EscalateThreshold, compiled.DenyThreshold, steps, compiled.Rules.Length);
    }

    private static ulong LowestBit(ulong mask) => mask == 0 ? 0 : mask & (~mask + 1);

    private static string EffectName(RuleEffect effect) => effect switch
    {
        RuleEffect.Score => "score",
        RuleEffect.Escalate => "escalate",
        RuleEffect.Deny => "deny",
        _ => "allow",
    };

    private static List<ResourceKind> Resources(ulong mask, Catalog catalog)
    {
        var list = new List<ResourceKind>();
        for (var i = 0; i < catalog.ResourceKinds.Count; i++)
        {
            if ((mask & (1UL << i)) != 0)
            {
                list.Add(catalog.ResourceKinds[i]);
            }
        }

        return list;
    }

    private static string TextOf(ToolCall call, Operation operation)
    {
        if (operation.Source.Length > 0 && call.Arguments.ValueKind == JsonValueKind.Object
            && call.Arguments.TryGetProperty(operation.Source, out var value) && value.ValueKind == JsonValueKind.String)
        {
            var text = value.GetString() ?? string.Empty;
            var span = operation.Span;
            if (span.Start >= 0 && span.End <= text.Length && span.Length > 0)
            {
                return span.Slice(text);
            }
        }

        return string.Empty;
    }

    // Breaks a compiled condition into its parts, each evaluated the way CompiledCondition.Matches does.
    private static class ConditionExplainer
    {
        public static List<ConditionCheck> Explain(CompiledCondition c, ConditionDocument? when, OperationFacts f, Catalog catalog)
        {
            var checks = new List<ConditionCheck>();
            void Add(string name, bool held, IEnumerable<string>? expected, string actual) =>
                checks.Add(new ConditionCheck(name, held, expected is null ? "(set)" : string.Join(", ", expected), actual));

            if (c.Operations != 0)
            {
                Add("operations", (c.Operations & (1u << (int)f.Operation.Kind)) != 0, when?.Operations, f.Operation.Kind.ToName());
            }

            if (c.HasCapabilities)
            {
                Add("capabilities", (c.Capabilities & f.Capabilities) != 0, when?.Capabilities, Names(CapabilityBits.ToList(f.Capabilities).Select(x => x.Value)));
            }

            if (c.HasResources)
            {
                Add("resources", (c.Resources & f.Resources) != 0, when?.Resources, Names(Resources(f.Resources, catalog).Select(r => r.Value)));
            }

            if (c.HasProgramClasses)
            {
                Add("programClasses", (c.ProgramClasses & f.ProgramClasses) != 0, when?.ProgramClasses, Names(Bits(f.ProgramClasses, catalog.ProgramClasses)));
            }

            if (c.HasHostClasses)
            {
                Add("hostClasses", (c.HostClasses & f.HostClasses) != 0, when?.HostClasses, Names(Bits(f.HostClasses, catalog.HostClasses)));
            }

            if (c.Detached is { } detached)
            {
                Add("detached", detached == f.Detached, [Bool(detached)], Bool(f.Detached));
            }

            if (c.OutsideWorkingDirectory is { } outside)
            {
                var actual = Classifier.OutsideWorkingDirectory(f);
                Add("outsideWorkingDirectory", outside == actual, [Bool(outside)], Bool(actual) + (f.WorkingDirectory is null ? " (working directory unknown)" : $" (working directory {f.WorkingDirectory})"));
            }

            if (c.Direction is { } direction)
            {
                Add("direction", direction == f.Direction, [direction.ToString().ToLowerInvariant()], f.Direction.ToString().ToLowerInvariant());
            }

            if (c.Self is { } self)
            {
                Add("self", self == f.Self, [Bool(self)], Bool(f.Self));
            }

            if (c.ProgramNames is not null || c.ProgramGlobs.Length > 0)
            {
                var program = f.ProgramName;
                var held = !string.IsNullOrEmpty(program) && ((c.ProgramNames?.Contains(program) ?? false) || c.ProgramGlobs.Any(g => g.IsMatch(program)));
                Add("programs", held, when?.Programs, program ?? "(no program)");
            }

            if (c.Paths.Length > 0)
            {
                var held = c.AllPathsMustMatch
                    ? f.Paths.Count > 0 && f.Paths.All(p => c.Paths.Any(g => g.IsMatch(p)))
                    : f.Paths.Any(p => c.Paths.Any(g => g.IsMatch(p)));
                Add(c.AllPathsMustMatch ? "paths (all must match)" : "paths", held, when?.Paths, f.Paths.Count == 0 ? "(no paths)" : Names(f.Paths));
            }

            if (c.Hosts.Length > 0)
            {
                var host = f.Host?.ToLowerInvariant();
                Add("hosts", host is not null && c.Hosts.Any(g => g.IsMatch(host)), when?.Hosts, f.Host ?? "(no host)");
            }

            if (c.Ports.Length > 0)
            {
                var port = f.Port;
                Add("ports", port is { } p && c.Ports.Any(r => p >= r.From && p <= r.To), when?.Ports?.Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText()),
                    port?.ToString(CultureInfo.InvariantCulture) ?? "(no port)");
            }

            if (c.Tools.Length > 0)
            {
                Add("tools", c.Tools.Any(g => g.IsMatch(f.ToolName)), when?.Tools, f.ToolName);
            }

            if (c.Arguments.Length > 0)
            {
                var text = f.ArgumentText.Length > 160 ? string.Concat(f.ArgumentText.AsSpan(0, 159), "…") : f.ArgumentText;
                Add("arguments", c.Arguments.Any(r => r.IsMatch(f.ArgumentText)), when?.Arguments, text);
            }

            if (c.Unless is { } unless)
            {
                bool excluded;
                try
                {
                    excluded = unless.Matches(f);
                }
#pragma warning disable CA1031 // Mirrors evaluation: a failing exception clause counts as not excluding.
                catch (Exception)
#pragma warning restore CA1031
                {
                    excluded = false;
                }

                checks.Add(new ConditionCheck("unless", !excluded, "the exception must not match", excluded ? "the exception matched" : "the exception did not match"));
            }

            if (c.Predicate is { } predicate)
            {
                bool held;
                try
                {
                    held = predicate(f);
                }
#pragma warning disable CA1031 // Mirrors evaluation: reported through the combined result.
                catch (Exception)
#pragma warning restore CA1031
                {
                    held = true;
                }

                checks.Add(new ConditionCheck("predicate", held, "(code)", held ? "held" : "failed"));
            }

            return checks;
        }

        private static IEnumerable<string> Bits(ulong mask, IReadOnlyList<string> names)
        {
            for (var i = 0; i < names.Count && i < 64; i++)
            {
                if ((mask & (1UL << i)) != 0)
                {
                    yield return names[i];
                }
            }
        }

        private static string Names(IEnumerable<string> names)
        {
            var text = string.Join(", ", names);
            return text.Length == 0 ? "(none)" : text;
        }

        private static string Bool(bool value) => value ? "true" : "false";
    }
}

/// <summary>Represents the explanation of one decision (see <see cref="PolicyExplainer"/>).</summary>
/// <remarks>Instances are immutable.</remarks>
public sealed class DecisionExplanation
{
    internal DecisionExplanation(ToolCall call, Decision decision, string interpreter, string? workingDirectory, IReadOnlyList<OperationExplanation> operations,
        IReadOnlyList<string> problems, IReadOnlyList<ScoreTerm> scoreTerms, int rawScore, int escalateThreshold, int denyThreshold, IReadOnlyList<string> steps, int ruleCount)
    {
        Call = call;
        Decision = decision;
        Interpreter = interpreter;
        WorkingDirectory = workingDirectory;
        Operations = operations;
        Problems = problems;
        ScoreTerms = scoreTerms;
        RawScore = rawScore;
        EscalateThreshold = escalateThreshold;
        DenyThreshold = denyThreshold;
        Steps = steps;
        RuleCount = ruleCount;
    }

    /// <summary>Gets the tool call explained.</summary>
    public ToolCall Call { get; }

    /// <summary>Gets the decision.</summary>
    public Decision Decision { get; }

    /// <summary>Gets the interpreter the tool is bound to, for example <c>shell</c>.</summary>
    public string Interpreter { get; }

    /// <summary>Gets the working directory the interpreter resolved, when known.</summary>
    public string? WorkingDirectory { get; }

    /// <summary>Gets the derived operations, each with the rules considered for it.</summary>
    public IReadOnlyList<OperationExplanation> Operations { get; }

    /// <summary>Gets the problems that prevented a full analysis (each forces the policy's onError verdict).</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>Gets the terms of the score: each rule that fired, with the score it adds.</summary>
    public IReadOnlyList<ScoreTerm> ScoreTerms { get; }

    /// <summary>Gets the sum of the score terms, before the cap at 100.</summary>
    public int RawScore { get; }

    /// <summary>Gets the policy's escalate threshold.</summary>
    public int EscalateThreshold { get; }

    /// <summary>Gets the policy's deny threshold.</summary>
    public int DenyThreshold { get; }

    /// <summary>Gets the reasoning from score to verdict, one sentence per step.</summary>
    public IReadOnlyList<string> Steps { get; }

    /// <summary>Gets the number of rules in the policy.</summary>
    public int RuleCount { get; }
}

/// <summary>Represents one derived operation and the rules considered for it.</summary>
/// <param name="Analyzed">The operation with its capabilities and resource kinds.</param>
/// <param name="Text">The part of the tool call's argument the operation came from; empty when unknown.</param>
/// <param name="Rules">The rules the rule index considered for the operation (its kind and capabilities), in policy order.</param>
/// <param name="NotConsidered">The number of other rules, which cannot apply to this operation's kind and capabilities.</param>
public sealed record OperationExplanation(AnalyzedOperation Analyzed, string Text, IReadOnlyList<RuleExplanation> Rules, int NotConsidered);

/// <summary>Represents one rule considered for an operation.</summary>
/// <param name="RuleId">The rule id.</param>
/// <param name="Effect">The rule's effect: <c>score</c>, <c>escalate</c>, <c>deny</c> or <c>allow</c>.</param>
/// <param name="Score">The rule's score.</param>
/// <param name="Matched">Whether the rule's condition held for the operation.</param>
/// <param name="Conditions">The parts of the condition and whether each held.</param>
/// <param name="SuppressedBy">The allow rule that removed the rule's finding on this operation, or <see langword="null"/>.</param>
public sealed record RuleExplanation(string RuleId, string Effect, int Score, bool Matched, IReadOnlyList<ConditionCheck> Conditions, string? SuppressedBy);

/// <summary>Represents one part of a rule's condition evaluated on an operation.</summary>
/// <param name="Condition">The condition's name, for example <c>capabilities</c>.</param>
/// <param name="Held">Whether the part held.</param>
/// <param name="Expected">What the rule asks for.</param>
/// <param name="Actual">What the operation has.</param>
public sealed record ConditionCheck(string Condition, bool Held, string Expected, string Actual);

/// <summary>Represents one term of a decision's score: a rule that fired.</summary>
/// <param name="RuleId">The rule id.</param>
/// <param name="Score">The score it adds (the highest among its findings).</param>
/// <param name="Effect">The verdict the rule asks for on its own (<see cref="Verdict.Allow"/> when it only scores).</param>
public sealed record ScoreTerm(string RuleId, int Score, Verdict Effect);
