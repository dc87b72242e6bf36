using System.Collections.Concurrent;
using System.IO.Pipelines;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Guardrails.ModelContextProtocol.Tests;

/// <summary>
/// An MCP server built with the SDK, running in-process over pipes, with harmless tools that record what reached them,
/// and a real <see cref="McpClient"/> connected to it.
/// </summary>
internal sealed class InProcessServer : IAsyncDisposable
{
    public const string Explore = "ls -la /models";
    public const string CopyWeights = "cp -r /models/qwen /tmp/q";
    public const string LaunchReplica = "nohup vllm serve /tmp/q --port 8001 &";
    public const string ReadSshKey = "cat ~/.ssh/id_rsa";

    private readonly CancellationTokenSource _stop = new();
    private McpServer? _server;
    private Task? _running;

    private InProcessServer()
    {
    }

    /// <summary>Gets the commands that reached the <c>run_shell_command</c> tool body, in order.</summary>
    public ConcurrentQueue<string> Executed { get; } = new();

    public McpClient Client { get; private set; } = null!;

    public McpServer Server => _server!;

    /// <summary>Starts a server whose call-tool pipeline is configured by <paramref name="configure"/>, and connects a client.</summary>
    public static async Task<InProcessServer> StartAsync(Action<McpServerOptions> configure, McpClientOptions? clientOptions = null, IServiceProvider? services = null)
    {
        var harness = new InProcessServer();
        var options = new McpServerOptions
        {
            ServerInfo = new Implementation { Name = "in-process", Version = "1.0.0" },
            Capabilities = new ServerCapabilities { Tools = new ToolsCapability() },
            ToolCollection =
            [
                McpServerTool.Create(
                    (string command) =>
                    {
                        harness.Executed.Enqueue(command);
                        return $"ran: {command}";
                    },
                    new McpServerToolCreateOptions { Name = "run_shell_command", Description = "Runs a shell command." }),
            ],
        };
        configure(options);
        var (serverTransport, clientTransport) = Connect();
        harness._server = McpServer.Create(serverTransport, options, serviceProvider: services);
        harness._running = harness._server.RunAsync(harness._stop.Token);
        harness.Client = await McpClient.CreateAsync(clientTransport, clientOptions);
        return harness;
    }

    /// <summary>Creates a connected pair of stream transports over in-memory pipes.</summary>
    public static (StreamServerTransport Server, StreamClientTransport Client) Connect()
    {
        var toServer = new Pipe();
        var toClient = new Pipe();
        return (
            new StreamServerTransport(toServer.Reader.AsStream(), toClient.Writer.AsStream()),
            new StreamClientTransport(toServer.Writer.AsStream(), toClient.Reader.AsStream()));
    }

    /// <summary>Calls the shell tool with <paramref name="command"/>.</summary>
    public ValueTask<CallToolResult> RunShellAsync(string command) =>
        Client.CallToolAsync("run_shell_command", new Dictionary<string, object?> { ["command"] = command });

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await _stop.CancelAsync();
        try
        {
            await _running!;
        }
        catch (OperationCanceledException)
        {
        }

        await _server!.DisposeAsync();
        _stop.Dispose();
    }
}

internal static class CallToolResultExtensions
{
    /// <summary>Gets the text of the result's text blocks.</summary>
    public static string Text(this CallToolResult result) =>
        string.Join("\n", result.Content.OfType<TextContentBlock>().Select(b => b.Text));
}
