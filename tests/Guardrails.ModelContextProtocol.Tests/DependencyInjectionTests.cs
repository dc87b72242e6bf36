using System.IO.Pipelines;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Guardrails.ModelContextProtocol.Tests;

/// <summary><c>services.AddMcpServer().AddGuardrails(…)</c>: the filter registered the way the SDK registers filters.</summary>
public sealed class DependencyInjectionTests
{
    private static async Task<(CallToolResult Allowed, CallToolResult Denied, List<string> Executed)> RunAsync(Action<IMcpServerBuilder> guard)
    {
        var executed = new List<string>();
        var toServer = new Pipe();
        var toClient = new Pipe();
        var services = new ServiceCollection();
        var builder = services
            .AddMcpServer(o => o.ServerInfo = new Implementation { Name = "di", Version = "1.0.0" })
            .WithStreamServerTransport(toServer.Reader.AsStream(), toClient.Writer.AsStream())
            .WithTools([McpServerTool.Create(
                (string command) =>
                {
                    executed.Add(command);
                    return "ran";
                },
                new McpServerToolCreateOptions { Name = "bash" })]);
        guard(builder);
        await using var provider = services.BuildServiceProvider();
        var server = provider.GetRequiredService<McpServer>();
        using var stop = new CancellationTokenSource();
        var running = server.RunAsync(stop.Token);
        CallToolResult allowed, denied;
        await using (var client = await McpClient.CreateAsync(new StreamClientTransport(toServer.Writer.AsStream(), toClient.Reader.AsStream())))
        {
            allowed = await client.CallToolAsync("bash", new Dictionary<string, object?> { ["command"] = InProcessServer.Explore });
            denied = await client.CallToolAsync("bash", new Dictionary<string, object?> { ["command"] = InProcessServer.CopyWeights });
        }

        await stop.CancelAsync();
        try
        {
            await running;
        }
        catch (OperationCanceledException)
        {
        }

        return (allowed, denied, executed);
    }

    [Fact]
    public async Task AddGuardrails_WithAGuard_DecidesEveryCall()
    {
        var (allowed, denied, executed) = await RunAsync(b => b.AddGuardrails(new Guard(GuardPolicy.Default)));

        allowed.IsError.Should().NotBe(true);
        denied.IsError.Should().BeTrue();
        denied.Text().Should().Contain("weights.copy");
        executed.Should().Equal(InProcessServer.Explore);
    }

    [Fact]
    public async Task AddGuardrails_WithTheGuardFromServices_DecidesEveryCall()
    {
        var (allowed, denied, executed) = await RunAsync(b =>
        {
            b.Services.AddGuardrails(o => o.Policy = "builtin:default");
            b.AddGuardrails();
        });

        allowed.IsError.Should().NotBe(true);
        denied.IsError.Should().BeTrue();
        executed.Should().Equal(InProcessServer.Explore);
    }

    [Fact]
    public async Task AddGuardrails_BrokenPolicyInServices_FailsClosed()
    {
        var (allowed, _, executed) = await RunAsync(b =>
        {
            b.Services.AddGuardrails(o => o.Policy = "/nonexistent/policy.json");
            b.AddGuardrails();
        });

        allowed.IsError.Should().BeTrue();
        allowed.Text().Should().Contain("guardrails.policy.missing");
        executed.Should().BeEmpty();
    }
}
