using System.Text.Json;
using Microsoft.SemanticKernel;
using static Guardrails.SemanticKernel.Tests.Harness;

namespace Guardrails.SemanticKernel.Tests;

/// <summary>Manual invocations (<c>kernel.InvokeAsync</c>) through the function-invocation filter.</summary>
public sealed class FunctionInvocationFilterTests
{
    [Fact]
    public async Task InvokeAsync_Exploration_RunsTheFunction()
    {
        var harness = new Harness(new ScriptedChatClient());
        harness.Kernel.AddGuardrails(CreateGuard());

        var result = await harness.InvokeBashAsync(Explore);

        result.GetValue<string>().Should().Be($"ran: {Explore}");
        result.GetGuardrailsDecision().Should().BeNull();
        harness.Shell.Executed.Should().Equal(Explore);
    }

    [Theory]
    [InlineData(CopyWeights, "weights.copy")]
    [InlineData(LaunchReplica, "replica.launch.detached")]
    public async Task InvokeAsync_ReplicationStep_NeverEntersTheBodyAndSaysWhy(string command, string rule)
    {
        var harness = new Harness(new ScriptedChatClient());
        harness.Kernel.AddGuardrails(CreateGuard());

        var result = await harness.InvokeBashAsync(command);

        harness.Shell.Executed.Should().BeEmpty();
        result.GetValue<string>().Should().StartWith("Blocked by Guardrails: this tool call was denied and did not run.").And.Contain(rule);
        var decision = result.GetGuardrailsDecision();
        decision.Should().NotBeNull();
        decision!.Verdict.Should().Be(Verdict.Deny);
        decision.RuleIds.Should().Contain(rule);
    }

    [Fact]
    public async Task ToolName_DefaultIsTheFunctionNameWithoutThePlugin()
    {
        var harness = new Harness(new ScriptedChatClient());
        var names = new List<string>();
        harness.Kernel.FunctionInvocationFilters.Add(new GuardrailsFunctionInvocationFilter(CreateGuard(), new GuardrailsFilterOptions
        {
            ToolName = a =>
            {
                names.Add(GuardrailsFilterOptions.PluginQualifiedName(a));
                return a.FunctionName;
            },
        }));

        await harness.InvokeBashAsync(Explore);

        names.Should().Equal("Shell_bash");
    }

    [Fact]
    public async Task ToolName_MappingDecidesTheInterpreter()
    {
        // A function the policy does not know ("Ops.run") is read as a shell command once it is mapped to "bash".
        var harness = new Harness(new ScriptedChatClient());
        var ran = 0;
        harness.Kernel.Plugins.AddFromFunctions("Ops", [KernelFunctionFactory.CreateFromMethod((string command) => ++ran, "run")]);
        harness.Kernel.FunctionInvocationFilters.Add(new GuardrailsFunctionInvocationFilter(CreateGuard(), new GuardrailsFilterOptions
        {
            ToolName = a => a.PluginName == "Ops" && a.FunctionName == "run" ? "bash" : a.FunctionName,
        }));

        var result = await harness.Kernel.InvokeAsync("Ops", "run", new KernelArguments { ["command"] = CopyWeights });

        ran.Should().Be(0);
        result.GetGuardrailsDecision()!.RuleIds.Should().Contain("weights.copy");
    }

    [Fact]
    public async Task InvokeAsync_ArgumentsArriveAsJsonElements_AreReadTheSame()
    {
        var harness = new Harness(new ScriptedChatClient());
        harness.Kernel.AddGuardrails(CreateGuard());
        using var json = JsonDocument.Parse($$"""{"command": "{{CopyWeights}}"}""");

        var result = await harness.Kernel.InvokeAsync(harness.Bash, new KernelArguments { ["command"] = json.RootElement.GetProperty("command").Clone() });

        harness.Shell.Executed.Should().BeEmpty();
        result.GetGuardrailsDecision()!.Verdict.Should().Be(Verdict.Deny);
    }

    [Fact]
    public async Task FailClosedGuard_DeniesEverything()
    {
        var harness = new Harness(new ScriptedChatClient());
        harness.Kernel.AddGuardrails(Guard.CreateFailClosed("the policy file is broken"));

        var result = await harness.InvokeBashAsync(Explore);

        harness.Shell.Executed.Should().BeEmpty();
        result.GetValue<string>().Should().Contain("guardrails.policy.missing");
    }
}
