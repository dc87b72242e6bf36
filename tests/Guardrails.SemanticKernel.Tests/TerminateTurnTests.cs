using Guardrails.Approvals;
using Microsoft.Extensions.Time.Testing;
using static Guardrails.SemanticKernel.Tests.Harness;
using static Guardrails.SemanticKernel.Tests.ScriptedChatClient;

namespace Guardrails.SemanticKernel.Tests;

/// <summary>Terminate-and-resume (<see cref="AutoInvocationEscalation.TerminateTurn"/>): no request is held open for a human.</summary>
public sealed class TerminateTurnTests
{
    private const string Bash = ShellPlugin.Name + "_bash";

    private sealed class Setup
    {
        public Setup(FakeTimeProvider? time = null, params Microsoft.Extensions.AI.ChatMessage[] turns)
        {
            Harness = new Harness(new ScriptedChatClient(turns.Length > 0 ? turns : [Calls(("c1", Bash, ReadSshKey)), Says("Thanks, I have the key.")]));
            var approvalsAsked = 0;
            var guard = CreateGuard(new CallbackApprovalHandler((_, _) =>
            {
                approvalsAsked++;
                return ValueTask.FromResult(ApprovalResult.Approve());
            }));
            Filter = new GuardrailsAutoFunctionInvocationFilter(
                guard,
                new GuardrailsFilterOptions
                {
                    AutoInvocationEscalation = AutoInvocationEscalation.TerminateTurn,
                    Tickets = new ApprovalTickets(TimeSpan.FromMinutes(10), time),
                    OnTurnTerminated = args =>
                    {
                        Paused.Add(args);
                        return ValueTask.CompletedTask;
                    },
                });
            Harness.Kernel.AutoFunctionInvocationFilters.Add(Filter);
            Harness.Kernel.FunctionInvocationFilters.Add(new GuardrailsFunctionInvocationFilter(guard));
            ApprovalsAsked = () => approvalsAsked;
        }

        public Harness Harness { get; }

        public GuardrailsAutoFunctionInvocationFilter Filter { get; }

        public List<KernelEscalationArguments> Paused { get; } = [];

        public Func<int> ApprovalsAsked { get; }
    }

    [Fact]
    public async Task Escalation_EndsTheTurnWithATicketAndDoesNotRun()
    {
        var setup = new Setup();

        var returned = await setup.Harness.RunAsync();

        setup.Harness.Shell.Executed.Should().BeEmpty();
        setup.Harness.Model.Requests.Should().Be(1, "the turn ended after the escalated call instead of asking the model again");
        setup.ApprovalsAsked().Should().Be(0, "nobody is waited for");
        var paused = setup.Paused.Should().ContainSingle().Subject;
        paused.Ticket.ToolName.Should().Be("bash");
        paused.Ticket.CallId.Should().Be("c1");
        paused.Ticket.Reasons.Select(r => r.RuleId).Should().Contain("credential.access");
        paused.Context.ToolCallId.Should().Be("c1");
        var pending = returned.SelectMany(m => m.Items).OfType<Microsoft.SemanticKernel.FunctionResultContent>().Should().ContainSingle().Subject;
        pending.CallId.Should().Be("c1");
        pending.Result!.ToString().Should().StartWith("Paused by Guardrails: this tool call needs a human's approval and has not run.");
        setup.Filter.Tickets.PendingCount.Should().Be(1);
    }

    [Fact]
    public async Task Resume_WhenTheApplicationKeptThePendingResult_ReplacesItInPlace()
    {
        var setup = new Setup();
        setup.Harness.History.AddRange(await setup.Harness.RunAsync());

        await setup.Filter.ResumeAsync(setup.Paused.Single().Ticket.Id, ApprovalResult.Approve(), setup.Harness.History);

        setup.Harness.History.SelectMany(m => m.Items).OfType<Microsoft.SemanticKernel.FunctionResultContent>()
            .Should().ContainSingle().Which.Result.Should().Be($"ran: {ReadSshKey}");
    }

    [Fact]
    public async Task Resume_Approved_RunsOnceAndTheModelSeesTheRealResult()
    {
        var setup = new Setup();
        await setup.Harness.RunAsync();
        var ticket = setup.Paused.Single().Ticket;

        var decision = await setup.Filter.ResumeAsync(ticket.Id, ApprovalResult.Approve("ok", "alice"), setup.Harness.History);

        decision.IsAllowed.Should().BeTrue();
        setup.Harness.Shell.Executed.Should().Equal(ReadSshKey);
        setup.Harness.ResultsInHistory()["c1"].Should().Be($"ran: {ReadSshKey}");

        var answer = await setup.Harness.RunAsync();
        setup.Harness.Model.SeenResults["c1"].Should().Be($"ran: {ReadSshKey}");
        answer.Single().Content.Should().Be("Thanks, I have the key.");
    }

    [Fact]
    public async Task Resume_Refused_NeverRunsAndTheModelSeesTheRefusal()
    {
        var setup = new Setup();
        await setup.Harness.RunAsync();

        var decision = await setup.Filter.ResumeAsync(setup.Paused.Single().Ticket.Id, ApprovalResult.Refuse("no keys"), setup.Harness.History);

        decision.IsAllowed.Should().BeFalse();
        decision.RuleIds.Should().Contain("guardrails.approval.refused");
        setup.Harness.Shell.Executed.Should().BeEmpty();
        setup.Harness.ResultsInHistory()["c1"].Should().Contain("guardrails.approval.refused");
    }

    [Fact]
    public async Task Resume_Twice_TheSecondIsAReplayAndNothingRunsAgain()
    {
        var setup = new Setup();
        await setup.Harness.RunAsync();
        var id = setup.Paused.Single().Ticket.Id;

        (await setup.Filter.ResumeAsync(id, ApprovalResult.Approve(), setup.Harness.History)).IsAllowed.Should().BeTrue();
        var replay = await setup.Filter.ResumeAsync(id, ApprovalResult.Approve(), setup.Harness.History);

        replay.IsAllowed.Should().BeFalse();
        replay.RuleIds.Should().Contain("guardrails.approval.replayed");
        setup.Harness.Shell.Executed.Should().Equal(ReadSshKey);
    }

    [Fact]
    public async Task Resume_ForgedTicketId_IsDenied()
    {
        var setup = new Setup();
        await setup.Harness.RunAsync();

        var forged = await setup.Filter.ResumeAsync("not-a-ticket", ApprovalResult.Approve(), setup.Harness.History);

        forged.IsAllowed.Should().BeFalse();
        forged.RuleIds.Should().Contain("guardrails.approval.unknown");
        setup.Harness.Shell.Executed.Should().BeEmpty();
    }

    [Fact]
    public async Task Resume_AfterTheTicketExpired_IsDenied()
    {
        var time = new FakeTimeProvider();
        var setup = new Setup(time);
        await setup.Harness.RunAsync();

        time.Advance(TimeSpan.FromMinutes(11));
        var late = await setup.Filter.ResumeAsync(setup.Paused.Single().Ticket.Id, ApprovalResult.Approve(), setup.Harness.History);

        late.IsAllowed.Should().BeFalse();
        late.RuleIds.Should().Contain("guardrails.approval.expired");
        setup.Harness.Shell.Executed.Should().BeEmpty();
    }

    [Fact]
    public async Task Deny_StillBlocksWithoutEndingTheTurn()
    {
        var setup = new Setup(null, Calls(("c1", Bash, CopyWeights)), Says("ok, I will not copy."));

        await setup.Harness.RunAsync();

        setup.Paused.Should().BeEmpty();
        setup.Harness.Shell.Executed.Should().BeEmpty();
        setup.Harness.Model.Requests.Should().Be(2);
        setup.Harness.Model.SeenResults["c1"].Should().Contain("weights.copy");
    }
}
