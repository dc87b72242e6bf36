using Guardrails.Approvals;

namespace Guardrails.Tests;

public sealed class DecisionTests
{
    private const string Escalating = "cat ~/.ssh/id_rsa";
    private const string Denied = "cp -r /models/qwen /tmp/q";

    [Fact]
    public void ToModelMessage_Deny_SaysItDidNotRun_NamesRulesAndReasons_AndTellsTheModelNotToRetry()
    {
        var decision = TestGuards.Shell(Denied);

        var message = decision.ToModelMessage();

        decision.Verdict.Should().Be(Verdict.Deny);
        message.Should().StartWith("Blocked by Guardrails: this tool call was denied and did not run. Rules: " + string.Join(", ", decision.RuleIds) + ". Reasons: ");
        message.Should().Contain(decision.Reasons[0]);
        message.Should().EndWith(" Do not retry this call or work around it; continue another way or tell the user what you could not do and why.");
    }

    [Fact]
    public void ToModelMessage_Escalate_SaysTheCallIsPausedForAHuman()
    {
        var decision = TestGuards.Shell(Escalating);

        var message = decision.ToModelMessage();

        decision.Verdict.Should().Be(Verdict.Escalate);
        message.Should().StartWith("Paused by Guardrails: this tool call needs a human's approval and has not run. Rules: credential.access");
        message.Should().EndWith(" Wait for the user's decision; do not retry this call or work around it.");
    }

    [Fact]
    public void ToModelMessage_Allow_SaysItMayRun()
    {
        TestGuards.Shell("ls -la").ToModelMessage().Should().Be("Allowed by Guardrails: this tool call may run.");
    }

    [Fact]
    public void ToModelMessage_NeverRepeatsTheArguments()
    {
        var decision = TestGuards.Default.Evaluate(ToolCall.Shell("cp -r /models/qwen /tmp/q # token=sk-secret-123"));

        decision.Verdict.Should().Be(Verdict.Deny);
        decision.ToModelMessage().Should().NotContain("sk-secret-123");
    }

    [Fact]
    public void ToModelMessage_RefusedEscalation_PutsTheRefusalFirst()
    {
        var decision = TestGuards.Shell(Escalating).Resolve(ApprovalResult.Refuse("not on a Friday", "alice"));

        decision.ToModelMessage().Should().StartWith("Blocked by Guardrails: this tool call was denied and did not run. Rules: guardrails.approval.refused, credential.access. Reasons: approval was refused: not on a Friday; ");
    }

    [Fact]
    public void Resolve_EscalationApproved_Allows_AndKeepsTheFindingsAndTheAnswer()
    {
        var escalated = TestGuards.Shell(Escalating);
        var answer = ApprovalResult.Approve("for the deploy", "alice");

        var resolved = escalated.Resolve(answer);

        resolved.Verdict.Should().Be(Verdict.Allow);
        resolved.RuleIds.Should().Equal(escalated.RuleIds);
        resolved.Approval.Should().BeSameAs(answer);
        escalated.Verdict.Should().Be(Verdict.Escalate, "the original is immutable");
    }

    [Fact]
    public void Resolve_EscalationRefused_DeniesWithTheRefusalFirst()
    {
        var resolved = TestGuards.Shell(Escalating).Resolve(ApprovalResult.Refuse());

        resolved.Verdict.Should().Be(Verdict.Deny);
        resolved.RuleIds.Should().Equal("guardrails.approval.refused", "credential.access");
        resolved.Reasons[0].Should().Be("approval was refused");
    }

    [Fact]
    public void Resolve_DenyApproved_StaysADeny()
    {
        var denied = TestGuards.Shell(Denied);

        var resolved = denied.Resolve(ApprovalResult.Approve(approver: "alice"));

        resolved.Verdict.Should().Be(Verdict.Deny);
        resolved.RuleIds.Should().Equal(denied.RuleIds);
    }

    [Fact]
    public void Resolve_AllowRefused_IsADeny()
    {
        TestGuards.Shell("ls").Resolve(ApprovalResult.Refuse("audit log unavailable")).Verdict.Should().Be(Verdict.Deny);
    }
}
