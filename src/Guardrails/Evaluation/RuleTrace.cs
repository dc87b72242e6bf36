using System.Text.Json;
using Guardrails.Classification;
using Guardrails.Interpreters;

namespace Guardrails.Evaluation;

/// <summary>
/// Re-derives what <see cref="Evaluator"/> sees for one tool call — the operations, their classification, the input
/// problems — and lets callers ask which rules' conditions match them. Used by inline rule examples, the test runner's
/// coverage and <c>explain</c>; never on the hot path, so it favours clarity over allocation.
/// </summary>
/// <remarks>
/// Interpretation and classification are deterministic, so the facts equal those the evaluator derived for the same
/// call. A rule "matches" when its condition holds for at least one operation, before allow rules suppress anything
/// (so allow rules match too, although they never produce a finding).
/// </remarks>
internal sealed class RuleTrace
{
    private RuleTrace(CompiledPolicy policy, ToolCall call, IReadOnlyList<OperationFacts> facts, IReadOnlyList<InputProblem> problems, string? workingDirectory, bool boundTool)
    {
        Policy = policy;
        Call = call;
        Facts = facts;
        Problems = problems;
        WorkingDirectory = workingDirectory;
        BoundTool = boundTool;
    }

    public CompiledPolicy Policy { get; }

    public ToolCall Call { get; }

    /// <summary>Gets the classified operations, in the order the interpreter derived them.</summary>
    public IReadOnlyList<OperationFacts> Facts { get; }

    /// <summary>Gets the problems that prevented a full analysis (each is a fail-closed finding in the decision).</summary>
    public IReadOnlyList<InputProblem> Problems { get; }

    /// <summary>Gets the working directory the interpreter resolved, when known.</summary>
    public string? WorkingDirectory { get; }

    /// <summary>Gets a value indicating whether the tool has a binding in the policy (otherwise the generic interpreter ran).</summary>
    public bool BoundTool { get; }

    public static RuleTrace Run(CompiledPolicy policy, ToolCall call)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(call);
        var sink = new OperationSink(policy.Limits.MaxOperations);
        var binding = policy.FindTool(call.Name);
        var bound = binding is not null;
        binding ??= ToolBinding.Create(InterpreterKind.Generic);
        var workingDirectory = call.WorkingDirectory is { Length: > 0 } cwd ? policy.Catalog.Normalize(cwd, null) : null;
        if (call.Arguments.ValueKind is not (JsonValueKind.Object or JsonValueKind.Undefined) && binding.Interpreter != InterpreterKind.Generic)
        {
            sink.AddProblem("guardrails.input.shape", $"the arguments of tool '{call.Name}' must be a JSON object", string.Empty, TextSpan.Empty);
        }
        else
        {
            var context = new InterpretationContext(call, binding, policy, sink);
            try
            {
                ToolInterpreter.Interpret(context);
                workingDirectory = context.WorkingDirectory;
            }
#pragma warning disable CA1031 // Mirrors the evaluator: an interpreter failure is a problem of the call, not of the caller.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                sink.AddProblem("guardrails.error.interpreter", $"the interpreter failed: {ex.GetType().Name}: {ex.Message}", string.Empty, TextSpan.Empty);
            }
        }

        var facts = new OperationFacts[sink.Operations.Count];
        for (var i = 0; i < facts.Length; i++)
        {
            facts[i] = Classifier.Classify(sink.Operations[i], policy.Catalog, call.Name, workingDirectory);
        }

        return new RuleTrace(policy, call, facts, sink.Problems, workingDirectory, bound);
    }

    /// <summary>Evaluates a rule's condition on one operation the way the evaluator does: a condition that throws counts as matched, except for allow rules.</summary>
    public static bool Matches(CompiledRule rule, OperationFacts facts)
    {
        try
        {
            return rule.Condition.Matches(facts);
        }
#pragma warning disable CA1031 // Same fail-closed rule as the evaluator.
        catch (Exception)
#pragma warning restore CA1031
        {
            return rule.Effect != RuleEffect.Allow;
        }
    }

    /// <summary>Determines whether the rule's condition holds for at least one operation of the call.</summary>
    public bool Matches(CompiledRule rule)
    {
        foreach (var facts in Facts)
        {
            if (Matches(rule, facts))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Gets the indexes (<see cref="CompiledRule.Index"/>) of every rule whose condition holds for at least one operation.</summary>
    public HashSet<int> MatchedRules()
    {
        var matched = new HashSet<int>();
        foreach (var facts in Facts)
        {
            foreach (var rule in Candidates(facts))
            {
                if (!matched.Contains(rule.Index) && Matches(rule, facts))
                {
                    matched.Add(rule.Index);
                }
            }
        }

        return matched;
    }

    /// <summary>Gets the rules the rule index considers for an operation (its kind and capabilities), each once, in policy order.</summary>
    public IReadOnlyList<CompiledRule> Candidates(OperationFacts facts)
    {
        var seen = new HashSet<int>();
        var result = new List<CompiledRule>();
        var candidates = new List<RuleCandidate>();
        Policy.Index.Collect(facts, candidates);
        foreach (var (rule, _) in candidates)
        {
            if (seen.Add(rule.Index))
            {
                result.Add(rule);
            }
        }

        result.Sort(static (a, b) => a.Index.CompareTo(b.Index));
        return result;
    }
}
