using Guardrails.Approvals;
using Microsoft.SemanticKernel;
using Microsoft.Extensions.Time.Testing;
using static Guardrails.SemanticKernel.Tests.Harness;
using static Guardrails.SemanticKernel.Tests.ScriptedChatClient;

namespace Guardrails.SemanticKernel.Tests;

/// <summary>Escalated calls routed to the guard's approval handler (<see cref="AutoInvocationEscalation.RequestApproval"/>).</summary>
public sealed class EscalationTests
{
    private const string Bash = ShellPlugin.Name + "_bash";

    [Fact]
    public async Task Escalation_Approved_RunsAndAsksExactlyOnce()
    {
        var asked = new List<ApprovalRequest>();
        var harness = new Harness(new ScriptedChatClient(Calls(("c1", Bash, ReadSshKey)), Says("done")));
        harness.Kernel.AddGuardrails(CreateGuard(new CallbackApprovalHandler((request, _) =>
        {
            asked.Add(request);
            return ValueTask.FromResult(ApprovalResult.Approve("the operator said yes", "alice"));
        })));

        await harness.RunAsync();

        harness.Shell.Executed.Should().Equal(ReadSshKey);
        harness.Model.SeenResults["c1"].Should().Be($"ran: {ReadSshKey}");
        asked.Should().ContainSingle("both filters are registered, but a call is decided and put to a human once");
        asked[0].Call.Name.Should().Be("bash");
        asked[0].Call.CallId.Should().Be("c1");
        asked[0].Decision.RuleIds.Should().Contain("credential.access");
    }

    [Fact]
    public async Task Escalation_Refused_NeverRunsAndTheModelSeesTheRefusal()
    {
        var harness = new Harness(new ScriptedChatClient(Calls(("c1", Bash, ReadSshKey)), Says("done")));
        harness.Kernel.AddGuardrails(CreateGuard(new CallbackApprovalHandler((_, _) => ValueTask.FromResult(ApprovalResult.Refuse("not today")))));

        await harness.RunAsync();

        harness.Shell.Executed.Should().BeEmpty();
        harness.Model.SeenResults["c1"].Should().Contain("guardrails.approval.refused").And.Contain("not today").And.Contain("credential.access");
    }

    [Fact]
    public async Task Escalation_NoApprovalHandler_IsDenied()
    {
        var harness = new Harness(new ScriptedChatClient());
        harness.Kernel.AddGuardrails(CreateGuard());

        var result = await harness.InvokeBashAsync(ReadSshKey);

        harness.Shell.Executed.Should().BeEmpty();
        result.GetValue<string>().Should().Contain("guardrails.approval.unavailable");
    }

    [Fact]
    public async Task Escalation_NoAnswerInTime_IsDenied()
    {
        var time = new FakeTimeProvider();
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var harness = new Harness(new ScriptedChatClient());
        harness.Kernel.AddGuardrails(CreateGuard(
            new CallbackApprovalHandler(async (_, ct) =>
            {
                asked.SetResult();
                await Task.Delay(Timeout.InfiniteTimeSpan, ct);
                return ApprovalResult.Approve();
            }),
            time,
            TimeSpan.FromMinutes(2)));

        var invocation = harness.InvokeBashAsync(ReadSshKey);
        await asked.Task;
        time.Advance(TimeSpan.FromMinutes(2));
        var result = await invocation;

        harness.Shell.Executed.Should().BeEmpty();
        result.GetValue<string>().Should().Contain("guardrails.approval.timeout");
    }

    [Fact]
    public async Task Escalation_ManualInvocation_Approved_Runs()
    {
        var harness = new Harness(new ScriptedChatClient());
        harness.Kernel.AddGuardrails(CreateGuard(new CallbackApprovalHandler((_, _) => ValueTask.FromResult(ApprovalResult.Approve()))));

        var result = await harness.InvokeBashAsync(ReadSshKey);

        result.GetValue<string>().Should().Be($"ran: {ReadSshKey}");
        harness.Shell.Executed.Should().Equal(ReadSshKey);
    }
}
