using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace Guardrails.ModelContextProtocol.Tests.Proxy;

/// <summary>Where the test's stdio MCP server and the CLI are, and a temporary directory for their files.</summary>
internal sealed class TestServer : IDisposable
{
    public TestServer()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("guardrails-mcp-tests-").FullName;
        LogPath = System.IO.Path.Combine(Directory, "calls.log");
        File.Exists(ServerDll).Should().BeTrue("the test project references McpTestServer, which copies it here");
        File.Exists(CliDll).Should().BeTrue("the test project references the CLI, which copies it here");
    }

    /// <summary>Gets the dotnet host that runs the tests (and so can run the framework-dependent servers).</summary>
    public static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    public static string ServerDll => System.IO.Path.Combine(AppContext.BaseDirectory, "McpTestServer.dll");

    public static string CliDll => System.IO.Path.Combine(AppContext.BaseDirectory, "Guardrails.Cli.dll");

    public string Directory { get; }

    /// <summary>Gets the file the test server appends one line to per tool call that reached it.</summary>
    public string LogPath { get; }

    /// <summary>Gets the command line that starts the test server.</summary>
    public IList<string> ServerArguments => [ServerDll, "--log", LogPath];

    /// <summary>Gets the tool calls that reached the server, as "tool\targument" lines.</summary>
    public IReadOnlyList<string> Calls => File.Exists(LogPath) ? File.ReadAllLines(LogPath) : [];

    /// <summary>Writes a policy file that extends the default one with <paramref name="additions"/> (JSON properties).</summary>
    public string WritePolicy(string additions)
    {
        var path = System.IO.Path.Combine(Directory, "policy.json");
        File.WriteAllText(path, $$"""{ "extends": ["builtin:default"], {{additions}} }""");
        return path;
    }

    /// <summary>Serializes tool definitions (sorted by name) as the protocol does, to compare them exactly.</summary>
    public static string ToolsJson(IEnumerable<Tool> tools) =>
        JsonSerializer.Serialize(tools.OrderBy(t => t.Name, StringComparer.Ordinal).ToList(), McpJsonUtilities.DefaultOptions);

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A server process may still hold the log for a moment; the OS cleans temp.
        }
    }
}
