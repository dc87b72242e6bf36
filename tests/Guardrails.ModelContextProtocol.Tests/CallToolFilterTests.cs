using System.Text.Json;
using Guardrails.Approvals;
using Microsoft.Extensions.Time.Testing;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using static Guardrails.ModelContextProtocol.Tests.InProcessServer;

namespace Guardrails.ModelContextProtocol.Tests;

/// <summary>The call-tool filter on an MCP server built with the SDK, driven by a real MCP client.</summary>
public sealed class CallToolFilterTests
{
    private static Guard DefaultGuard(IApprovalHandler? approvals = null) =>
        new(GuardPolicy.Default, new GuardOptions { ApprovalHandler = approvals });

    private static Task<InProcessServer> StartAsync(Guard guard, GuardrailsMcpOptions? options = null, McpClientOptions? clientOptions = null) =>
        InProcessServer.StartAsync(o => o.Filters.Request.CallToolFilters.Add(GuardrailsCallToolFilter.Create(guard, options)), clientOptions);

    private static McpClientOptions ElicitingClient(Func<ElicitRequestParams?, CancellationToken, ValueTask<ElicitResult>> answer) => new()
    {
        Capabilities = new ClientCapabilities { Elicitation = new ElicitationCapability { Form = new FormElicitationCapability() } },
        Handlers = new McpClientHandlers { ElicitationHandler = answer },
    };

    private static ElicitResult Accept(bool approve) => new()
    {
        Action = "accept",
        Content = new Dictionary<string, JsonElement> { ["approve"] = JsonSerializer.SerializeToElement(approve) },
    };

    [Fact]
    public async Task CallTool_Exploration_ReachesTheTool()
    {
        await using var server = await StartAsync(DefaultGuard());

        var result = await server.RunShellAsync(Explore);

        result.IsError.Should().NotBe(true);
        result.Text().Should().Be($"ran: {Explore}");
        server.Executed.Should().Equal(Explore);
    }

    [Theory]
    [InlineData(CopyWeights, "weights.copy")]
    [InlineData(LaunchReplica, "replica.launch.detached")]
    public async Task CallTool_ReplicationStep_IsErrorWithTheReasonAndNeverRuns(string command, string rule)
    {
        await using var server = await StartAsync(DefaultGuard());

        var result = await server.RunShellAsync(command);

        result.IsError.Should().BeTrue();
        result.Text().Should().StartWith("Blocked by Guardrails: this tool call was denied and did not run.").And.Contain(rule);
        server.Executed.Should().BeEmpty();
    }

    [Fact]
    public async Task CallTool_Escalated_ClientWithoutElicitationNorHandler_DeniedSayingApprovalWasRequired()
    {
        await using var server = await StartAsync(DefaultGuard());

        var result = await server.RunShellAsync(ReadSshKey);

        result.IsError.Should().BeTrue();
        result.Text().Should().Contain("guardrails.approval.unavailable").And.Contain("approval was required").And.Contain("credential.access");
        server.Executed.Should().BeEmpty();
    }

    [Fact]
    public async Task CallTool_Escalated_UserApprovesThroughElicitation_Runs()
    {
        ElicitRequestParams? asked = null;
        var times = 0;
        await using var server = await StartAsync(DefaultGuard(), clientOptions: ElicitingClient((request, _) =>
        {
            asked = request;
            times++;
            return ValueTask.FromResult(Accept(true));
        }));

        var result = await server.RunShellAsync(ReadSshKey);

        result.IsError.Should().NotBe(true);
        server.Executed.Should().Equal(ReadSshKey);
        times.Should().Be(1);
        asked.Should().NotBeNull();
        asked!.Message.Should().Contain("run_shell_command").And.Contain("reads credentials").And.Contain("id_rsa");
        asked.RequestedSchema!.Properties.Should().ContainKey("approve");
    }

    [Theory]
    [InlineData("accept-false")]
    [InlineData("decline")]
    [InlineData("cancel")]
    public async Task CallTool_Escalated_UserDoesNotApprove_NeverRuns(string answer)
    {
        await using var server = await StartAsync(DefaultGuard(), clientOptions: ElicitingClient((_, _) => ValueTask.FromResult(
            answer == "accept-false" ? Accept(false) : new ElicitResult { Action = answer })));

        var result = await server.RunShellAsync(ReadSshKey);

        result.IsError.Should().BeTrue();
        result.Text().Should().Contain("guardrails.approval.refused, credential.access").And.Contain("approval was refused: the user");
        server.Executed.Should().BeEmpty();
    }

    [Fact]
    public async Task CallTool_Escalated_NoAnswerInTime_NeverRuns()
    {
        var time = new FakeTimeProvider();
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var late = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await StartAsync(
            DefaultGuard(),
            new GuardrailsMcpOptions { ElicitationTimeout = TimeSpan.FromMinutes(1), TimeProvider = time },
            ElicitingClient(async (_, _) =>
            {
                asked.SetResult();
                await late.Task;
                return Accept(true);
            }));

        var call = server.RunShellAsync(ReadSshKey).AsTask();
        await asked.Task;
        time.Advance(TimeSpan.FromMinutes(1));
        late.SetResult(); // the user approves, but only after the timeout: too late
        var result = await call;

        server.Executed.Should().BeEmpty();
        result.IsError.Should().BeTrue();
        result.Text().Should().Contain("no answer within");
    }

    [Fact]
    public async Task CallTool_Escalated_ElicitationOff_UsesTheGuardsApprovalHandler()
    {
        var elicited = false;
        var handled = 0;
        await using var server = await StartAsync(
            DefaultGuard(new CallbackApprovalHandler((_, _) =>
            {
                handled++;
                return ValueTask.FromResult(ApprovalResult.Approve());
            })),
            new GuardrailsMcpOptions { UseElicitation = false },
            ElicitingClient((_, _) =>
            {
                elicited = true;
                return ValueTask.FromResult(Accept(false));
            }));

        var result = await server.RunShellAsync(ReadSshKey);

        result.IsError.Should().NotBe(true);
        server.Executed.Should().Equal(ReadSshKey);
        handled.Should().Be(1);
        elicited.Should().BeFalse();
    }

    [Fact]
    public async Task CallTool_ToolNameMapping_IsTheNameTheGuardDecides()
    {
        // Renamed to "read_file", the harmless listing is read as a file read with no path — a shape error that names
        // the mapped tool, which shows that the mapped name is what the guard sees.
        var seen = new List<string>();
        await using var server = await StartAsync(DefaultGuard(), new GuardrailsMcpOptions
        {
            ToolName = a =>
            {
                seen.Add(a.ToolName);
                return "read_file";
            },
        });

        var result = await server.RunShellAsync(Explore);

        seen.Should().Equal("run_shell_command");
        result.IsError.Should().BeTrue();
        result.Text().Should().Contain("guardrails.input.shape").And.Contain("tool 'read_file'");
        server.Executed.Should().BeEmpty();
    }

    [Fact]
    public async Task CallTool_FailClosedGuard_DeniesEverything()
    {
        await using var server = await StartAsync(Guard.CreateFailClosed("no policy"));

        var result = await server.RunShellAsync(Explore);

        result.IsError.Should().BeTrue();
        result.Text().Should().Contain("guardrails.policy.missing");
        server.Executed.Should().BeEmpty();
    }

    [Fact]
    public void Create_InvalidOptions_Throws()
    {
        FluentActions.Invoking(() => GuardrailsCallToolFilter.Create(DefaultGuard(), new GuardrailsMcpOptions { ElicitationTimeout = TimeSpan.Zero }))
            .Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => GuardrailsCallToolFilter.Create(null!)).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void ArgumentsToJson_KeepsEveryArgument()
    {
        using var document = JsonDocument.Parse("""{"command": "ls", "n": 3, "list": [1, "a"], "nested": {"x": null}}""");
        var arguments = document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());

        var json = McpCallGuard.ArgumentsToJson(arguments);

        json.GetRawText().Should().Be("""{"command":"ls","n":3,"list":[1,"a"],"nested":{"x":null}}""");
        McpCallGuard.ArgumentsToJson(null).GetRawText().Should().Be("{}");
    }
}
