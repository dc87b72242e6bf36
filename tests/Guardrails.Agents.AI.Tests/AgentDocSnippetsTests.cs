using Guardrails.Extensions.AI;
using Guardrails.Extensions.AI.Tests.Fakes;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace Guardrails.Agents.AI.Tests;

/// <summary>The Agent Framework code shown in docs/adapters.md, compiled and run.</summary>
public sealed class AgentDocSnippetsTests : IDisposable
{
    private readonly ScriptedChatClient _model = new();
    private readonly HarmlessTools _tools = new();

    public void Dispose() => _model.Dispose();

    [Fact]
    public void Regions_AreShownVerbatimInTheDoc() => Guardrails.Tests.Shared.DocSnippets.AssertRegionsAreIn("docs/adapters.md");

    [Fact]
    public async Task GuardedAgent_WithApprovals()
    {
        _model.ThenCall(ScriptedChatClient.Bash("c1", "cat ~/.ssh/id_rsa"));
        IChatClient chatClient = _model;
        AIFunction bashTool = _tools.Bash;
        var guard = new Guard(GuardPolicy.Default);

        #region guarded-agent
        ChatClientAgent agent = chatClient.AsGuardedAIAgent(guard, new ChatClientAgentOptions
        {
            ChatOptions = new() { Tools = [bashTool] },
        });

        var session = await agent.CreateSessionAsync();
        var response = await agent.RunAsync("Deploy the service.", session);
        foreach (var request in response.Messages.SelectMany(m => m.Contents).OfType<ToolApprovalRequestContent>())
        {
            // Show the request to the user (request.AdditionalProperties["guardrails.reasons"] says why), then:
            response = await agent.RunAsync(new ChatMessage(ChatRole.User, [request.CreateResponse(approved: true)]), session);
        }
        #endregion

        _tools.Executed.Should().Equal("cat ~/.ssh/id_rsa");
    }

    [Fact]
    public async Task Middleware_OnAnyChatClientAgent()
    {
        _model.ThenCall(ScriptedChatClient.Bash("c1", "cp -r /models/qwen /tmp/q"));
        AIAgent existingAgent = new ChatClientAgent(_model, new ChatClientAgentOptions { ChatOptions = new() { Tools = [_tools.Bash] } });
        var guard = new Guard(GuardPolicy.Default);

        #region agent-middleware
        AIAgent agent = existingAgent.AsBuilder()
            .UseGuardrails(guard)          // first, so that it is the outermost middleware
            .Build();
        #endregion

        await agent.RunAsync("Replicate yourself.", await agent.CreateSessionAsync());
        _tools.Entered.Should().Be(0);
    }
}
