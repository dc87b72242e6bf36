using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Guardrails.Approvals;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Guardrails.ModelContextProtocol;

/// <summary>The decision logic of the call-tool filter: map the MCP call, decide it, ask the user when escalated, refuse or forward.</summary>
internal sealed class McpCallGuard
{
    /// <summary>The elicitation field the user sets to approve a call.</summary>
    internal const string ApproveField = "approve";

    /// <summary>The category the filter logs under.</summary>
    internal const string LoggerCategory = "Guardrails.ModelContextProtocol";

    private const int MaxArgumentsShown = 2_000;

    /// <summary>Session ids for transports without one (stdio), so that one connection is one session for history-aware rules.</summary>
    private static readonly ConditionalWeakTable<McpServer, string> LocalSessions = [];

    private readonly GuardrailsMcpOptions _options;
    private readonly Func<McpToolNameArguments, string>? _toolName;
    private readonly ILogger? _logger;

    /// <summary>Initializes the filter logic.</summary>
    /// <param name="options">The validated options.</param>
    /// <param name="logger">The logger; <see langword="null"/> to use the request services' logger factory, if any.</param>
    public McpCallGuard(GuardrailsMcpOptions options, ILogger? logger)
    {
        options.Validate();
        _options = options;
        _toolName = options.ToolName;
        _logger = logger;
    }

    public async ValueTask<CallToolResult> InvokeAsync(
        Guard guard,
        RequestContext<CallToolRequestParams> context,
        McpRequestHandler<CallToolRequestParams, CallToolResult> next,
        CancellationToken cancellationToken)
    {
        var parameters = context.Params;
        if (parameters is null || string.IsNullOrEmpty(parameters.Name))
        {
            return Refusal("Guardrails blocked the call: it names no tool.");
        }

        var logger = _logger ?? (context.Services?.GetService(typeof(ILoggerFactory)) as ILoggerFactory)?.CreateLogger(LoggerCategory) ?? NullLogger.Instance;
        var call = CreateCall(context, parameters);
        Decision decision;
        if (_options.UseElicitation && SupportsFormElicitation(context.Server))
        {
            decision = guard.Evaluate(call, cancellationToken);
            if (decision.Verdict == Verdict.Escalate)
            {
                var answer = await ElicitApprovalAsync(context.Server, call, decision, cancellationToken).ConfigureAwait(false);
                Log.Elicited(logger, call.Name, call.CallId, answer.Approved, answer.Reason);
                decision = decision.Resolve(answer);
            }
        }
        else
        {
            decision = await guard.DecideAsync(call, cancellationToken).ConfigureAwait(false);
        }

        if (decision.Verdict == Verdict.Allow)
        {
            if (logger.IsEnabled(LogLevel.Debug))
            {
                Log.Allowed(logger, call.Name, call.CallId);
            }

            return await next(context, cancellationToken).ConfigureAwait(false);
        }

        Log.Decided(logger, call.Name, call.CallId, "deny", string.Join(", ", decision.RuleIds));
        return Refusal(decision.ToModelMessage());
    }

    /// <summary>Creates the tool result a refused call returns: <c>isError</c> with one text block.</summary>
    internal static CallToolResult Refusal(string text) => new()
    {
        IsError = true,
        Content = [new TextContentBlock { Text = text }],
    };

    private ToolCall CreateCall(RequestContext<CallToolRequestParams> context, CallToolRequestParams parameters)
    {
        var name = _toolName is null ? parameters.Name : _toolName(new McpToolNameArguments(parameters.Name, context.Server));
        if (string.IsNullOrEmpty(name))
        {
            name = parameters.Name;
        }

        return new ToolCall(name, ArgumentsToJson(parameters.Arguments))
        {
            CallId = context.JsonRpcRequest?.Id.ToString(),
            SessionId = context.Server.SessionId ?? LocalSessions.GetValue(context.Server, static _ => "mcp-" + Guid.NewGuid().ToString("N")),
        };
    }

    internal static JsonElement ArgumentsToJson(IDictionary<string, JsonElement>? arguments)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (arguments is not null)
            {
                foreach (var (name, value) in arguments)
                {
                    writer.WritePropertyName(name);
                    if (value.ValueKind == JsonValueKind.Undefined)
                    {
                        writer.WriteNullValue();
                    }
                    else
                    {
                        value.WriteTo(writer);
                    }
                }
            }

            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static bool SupportsFormElicitation(McpServer server) =>
        server.ClientCapabilities?.Elicitation is { } elicitation && (elicitation.Form is not null || elicitation.Url is null);

    private async ValueTask<ApprovalResult> ElicitApprovalAsync(McpServer server, ToolCall call, Decision decision, CancellationToken cancellationToken)
    {
        var request = new ElicitRequestParams
        {
            Message = ApprovalMessage(call, decision),
            RequestedSchema = new ElicitRequestParams.RequestSchema
            {
                Properties = new Dictionary<string, ElicitRequestParams.PrimitiveSchemaDefinition>(StringComparer.Ordinal)
                {
                    [ApproveField] = new ElicitRequestParams.BooleanSchema
                    {
                        Title = "Approve this tool call",
                        Description = "Set to true to let the tool run once. Anything else refuses it.",
                        Default = false,
                    },
                },
                Required = [ApproveField],
            },
        };

        using var timeout = new CancellationTokenSource(_options.ElicitationTimeout, _options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            var result = await server.ElicitAsync(request, linked.Token).ConfigureAwait(false);
            if (!result.IsAccepted)
            {
                return ApprovalResult.Refuse($"the user chose '{result.Action}'", "user");
            }

            return result.Content is { } content && content.TryGetValue(ApproveField, out var approve) && approve.ValueKind == JsonValueKind.True
                ? ApprovalResult.Approve(approver: "user")
                : ApprovalResult.Refuse("the user did not approve it", "user");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return ApprovalResult.Refuse(string.Create(CultureInfo.InvariantCulture, $"no answer within {_options.ElicitationTimeout}"), "guardrails");
        }
        catch (OperationCanceledException)
        {
            return ApprovalResult.Refuse("the request was cancelled", "guardrails");
        }
        catch (Exception ex) when (ex is McpException or InvalidOperationException or JsonException or IOException)
        {
            return ApprovalResult.Refuse("the user could not be asked (" + ex.Message + ")", "guardrails");
        }
    }

    private static string ApprovalMessage(ToolCall call, Decision decision)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Guardrails: the tool call '{call.Name}' needs your approval before it runs (score {decision.Score}).");
        foreach (var reason in decision.Reasons)
        {
            text.Append("\n- ").Append(reason);
        }

        var arguments = call.Arguments.ValueKind == JsonValueKind.Undefined ? "{}" : call.Arguments.GetRawText();
        if (arguments.Length > MaxArgumentsShown)
        {
            arguments = string.Concat(arguments.AsSpan(0, MaxArgumentsShown), "…");
        }

        text.Append("\nArguments: ").Append(arguments);
        text.Append("\nApprove it to let it run once; refuse, cancel or ignore it and it does not run.");
        return text.ToString();
    }
}
