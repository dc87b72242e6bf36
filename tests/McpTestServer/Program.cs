// A stdio MCP server written for the proxy tests. Its tools never do anything real: each appends one line
// "<tool>\t<argument>" to the log file given with --log, so a test can tell which calls reached the server.
//
//   dotnet McpTestServer.dll --log /tmp/calls.log
//
// Tools: run_shell {command} (echoes what it would run), read_file {path} (returns fake contents), add_tool {name}
// (adds a tool at run time and sends notifications/tools/list_changed), shutdown (exits the process shortly after
// answering). Also one prompt ("greet") and one resource ("test://readme"), to check that a proxy forwards them.
using System.ComponentModel;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

var logIndex = Array.IndexOf(args, "--log");
var logPath = logIndex >= 0 && logIndex + 1 < args.Length ? args[logIndex + 1] : Environment.GetEnvironmentVariable("MCP_TEST_SERVER_LOG");
if (string.IsNullOrEmpty(logPath))
{
    await Console.Error.WriteLineAsync("McpTestServer: --log PATH is required");
    return 64;
}

var gate = new Lock();
void Record(string tool, string argument)
{
    lock (gate)
    {
        File.AppendAllText(logPath, $"{tool}\t{argument}\n");
    }
}

var options = new McpServerOptions
{
    ServerInfo = new Implementation { Name = "mcp-test-server", Version = "1.2.3" },
    ServerInstructions = "A harmless test server.",
    Capabilities = new ServerCapabilities
    {
        Tools = new ToolsCapability { ListChanged = true },
        Prompts = new PromptsCapability(),
        Resources = new ResourcesCapability(),
    },
    ToolCollection = [],
    PromptCollection =
    [
        McpServerPrompt.Create([Description("Greets someone.")] (string name) => $"Hello, {name}!", new McpServerPromptCreateOptions { Name = "greet" }),
    ],
    ResourceCollection =
    [
        McpServerResource.Create(() => "This server only records what it is asked to do.", new McpServerResourceCreateOptions { UriTemplate = "test://readme", Name = "readme", MimeType = "text/plain" }),
    ],
};

options.ToolCollection.Add(McpServerTool.Create(
    [Description("Runs a shell command (here: only says what it would run).")]
    (string command) =>
    {
        Record("run_shell", command);
        return $"would run: {command}";
    },
    new McpServerToolCreateOptions { Name = "run_shell" }));

options.ToolCollection.Add(McpServerTool.Create(
    [Description("Reads a text file (here: returns fake contents).")]
    (string path) =>
    {
        Record("read_file", path);
        return $"(contents of {path})";
    },
    new McpServerToolCreateOptions { Name = "read_file" }));

options.ToolCollection.Add(McpServerTool.Create(
    [Description("Adds a tool with the given name at run time.")]
    async (string name, McpServer server) =>
    {
        Record("add_tool", name);
        options.ToolCollection.Add(McpServerTool.Create(() => $"{name} ran", new McpServerToolCreateOptions { Name = name, Description = "Added at run time." }));
        await server.SendNotificationAsync(NotificationMethods.ToolListChangedNotification);
        return $"added {name}";
    },
    new McpServerToolCreateOptions { Name = "add_tool" }));

options.ToolCollection.Add(McpServerTool.Create(
    [Description("Ends the server process shortly after answering.")]
    () =>
    {
        Record("shutdown", string.Empty);
        _ = Task.Run(async () =>
        {
            await Task.Delay(200);
            Environment.Exit(3);
        });
        return "shutting down";
    },
    new McpServerToolCreateOptions { Name = "shutdown" }));

await Console.Error.WriteLineAsync("McpTestServer: started");
await using var server = McpServer.Create(new StdioServerTransport(options), options);
await server.RunAsync();
return 0;
