using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Microsoft.Extensions.AI;

namespace Guardrails.Extensions.AI.Pipeline;

/// <summary>
/// The innermost layer of <c>UseGuardrails</c> in <see cref="EscalationMode.ApprovalRequests"/> mode: when the guard
/// escalates a function call in a model response, it turns the function calls of that response into
/// <see cref="ToolApprovalRequestContent"/>s before the function-invoking client sees them, so the turn ends with a
/// question for the user instead of an invocation.
/// </summary>
/// <remarks>
/// Every function call of the response becomes a request, not only the escalated one — the same all-or-nothing rule
/// <see cref="FunctionInvokingChatClient"/> applies to <see cref="ApprovalRequiredAIFunction"/>s, because calls of one
/// response can only be answered together. When the user approves them, each is still decided again before it runs.
/// </remarks>
internal sealed class ApprovalRequestChatClient : DelegatingChatClient
{
    private readonly GuardrailsFunctionInvoker _invoker;
    private readonly Func<IList<AITool>?> _additionalTools;

    public ApprovalRequestChatClient(IChatClient innerClient, GuardrailsFunctionInvoker invoker, Func<IList<AITool>?> additionalTools)
        : base(innerClient)
    {
        _invoker = invoker;
        _additionalTools = additionalTools;
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        if (NeedsApproval(response.Messages.SelectMany(static m => m.Contents), options, cancellationToken))
        {
            foreach (var message in response.Messages)
            {
                message.Contents = ToApprovalRequests(message.Contents);
            }
        }

        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Updates that carry function calls are held back until the stream ends: only then is it known whether any
        // call of this response needs approval (and then all of them become requests).
        List<ChatResponseUpdate>? held = null;
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            if (update.Contents.Any(IsPendingCall))
            {
                (held ??= []).Add(update);
                continue;
            }

            yield return update;
        }

        if (held is null)
        {
            yield break;
        }

        if (NeedsApproval(held.SelectMany(static u => u.Contents), options, cancellationToken))
        {
            foreach (var update in held)
            {
                update.Contents = ToApprovalRequests(update.Contents);
            }
        }

        foreach (var update in held)
        {
            yield return update;
        }
    }

    private static bool IsPendingCall(AIContent content) => content is FunctionCallContent { InformationalOnly: false };

    private static List<AIContent> ToApprovalRequests(IList<AIContent> contents) =>
        [.. contents.Select(static c => c is FunctionCallContent { InformationalOnly: false } call
            ? new ToolApprovalRequestContent("grd_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), call)
            : c)];

    private bool NeedsApproval(IEnumerable<AIContent> contents, ChatOptions? options, CancellationToken cancellationToken)
    {
        HashSet<string>? invocable = null;
        foreach (var content in contents)
        {
            if (content is not FunctionCallContent { InformationalOnly: false } call)
            {
                continue;
            }

            // Only calls the function-invoking client would run; the host handles the rest itself.
            invocable ??= InvocableTools(options);
            if (!invocable.Contains(call.Name))
            {
                continue;
            }

            var toolCall = GuardrailsChatClient.Stateless(GuardrailsToolCalls.FromFunctionCall(call, _invoker.Options, options));
            if (_invoker.Guard.Evaluate(toolCall, cancellationToken).Verdict == Verdict.Escalate)
            {
                return true;
            }
        }

        return false;
    }

    private HashSet<string> InvocableTools(ChatOptions? options)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tool in (options?.Tools ?? []).Concat(_additionalTools() ?? []))
        {
            if (tool is AIFunction function)
            {
                names.Add(function.Name);
            }
        }

        return names;
    }
}
