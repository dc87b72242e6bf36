using System.Text.Json;
using Guardrails.Actions;
using Guardrails.Classification;
using Guardrails.Interpreters;

namespace Guardrails.Evaluation;

/// <summary>
/// Decides one tool call against a compiled policy: interpret → classify → match rules → aggregate. Stateless and
/// thread-safe; everything per-call lives on the stack of <see cref="Evaluate(CompiledPolicy, ToolCall, CancellationToken)"/>,
/// and a session's history in the <see cref="Sessions.SessionState"/> whose lock the caller holds.
/// </summary>
/// <remarks>
/// Fail-closed by construction: an input problem, an exception anywhere (including inside a rule) and cancellation
/// all produce the policy's error verdict (deny unless the policy says escalate), never allow.
/// </remarks>
internal static class Evaluator
{
    private const int MaxEvidenceText = 200;

    public static Decision Evaluate(CompiledPolicy policy, ToolCall call, CancellationToken cancellationToken = default) =>
        Evaluate(policy, call, null, default, cancellationToken);

    /// <summary>
    /// Decides <paramref name="call"/> with the history of <paramref name="session"/> (the caller holds its lock), then
    /// records the call in it; with no session, the call is decided on its own.
    /// </summary>
    public static Decision Evaluate(CompiledPolicy policy, ToolCall call, Sessions.SessionState? session, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            return EvaluateCore(policy, call, session?.Begin(policy, now), cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return Failure(policy, "guardrails.cancelled", "evaluation was cancelled before a decision was reached", call);
        }
#pragma warning disable CA1031 // Fail closed: any exception must become a deny, not escape or allow.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return Failure(policy, "guardrails.error.internal", $"internal error while evaluating: {ex.GetType().Name}: {ex.Message}", call);
        }
    }

    /// <summary>Builds the decision for a call that could not be evaluated at all.</summary>
    public static Decision Failure(CompiledPolicy? policy, string code, string message, ToolCall? call)
    {
        var verdict = policy?.OnError ?? Verdict.Deny;
        var finding = new Finding(code, Capability.CodeOpaque, message, 100, verdict, new Evidence(null, string.Empty, TextSpan.Empty, string.Empty));
        return Finish(policy, verdict, 100, [finding], [], message);
    }

    private static Decision EvaluateCore(CompiledPolicy policy, ToolCall call, Sessions.SessionView? session, CancellationToken cancellationToken)
    {
        var sink = new OperationSink(policy.Limits.MaxOperations);
        List<Finding>? findings = null;
        EvidenceSource evidence = default;
        var binding = policy.FindTool(call.Name);
        if (binding is null)
        {
            binding = ToolBinding.Create(InterpreterKind.Generic);
            if (policy.UnknownTools != Verdict.Allow)
            {
                (findings ??= []).Add(new Finding("guardrails.tool.unknown", Capability.CodeOpaque, $"tool '{call.Name}' is not known to the policy", 100, policy.UnknownTools, Empty));
            }
        }

        var workingDirectory = call.WorkingDirectory is { Length: > 0 } cwd ? policy.Catalog.Normalize(cwd, null) : null;
        if (call.Arguments.ValueKind is not (JsonValueKind.Object or JsonValueKind.Undefined) && binding.Interpreter != InterpreterKind.Generic)
        {
            sink.AddProblem("guardrails.input.shape", $"the arguments of tool '{call.Name}' must be a JSON object, not {call.Arguments.ValueKind.ToString().ToLowerInvariant()}", string.Empty, TextSpan.Empty);
        }
        else
        {
            var context = new InterpretationContext(call, binding, policy, sink);
            try
            {
                ToolInterpreter.Interpret(context);
                workingDirectory = context.WorkingDirectory;
                Sessions.ScriptExpansion.Expand(context, session);
            }
            catch (OperationCanceledException)
            {
                throw;
            }
#pragma warning disable CA1031 // An interpreter failure must not lose the call: it becomes a fail-closed finding.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                sink.AddProblem("guardrails.error.interpreter", $"the {binding.Interpreter.ToString().ToLowerInvariant()} interpreter failed: {ex.GetType().Name}: {ex.Message}", string.Empty, TextSpan.Empty);
            }
        }

        foreach (var problem in sink.Problems)
        {
            (findings ??= []).Add(new Finding(problem.Code, Capability.CodeOpaque, problem.Message, 100, policy.OnError, MakeEvidence(call, null, problem.Source, problem.Span, ref evidence)));
        }

        var analyzed = new AnalyzedOperation[sink.Operations.Count];
        var allFacts = session is null ? [] : new OperationFacts[sink.Operations.Count];
        var matches = new List<(CompiledRule Rule, OperationFacts Facts, ulong Capability)>();
        for (var i = 0; i < sink.Operations.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var operation = sink.Operations[i];
            var facts = Classifier.Classify(operation, policy.Catalog, call.Name, workingDirectory);
            if (session is not null)
            {
                session.Augment(facts);
                facts.Session = session;
                allFacts[i] = facts;
            }

            analyzed[i] = new AnalyzedOperation(operation, CapabilityBits.ToList(facts.Capabilities), ResourcesOf(facts.Resources, policy.Catalog));
            MatchOperation(policy, facts, matches);
        }

        var score = 0;
        if (matches.Count > 0)
        {
            // Each rule counts once, with its score, however many operations it matched.
            var ruleScores = new Dictionary<int, int>();
            foreach (var (rule, facts, capabilityBit) in matches)
            {
                var capability = rule.Capability ?? CapabilityBits.First(capabilityBit != 0 ? capabilityBit : facts.Capabilities);
                (findings ??= []).Add(new Finding(rule.Id, capability, rule.Message, rule.Score, rule.EffectVerdict, MakeEvidence(call, facts.Operation, facts.Operation.Source, facts.Operation.Span, ref evidence)));
                ruleScores[rule.Index] = Math.Max(ruleScores.GetValueOrDefault(rule.Index), rule.Score);
            }

            foreach (var value in ruleScores.Values)
            {
                score += value;
            }
        }

        var verdict = Verdict.Allow;
        foreach (var finding in findings ?? [])
        {
            if (finding.Effect > verdict)
            {
                verdict = finding.Effect;
            }
        }

        score = Math.Min(score, 100);
        if (score >= policy.DenyThreshold)
        {
            verdict = Verdict.Deny;
        }
        else if (score >= policy.EscalateThreshold && verdict < Verdict.Escalate)
        {
            verdict = Verdict.Escalate;
        }

        if (sink.Problems.Count > 0)
        {
            // The verdict of a failure is the policy's onError (already among the findings' effects); the score says
            // nothing could be trusted.
            score = 100;
        }

        findings?.Sort(static (a, b) => b.Effect != a.Effect ? b.Effect.CompareTo(a.Effect) : b.Score.CompareTo(a.Score));
        var error = sink.Problems.Count > 0 ? sink.Problems[0].Message : null;

        // Every call is remembered whatever its verdict: the guard cannot know whether the host ran it anyway (audit
        // mode, an approval, a host that ignores decisions), so the session assumes the worst.
        session?.Record(allFacts, binding.Interpreter);
        return Finish(policy, verdict, score, findings ?? (IReadOnlyList<Finding>)[], analyzed, error);
    }

    // The rule index's candidates for the operation being matched: reused, so matching allocates nothing.
    [ThreadStatic]
    private static List<RuleCandidate>? t_candidates;

    private static void MatchOperation(CompiledPolicy policy, OperationFacts facts, List<(CompiledRule, OperationFacts, ulong)> matches)
    {
        var start = matches.Count;
        List<CompiledRule>? allows = null;

        void Consider(CompiledRule rule, ulong capabilityBit)
        {
            bool matched;
            try
            {
                matched = rule.Condition.Matches(facts);
            }
#pragma warning disable CA1031 // A rule that throws counts as matched (fail closed).
            catch (Exception)
#pragma warning restore CA1031
            {
                matched = rule.Effect != RuleEffect.Allow;
            }

            if (!matched)
            {
                return;
            }

            if (rule.Effect == RuleEffect.Allow)
            {
                (allows ??= []).Add(rule);
                return;
            }

            for (var i = start; i < matches.Count; i++)
            {
                if (ReferenceEquals(matches[i].Item1, rule))
                {
                    return; // already matched through another capability bucket
                }
            }

            matches.Add((rule, facts, capabilityBit));
        }

        // Borrow the thread's candidate list (a nested call gets its own).
        var candidates = t_candidates ?? [];
        t_candidates = null;
        candidates.Clear();
        policy.Index.Collect(facts, candidates);
        foreach (var (rule, capabilityBit) in candidates)
        {
            Consider(rule, capabilityBit);
        }

        t_candidates = candidates;

        if (allows is null)
        {
            return;
        }

        // Narrow exceptions: an allow rule that matches this operation removes the findings it suppresses.
        for (var i = matches.Count - 1; i >= start; i--)
        {
            var (rule, _, bit) = matches[i];
            foreach (var allow in allows)
            {
                if (allow.Suppresses(rule, bit != 0 ? bit : CapabilityBits.Of(rule.Capability ?? default)))
                {
                    matches.RemoveAt(i);
                    break;
                }
            }
        }
    }

    private static ResourceKind[] ResourcesOf(ulong mask, Catalog catalog)
    {
        if (mask == 0)
        {
            return [];
        }

        var kinds = catalog.ResourceKinds;
        var count = 0;
        for (var i = 0; i < kinds.Count; i++)
        {
            count += (int)((mask >> i) & 1);
        }

        var result = new ResourceKind[count];
        var n = 0;
        for (var i = 0; i < kinds.Count; i++)
        {
            if ((mask & (1UL << i)) != 0)
            {
                result[n++] = kinds[i];
            }
        }

        return result;
    }

    private static readonly Evidence Empty = new(null, string.Empty, TextSpan.Empty, string.Empty);

    /// <summary>The last argument text evidence was cut from, so that several findings on one argument read it once.</summary>
    private record struct EvidenceSource(string? Name, string? Text);

    private static Evidence MakeEvidence(ToolCall call, Operation? operation, string source, TextSpan span, ref EvidenceSource last)
    {
        var text = string.Empty;
        if (source.Length > 0 && (string.Equals(last.Name, source, StringComparison.Ordinal) || TryReadArgument(call, source, ref last)))
        {
            var full = last.Text ?? string.Empty;
            text = span.Length == 0 && span.Start == 0 ? string.Empty : span.Slice(full);
            if (text.Length > MaxEvidenceText)
            {
                text = string.Concat(text.AsSpan(0, MaxEvidenceText - 1), "…");
            }
        }

        return new Evidence(operation, source, span, text);
    }

    private static bool TryReadArgument(ToolCall call, string source, ref EvidenceSource last)
    {
        if (call.Arguments.ValueKind != JsonValueKind.Object || !call.Arguments.TryGetProperty(source, out var value) || value.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        last = new EvidenceSource(source, value.GetString());
        return true;
    }

    private static Decision Finish(CompiledPolicy? policy, Verdict verdict, int score, IReadOnlyList<Finding> findings, IReadOnlyList<AnalyzedOperation> operations, string? error)
    {
        var name = policy?.Name ?? "(none)";
        var version = policy?.Version ?? string.Empty;
        if (policy?.Mode == PolicyMode.Audit)
        {
            return new Decision(Verdict.Allow, score, findings, operations, name, version, error, shadowVerdict: verdict);
        }

        return new Decision(verdict, score, findings, operations, name, version, error);
    }
}
