using Guardrails.Approvals;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using static Guardrails.SemanticKernel.Tests.Harness;
using static Guardrails.SemanticKernel.Tests.ScriptedChatClient;

namespace Guardrails.SemanticKernel.Tests;

/// <summary>
/// The code shown in docs/adapters/semantic-kernel.md, compiled and run; each region is shown verbatim in the document
/// (checked by <see cref="Regions_AreShownVerbatimInTheDoc"/>).
/// </summary>
public sealed class SemanticKernelDocSnippetsTests
{
    [Fact]
    public void Regions_AreShownVerbatimInTheDoc() => Guardrails.Tests.Shared.DocSnippets.AssertRegionsAreIn("docs/adapters/semantic-kernel.md");

    [Fact]
    public async Task Setup_OnAKernel()
    {
        var harness = new Harness(new ScriptedChatClient(Calls(("c1", "Shell_bash", CopyWeights))));
        var kernel = harness.Kernel;
        var guardOptions = new GuardOptions();
        guardOptions.Self.ModelDirectories.Add("/models/qwen");

        #region on-a-kernel
        var guard = new Guard(GuardPolicy.Default, guardOptions);   // guardOptions.Self: the agent's own dirs, weights, ports
        kernel.AddGuardrails(guard);                                 // adds both filters
        #endregion

        await harness.RunAsync();
        harness.Shell.Executed.Should().BeEmpty();
        harness.Model.SeenResults["c1"].Should().StartWith("Blocked by Guardrails").And.Contain("weights.copy");
    }

    [Fact]
    public async Task Setup_DependencyInjection()
    {
        await File.WriteAllTextAsync(Path.Combine(Environment.CurrentDirectory, "guardrails.json"), """{ "extends": ["builtin:default"] }""");

        #region dependency-injection
        var builder = Kernel.CreateBuilder();
        builder.Services.AddGuardrails(o => o.Policy = "guardrails.json");   // the Guard (core package)
        builder.Services.AddGuardrailsFilters();                              // both filters, once
        var kernel = builder.Build();
        #endregion

        var shell = new ShellPlugin();
        kernel.Plugins.AddFromObject(shell, ShellPlugin.Name);
        var result = await kernel.InvokeAsync(ShellPlugin.Name, "bash", new KernelArguments { ["command"] = CopyWeights });

        shell.Executed.Should().BeEmpty();
        result.GetGuardrailsDecision()!.RuleIds.Should().Contain("weights.copy");
        kernel.GetRequiredService<Guard>().Policy!.Name.Should().EndWith("guardrails.json");
    }

    [Fact]
    public async Task Setup_ByHand()
    {
        var harness = new Harness(new ScriptedChatClient(Calls(("c1", "Shell_bash", LaunchReplica))));
        var kernel = harness.Kernel;
        var guard = new Guard(GuardPolicy.Default);

        #region by-hand
        kernel.FunctionInvocationFilters.Add(new GuardrailsFunctionInvocationFilter(guard));
        kernel.AutoFunctionInvocationFilters.Add(new GuardrailsAutoFunctionInvocationFilter(guard));
        #endregion

        await harness.RunAsync();
        harness.Shell.Executed.Should().BeEmpty();
        harness.Model.SeenResults["c1"].Should().Contain("replica.launch");
    }

    [Fact]
    public async Task TerminateAndResume()
    {
        var harness = new Harness(new ScriptedChatClient(Calls(("c1", "Shell_bash", ReadSshKey)), Says("Done.")));
        var (kernel, chat, history) = (harness.Kernel, harness.Chat, harness.History);
        var settings = new PromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() };
        var guard = new Guard(GuardPolicy.Default);
        var pendingApprovals = new List<ApprovalTicket>();

        #region terminate-and-resume
        var filter = new GuardrailsAutoFunctionInvocationFilter(guard, new GuardrailsFilterOptions
        {
            AutoInvocationEscalation = AutoInvocationEscalation.TerminateTurn,
            OnTurnTerminated = args =>
            {
                pendingApprovals.Add(args.Ticket);                 // show args.Ticket (or args.Ticket.ToJson()) to a human
                return ValueTask.CompletedTask;
            },
        });
        kernel.AutoFunctionInvocationFilters.Add(filter);
        kernel.FunctionInvocationFilters.Add(new GuardrailsFunctionInvocationFilter(guard));   // same guard

        var reply = await chat.GetChatMessageContentsAsync(history, settings, kernel);       // ends at the escalation

        // Later, with the human's answer:
        var ticket = pendingApprovals[0];
        Decision final = await filter.ResumeAsync(ticket.Id, ApprovalResult.Approve(approver: "alice"), history);
        reply = await chat.GetChatMessageContentsAsync(history, settings, kernel);           // the model continues
        #endregion

        final.IsAllowed.Should().BeTrue();
        harness.Shell.Executed.Should().Equal(ReadSshKey);
        harness.Model.SeenResults["c1"].Should().Be($"ran: {ReadSshKey}");
        reply.Single().Content.Should().Be("Done.");
    }

    [Fact]
    public async Task ToolName_Mapping()
    {
        var harness = new Harness(new ScriptedChatClient(Calls(("c1", "Ops_run", CopyWeights))));
        var ops = new OpsPlugin();
        harness.Kernel.Plugins.AddFromObject(ops, "Ops");
        var kernel = harness.Kernel;
        var guard = new Guard(GuardPolicy.Default);

        #region tool-name
        kernel.AddGuardrails(guard, o => o.ToolName = f =>
            f.PluginName == "Ops" && f.FunctionName == "run" ? "bash" : f.FunctionName);
        #endregion

        await harness.RunAsync();
        ops.Runs.Should().Be(0);
        harness.Model.SeenResults["c1"].Should().Contain("weights.copy");
    }

    /// <summary>A plugin whose function name says nothing about what it does.</summary>
    private sealed class OpsPlugin
    {
        public int Runs { get; private set; }

        [KernelFunction("run")]
        public string Run(string command)
        {
            Runs++;
            return "done: " + command;
        }
    }
}
