using System.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Guardrails.ModelContextProtocol.Proxy;

/// <summary>
/// A guarding MCP proxy: serves the tools (and prompts, resources, completions and logging) of an upstream MCP server
/// unchanged to a downstream client, and decides every <c>tools/call</c> with a <see cref="Guard"/> before forwarding it.
/// A denied call never reaches the upstream server; the client receives an <c>isError</c> tool result with the reason.
/// </summary>
/// <remarks>
/// <para>Requests are forwarded with their parameters as received (pagination cursors, <c>_meta</c> and progress tokens
/// included); the upstream's answers and errors are returned unchanged. The upstream's notifications —
/// <c>notifications/tools/list_changed</c>, prompts and resources list changes, resource updates, log messages and
/// progress — are relayed to the client.</para>
/// <para>Not relayed: requests the upstream server sends to its client (sampling, elicitation, roots); the proxy
/// advertises none of those capabilities upstream. The proxy's own elicitation requests (approvals) go to the
/// downstream client.</para>
/// <para>For stdio, nothing but protocol frames may be written to standard output: log through the logger factory to
/// standard error.</para>
/// </remarks>
public sealed class GuardrailsMcpProxy : IAsyncDisposable
{
    private static readonly string[] RelayedNotifications =
    [
        NotificationMethods.ToolListChangedNotification,
        NotificationMethods.PromptListChangedNotification,
        NotificationMethods.ResourceListChangedNotification,
        NotificationMethods.ResourceUpdatedNotification,
        LoggingMessageNotification,
        NotificationMethods.ProgressNotification,
    ];

    // Logging is deprecated by the 2026-07-28 specification, but clients and servers on earlier versions still use it.
    private const string LoggingMessageNotification = "notifications/message";

    private readonly Guard _guard;
    private readonly GuardrailsMcpProxyOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;

    private GuardrailsMcpProxy(McpClient upstream, Guard guard, GuardrailsMcpProxyOptions options, ILoggerFactory loggerFactory)
    {
        Upstream = upstream;
        _guard = guard;
        _options = options;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger("Guardrails.ModelContextProtocol.Proxy");
    }

    /// <summary>Gets the MCP client connected to the upstream server.</summary>
    public McpClient Upstream { get; }

    /// <summary>Connects to the upstream server (starting it, for a stdio transport) and completes the MCP handshake.</summary>
    /// <param name="guard">The guard that decides every tool call.</param>
    /// <param name="upstream">The transport to the upstream server, for example a <see cref="StdioClientTransport"/>.</param>
    /// <param name="options">Options; <see langword="null"/> for the defaults.</param>
    /// <param name="loggerFactory">Where the proxy, the filter and the SDK log; <see langword="null"/> for nowhere.</param>
    /// <param name="cancellationToken">Cancels the connection attempt.</param>
    /// <returns>The connected proxy; serve a client with <see cref="RunAsync"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="guard"/> or <paramref name="upstream"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The filter options are invalid.</exception>
    /// <exception cref="IOException">The upstream server could not be started or reached.</exception>
    /// <exception cref="global::ModelContextProtocol.McpException">The upstream server failed the handshake.</exception>
    public static async Task<GuardrailsMcpProxy> ConnectAsync(
        Guard guard,
        IClientTransport upstream,
        GuardrailsMcpProxyOptions? options = null,
        ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(guard);
        ArgumentNullException.ThrowIfNull(upstream);
        options ??= new GuardrailsMcpProxyOptions();
        options.Filter.Validate();
        loggerFactory ??= NullLoggerFactory.Instance;
        var clientOptions = new McpClientOptions
        {
            ClientInfo = new Implementation { Name = options.ClientName, Version = Version },
            InitializationTimeout = options.InitializationTimeout,
        };
        var client = await McpClient.CreateAsync(upstream, clientOptions, loggerFactory, cancellationToken).ConfigureAwait(false);
        var proxy = new GuardrailsMcpProxy(client, guard, options, loggerFactory);
        var capabilities = client.ServerCapabilities ?? new ServerCapabilities();
        Log.UpstreamConnected(proxy._logger, client.ServerInfo?.Name ?? "(unnamed)", client.ServerInfo?.Version ?? "(no version)", capabilities.Tools is not null, capabilities.Prompts is not null, capabilities.Resources is not null);
        return proxy;
    }

    /// <summary>
    /// Starts the upstream server with <paramref name="upstream"/>, serves it guarded over this process's standard input
    /// and output until the client disconnects, the upstream server ends or <paramref name="cancellationToken"/> is
    /// cancelled, then stops the upstream server.
    /// </summary>
    /// <param name="guard">The guard that decides every tool call.</param>
    /// <param name="upstream">How to start the upstream server. Its standard error lines are logged at Information.</param>
    /// <param name="options">Options; <see langword="null"/> for the defaults.</param>
    /// <param name="loggerFactory">Where to log — it must not write to standard output; <see langword="null"/> for nowhere.</param>
    /// <param name="cancellationToken">Stops the proxy.</param>
    /// <returns>Why the proxy stopped.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="guard"/> or <paramref name="upstream"/> is null.</exception>
    /// <exception cref="IOException">The upstream server could not be started.</exception>
    /// <exception cref="global::ModelContextProtocol.McpException">The upstream server failed the handshake.</exception>
    public static async Task<GuardrailsMcpProxyCompletion> RunStdioAsync(
        Guard guard,
        StdioClientTransportOptions upstream,
        GuardrailsMcpProxyOptions? options = null,
        ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(guard);
        ArgumentNullException.ThrowIfNull(upstream);
        loggerFactory ??= NullLoggerFactory.Instance;
        if (upstream.StandardErrorLines is null)
        {
            var logger = loggerFactory.CreateLogger("Guardrails.ModelContextProtocol.Proxy");
            upstream.StandardErrorLines = line => Log.UpstreamStandardError(logger, line);
        }

        var proxy = await ConnectAsync(guard, new StdioClientTransport(upstream, loggerFactory), options, loggerFactory, cancellationToken).ConfigureAwait(false);
        await using (proxy.ConfigureAwait(false))
        {
            var transport = new StdioServerTransport(proxy.Upstream.ServerInfo?.Name ?? "guardrails-mcp-proxy", loggerFactory);
            await using (transport.ConfigureAwait(false))
            {
                return await proxy.RunAsync(transport, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Serves one downstream session over <paramref name="downstream"/> until the client disconnects, the upstream server
    /// ends, or <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    /// <param name="downstream">The transport to the client, for example a <see cref="StdioServerTransport"/>.</param>
    /// <param name="cancellationToken">Stops serving.</param>
    /// <returns>Why serving stopped.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="downstream"/> is null.</exception>
    public async Task<GuardrailsMcpProxyCompletion> RunAsync(ITransport downstream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(downstream);
        var server = McpServer.Create(downstream, CreateServerOptions(), _loggerFactory);
        await using (server.ConfigureAwait(false))
        {
            var relays = new List<IAsyncDisposable>(RelayedNotifications.Length);
            foreach (var method in RelayedNotifications)
            {
                relays.Add(Upstream.RegisterNotificationHandler(method, (notification, ct) => RelayAsync(server, notification, ct)));
            }

            try
            {
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var serving = server.RunAsync(stop.Token);
                var first = await Task.WhenAny(serving, Upstream.Completion).ConfigureAwait(false);
                var completion = GuardrailsMcpProxyCompletion.ClientDisconnected;
                if (first != serving)
                {
                    var details = await Upstream.Completion.ConfigureAwait(false);
                    Log.UpstreamEnded(_logger, details.Exception?.Message ?? "the session closed");
                    completion = GuardrailsMcpProxyCompletion.UpstreamEnded;
                    await stop.CancelAsync().ConfigureAwait(false);
                }

                try
                {
                    await serving.ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    // Stopping is how serving ends when the upstream ended or the caller cancelled.
                }

                return cancellationToken.IsCancellationRequested && completion == GuardrailsMcpProxyCompletion.ClientDisconnected
                    ? GuardrailsMcpProxyCompletion.Stopped
                    : completion;
            }
            finally
            {
                foreach (var relay in relays)
                {
                    await relay.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>Disconnects from the upstream server (and stops it, for a stdio transport).</summary>
    /// <returns>A task that completes when the upstream session is closed.</returns>
    public ValueTask DisposeAsync() => Upstream.DisposeAsync();

    private static string Version =>
        typeof(GuardrailsMcpProxy).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    private McpServerOptions CreateServerOptions()
    {
        var upstream = Upstream;
        var capabilities = upstream.ServerCapabilities ?? new ServerCapabilities();
        var info = upstream.ServerInfo ?? new Implementation { Name = "guardrails-mcp-proxy", Version = Version };
        var handlers = new McpServerHandlers();
        var serverCapabilities = new ServerCapabilities();
        if (capabilities.Tools is { } tools)
        {
            serverCapabilities.Tools = new ToolsCapability { ListChanged = tools.ListChanged };
            handlers.ListToolsHandler = (context, ct) => upstream.ListToolsAsync(context.Params ?? new ListToolsRequestParams(), ct);
            handlers.CallToolHandler = (context, ct) => upstream.CallToolAsync(context.Params ?? throw new ArgumentException("tools/call without parameters"), ct);
        }

        if (capabilities.Prompts is { } prompts)
        {
            serverCapabilities.Prompts = new PromptsCapability { ListChanged = prompts.ListChanged };
            handlers.ListPromptsHandler = (context, ct) => upstream.ListPromptsAsync(context.Params ?? new ListPromptsRequestParams(), ct);
            handlers.GetPromptHandler = (context, ct) => upstream.GetPromptAsync(context.Params ?? throw new ArgumentException("prompts/get without parameters"), ct);
        }

        if (capabilities.Resources is { } resources)
        {
            serverCapabilities.Resources = new ResourcesCapability { ListChanged = resources.ListChanged, Subscribe = resources.Subscribe };
            handlers.ListResourcesHandler = (context, ct) => upstream.ListResourcesAsync(context.Params ?? new ListResourcesRequestParams(), ct);
            handlers.ListResourceTemplatesHandler = (context, ct) => upstream.ListResourceTemplatesAsync(context.Params ?? new ListResourceTemplatesRequestParams(), ct);
            handlers.ReadResourceHandler = (context, ct) => upstream.ReadResourceAsync(context.Params ?? throw new ArgumentException("resources/read without parameters"), ct);
            if (resources.Subscribe == true)
            {
                handlers.SubscribeToResourcesHandler = async (context, ct) =>
                {
                    await upstream.SubscribeToResourceAsync(context.Params ?? throw new ArgumentException("resources/subscribe without parameters"), ct).ConfigureAwait(false);
                    return new EmptyResult();
                };
                handlers.UnsubscribeFromResourcesHandler = async (context, ct) =>
                {
                    await upstream.UnsubscribeFromResourceAsync(context.Params ?? throw new ArgumentException("resources/unsubscribe without parameters"), ct).ConfigureAwait(false);
                    return new EmptyResult();
                };
            }
        }

        if (capabilities.Completions is not null)
        {
            serverCapabilities.Completions = new CompletionsCapability();
            handlers.CompleteHandler = (context, ct) => upstream.CompleteAsync(context.Params ?? throw new ArgumentException("completion/complete without parameters"), ct);
        }

#pragma warning disable MCP9005 // Logging is deprecated by the 2026-07-28 specification; relayed for clients and servers on earlier versions.
        if (capabilities.Logging is not null)
        {
            serverCapabilities.Logging = new LoggingCapability();
            handlers.SetLoggingLevelHandler = async (context, ct) =>
            {
                await upstream.SetLoggingLevelAsync(context.Params ?? throw new ArgumentException("logging/setLevel without parameters"), ct).ConfigureAwait(false);
                return new EmptyResult();
            };
        }
#pragma warning restore MCP9005

        var options = new McpServerOptions
        {
            ServerInfo = new Implementation { Name = info.Name, Version = info.Version, Title = info.Title, Description = info.Description, WebsiteUrl = info.WebsiteUrl },
            ServerInstructions = upstream.ServerInstructions,
            Capabilities = serverCapabilities,
            Handlers = handlers,
        };
        options.Filters.Request.CallToolFilters.Add(GuardrailsCallToolFilter.Create(_guard, _options.Filter, _logger));
        return options;
    }

    private async ValueTask RelayAsync(McpServer server, JsonRpcNotification notification, CancellationToken cancellationToken)
    {
        try
        {
            var relayed = new JsonRpcNotification { Method = notification.Method, Params = notification.Params?.DeepClone() };
            await server.SendMessageAsync(relayed, cancellationToken).ConfigureAwait(false);
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                Log.Relayed(_logger, notification.Method);
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException or global::ModelContextProtocol.McpException)
        {
            // The client may be gone already; a lost notification must not take the proxy down.
            Log.RelayFailed(_logger, notification.Method, ex.Message);
        }
    }
}
