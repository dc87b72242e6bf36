using System.Runtime.CompilerServices;
using System.Text.Json;
using Guardrails.Approvals;
using Guardrails.Extensions.AI.Telemetry;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Guardrails.Extensions.AI.Pipeline;

/// <summary>
/// The outermost layer of <c>UseGuardrails</c>: binds approvals to what was asked. Every
/// <see cref="ToolApprovalRequestContent"/> leaving the pipeline (Guardrails' own and those
/// <see cref="FunctionInvokingChatClient"/> makes for <see cref="ApprovalRequiredAIFunction"/>s) gets a ticket; every
/// <see cref="ToolApprovalResponseContent"/> coming in is resumed against its ticket before the function-invoking
/// client sees it. A response that is forged, edited, replayed or late becomes a refusal of the call that was really
/// asked about, so the function-invoking client never runs it.
/// </summary>
internal sealed class GuardrailsChatClient : DelegatingChatClient
{
    /// <summary>Marks approval requests that already carry a ticket.</summary>
    internal const string TicketProperty = "guardrails.ticket_id";

    private readonly GuardrailsFunctionInvoker _invoker;
    private readonly ILogger _logger;

    public GuardrailsChatClient(IChatClient innerClient, GuardrailsFunctionInvoker invoker, ILogger logger)
        : base(innerClient)
    {
        _invoker = invoker;
        _logger = logger;
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var admitted = AdmitApprovalResponses(messages, options);
        var response = await base.GetResponseAsync(admitted, options, cancellationToken).ConfigureAwait(false);
        foreach (var message in response.Messages)
        {
            BindApprovalRequests(message.Contents, options);
        }

        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var admitted = AdmitApprovalResponses(messages, options);
        await foreach (var update in base.GetStreamingResponseAsync(admitted, options, cancellationToken).ConfigureAwait(false))
        {
            BindApprovalRequests(update.Contents, options);
            yield return update;
        }
    }

    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is null)
        {
            if (serviceType == typeof(GuardrailsFunctionInvoker))
            {
                return _invoker;
            }

            if (serviceType == typeof(GuardrailsChatClientOptions))
            {
                return _invoker.Options;
            }

            if (serviceType == typeof(Guard))
            {
                return _invoker.Guard;
            }
        }

        return base.GetService(serviceType, serviceKey);
    }

    private List<ChatMessage> AdmitApprovalResponses(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        List<ChatMessage> list = [.. messages];
        HashSet<string>? settled = null;
        var anyResponse = false;
        foreach (var message in list)
        {
            foreach (var content in message.Contents)
            {
                if (content is FunctionResultContent result)
                {
                    (settled ??= new(StringComparer.Ordinal)).Add(result.CallId);
                }
                else if (content is ToolApprovalResponseContent)
                {
                    anyResponse = true;
                }
            }
        }

        if (!anyResponse)
        {
            return list;
        }

        for (var i = 0; i < list.Count; i++)
        {
            var message = list[i];
            List<AIContent>? rewritten = null;
            for (var j = 0; j < message.Contents.Count; j++)
            {
                // Responses whose call already has a result, or that the function-invoking client already processed
                // (it marks their call informational), were handled on an earlier turn and are skipped by it too.
                // Responses about calls Guardrails does not execute (hosted tools) pass as they are.
                if (message.Contents[j] is ToolApprovalResponseContent response
                    && response.ToolCall is FunctionCallContent { InformationalOnly: false } presented
                    && settled?.Contains(presented.CallId) != true)
                {
                    var admitted = Admit(response, presented, options);
                    if (!ReferenceEquals(admitted, response))
                    {
                        rewritten ??= [.. message.Contents];
                        rewritten[j] = admitted;
                    }
                }
            }

            if (rewritten is not null)
            {
                var clone = message.Clone();
                clone.Contents = rewritten;
                list[i] = clone;
            }
        }

        return list;
    }

    private ToolApprovalResponseContent Admit(ToolApprovalResponseContent response, FunctionCallContent presented, ChatOptions? options)
    {
        var tickets = _invoker.Tickets;
        tickets.TryGet(response.RequestId, out var ticket);
        var call = GuardrailsToolCalls.FromFunctionCall(presented, _invoker.Options, options);
        var answer = response.Approved ? ApprovalResult.Approve(response.Reason, "user") : ApprovalResult.Refuse(response.Reason, "user");
        var outcome = tickets.Resume(response.RequestId, call, answer);

        if (outcome.IsAllowed)
        {
            _invoker.Grants.Add(presented.CallId, ToolCallFingerprint.Compute(call), outcome, ticket?.ExpiresAt ?? tickets.TimeProvider.GetUtcNow() + tickets.Lifetime);
            Log.ApprovalAccepted(_logger, response.RequestId, call.Name, call.CallId);
            return response;
        }

        var first = outcome.Findings.Count > 0 ? outcome.Findings[0] : null;
        var code = first?.RuleId ?? "guardrails.approval.unknown";
        if (!response.Approved && code == "guardrails.approval.refused")
        {
            return response; // an honest refusal of what was asked: the function-invoking client reports it as such
        }

        var reason = first?.Message ?? "the approval was not valid";
        Log.ApprovalRejected(_logger, response.RequestId, call.Name, call.CallId, code, reason);

        // Refuse the call that was really asked about (same call id as the request in the history), so that nothing
        // the caller changed can run and the model learns why.
        var asked = ticket is null
            ? new FunctionCallContent(presented.CallId, presented.Name, presented.Arguments)
            : new FunctionCallContent(ticket.CallId ?? presented.CallId, ticket.ToolName, ToDictionary(ticket.Arguments));
        return new ToolApprovalResponseContent(response.RequestId, approved: false, asked)
        {
            Reason = $"Guardrails did not accept this approval ({code}): {reason}.",
        };
    }

    private void BindApprovalRequests(IList<AIContent> contents, ChatOptions? options)
    {
        foreach (var content in contents)
        {
            if (content is not ToolApprovalRequestContent { ToolCall: FunctionCallContent asked } request
                || request.AdditionalProperties?.ContainsKey(TicketProperty) == true)
            {
                continue;
            }

            var call = GuardrailsToolCalls.FromFunctionCall(asked, _invoker.Options, options);

            // A preview, not recorded in the session's history: the invocation that may follow is what counts.
            var decision = _invoker.Guard.Evaluate(Stateless(call));
            var ticket = _invoker.Tickets.Issue(call, decision, request.RequestId);
            var properties = request.AdditionalProperties ??= [];
            properties[TicketProperty] = ticket.Id;
            properties["guardrails.verdict"] = decision.Verdict.ToString().ToLowerInvariant();
            properties["guardrails.rules"] = string.Join(", ", decision.RuleIds);
            properties["guardrails.reasons"] = string.Join("; ", decision.Reasons);
            properties["guardrails.expires_at"] = ticket.ExpiresAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
            if (_logger.IsEnabled(LogLevel.Information))
            {
                var rules = string.Join(", ", decision.RuleIds);
                Log.ApprovalRequested(_logger, call.Name, call.CallId, request.RequestId, ticket.ExpiresAt, rules);
            }
        }
    }

    internal static ToolCall Stateless(ToolCall call) =>
        call.SessionId is null ? call : new ToolCall(call.Name, call.Arguments) { CallId = call.CallId, AgentId = call.AgentId, WorkingDirectory = call.WorkingDirectory };

    private static Dictionary<string, object?> ToDictionary(JsonElement arguments)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (arguments.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in arguments.EnumerateObject())
            {
                result[property.Name] = property.Value.Clone();
            }
        }

        return result;
    }
}
