using System.Runtime.InteropServices;
using Guardrails.ModelContextProtocol.Proxy;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Client;

namespace Guardrails.Cli.Commands;

/// <summary>
/// <c>guardrails mcp-proxy [--policy …] -- &lt;command&gt; [args…]</c>: starts an MCP server over stdio and serves its tools,
/// unchanged, over this process's stdin/stdout — deciding every <c>tools/call</c> before it reaches the server.
/// </summary>
/// <remarks>Standard output carries MCP frames only; everything else (decisions, the server's stderr, errors) goes to standard error.</remarks>
internal static class McpProxyCommand
{
    /// <summary>The upstream server could not be started, failed the handshake or ended while serving (<c>EX_UNAVAILABLE</c>).</summary>
    public const int UpstreamUnavailable = 69;

    /// <summary>Gets the usage text.</summary>
    public static string Usage { get; } =
        $"""
        Usage: {CliApp.CommandName} mcp-proxy [--policy FILE|builtin:NAME] [--cwd DIR] [--no-elicitation] [--verbose] -- <command> [args...]

        Starts <command> as an MCP server over stdio and serves its tools, unchanged, to the MCP client
        on this process's standard input and output, deciding every tools/call first: an allowed call is
        forwarded; a denied call never reaches the server and returns a tool error with the reason; an
        escalated call is put to the user through MCP elicitation when the client supports it, and is
        denied otherwise. Prompts, resources, completions and the server's notifications are relayed.

        Options:
          --policy FILE|builtin:NAME  The policy (default: builtin:default). If it cannot be loaded, its
                                      problems go to standard error and every tool call is denied.
          --cwd DIR                   The working directory of the server (default: the current one).
          --no-elicitation            Never ask the user: deny every escalated call.
          --verbose                   Also log allowed calls, the server's standard error and protocol details.
          -h, --help                  Show this help.

        Standard output carries only MCP messages; logs go to standard error. Put '--' before the
        server command so that its own options are not read as options of mcp-proxy.

        Example (an MCP client's server configuration):
          "command": "{CliApp.CommandName}", "args": ["mcp-proxy", "--", "npx", "-y", "@modelcontextprotocol/server-filesystem", "/work"]

        Exit codes: 0 the client disconnected or the proxy was stopped; 64 usage error; 69 the server
        could not be started or ended while serving.
        """;

    /// <summary>Runs the command.</summary>
    /// <param name="args">The arguments after <c>mcp-proxy</c>.</param>
    /// <param name="console">The console; only its error stream is written — stdout belongs to the protocol.</param>
    /// <returns>The exit code.</returns>
    public static int Run(ReadOnlySpan<string> args, CliConsole console)
    {
        if (!CommandLine.TryParse(args, ["--policy", "--cwd"], ["--no-elicitation", "--verbose"], out var commandLine, out var problem))
        {
            return CliApp.UsageError(console, problem, Usage);
        }

        if (commandLine.HelpRequested)
        {
            console.Out.WriteLine(Usage);
            return ExitCodes.Success;
        }

        if (commandLine.Positionals.Count == 0)
        {
            return CliApp.UsageError(console, "no server command given (put it after '--')", Usage);
        }

        var workingDirectory = commandLine.Value("--cwd");
        if (workingDirectory is not null && !Directory.Exists(workingDirectory))
        {
            console.Error.WriteLine($"{CliApp.CommandName}: the directory '{workingDirectory}' does not exist");
            return ExitCodes.NoInput;
        }

        var guard = GuardFactory.Create(commandLine.Value("--policy") ?? GuardFactory.DefaultPolicy, console.Error);
        var upstream = new StdioClientTransportOptions
        {
            Command = commandLine.Positionals[0],
            Arguments = [.. commandLine.Positionals.Skip(1)],
            Name = Path.GetFileName(commandLine.Positionals[0]),
            WorkingDirectory = workingDirectory,
        };
        var options = new GuardrailsMcpProxyOptions();
        options.Filter.UseElicitation = !commandLine.Flag("--no-elicitation");
        var minimum = commandLine.Flag("--verbose") ? LogLevel.Debug : LogLevel.Warning;
        using var loggerFactory = new StderrLoggerFactory(console.Error, minimum);
        if (minimum > LogLevel.Information)
        {
            // The server's own stderr is part of what a user needs to see when it fails to start; keep it, tersely.
            upstream.StandardErrorLines = line => console.Error.WriteLine($"{upstream.Name}: {line}");
        }

        using var stop = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        try
        {
            var completion = GuardrailsMcpProxy.RunStdioAsync(guard, upstream, options, loggerFactory, stop.Token).GetAwaiter().GetResult();
            if (completion == GuardrailsMcpProxyCompletion.UpstreamEnded)
            {
                console.Error.WriteLine($"{CliApp.CommandName}: the MCP server '{upstream.Name}' ended");
                return UpstreamUnavailable;
            }

            return ExitCodes.Success;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return ExitCodes.Success;
        }
        catch (Exception ex) when (ex is IOException or McpException or InvalidOperationException or System.ComponentModel.Win32Exception or TimeoutException)
        {
            console.Error.WriteLine($"{CliApp.CommandName}: could not start or reach the MCP server '{string.Join(' ', commandLine.Positionals)}': {ex.Message}");
            return UpstreamUnavailable;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>A logger factory that writes one line per message to standard error; stdout belongs to the protocol.</summary>
    private sealed class StderrLoggerFactory(TextWriter error, LogLevel minimum) : ILoggerFactory
    {
        private readonly Lock _gate = new();

        public ILogger CreateLogger(string categoryName) => new StderrLogger(this, categoryName);

        public void AddProvider(ILoggerProvider provider)
        {
            // Logs go to standard error only.
        }

        public void Dispose()
        {
            // Nothing to release: the error writer belongs to the console.
        }

        private void Write(LogLevel level, string category, string message, Exception? exception)
        {
            var name = category.StartsWith("Guardrails", StringComparison.Ordinal) ? "guardrails" : category;
            lock (_gate)
            {
                error.WriteLine($"{CliApp.CommandName}: {Level(level)} {name}: {message}");
                if (exception is not null && minimum <= LogLevel.Debug)
                {
                    error.WriteLine(exception.ToString());
                }

                error.Flush();
            }
        }

        private static string Level(LogLevel level) => level switch
        {
            LogLevel.Trace => "trace",
            LogLevel.Debug => "debug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warn",
            LogLevel.Error => "error",
            _ => "crit",
        };

        private sealed class StderrLogger(StderrLoggerFactory factory, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= factory.Minimum;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    factory.Write(logLevel, category, formatter(state, exception), exception);
                }
            }
        }

        private LogLevel Minimum => minimum;
    }
}
