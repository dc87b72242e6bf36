using System.ComponentModel;
using Guardrails.ModelContextProtocol.Proxy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Client;
using ModelContextProtocol.Server;
using static Guardrails.ModelContextProtocol.Tests.InProcessServer;

namespace Guardrails.ModelContextProtocol.Tests;

/// <summary>
/// The code shown in docs/adapters/mcp.md, compiled and run; each region is shown verbatim in the document (checked by
/// <see cref="Regions_AreShownVerbatimInTheDoc"/>). Registrations are checked by running the filters they register in
/// an in-process server.
/// </summary>
public sealed class McpDocSnippetsTests
{
    [Fact]
    public void Regions_AreShownVerbatimInTheDoc() => Guardrails.Tests.Shared.DocSnippets.AssertRegionsAreIn("docs/adapters/mcp.md");

    [Fact]
    public async Task CallToolFilter_OnAServerBuiltWithDependencyInjection()
    {
        var services = new ServiceCollection();
        var guard = new Guard(GuardPolicy.Default);

        #region call-tool-filter
        services.AddMcpServer()
            .WithStdioServerTransport()
            .WithTools<MyTools>()
            .AddGuardrails(guard);          // every tools/call is decided before the tool runs
        #endregion

        await AssertTheRegisteredFilterDecidesAsync(services);
    }

    [Fact]
    public async Task CallToolFilter_WithTheGuardFromTheServices()
    {
        var services = new ServiceCollection();
        services.AddGuardrails(o => o.Policy = "builtin:default");

        #region guard-from-services
        // The Guard registered in the services (services.AddGuardrails(o => o.Policy = "guardrails.json")):
        services.AddMcpServer().AddGuardrails();
        #endregion

        await AssertTheRegisteredFilterDecidesAsync(services);
    }

    [Fact]
    public async Task CallToolFilter_WithTheSdksFilterRegistration()
    {
        var services = new ServiceCollection();
        var guard = new Guard(GuardPolicy.Default);

        #region sdk-registration
        // The SDK's own filter registration:
        services.AddMcpServer().WithRequestFilters(f => f.AddCallToolFilter(GuardrailsCallToolFilter.Create(guard)));
        #endregion

        await AssertTheRegisteredFilterDecidesAsync(services);
    }

    [Fact]
    public async Task CallToolFilter_WithoutDependencyInjection()
    {
        var guard = new Guard(GuardPolicy.Default);

        await using var server = await InProcessServer.StartAsync(serverOptions =>
        {
            #region without-dependency-injection
            // Without dependency injection (McpServer.Create):
            serverOptions.Filters.Request.CallToolFilters.Add(GuardrailsCallToolFilter.Create(guard));
            #endregion
        });

        (await server.RunShellAsync(CopyWeights)).IsError.Should().BeTrue();
        server.Executed.Should().BeEmpty();
    }

    /// <summary>Compiled, not run: it would start an npx server. <c>ProxyTests</c> run the same calls against a test server.</summary>
    private static async Task ProxyAsALibraryAsync(Guard guard, CancellationToken cancellationToken)
    {
        #region proxy-library
        await using var proxy = await GuardrailsMcpProxy.ConnectAsync(
            guard, new StdioClientTransport(new() { Command = "npx", Arguments = ["-y", "some-mcp-server"] }), cancellationToken: cancellationToken);
        var completion = await proxy.RunAsync(new StdioServerTransport("guarded"), cancellationToken);

        // or, in one call, what the CLI does:
        await GuardrailsMcpProxy.RunStdioAsync(guard, new() { Command = "npx", Arguments = ["-y", "some-mcp-server"] }, cancellationToken: cancellationToken);
        #endregion

        completion.Should().NotBe(GuardrailsMcpProxyCompletion.UpstreamEnded);
    }

    [Fact]
    public void ProxyAsALibrary_Compiles() =>
        ((Func<Guard, CancellationToken, Task>)ProxyAsALibraryAsync).Should().NotBeNull();

    /// <summary>Runs the call-tool filters the services registered in an in-process server: a copy of the weights is refused.</summary>
    private static async Task AssertTheRegisteredFilterDecidesAsync(ServiceCollection services)
    {
        await using var provider = services.BuildServiceProvider();
        var registered = provider.GetRequiredService<IOptions<McpServerOptions>>().Value.Filters.Request.CallToolFilters;
        registered.Should().ContainSingle();

        await using var server = await InProcessServer.StartAsync(o => o.Filters.Request.CallToolFilters.Add(registered[0]), services: provider);
        var allowed = await server.RunShellAsync(Explore);
        var denied = await server.RunShellAsync(CopyWeights);

        allowed.IsError.Should().NotBe(true);
        denied.IsError.Should().BeTrue();
        denied.Text().Should().Contain("weights.copy");
        server.Executed.Should().Equal(Explore);
    }
}

/// <summary>The tools of the doc's example server.</summary>
[McpServerToolType]
internal sealed class MyTools
{
    [McpServerTool(Name = "run_shell_command")]
    [Description("Runs a shell command (here: only says what it would run).")]
    public static string RunShellCommand(string command) => $"would run: {command}";
}
