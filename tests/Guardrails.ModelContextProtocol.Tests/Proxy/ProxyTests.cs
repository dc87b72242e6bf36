using Guardrails.ModelContextProtocol.Proxy;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Guardrails.ModelContextProtocol.Tests.Proxy;

/// <summary>
/// The guarding proxy in-process, in front of a real stdio MCP server process written for the test, driven by a real
/// MCP client.
/// </summary>
public sealed class ProxyTests : IAsyncLifetime, IDisposable
{
    private readonly TestServer _files = new();
    private readonly CancellationTokenSource _stop = new();
    private GuardrailsMcpProxy _proxy = null!;
    private Task<GuardrailsMcpProxyCompletion> _running = null!;
    private McpClient _client = null!;

    public async Task InitializeAsync()
    {
        // The default policy reads the test server's "run_shell" as a shell command (a built-in tool name).
        var options = new GuardrailsMcpProxyOptions();
        var upstream = new StdioClientTransport(new StdioClientTransportOptions
        {
            Command = TestServer.Dotnet,
            Arguments = _files.ServerArguments,
            Name = "test-server",
        });
        _proxy = await GuardrailsMcpProxy.ConnectAsync(new Guard(GuardPolicy.Default), upstream, options);
        var (serverTransport, clientTransport) = InProcessServer.Connect();
        _running = _proxy.RunAsync(serverTransport, _stop.Token);
        _client = await McpClient.CreateAsync(clientTransport);
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _stop.CancelAsync();
        await _running;
        await _proxy.DisposeAsync();
    }

    public void Dispose()
    {
        _stop.Dispose();
        _files.Dispose();
    }

    [Fact]
    public async Task ListTools_AreTheUpstreamToolsUnchanged()
    {
        var throughProxy = await _client.ListToolsAsync(new ListToolsRequestParams());
        var direct = await _proxy.Upstream.ListToolsAsync(new ListToolsRequestParams());

        throughProxy.Tools.Select(t => t.Name).Should().BeEquivalentTo(["run_shell", "read_file", "add_tool", "shutdown"]);
        TestServer.ToolsJson(throughProxy.Tools).Should().Be(TestServer.ToolsJson(direct.Tools));
        _client.ServerInfo!.Name.Should().Be("mcp-test-server");
        _client.ServerInfo!.Version.Should().Be("1.2.3");
        _client.ServerInstructions.Should().Be("A harmless test server.");
        _client.ServerCapabilities.Tools!.ListChanged.Should().BeTrue();
    }

    [Fact]
    public async Task CallTool_Allowed_ReachesTheServer()
    {
        var result = await _client.CallToolAsync("run_shell", new Dictionary<string, object?> { ["command"] = "ls -la /models" });
        var read = await _client.CallToolAsync("read_file", new Dictionary<string, object?> { ["path"] = "/opt/agent/start.sh" });

        result.IsError.Should().NotBe(true);
        result.Text().Should().Be("would run: ls -la /models");
        read.Text().Should().Be("(contents of /opt/agent/start.sh)");
        _files.Calls.Should().Equal("run_shell\tls -la /models", "read_file\t/opt/agent/start.sh");
    }

    [Theory]
    [InlineData("cp -r /models/qwen /tmp/q", "weights.copy")]
    [InlineData("nohup vllm serve /tmp/q --port 8001 &", "replica.launch.detached")]
    public async Task CallTool_Denied_IsErrorWithTheReasonAndNeverReachesTheServer(string command, string rule)
    {
        var result = await _client.CallToolAsync("run_shell", new Dictionary<string, object?> { ["command"] = command });
        await _client.CallToolAsync("read_file", new Dictionary<string, object?> { ["path"] = "/etc/hostname" });

        result.IsError.Should().BeTrue();
        result.Text().Should().StartWith("Blocked by Guardrails").And.Contain(rule);
        _files.Calls.Should().Equal("read_file\t/etc/hostname");
    }

    [Fact]
    public async Task CallTool_UnknownTool_TheUpstreamErrorIsReturned()
    {
        var call = async () => await _client.CallToolAsync("no_such_tool", new Dictionary<string, object?>());

        await call.Should().ThrowAsync<McpException>();
        _files.Calls.Should().BeEmpty();
    }

    [Fact]
    public async Task ToolListChanged_IsRelayedFromTheUpstream()
    {
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var registration = _client.RegisterNotificationHandler(NotificationMethods.ToolListChangedNotification, (_, _) =>
        {
            changed.TrySetResult();
            return ValueTask.CompletedTask;
        });

        var added = await _client.CallToolAsync("add_tool", new Dictionary<string, object?> { ["name"] = "extra_tool" });
        await changed.Task.WaitAsync(TimeSpan.FromMinutes(1));
        var tools = await _client.ListToolsAsync(new ListToolsRequestParams());

        added.Text().Should().Be("added extra_tool");
        tools.Tools.Select(t => t.Name).Should().Contain("extra_tool");
    }

    [Fact]
    public async Task PromptsAndResources_AreForwarded()
    {
        var prompts = await _client.ListPromptsAsync();
        var prompt = await _client.GetPromptAsync("greet", new Dictionary<string, object?> { ["name"] = "Ada" });
        var resources = await _client.ListResourcesAsync();
        var readme = await _client.ReadResourceAsync("test://readme");

        prompts.Select(p => p.Name).Should().Equal("greet");
        prompt.Messages.Select(m => m.Content).OfType<TextContentBlock>().Single().Text.Should().Be("Hello, Ada!");
        resources.Select(r => r.Uri).Should().Equal("test://readme");
        readme.Contents.OfType<TextResourceContents>().Single().Text.Should().Be("This server only records what it is asked to do.");
        _files.Calls.Should().BeEmpty("prompts and resources are not tool calls");
    }

    [Fact]
    public async Task UpstreamEnds_TheProxyStopsAndSaysSo()
    {
        await _client.CallToolAsync("shutdown", new Dictionary<string, object?>());

        var completion = await _running.WaitAsync(TimeSpan.FromMinutes(1));

        completion.Should().Be(GuardrailsMcpProxyCompletion.UpstreamEnded);
    }
}
