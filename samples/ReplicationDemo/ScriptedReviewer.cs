using Guardrails.Approvals;

namespace ReplicationDemo;

/// <summary>
/// The human in the loop, scripted so that the demo runs unattended: it reads why approval is needed and refuses
/// credential reads by an agent that has just tried to copy itself. Run with --interactive to answer yourself.
/// </summary>
internal sealed class ScriptedReviewer : IApprovalHandler
{
    private readonly Report _report;

    public ScriptedReviewer(Report report)
    {
        _report = report;
    }

    public ValueTask<ApprovalResult> RequestApprovalAsync(ApprovalRequest request, CancellationToken cancellationToken)
    {
        var answer = ApprovalResult.Refuse("an agent that just tried to copy itself does not get the hub token", "reviewer");
        _report.Reviewer(request, answer);
        return ValueTask.FromResult(answer);
    }
}
