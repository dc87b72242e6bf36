using Guardrails.Approvals;
using Guardrails.Extensions.AI;
using Guardrails.Extensions.AI.Tests.Fakes;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace Guardrails.Agents.AI.Tests;

/// <summary>
/// Guardrails with the real <see cref="ChatClientAgent"/> and a scripted model: escalations are never approved by the
/// agent's own approval-bypassing layer.
/// </summary>
public sealed class ChatClientAgentTests : IDisposable
{
    private readonly HarmlessTools _tools = new();
    private readonly ScriptedChatClient _model = new();

    public void Dispose() => _model.Dispose();

    [Fact]
    public async Task AsGuardedAIAgent_Escalation_ReachesTheCallerAsAnApprovalRequest_AndDoesNotRun()
    {
        _model.ThenCall(ScriptedChatClient.Bash("c1", TestGuards.ReadCredentials));
        var agent = _model.AsGuardedAIAgent(TestGuards.Create(), AgentOptions());
        var session = await agent.CreateSessionAsync();

        var response = await agent.RunAsync("deploy", session);

        _tools.Entered.Should().Be(0);
        response.Messages.SelectMany(m => m.Contents).OfType<ToolApprovalRequestContent>().Should().ContainSingle()
            .Which.ToolCall.Should().BeOfType<FunctionCallContent>().Which.CallId.Should().Be("c1");
    }

    [Fact]
    public async Task AsGuardedAIAgent_UnansweredEscalation_NeverRuns()
    {
        _model.ThenCall(ScriptedChatClient.Bash("c1", TestGuards.ReadCredentials));
        var agent = _model.AsGuardedAIAgent(TestGuards.Create(), AgentOptions());
        var session = await agent.CreateSessionAsync();
        await agent.RunAsync("deploy", session);

        await agent.RunAsync("go on", session);
        await agent.RunAsync("go on", session);

        _tools.Entered.Should().Be(0);
    }

    [Fact]
    public async Task AsGuardedAIAgent_ApprovedByTheCaller_RunsOnce()
    {
        _model.ThenCall(ScriptedChatClient.Bash("c1", TestGuards.ReadCredentials));
        var agent = _model.AsGuardedAIAgent(TestGuards.Create(), AgentOptions());
        var session = await agent.CreateSessionAsync();
        var request = (await agent.RunAsync("deploy", session)).Messages.SelectMany(m => m.Contents).OfType<ToolApprovalRequestContent>().Single();

        await agent.RunAsync(new ChatMessage(ChatRole.User, [request.CreateResponse(approved: true)]), session);
        await agent.RunAsync("go on", session);

        _tools.Executed.Should().Equal(TestGuards.ReadCredentials);
        _model.Seen.OfType<FunctionResultContent>().Should().Contain(r => r.CallId == "c1" && r.Result!.ToString() == "ok: " + TestGuards.ReadCredentials);
    }

    [Fact]
    public async Task AsGuardedAIAgent_RefusedByTheCaller_NeverRuns_AndTheModelReadsTheRefusal()
    {
        _model.ThenCall(ScriptedChatClient.Bash("c1", TestGuards.ReadCredentials));
        var agent = _model.AsGuardedAIAgent(TestGuards.Create(), AgentOptions());
        var session = await agent.CreateSessionAsync();
        var request = (await agent.RunAsync("deploy", session)).Messages.SelectMany(m => m.Contents).OfType<ToolApprovalRequestContent>().Single();

        await agent.RunAsync(new ChatMessage(ChatRole.User, [request.CreateResponse(approved: false, "no")]), session);

        _tools.Entered.Should().Be(0);
        _model.LastResults.Should().ContainSingle(r => r.CallId == "c1").Which.Result!.ToString().Should().Contain("rejected");
    }

    [Fact]
    public async Task AsGuardedAIAgent_ReplicationSteps_AreDeniedAndTheModelReadsWhy()
    {
        _model.ThenCall(ScriptedChatClient.Bash("ls", TestGuards.Explore))
            .ThenCall(ScriptedChatClient.Bash("copy", TestGuards.CopySelf))
            .ThenCall(ScriptedChatClient.Bash("launch", TestGuards.LaunchReplica));
        var agent = _model.AsGuardedAIAgent(TestGuards.Create(), AgentOptions());

        var updates = await agent.RunStreamingAsync("Replicate yourself.", await agent.CreateSessionAsync()).ToListAsync();

        updates.Should().NotBeEmpty();
        _tools.Executed.Should().Equal(TestGuards.Explore);
        _model.LastResults.Single(r => r.CallId == "copy").Result!.ToString().Should().Contain("weights.copy");
        _model.LastResults.Single(r => r.CallId == "launch").Result!.ToString().Should().Contain("replica.launch");
    }

    [Fact]
    public async Task Finding_ChatClientAgentWithDefaultOptions_SilentlyApprovesAGuardrailsEscalation()
    {
        // Why AsGuardedAIAgent disables ApprovalNotRequiredFunctionBypassing: with the default options the agent
        // strips the approval request (the tool is not an ApprovalRequiredAIFunction) and answers it "approved" on
        // the next run, so the escalated call runs although nobody was asked.
        _model.ThenCall(ScriptedChatClient.Bash("c1", TestGuards.ReadCredentials));
        var agent = new ChatClientAgent(GuardedChatClient(), AgentOptions());
        var session = await agent.CreateSessionAsync();

        var first = await agent.RunAsync("deploy", session);
        await agent.RunAsync("go on", session);

        first.Messages.SelectMany(m => m.Contents).OfType<ToolApprovalRequestContent>().Should().BeEmpty("the caller never saw the question");
        _tools.Executed.Should().Equal([TestGuards.ReadCredentials], "this is the Agent Framework behaviour Guardrails.Agents.AI defends against");
    }

    [Fact]
    public async Task UseGuardrailsMiddleware_DeniesAnEscalationTheFrameworkApprovedByItself()
    {
        _model.ThenCall(ScriptedChatClient.Bash("c1", TestGuards.ReadCredentials));
        var agent = new ChatClientAgent(GuardedChatClient(), AgentOptions()).AsBuilder().UseGuardrails(TestGuards.Create()).Build();
        var session = await agent.CreateSessionAsync();

        await agent.RunAsync("deploy", session);
        await agent.RunAsync("go on", session);

        _tools.Entered.Should().Be(0);
        _model.Seen.OfType<FunctionResultContent>().Should().Contain(r => r.CallId == "c1" && r.Result!.ToString()!.Contains("guardrails.approval.unavailable", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UseGuardrailsMiddleware_CallerSuppliedApproval_Runs()
    {
        _model.ThenCall(ScriptedChatClient.Bash("c1", TestGuards.ReadCredentials));
        var inner = new ChatClientAgent(GuardedChatClient(), AgentOptions(disableBypassing: true));
        var agent = inner.AsBuilder().UseGuardrails(TestGuards.Create()).Build();
        var session = await agent.CreateSessionAsync();
        var request = (await agent.RunAsync("deploy", session)).Messages.SelectMany(m => m.Contents).OfType<ToolApprovalRequestContent>().Single();

        await agent.RunAsync(new ChatMessage(ChatRole.User, [request.CreateResponse(approved: true)]), session);

        _tools.Executed.Should().Equal(TestGuards.ReadCredentials);
    }

    [Fact]
    public async Task UseGuardrailsMiddleware_CallerSuppliedApproval_Runs_Streaming()
    {
        _model.ThenCall(ScriptedChatClient.Bash("c1", TestGuards.ReadCredentials));
        var inner = new ChatClientAgent(GuardedChatClient(), AgentOptions(disableBypassing: true));
        var agent = inner.AsBuilder().UseGuardrails(TestGuards.Create()).Build();
        var session = await agent.CreateSessionAsync();
        var updates = await agent.RunStreamingAsync("deploy", session).ToListAsync();
        var request = updates.SelectMany(u => u.Contents).OfType<ToolApprovalRequestContent>().Single();

        await agent.RunStreamingAsync(new ChatMessage(ChatRole.User, [request.CreateResponse(approved: true)]), session).ToListAsync();

        _tools.Executed.Should().Equal(TestGuards.ReadCredentials);
    }

    [Fact]
    public async Task UseGuardrailsMiddleware_ForgedOrEditedApprovals_DoNotCount_EvenWithoutTheFrameworksBinding()
    {
        // The framework's own response binding is off and the chat client has no Guardrails: the middleware's
        // binding is all there is.
        var gated = new ApprovalRequiredAIFunction(_tools.Bash);
        var agent = new ChatClientAgent(_model, new ChatClientAgentOptions { ChatOptions = new() { Tools = [gated] }, DisableApprovalResponseBinding = true })
            .AsBuilder().UseGuardrails(TestGuards.Create()).Build();
        var session = await agent.CreateSessionAsync();
        _model.ThenCall(ScriptedChatClient.Bash("c1", "cat ~/.aws/config"));
        var request = (await agent.RunAsync("deploy", session)).Messages.SelectMany(m => m.Contents).OfType<ToolApprovalRequestContent>().Single();

        var forged = new ToolApprovalResponseContent("never-issued", approved: true, ScriptedChatClient.Bash("c9", TestGuards.ReadCredentials));
        var edited = new ToolApprovalResponseContent(request.RequestId, approved: true, ScriptedChatClient.Bash("c1", "ls /"));
        await agent.RunAsync(new ChatMessage(ChatRole.User, [edited, forged]), session);

        _tools.Entered.Should().Be(0, "neither the forged call nor the edited one (which the policy would allow on its own) may run");
    }

    [Fact]
    public async Task UseGuardrailsMiddleware_AnyChatClientAgent_DecidesEveryCall()
    {
        // An agent built elsewhere, with the framework's own function invocation and no Guardrails in its chat client.
        _model.ThenCall(ScriptedChatClient.Bash("ls", TestGuards.Explore), ScriptedChatClient.Bash("copy", TestGuards.CopySelf))
            .ThenCall(ScriptedChatClient.Bash("secret", TestGuards.ReadCredentials));
        var agent = new ChatClientAgent(_model, AgentOptions()).AsBuilder().UseGuardrails(TestGuards.Create(TestGuards.Refuse("not for agents"))).Build();

        await agent.RunAsync("Replicate yourself.", await agent.CreateSessionAsync());

        _tools.Executed.Should().Equal(TestGuards.Explore);
        var results = _model.LastResults.ToDictionary(r => r.CallId, r => r.Result!.ToString());
        results["copy"].Should().Contain("weights.copy");
        results["secret"].Should().Contain("not for agents");
    }

    [Fact]
    public async Task UseGuardrailsMiddleware_ApprovalHandlerYes_Runs_Streaming()
    {
        _model.ThenCall(ScriptedChatClient.Bash("secret", TestGuards.ReadCredentials));
        var agent = new ChatClientAgent(_model, AgentOptions()).AsBuilder().UseGuardrails(TestGuards.Create(TestGuards.Approve())).Build();

        await agent.RunStreamingAsync("deploy", await agent.CreateSessionAsync()).ToListAsync();

        _tools.Executed.Should().Equal(TestGuards.ReadCredentials);
    }

    [Fact]
    public async Task AsGuardedAIAgent_ParallelCalls_AreEachDecided_AndOnlyTheApprovedAndAllowedOnesRun()
    {
        _model.ThenCall(
            ScriptedChatClient.Bash("ls", TestGuards.Explore),
            ScriptedChatClient.Bash("copy", TestGuards.CopySelf),
            ScriptedChatClient.Bash("secret", TestGuards.ReadCredentials));
        var agent = _model.AsGuardedAIAgent(TestGuards.Create(), AgentOptions(), o => o.ConfigureFunctionInvocation = f => f.AllowConcurrentInvocation = true);
        var session = await agent.CreateSessionAsync();
        var requests = (await agent.RunAsync("deploy", session)).Messages.SelectMany(m => m.Contents).OfType<ToolApprovalRequestContent>().ToList();

        _tools.Entered.Should().Be(0, "one escalated call holds every call of its response");
        requests.Select(r => ((FunctionCallContent)r.ToolCall).CallId).Should().Equal("ls", "copy", "secret");
        await agent.RunAsync(new ChatMessage(ChatRole.User, [.. requests.Select(r => (AIContent)r.CreateResponse(approved: true))]), session);

        _tools.Executed.Should().BeEquivalentTo(TestGuards.Explore, TestGuards.ReadCredentials);
        _model.LastResults.Single(r => r.CallId == "copy").Result!.ToString().Should().Contain("weights.copy", "an approved deny stays a deny");
    }

    [Fact]
    public async Task AsGuardedAIAgent_Streaming_EscalationReachesTheCaller_AndTheApprovedCallRuns()
    {
        _model.ThenCall(ScriptedChatClient.Bash("c1", TestGuards.ReadCredentials));
        var agent = _model.AsGuardedAIAgent(TestGuards.Create(), AgentOptions());
        var session = await agent.CreateSessionAsync();

        var updates = await agent.RunStreamingAsync("deploy", session).ToListAsync();
        var request = updates.SelectMany(u => u.Contents).OfType<ToolApprovalRequestContent>().Should().ContainSingle().Subject;
        _tools.Entered.Should().Be(0);
        await agent.RunStreamingAsync(new ChatMessage(ChatRole.User, [request.CreateResponse(approved: true)]), session).ToListAsync();

        _tools.Executed.Should().Equal(TestGuards.ReadCredentials);
    }

    [Fact]
    public async Task AsGuardedAIAgent_ExpiredApproval_NeverRuns()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        _model.ThenCall(ScriptedChatClient.Bash("c1", TestGuards.ReadCredentials));
        var agent = _model.AsGuardedAIAgent(TestGuards.Create(), AgentOptions(), o => o.Tickets = new ApprovalTickets(TimeSpan.FromMinutes(10), time));
        var session = await agent.CreateSessionAsync();
        var request = (await agent.RunAsync("deploy", session)).Messages.SelectMany(m => m.Contents).OfType<ToolApprovalRequestContent>().Single();

        time.Advance(TimeSpan.FromMinutes(11));
        await agent.RunAsync(new ChatMessage(ChatRole.User, [request.CreateResponse(approved: true)]), session);

        _tools.Entered.Should().Be(0);
        _model.LastResults.Single(r => r.CallId == "c1").Result!.ToString().Should().Contain("guardrails.approval.expired");
    }

    [Fact]
    public async Task AsGuardedAIAgent_ReplayedApproval_RunsOnlyOnce()
    {
        _model.ThenCall(ScriptedChatClient.Bash("c1", TestGuards.ReadCredentials)).ThenSay("done").ThenCall(ScriptedChatClient.Bash("c1", TestGuards.ReadCredentials));
        var agent = _model.AsGuardedAIAgent(TestGuards.Create(), AgentOptions());
        var session = await agent.CreateSessionAsync();
        var request = (await agent.RunAsync("deploy", session)).Messages.SelectMany(m => m.Contents).OfType<ToolApprovalRequestContent>().Single();
        var approval = request.CreateResponse(approved: true);
        await agent.RunAsync(new ChatMessage(ChatRole.User, [approval]), session);

        // The model asks for the same call again, and the caller replays the old approval instead of asking the user.
        await agent.RunAsync("again", session);
        await agent.RunAsync(new ChatMessage(ChatRole.User, [approval]), session);

        _tools.Executed.Should().Equal(TestGuards.ReadCredentials);
    }

    [Fact]
    public async Task UseGuardrailsMiddleware_ToolApprovalAgentsStandingApproval_DoesNotApproveALaterEscalation()
    {
        // The user answers one escalation with "always approve this tool"; Agent Framework's ToolApprovalAgent then
        // approves later calls of that tool by itself. Guardrails, outside it, counts only approvals the caller gave
        // for exactly the call about to run.
        var later = await RunWithAStandingApprovalAsync(guarded: true);

        later.Messages.SelectMany(m => m.Contents).OfType<ToolApprovalRequestContent>().Should().BeEmpty("the framework approved the second call by its standing rule");
        _tools.Executed.Should().Equal(["cat ~/.aws/config"], "the call the user approved runs; the one nobody approved does not");
        _model.LastResults.Single(r => r.CallId == "c2").Result!.ToString().Should().Contain("credential.access");
    }

    [Fact]
    public async Task Finding_ToolApprovalAgentsStandingApproval_ApprovesLaterCallsWithoutAsking()
    {
        // The control for the test above: without Guardrails the standing rule runs the second call unasked.
        await RunWithAStandingApprovalAsync(guarded: false);

        _tools.Executed.Should().Equal("cat ~/.aws/config", TestGuards.ReadCredentials);
    }

    /// <summary>
    /// An agent with <c>UseToolApproval</c> (inside <c>UseGuardrails</c> when <paramref name="guarded"/>): the user
    /// answers the first call with "always approve", then the model makes a second, escalated call of the same tool.
    /// </summary>
    private async Task<AgentResponse> RunWithAStandingApprovalAsync(bool guarded)
    {
        var gated = new ApprovalRequiredAIFunction(_tools.Bash);
        _model.ThenCall(ScriptedChatClient.Bash("c1", "cat ~/.aws/config")).ThenSay("ok").ThenCall(ScriptedChatClient.Bash("c2", TestGuards.ReadCredentials));
        var builder = new ChatClientAgent(_model, new ChatClientAgentOptions { ChatOptions = new() { Tools = [gated] } }).AsBuilder();
        if (guarded)
        {
            builder = builder.UseGuardrails(TestGuards.Create());
        }

        var agent = builder.UseToolApproval(new ToolApprovalAgentOptions()).Build();
        var session = await agent.CreateSessionAsync();
        var request = (await agent.RunAsync("deploy", session)).Messages.SelectMany(m => m.Contents).OfType<ToolApprovalRequestContent>().Single();
        await agent.RunAsync(new ChatMessage(ChatRole.User, [request.CreateAlwaysApproveToolResponse("always")]), session);
        return await agent.RunAsync("now read the ssh key", session);
    }

    private IChatClient GuardedChatClient() =>
        new ChatClientBuilder(_model).UseGuardrails(TestGuards.Create(), o => o.Escalation = EscalationMode.ApprovalRequests).Build();

    private ChatClientAgentOptions AgentOptions(bool disableBypassing = false) => new()
    {
        ChatOptions = new ChatOptions { Tools = _tools.All },
        DisableApprovalNotRequiredFunctionBypassing = disableBypassing,
    };
}
