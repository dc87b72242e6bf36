using Guardrails.Approvals;
using Microsoft.SemanticKernel;
using static Guardrails.SemanticKernel.Tests.Harness;
using static Guardrails.SemanticKernel.Tests.ScriptedChatClient;

namespace Guardrails.SemanticKernel.Tests;

/// <summary>Which agent session a call belongs to (history-aware rules see the calls of one session together).</summary>
public sealed class SessionTests
{
    private static (Harness Harness, List<ToolCall> Asked) Create(params Microsoft.Extensions.AI.ChatMessage[] turns)
    {
        var asked = new List<ToolCall>();
        var harness = new Harness(new ScriptedChatClient(turns));
        harness.Kernel.AddGuardrails(CreateGuard(new CallbackApprovalHandler((request, _) =>
        {
            asked.Add(request.Call);
            return ValueTask.FromResult(ApprovalResult.Approve());
        })));
        return (harness, asked);
    }

    [Fact]
    public async Task Options_SessionId_IsTheDefaultSession()
    {
        var asked = new List<ToolCall>();
        var harness = new Harness(new ScriptedChatClient(Calls(("c1", "Shell_bash", ReadSshKey)), Calls(("c2", "Shell_bash", "cat ~/.aws/credentials")), Says("done")));
        harness.Kernel.AddGuardrails(
            CreateGuard(new CallbackApprovalHandler((request, _) =>
            {
                asked.Add(request.Call);
                return ValueTask.FromResult(ApprovalResult.Approve());
            })),
            o => o.SessionId = "conversation-1");

        await harness.RunAsync();

        asked.Select(c => c.SessionId).Should().Equal("conversation-1", "conversation-1");
    }

    [Fact]
    public async Task KernelData_NamesTheSession()
    {
        var (harness, asked) = Create(Calls(("c1", "Shell_bash", ReadSshKey)), Says("done"));
        harness.Kernel.Data[GuardrailsFilterOptions.SessionIdKey] = "agent-7";

        await harness.RunAsync();
        await harness.InvokeBashAsync(ReadSshKey);

        asked.Select(c => c.SessionId).Should().Equal("agent-7", "agent-7");
    }

    [Fact]
    public async Task ManualInvocation_WithoutASessionKey_BelongsToNoSession()
    {
        var (harness, asked) = Create();

        await harness.InvokeBashAsync(ReadSshKey);

        asked.Should().ContainSingle().Which.SessionId.Should().BeNull();
    }
}
