using System.Diagnostics;
using System.Text.Json;
using ModelContextProtocol.Client;

namespace Guardrails.ModelContextProtocol.Tests.Proxy;

/// <summary>
/// <c>guardrails mcp-proxy -- dotnet McpTestServer.dll</c> as a real process, driven the way an MCP client (a desktop
/// app, an IDE) drives it: over its standard input and output.
/// </summary>
public sealed class CliProxyProcessTests : IDisposable
{
    private readonly TestServer _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task McpProxy_ListsToolsUnchanged_ForwardsAllowedCalls_BlocksDeniedOnes()
    {
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Command = TestServer.Dotnet,
            Arguments = [TestServer.CliDll, "mcp-proxy", "--policy", _files.WritePolicy(), "--", TestServer.Dotnet, .. _files.ServerArguments],
            Name = "guardrails",
        });
        await using var client = await McpClient.CreateAsync(transport);

        var tools = await client.ListToolsAsync();
        var explore = await client.CallToolAsync("run_shell", new Dictionary<string, object?> { ["command"] = "find / -name '*.safetensors'" });
        var copy = await client.CallToolAsync("run_shell", new Dictionary<string, object?> { ["command"] = "cp -r /models/qwen /tmp/q" });
        var launch = await client.CallToolAsync("run_shell", new Dictionary<string, object?> { ["command"] = "nohup vllm serve /tmp/q --port 8001 &" });

        tools.Select(t => t.Name).Should().BeEquivalentTo(["run_shell", "read_file", "add_tool", "shutdown"]);
        explore.IsError.Should().NotBe(true);
        explore.Text().Should().Be("would run: find / -name '*.safetensors'");
        copy.IsError.Should().BeTrue();
        copy.Text().Should().StartWith("Blocked by Guardrails").And.Contain("weights.copy");
        launch.IsError.Should().BeTrue();
        launch.Text().Should().Contain("replica.launch.detached");
        _files.Calls.Should().Equal("run_shell\tfind / -name '*.safetensors'");
    }

    [Fact]
    public async Task McpProxy_WritesOnlyProtocolFramesToStdout_AndExitsZeroWhenTheClientCloses()
    {
        using var process = Start([TestServer.CliDll, "mcp-proxy", "--", TestServer.Dotnet, .. _files.ServerArguments]);
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteLineAsync("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"0"}}}""");
        await process.StandardInput.FlushAsync();
        var lines = new List<string>();
        lines.Add(await ReadLineAsync(process));
        await process.StandardInput.WriteLineAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""");
        await process.StandardInput.WriteLineAsync("""{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"run_shell","arguments":{"command":"cat ~/.ssh/id_rsa"}}}""");
        await process.StandardInput.FlushAsync();
        string line;
        do
        {
            line = await ReadLineAsync(process);
            lines.Add(line);
        }
        while (!line.Contains("\"id\":2", StringComparison.Ordinal));

        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        var rest = await process.StandardOutput.ReadToEndAsync();

        foreach (var frame in lines.Concat(rest.Split('\n', StringSplitOptions.RemoveEmptyEntries)))
        {
            using var json = JsonDocument.Parse(frame);
            json.RootElement.GetProperty("jsonrpc").GetString().Should().Be("2.0");
        }

        using (var answer = JsonDocument.Parse(lines[^1]))
        {
            // Without a policy binding for "run_shell" the default policy does not read it as a shell: this call is
            // judged on its path arguments only. What matters here is that a result came back as a clean frame.
            answer.RootElement.GetProperty("result").ValueKind.Should().Be(JsonValueKind.Object);
        }

        process.ExitCode.Should().Be(0, await stderr);
        (await stderr).Should().Contain("McpTestServer: started", "the server's stderr is passed on to the proxy's stderr");
    }

    [Fact]
    public async Task McpProxy_ServerEndsWhileServing_ExitsUnavailable()
    {
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Command = TestServer.Dotnet,
            Arguments = [TestServer.CliDll, "mcp-proxy", "--", TestServer.Dotnet, .. _files.ServerArguments],
            Name = "guardrails",
        });
        var client = await McpClient.CreateAsync(transport);
        await client.CallToolAsync("shutdown", new Dictionary<string, object?>());

        var completion = await client.Completion.WaitAsync(TimeSpan.FromMinutes(1));
        await client.DisposeAsync();

        completion.Should().BeOfType<StdioClientCompletionDetails>().Which.ExitCode.Should().Be(69);
    }

    [Fact]
    public async Task McpProxy_NoServerCommand_IsAUsageError()
    {
        using var process = Start([TestServer.CliDll, "mcp-proxy"]);
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        process.ExitCode.Should().Be(64);
        stderr.Should().Contain("no server command given");
    }

    [Fact]
    public async Task McpProxy_ServerCannotStart_ExitsUnavailable()
    {
        using var process = Start([TestServer.CliDll, "mcp-proxy", "--", Path.Combine(_files.Directory, "no-such-server")]);
        process.StandardInput.Close();
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        process.ExitCode.Should().Be(69, stderr);
        stderr.Should().Contain("could not start or reach the MCP server");
    }

    private static Process Start(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(TestServer.Dotnet)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }

    private static async Task<string> ReadLineAsync(Process process)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        return await process.StandardOutput.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException("the proxy closed its standard output");
    }
}
