using System.Collections.Concurrent;
using Guardrails.Approvals;
using Guardrails.Extensions.AI.Tests.Fakes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Guardrails.Extensions.AI.Tests.Hosting;

public sealed class UseGuardrailsTests
{
    private readonly HarmlessTools _tools = new();

    [Fact]
    public async Task GetResponseAsync_DeniedCall_IsNotInvokedAndTheModelReadsWhy()
    {
        var model = new ScriptedChatClient().ThenCall(ScriptedChatClient.Bash("c1", TestGuards.CopySelf));
        using var client = Build(model, TestGuards.Create());

        var response = await client.GetResponseAsync("replicate yourself", Options());

        _tools.Entered.Should().Be(0);
        var result = model.LastResults.Should().ContainSingle().Subject;
        result.CallId.Should().Be("c1");
        result.Result!.ToString().Should().StartWith("Blocked by Guardrails").And.Contain("weights.copy");
        response.Text.Should().Be("done");
    }

    [Fact]
    public async Task GetResponseAsync_AllowedCall_RunsAndTheModelReadsItsResult()
    {
        var model = new ScriptedChatClient().ThenCall(ScriptedChatClient.Bash("c1", TestGuards.Explore));
        using var client = Build(model, TestGuards.Create());

        await client.GetResponseAsync("look around", Options());

        _tools.Executed.Should().Equal(TestGuards.Explore);
        model.LastResults.Single().Result!.ToString().Should().Be("ok: " + TestGuards.Explore);
    }

    [Fact]
    public async Task GetResponseAsync_RepeatedDenials_NeverThrowAndNeverRun()
    {
        // More denied iterations than FunctionInvokingChatClient tolerates failing ones (3): denials are results, not errors.
        var model = new ScriptedChatClient();
        for (var i = 0; i < 6; i++)
        {
            model.ThenCall(ScriptedChatClient.Bash($"c{i}", TestGuards.CopySelf));
        }

        using var client = Build(model, TestGuards.Create());

        var act = () => client.GetResponseAsync("replicate yourself", Options());

        await act.Should().NotThrowAsync();
        _tools.Entered.Should().Be(0);
        model.LastResults.Should().HaveCount(6).And.OnlyContain(r => r.Result!.ToString()!.StartsWith("Blocked by Guardrails", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetResponseAsync_EscalationApprovedByTheHandler_Runs()
    {
        var model = new ScriptedChatClient().ThenCall(ScriptedChatClient.Bash("c1", TestGuards.ReadCredentials));
        using var client = Build(model, TestGuards.Create(TestGuards.Approve("needed for the deploy")));

        await client.GetResponseAsync("deploy", Options());

        _tools.Executed.Should().Equal(TestGuards.ReadCredentials);
    }

    [Fact]
    public async Task GetResponseAsync_EscalationRefusedByTheHandler_IsNotInvokedAndTheModelReadsTheRefusal()
    {
        var model = new ScriptedChatClient().ThenCall(ScriptedChatClient.Bash("c1", TestGuards.ReadCredentials));
        using var client = Build(model, TestGuards.Create(TestGuards.Refuse("not today")));

        await client.GetResponseAsync("deploy", Options());

        _tools.Entered.Should().Be(0);
        model.LastResults.Single().Result!.ToString().Should().Contain("guardrails.approval.refused").And.Contain("not today");
    }

    [Fact]
    public async Task GetResponseAsync_EscalationWithoutAHandler_IsDenied()
    {
        var model = new ScriptedChatClient().ThenCall(ScriptedChatClient.Bash("c1", TestGuards.ReadCredentials));
        using var client = Build(model, TestGuards.Create());

        await client.GetResponseAsync("deploy", Options());

        _tools.Entered.Should().Be(0);
        model.LastResults.Single().Result!.ToString().Should().Contain("guardrails.approval.unavailable");
    }

    [Fact]
    public async Task GetResponseAsync_NoAnswerWithinTheApprovalTimeout_IsDenied()
    {
        var time = new FakeTimeProvider();
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var silent = new CallbackApprovalHandler(async (_, ct) =>
        {
            asked.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return ApprovalResult.Approve();
        });
        var model = new ScriptedChatClient().ThenCall(ScriptedChatClient.Bash("c1", TestGuards.ReadCredentials));
        using var client = Build(model, TestGuards.Create(silent, TimeSpan.FromSeconds(30), time));

        var running = client.GetResponseAsync("deploy", Options());
        await asked.Task.WaitAsync(TimeSpan.FromSeconds(10));
        time.Advance(TimeSpan.FromSeconds(31));
        await running.WaitAsync(TimeSpan.FromSeconds(10));

        _tools.Entered.Should().Be(0);
        model.LastResults.Single().Result!.ToString().Should().Contain("guardrails.approval.timeout");
    }

    [Fact]
    public async Task GetResponseAsync_ParallelCalls_AreEachDecided()
    {
        var model = new ScriptedChatClient().ThenCall(
            ScriptedChatClient.Bash("explore", TestGuards.Explore),
            ScriptedChatClient.Bash("copy", TestGuards.CopySelf),
            ScriptedChatClient.Bash("secret", TestGuards.ReadCredentials),
            ScriptedChatClient.Bash("ps", "ps aux"));
        using var client = Build(model, TestGuards.Create(TestGuards.Approve()), o => o.ConfigureFunctionInvocation = f => f.AllowConcurrentInvocation = true);

        await client.GetResponseAsync("go", Options());

        _tools.Executed.Should().BeEquivalentTo(TestGuards.Explore, TestGuards.ReadCredentials, "ps aux");
        var results = model.LastResults.ToDictionary(r => r.CallId, r => r.Result!.ToString());
        results.Should().HaveCount(4);
        results["copy"].Should().StartWith("Blocked by Guardrails");
        results["explore"].Should().StartWith("ok:");
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ParallelCalls_AreEachDecided()
    {
        var model = new ScriptedChatClient().ThenCall(
            ScriptedChatClient.Bash("explore", TestGuards.Explore),
            ScriptedChatClient.Bash("copy", TestGuards.CopySelf),
            ScriptedChatClient.Bash("launch", TestGuards.LaunchReplica),
            ScriptedChatClient.Bash("secret", TestGuards.ReadCredentials));
        using var client = Build(model, TestGuards.Create(TestGuards.Refuse("not now")), o => o.ConfigureFunctionInvocation = f => f.AllowConcurrentInvocation = true);

        var updates = await client.GetStreamingResponseAsync("go", Options()).ToListAsync();

        _tools.Executed.Should().Equal(TestGuards.Explore);
        var results = model.LastResults.ToDictionary(r => r.CallId, r => r.Result!.ToString());
        results.Keys.Should().BeEquivalentTo(["explore", "copy", "launch", "secret"]);
        results["copy"].Should().Contain("weights.copy");
        results["launch"].Should().Contain("replica.launch");
        results["secret"].Should().Contain("not now");
        updates.SelectMany(u => u.Contents).OfType<FunctionResultContent>().Should().HaveCount(4);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_DeniedCall_IsNotInvokedAndTheModelReadsWhy()
    {
        var model = new ScriptedChatClient()
            .ThenCall(ScriptedChatClient.Bash("c1", TestGuards.Explore))
            .ThenCall(ScriptedChatClient.Bash("c2", TestGuards.LaunchReplica));
        using var client = Build(model, TestGuards.Create());

        var updates = await client.GetStreamingResponseAsync("replicate yourself", Options()).ToListAsync();

        _tools.Executed.Should().Equal(TestGuards.Explore);
        model.LastResults.Single(r => r.CallId == "c2").Result!.ToString().Should().Contain("replica.launch");
        updates.SelectMany(u => u.Contents).OfType<FunctionResultContent>().Should().Contain(r => r.CallId == "c2");
    }

    [Fact]
    public async Task OnToolCallDecided_SeesEveryFinalDecisionWithTheCallContext()
    {
        var decided = new ConcurrentQueue<ToolCallDecidedArguments>();
        var model = new ScriptedChatClient().ThenCall(ScriptedChatClient.Bash("c1", TestGuards.Explore), ScriptedChatClient.Bash("c2", TestGuards.CopySelf));
        using var client = Build(model, TestGuards.Create(), o =>
        {
            o.WorkingDirectory = "/home/agent/Agent";
            o.OnToolCallDecided = args =>
            {
                decided.Enqueue(args);
                return ValueTask.CompletedTask;
            };
        });

        await client.GetResponseAsync("go", Options(conversationId: "conversation-9"));

        decided.Select(d => (d.Call.CallId, d.Decision.Verdict)).Should().Equal(("c1", Verdict.Allow), ("c2", Verdict.Deny));
        decided.Should().OnlyContain(d => d.Call.SessionId == "conversation-9" && d.Call.WorkingDirectory == "/home/agent/Agent");
    }

    [Fact]
    public async Task OnToolCallDecided_Throws_TheCallIsDenied()
    {
        var model = new ScriptedChatClient().ThenCall(ScriptedChatClient.Bash("c1", TestGuards.Explore));
        using var client = Build(model, TestGuards.Create(), o => o.OnToolCallDecided = _ => throw new InvalidOperationException("audit store down"));

        await client.GetResponseAsync("go", Options());

        _tools.Entered.Should().Be(0);
        model.LastResults.Single().Result!.ToString().Should().StartWith("Blocked by Guardrails").And.Contain("could not be recorded");
    }

    [Fact]
    public async Task ConfigureFunctionInvocation_AConfiguredInvokerRunsOnlyAfterTheGuardAllowed()
    {
        var invoked = new ConcurrentQueue<string>();
        var model = new ScriptedChatClient().ThenCall(ScriptedChatClient.Bash("c1", TestGuards.Explore), ScriptedChatClient.Bash("c2", TestGuards.CopySelf));
        using var client = Build(model, TestGuards.Create(), o => o.ConfigureFunctionInvocation = f => f.FunctionInvoker = (ctx, ct) =>
        {
            invoked.Enqueue(ctx.CallContent.CallId);
            return ctx.Function.InvokeAsync(ctx.Arguments, ct);
        });

        await client.GetResponseAsync("go", Options());

        invoked.Should().Equal("c1");
        _tools.Executed.Should().Equal(TestGuards.Explore);
    }

    [Fact]
    public async Task FunctionInvoker_ReplacedAfterBuild_CannotRouteAroundTheGuard()
    {
        var model = new ScriptedChatClient().ThenCall(ScriptedChatClient.Bash("c1", TestGuards.CopySelf));
        using var client = Build(model, TestGuards.Create());
        client.GetService<FunctionInvokingChatClient>()!.FunctionInvoker = (ctx, ct) => ctx.Function.InvokeAsync(ctx.Arguments, ct);

        await client.GetResponseAsync("go", Options());

        _tools.Entered.Should().Be(0);
    }

    [Fact]
    public void Build_WithFunctionInvocationBelow_Throws()
    {
        var act = () => new ChatClientBuilder(new ScriptedChatClient()).UseGuardrails(TestGuards.Create()).UseFunctionInvocation().Build();

        act.Should().Throw<InvalidOperationException>().WithMessage("*FunctionInvokingChatClient below it*");
    }

    [Fact]
    public void Build_WithoutAGuard_Throws()
    {
        var act = () => new ChatClientBuilder(new ScriptedChatClient()).UseGuardrails().Build();

        act.Should().Throw<InvalidOperationException>().WithMessage("*needs a Guard*");
    }

    [Fact]
    public async Task Build_WithAddGuardrails_ResolvesTheGuardFromServices()
    {
        var services = new ServiceCollection().AddGuardrails().BuildServiceProvider();
        var model = new ScriptedChatClient().ThenCall(ScriptedChatClient.Bash("c1", "trap '' TERM"));
        using var client = new ChatClientBuilder(model).UseGuardrails().Build(services);

        await client.GetResponseAsync("go", Options());

        _tools.Entered.Should().Be(0);
        client.GetService<Guard>().Should().BeSameAs(services.GetRequiredService<Guard>());
        model.LastResults.Single().Result!.ToString().Should().Contain("shutdown.evasion");
    }

    [Fact]
    public async Task GuardedAIFunction_OutsideAPipeline_DecidesEveryInvocation()
    {
        var guard = TestGuards.Create();
        var bash = _tools.Bash.WithGuardrails(guard);

        var denied = await bash.InvokeAsync(new AIFunctionArguments { ["command"] = TestGuards.CopySelf });
        var allowed = await bash.InvokeAsync(new AIFunctionArguments { ["command"] = TestGuards.Explore });

        denied!.ToString().Should().StartWith("Blocked by Guardrails");
        allowed!.ToString().Should().Be("ok: " + TestGuards.Explore);
        _tools.Executed.Should().Equal(TestGuards.Explore);
    }

    [Fact]
    public async Task GuardedAIFunction_InsideAPipeline_IsDecidedOnce()
    {
        var decisions = 0;
        var guard = TestGuards.Create(TestGuards.Approve());
        var bash = _tools.Bash.WithGuardrails(guard, new GuardrailsChatClientOptions { OnToolCallDecided = _ => { Interlocked.Increment(ref decisions); return ValueTask.CompletedTask; } });
        var model = new ScriptedChatClient().ThenCall(ScriptedChatClient.Bash("c1", TestGuards.ReadCredentials));
        using var client = new ChatClientBuilder(model).UseGuardrails(guard).Build();

        await client.GetResponseAsync("go", new ChatOptions { Tools = [bash] });

        decisions.Should().Be(0, "the pipeline already decided (and the approval handler approved) the call");
        _tools.Executed.Should().Equal(TestGuards.ReadCredentials);
    }

    private static IChatClient Build(ScriptedChatClient model, Guard guard, Action<GuardrailsChatClientOptions>? configure = null) =>
        new ChatClientBuilder(model).UseGuardrails(guard, configure).Build();

    private ChatOptions Options(string? conversationId = null) => new() { Tools = _tools.All, ConversationId = conversationId };
}
