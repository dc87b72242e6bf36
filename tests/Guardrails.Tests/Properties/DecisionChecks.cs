using System.Globalization;
using Guardrails.Actions;
using Guardrails.Approvals;

namespace Guardrails.Tests.Properties;

/// <summary>The properties every decision must have, checked the same way by every property test.</summary>
internal static class DecisionChecks
{
    /// <summary>Gets the verdict the policy reached: in audit mode the shadow verdict, otherwise the verdict.</summary>
    public static Verdict Reached(Decision decision) => decision.ShadowVerdict ?? decision.Verdict;

    /// <summary>
    /// Gets whether the guard could not fully read the call: the analysis reported a problem (a missing or mistyped
    /// argument, an input over a limit, an interpreter failure), or some code stayed opaque (unparseable text, a parser
    /// or nesting limit, code computed at run time).
    /// </summary>
    public static bool GaveUp(Decision decision) =>
        decision.Error is not null || decision.Operations.Any(o => o.Operation is OpaqueCode);

    /// <summary>Gets everything about a decision that must be the same for the same input.</summary>
    public static string Signature(Decision decision) =>
        string.Create(CultureInfo.InvariantCulture, $"{decision.Verdict}/{decision.ShadowVerdict}/{decision.Score}/{decision.PolicyVersion}|")
        + string.Join(",", decision.Findings.Select(f => $"{f.RuleId}:{f.Effect}:{f.Score}@{f.Evidence.Source}{f.Evidence.Span}"))
        + "|" + string.Join(",", decision.Operations.Select(o => $"{o.Operation.Kind}@{o.Operation.Source}{o.Operation.Span}"))
        + "|" + decision.Error;

    /// <summary>
    /// Decides <paramref name="call"/> twice with <paramref name="guard"/> and once with <paramref name="twin"/> (a guard
    /// built from an independent load of the same policy) and checks: no exception, a defined verdict, the same
    /// decision each time, and no allow when an analysis problem was reported. Returns the first decision, or null.
    /// </summary>
    public static Decision? Check(PropertyRun run, int index, string input, Guard guard, Guard? twin, ToolCall call)
    {
        var decision = run.Guarded("evaluate-throws", index, input, () => guard.Evaluate(call));
        if (decision is null)
        {
            return null;
        }

        if (!Enum.IsDefined(decision.Verdict))
        {
            run.Fail("verdict-undefined", index, input, $"verdict {(int)decision.Verdict}");
        }

        var signature = Signature(decision);
        var again = run.Guarded("evaluate-throws", index, input, () => Signature(guard.Evaluate(call)));
        var other = twin is null ? signature : run.Guarded("evaluate-throws", index, input, () => Signature(twin.Evaluate(call)));
        if (again is not null && other is not null && (again != signature || other != signature))
        {
            run.Fail("nondeterministic", index, input, $"{signature}\n    then {again}\n    twin {other}");
        }

        if (decision.Error is not null && Reached(decision) == Verdict.Allow)
        {
            run.Fail("problem-allowed", index, input, $"the analysis reported '{decision.Error}' but the verdict is allow");
        }

        return decision;
    }

    /// <summary>
    /// Resolves <paramref name="call"/> with <see cref="Guard.DecideAsync"/> and an approval handler that answers in the
    /// way <paramref name="behaviour"/> picks (approve, refuse, throw, return null, or cancel); checks that nothing
    /// escapes and that the outcome follows the escalation: only an approved escalation, or a decision that was already
    /// allow, ends as allow.
    /// </summary>
    public static void CheckResolved(PropertyRun run, int index, string input, GuardPolicy policy, ToolCall call, int behaviour)
    {
        var handler = new CallbackApprovalHandler((request, ct) => behaviour switch
        {
            0 => ValueTask.FromResult(ApprovalResult.Approve("property test")),
            1 => ValueTask.FromResult(ApprovalResult.Refuse("property test")),
            2 => throw new InvalidOperationException("handler failed"),
            3 => ValueTask.FromResult<ApprovalResult>(null!),
            _ => ValueTask.FromCanceled<ApprovalResult>(new CancellationToken(canceled: true)),
        });
        var guard = new Guard(policy, new GuardOptions { HomeDirectory = TestGuards.Home, ApprovalHandler = handler });
        var evaluated = run.Guarded("evaluate-throws", index, input, () => guard.Evaluate(call));
        var resolved = run.Guarded("decide-async-throws", index, input, () => guard.DecideAsync(call).AsTask().GetAwaiter().GetResult());
        if (evaluated is null || resolved is null)
        {
            return;
        }

        var expected = evaluated.Verdict switch
        {
            Verdict.Escalate => behaviour == 0 ? Verdict.Allow : Verdict.Deny,
            var verdict => verdict,
        };
        if (resolved.Verdict != expected)
        {
            run.Fail("decide-async-outcome", index, input, $"evaluated {evaluated.Verdict}, handler behaviour {behaviour}, resolved {resolved.Verdict} (expected {expected})");
        }
    }
}
