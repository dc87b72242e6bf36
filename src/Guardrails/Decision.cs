using System.Text;
using Guardrails.Actions;
using Guardrails.Approvals;

namespace Guardrails;

/// <summary>
/// Represents the outcome of evaluating one tool call against a policy: the verdict, the score, the findings that led
/// to it, and the policy version that produced it.
/// </summary>
/// <remarks>Instances are immutable. Evaluation is deterministic for the same policy, input and session history.</remarks>
public sealed class Decision
{
    internal Decision(Verdict verdict, int score, IReadOnlyList<Finding> findings, IReadOnlyList<AnalyzedOperation> operations, string policyName, string policyVersion, string? error, Verdict? shadowVerdict = null)
    {
        Verdict = verdict;
        ShadowVerdict = shadowVerdict;
        Score = score;
        Findings = findings;
        Operations = operations;
        PolicyName = policyName;
        PolicyVersion = policyVersion;
        Error = error;
    }

    /// <summary>Gets the verdict.</summary>
    public Verdict Verdict { get; }

    /// <summary>
    /// Gets the verdict an enforcing policy would have given, when the deciding policy runs in audit mode (where
    /// <see cref="Verdict"/> is always <see cref="Verdict.Allow"/>); otherwise <see langword="null"/>.
    /// </summary>
    public Verdict? ShadowVerdict { get; }

    /// <summary>Gets the aggregated score (0 to 100) of the rules that fired.</summary>
    public int Score { get; }

    /// <summary>Gets the findings that explain the verdict, most severe first; empty when the call is allowed with nothing to report.</summary>
    public IReadOnlyList<Finding> Findings { get; }

    /// <summary>Gets the operations the interpreters derived from the tool call, with their classification.</summary>
    public IReadOnlyList<AnalyzedOperation> Operations { get; }

    /// <summary>Gets the name of the policy that decided, for example <c>builtin:default</c> or a file path.</summary>
    public string PolicyName { get; }

    /// <summary>Gets the version (content hash) of the policy that decided.</summary>
    public string PolicyVersion { get; }

    /// <summary>Gets the cause when the decision was forced by a failure (unreadable input, internal error, missing policy), otherwise <see langword="null"/>.</summary>
    public string? Error { get; }

    /// <summary>Gets the answer of the approval handler when an escalation was resolved by <see cref="Guard.DecideAsync"/>; otherwise <see langword="null"/>.</summary>
    public ApprovalResult? Approval { get; private init; }

    /// <summary>Gets a value indicating whether the call may run.</summary>
    public bool IsAllowed => Verdict == Verdict.Allow;

    /// <summary>Gets the distinct ids of the rules that fired, in the order of <see cref="Findings"/>.</summary>
    public IReadOnlyList<string> RuleIds => field ??= Findings.Select(f => f.RuleId).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>Gets the distinct human-readable reasons, in the order of <see cref="Findings"/>.</summary>
    public IReadOnlyList<string> Reasons => field ??= Findings.Select(f => f.Message).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// Returns this decision resolved with a human's <paramref name="answer"/> to its escalation: a deny stays a deny
    /// whatever the answer; otherwise an approval gives an allow, and a refusal a deny whose first finding is
    /// <c>guardrails.approval.refused</c> (with the answer's reason). The answer is kept in <see cref="Approval"/>.
    /// </summary>
    /// <param name="answer">The answer.</param>
    /// <returns>The resolved decision; this instance is not changed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="answer"/> is null.</exception>
    /// <remarks>
    /// This only combines a decision with an answer. It does not check that the answer was given for this call — bind
    /// answers to calls with <see cref="ApprovalTickets"/> when they arrive from outside the process.
    /// </remarks>
    public Decision Resolve(ApprovalResult answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        if (Verdict == Verdict.Deny)
        {
            return Resolve(Verdict.Deny, null, answer);
        }

        return answer.Approved
            ? Resolve(Verdict.Allow, null, answer)
            : Resolve(Verdict.Deny, Refused(answer), answer);
    }

    /// <summary>
    /// Returns the text a model reads as the tool's result when this decision stops a call, the same in every adapter:
    /// that the call did not run, the rules that fired, their reasons, and what to do instead — so that the model can
    /// re-plan rather than retry or work around the guard.
    /// </summary>
    /// <returns>
    /// For <see cref="Verdict.Deny"/>: <c>Blocked by Guardrails: this tool call was denied and did not run. Rules: … Reasons: … Do not retry …</c>.
    /// For <see cref="Verdict.Escalate"/> (a call paused until a human answers): <c>Paused by Guardrails: this tool call needs a human's approval and has not run. …</c>.
    /// For <see cref="Verdict.Allow"/>: <c>Allowed by Guardrails: this tool call may run.</c>
    /// </returns>
    /// <remarks>
    /// The text names rule ids and the rules' messages; it never repeats the tool's arguments (they may hold secrets).
    /// Adapters return it instead of invoking a denied tool; hosts that execute tool calls themselves can do the same.
    /// </remarks>
    public string ToModelMessage()
    {
        var (opening, closing) = Verdict switch
        {
            Verdict.Allow => ("Allowed by Guardrails: this tool call may run.", null),
            Verdict.Escalate => ("Paused by Guardrails: this tool call needs a human's approval and has not run.",
                "Wait for the user's decision; do not retry this call or work around it."),
            _ => ("Blocked by Guardrails: this tool call was denied and did not run.",
                "Do not retry this call or work around it; continue another way or tell the user what you could not do and why."),
        };
        var text = new StringBuilder(opening);
        if (RuleIds.Count > 0)
        {
            text.Append(" Rules: ").AppendJoin(", ", RuleIds).Append('.');
        }

        if (Reasons.Count > 0)
        {
            text.Append(" Reasons: ").AppendJoin("; ", Reasons).Append('.');
        }

        return closing is null ? text.ToString() : text.Append(' ').Append(closing).ToString();
    }

    /// <summary>Returns a copy of this escalate decision resolved to <paramref name="verdict"/>, with an optional extra finding first.</summary>
    internal Decision Resolve(Verdict verdict, Finding? extra, ApprovalResult? approval)
    {
        IReadOnlyList<Finding> findings = extra is null ? Findings : [extra, .. Findings];
        return new Decision(verdict, Score, findings, Operations, PolicyName, PolicyVersion, Error, ShadowVerdict) { Approval = approval };
    }

    private static Finding Refused(ApprovalResult answer) => new(
        "guardrails.approval.refused",
        Capability.CodeOpaque,
        "approval was refused" + (answer.Reason is null ? string.Empty : ": " + answer.Reason),
        0,
        Verdict.Deny,
        new Evidence(null, string.Empty, TextSpan.Empty, string.Empty));

    /// <summary>Returns a one-line summary such as <c>deny (95): replica.launch.detached</c>.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() =>
        RuleIds.Count == 0 ? $"{Verdict.ToString().ToLowerInvariant()} ({Score})" : $"{Verdict.ToString().ToLowerInvariant()} ({Score}): {string.Join(", ", RuleIds)}";
}

/// <summary>An operation together with what the policy's catalogs say about it.</summary>
/// <param name="Operation">The operation an interpreter derived.</param>
/// <param name="Capabilities">The capabilities the operation exercises.</param>
/// <param name="Resources">The kinds of resource the operation touches.</param>
public sealed record AnalyzedOperation(Operation Operation, IReadOnlyList<Capability> Capabilities, IReadOnlyList<ResourceKind> Resources);
