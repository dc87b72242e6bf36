using System.Globalization;
using System.Net;
using Guardrails.Cli.Serving;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Guardrails.Cli.Commands;

/// <summary>
/// <c>guardrails serve</c>: a small HTTP decision service, bound to loopback by default, for agents in other languages:
/// <c>POST /v1/decide</c>, <c>POST /v1/decide/batch</c>, <c>GET /healthz</c>. The policy file reloads atomically when it
/// changes; a new file that does not load is rejected and logged, and the old policy stays in service.
/// </summary>
internal static class ServeCommand
{
    /// <summary>The port used unless <c>--port</c> or <c>--urls</c> says otherwise.</summary>
    public const int DefaultPort = 8787;

    /// <summary>Gets the usage text.</summary>
    public static string Usage { get; } =
        $$"""
        Usage: {{CliApp.CommandName}} serve [--policy FILE|builtin:NAME] [--port N | --urls URLS] [--allow-remote] [--poll-interval SECONDS]

        Serves decisions over HTTP (default http://127.0.0.1:{{DefaultPort}}) until stopped (Ctrl+C or SIGTERM):

          POST /v1/decide        {"id": "c1", "session": "s1", "tool": "bash", "arguments": {"command": "ls"}, "cwd": "/work"}
                                 -> {"id":"c1","decision":"allow","score":0,"rules":[],"reasons":[]}
          POST /v1/decide/batch  [call, call, ...] -> [decision, decision, ...] (in order)
          GET  /healthz          {"status":"ok","policy":…,"version":…,"reloads":0,"rejectedReloads":0,"lastError":null}

        Requests and answers use the JSON of the 'evaluate' contract; a call that cannot be read is answered
        with status 400 and a deny. Calls with the same session share a history. When the policy file
        changes on disk it is reloaded atomically; a file that does not load is rejected and logged and the
        previous policy stays in service. If the policy cannot be loaded at start, every call is denied
        (and /healthz answers 503) until the file is fixed. The first line on standard output is
        "listening on URL"; the log goes to standard error.

        Options:
          --policy FILE|builtin:NAME  The policy (default: builtin:default).
          --port N                    Listen on http://127.0.0.1:N (0: any free port).
          --urls URLS                 Listen on these URLs, separated by ';' (ASP.NET Core syntax).
          --allow-remote              Allow URLs that are not loopback (anyone who can reach the port can
                                      ask for decisions; put authentication in front of it).
          --poll-interval SECONDS     How often to compare the policy file's content (default: 2), as a
                                      backstop for file systems that do not report changes.
          -h, --help                  Show this help.

        Exit codes: 0 stopped; 64 usage error; 74 the address cannot be bound.
        """;

    /// <summary>Gets or sets a token that stops the service, for tests running it in-process through <see cref="CliApp.Run"/>.</summary>
    internal static AsyncLocal<CancellationToken> StopToken { get; } = new();

    /// <summary>Runs the command.</summary>
    /// <param name="args">The arguments after <c>serve</c>.</param>
    /// <param name="console">The console.</param>
    /// <returns>The exit code.</returns>
    public static int Run(ReadOnlySpan<string> args, CliConsole console)
    {
        if (!CommandLine.TryParse(args, ["--policy", "--port", "--urls", "--poll-interval"], ["--allow-remote"], out var commandLine, out var problem))
        {
            return CliApp.UsageError(console, problem, Usage);
        }

        if (commandLine.HelpRequested)
        {
            console.Out.WriteLine(Usage);
            return ExitCodes.Success;
        }

        if (commandLine.Positionals.Count > 0)
        {
            return CliApp.UsageError(console, $"unexpected argument '{commandLine.Positionals[0]}'", Usage);
        }

        if (commandLine.Value("--port") is not null && commandLine.Value("--urls") is not null)
        {
            return CliApp.UsageError(console, "give --port or --urls, not both", Usage);
        }

        string[] urls;
        if (commandLine.Value("--urls") is { } list)
        {
            urls = list.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var url in urls)
            {
                if (!Uri.TryCreate(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                {
                    return CliApp.UsageError(console, $"invalid URL '{url}'", Usage);
                }

                if (!commandLine.Flag("--allow-remote") && !IsLoopback(uri.Host))
                {
                    return CliApp.UsageError(console, $"'{url}' is not a loopback address; pass --allow-remote to listen on it", Usage);
                }
            }
        }
        else
        {
            var portText = commandLine.Value("--port");
            var port = DefaultPort;
            if (portText is not null && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port > 65535))
            {
                return CliApp.UsageError(console, $"invalid port '{portText}'", Usage);
            }

            urls = [string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}")];
        }

        var poll = TimeSpan.FromSeconds(2);
        if (commandLine.Value("--poll-interval") is { } pollText)
        {
            if (!double.TryParse(pollText, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds < 0.05 || seconds > 86_400)
            {
                return CliApp.UsageError(console, $"invalid poll interval '{pollText}'; expected seconds between 0.05 and 86400", Usage);
            }

            poll = TimeSpan.FromSeconds(seconds);
        }

        return RunAsync(commandLine.Value("--policy") ?? GuardFactory.DefaultPolicy, urls, poll, console, StopToken.Value).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(string policyName, string[] urls, TimeSpan poll, CliConsole console, CancellationToken stop)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Production" });

        // Only the command line decides where the service listens: no ASPNETCORE_URLS, no Kestrel section from the environment.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.WebHost.UseUrls(urls);
        builder.WebHost.ConfigureKestrel(options =>
        {
            options.AddServerHeader = false;
            options.Limits.MaxRequestBodySize = DecisionService.MaxBodyBytes;
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new TextWriterLoggerProvider(console.Error, LogLevel.Information));

        var app = builder.Build();
        await using var disposeApp = app.ConfigureAwait(false);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Guardrails.Serve");
        using var host = new PolicyHost(policyName, logger, poll);
        var service = new DecisionService(host, logger);
        app.MapPost("/v1/decide", (RequestDelegate)service.DecideAsync);
        app.MapPost("/v1/decide/batch", (RequestDelegate)service.DecideBatchAsync);
        app.MapGet("/healthz", (RequestDelegate)service.HealthAsync);

        try
        {
            await app.StartAsync(stop).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            console.Error.WriteLine($"{CliApp.CommandName}: cannot listen on {string.Join(", ", urls)}: {ex.Message}");
            return ExitCodes.IOError;
        }
        catch (OperationCanceledException)
        {
            return ExitCodes.Success;
        }

        foreach (var address in app.Urls)
        {
            Log.Listening(logger, address);
            console.Out.WriteLine($"listening on {address}");
        }

        console.Out.Flush();
        try
        {
            await app.WaitForShutdownAsync(stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await app.StopAsync(timeout.Token).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    private static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
