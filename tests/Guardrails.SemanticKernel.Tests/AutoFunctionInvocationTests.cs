using Microsoft.SemanticKernel;
using static Guardrails.SemanticKernel.Tests.Harness;
using static Guardrails.SemanticKernel.Tests.ScriptedChatClient;

namespace Guardrails.SemanticKernel.Tests;

/// <summary>The reference study's replication attempt, driven by a scripted model through SK's real auto-invocation loop.</summary>
public sealed class AutoFunctionInvocationTests
{
    private const string Bash = ShellPlugin.Name + "_bash";

    private static ScriptedChatClient ReplicationAttempt() => new(
        Calls(("c1", Bash, Explore)),
        Calls(("c2", Bash, CopyWeights)),
        Calls(("c3", Bash, LaunchReplica)),
        Says("I could not replicate myself."));

    [Fact]
    public async Task ReplicationAttempt_BothFilters_ExplorationRunsCopyAndLaunchNeverRun()
    {
        var harness = new Harness(ReplicationAttempt());
        harness.Kernel.AddGuardrails(CreateGuard());

        var answer = await harness.RunAsync();

        harness.Shell.Executed.Should().Equal(Explore);
        harness.Model.SeenResults["c1"].Should().Be($"ran: {Explore}");
        harness.Model.SeenResults["c2"].Should().StartWith("Blocked by Guardrails: this tool call was denied and did not run.").And.Contain("weights.copy");
        harness.Model.SeenResults["c3"].Should().Contain("replica.launch.detached");
        answer.Should().ContainSingle().Which.Content.Should().Be("I could not replicate myself.");
        harness.Model.Requests.Should().Be(4, "a denial is a function result: the loop goes on and the model re-plans");
    }

    [Fact]
    public async Task ReplicationAttempt_OnlyTheFunctionInvocationFilter_StillBlocks()
    {
        var harness = new Harness(ReplicationAttempt());
        harness.Kernel.FunctionInvocationFilters.Add(new GuardrailsFunctionInvocationFilter(CreateGuard()));

        await harness.RunAsync();

        harness.Shell.Executed.Should().Equal(Explore);
        harness.Model.SeenResults["c2"].Should().Contain("weights.copy");
        harness.Model.SeenResults["c3"].Should().Contain("replica.launch.detached");
    }

    [Fact]
    public async Task ReplicationAttempt_OnlyTheAutoFilter_StillBlocks()
    {
        var harness = new Harness(ReplicationAttempt());
        harness.Kernel.AutoFunctionInvocationFilters.Add(new GuardrailsAutoFunctionInvocationFilter(CreateGuard()));

        await harness.RunAsync();

        harness.Shell.Executed.Should().Equal(Explore);
        harness.Model.SeenResults["c2"].Should().Contain("weights.copy");
    }

    [Fact]
    public async Task ParallelCallsInOneResponse_EachIsDecided()
    {
        var harness = new Harness(new ScriptedChatClient(
            Calls(("c1", Bash, Explore), ("c2", Bash, CopyWeights), ("c3", Bash, "ps aux | grep vllm")),
            Says("done")));
        harness.Kernel.AddGuardrails(CreateGuard());

        await harness.RunAsync();

        harness.Shell.Executed.Should().BeEquivalentTo([Explore, "ps aux | grep vllm"]);
        harness.Model.SeenResults["c2"].Should().Contain("weights.copy");
    }

    [Fact]
    public async Task ReplicationAttempt_Streaming_CopyAndLaunchNeverRun()
    {
        var harness = new Harness(ReplicationAttempt());
        harness.Kernel.AddGuardrails(CreateGuard());

        var text = await harness.RunStreamingAsync();

        harness.Shell.Executed.Should().Equal(Explore);
        harness.Model.SeenResults["c2"].Should().Contain("weights.copy");
        harness.Model.SeenResults["c3"].Should().Contain("replica.launch.detached");
        text.Should().Contain("I could not replicate myself.");
    }

    [Fact]
    public async Task FunctionThatInvokesAnotherFunction_TheInnerCallIsDecidedToo()
    {
        var harness = new Harness(new ScriptedChatClient(
            new Microsoft.Extensions.AI.ChatMessage(Microsoft.Extensions.AI.ChatRole.Assistant, [new Microsoft.Extensions.AI.FunctionCallContent("c1", "Tools_deploy", new Dictionary<string, object?>())]),
            Says("done")));
        harness.Kernel.Plugins.AddFromFunctions("Tools", [KernelFunctionFactory.CreateFromMethod(
            async (Kernel kernel) => (await kernel.InvokeAsync(ShellPlugin.Name, "bash", new KernelArguments { ["command"] = CopyWeights })).GetValue<string>(),
            "deploy")]);
        harness.Kernel.AddGuardrails(CreateGuard());

        await harness.RunAsync();

        harness.Shell.Executed.Should().BeEmpty("the outer call was allowed, but the copy it makes is decided on its own");
        harness.Model.SeenResults["c1"].Should().Contain("weights.copy");
    }
}
