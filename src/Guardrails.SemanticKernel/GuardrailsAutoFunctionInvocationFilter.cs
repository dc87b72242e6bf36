using System.Collections.Concurrent;
using Guardrails.Approvals;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Guardrails.SemanticKernel;

/// <summary>
/// A Semantic Kernel auto-function-invocation filter that decides every function call a model requests before it
/// runs, with the model's tool-call id — and can end the turn instead of waiting for a human.
/// </summary>
/// <remarks>
/// <para><b>Allow</b>: the function runs. <b>Deny</b>: it is not run; the model receives a function result that says it was
/// blocked and why, and can re-plan (the loop goes on). <b>Escalate</b>, with
/// <see cref="AutoInvocationEscalation.RequestApproval"/> (the default): the guard's approval handler is asked and the
/// request waits; approved → runs; refused, timed out or no handler → denied. With
/// <see cref="AutoInvocationEscalation.TerminateTurn"/>: the function is not run, the model receives a "pending approval"
/// result, the turn ends (<c>Terminate</c>), an <see cref="ApprovalTicket"/> is issued and reported through
/// <see cref="GuardrailsFilterOptions.OnTurnTerminated"/>; when a human has answered, <see cref="ResumeAsync"/> runs the
/// call (only if approved, in time, exactly as asked) and puts its result into the chat history in place of the pending
/// one, and the application continues the conversation.</para>
/// <para>Register it together with <see cref="GuardrailsFunctionInvocationFilter"/> (which also covers manual
/// invocations); a call this filter decided is not decided again by that one. The filter is thread-safe.</para>
/// </remarks>
public sealed class GuardrailsAutoFunctionInvocationFilter : IAutoFunctionInvocationFilter
{
    private readonly KernelGuard _guard;
    private readonly ConcurrentDictionary<string, PausedCall> _paused = new(StringComparer.Ordinal);

    /// <summary>Initializes a new filter that decides with <paramref name="guard"/>.</summary>
    /// <param name="guard">The guard.</param>
    /// <param name="options">Options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="guard"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The options are invalid.</exception>
    public GuardrailsAutoFunctionInvocationFilter(Guard guard, GuardrailsFilterOptions? options = null)
    {
        _guard = new KernelGuard(guard, options);
    }

    /// <summary>Gets the ledger that issues and checks the approval tickets of paused calls.</summary>
    public ApprovalTickets Tickets => _guard.Tickets;

    /// <summary>Decides the model-requested call in <paramref name="context"/>, and calls <paramref name="next"/> only when it may run.</summary>
    /// <param name="context">The auto-invocation context.</param>
    /// <param name="next">The rest of the pipeline, ending with the function itself.</param>
    /// <returns>A task that completes when the invocation (or its refusal) is done.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public async Task OnAutoFunctionInvocationAsync(AutoFunctionInvocationContext context, Func<AutoFunctionInvocationContext, Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var function = context.Function;
        var arguments = context.Arguments;
        var call = _guard.CreateCall(function, arguments, context.ToolCallId, context.Kernel);
        if (_guard.Escalation == AutoInvocationEscalation.TerminateTurn)
        {
            // One evaluation and no waiting: an escalation ends the turn with a ticket a human can answer later.
            var decision = _guard.Guard.Evaluate(call, context.CancellationToken);
            if (decision.Verdict == Verdict.Escalate)
            {
                await PauseAsync(context, call, decision).ConfigureAwait(false);
                return;
            }

            if (decision.Verdict == Verdict.Deny)
            {
                context.Result = KernelGuard.Stopped(function, decision);
                return;
            }
        }
        else
        {
            var decision = await _guard.Guard.DecideAsync(call, context.CancellationToken).ConfigureAwait(false);
            if (!decision.IsAllowed)
            {
                context.Result = KernelGuard.Stopped(function, decision);
                return;
            }
        }

        using (DecidedCall.Enter(_guard.Guard, function, arguments))
        {
            await next(context).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Resumes a call paused by <see cref="AutoInvocationEscalation.TerminateTurn"/> with a human's
    /// <paramref name="answer"/>: runs the function only when the ticket is this filter's, unused, unexpired and approved
    /// (see <see cref="ApprovalTickets.Resume(string, ToolCall, ApprovalResult)"/>), and replaces the pending function result in
    /// <paramref name="chatHistory"/> with the function's result — or with the reason it still does not run. Continue the
    /// conversation afterwards by asking the model again with the same history.
    /// </summary>
    /// <param name="ticketId">The id of the ticket reported by <see cref="GuardrailsFilterOptions.OnTurnTerminated"/>.</param>
    /// <param name="answer">The human's answer.</param>
    /// <param name="chatHistory">The conversation the call was paused in.</param>
    /// <param name="cancellationToken">Cancels the function.</param>
    /// <returns>The final decision: allow when the function ran, otherwise a deny that names why (<c>guardrails.approval.*</c>).</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <remarks>Exceptions thrown by the function itself propagate; the history then still holds the pending result.</remarks>
    public async Task<Decision> ResumeAsync(string ticketId, ApprovalResult answer, ChatHistory chatHistory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ticketId);
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(chatHistory);
        if (!_paused.TryRemove(ticketId, out var paused))
        {
            // Unknown to this filter: let the ledger say why (unknown, replayed) — never run anything.
            return _guard.Tickets.Resume(ticketId, new ToolCall("unknown", default), answer);
        }

        var call = _guard.CreateCall(paused.Function, paused.Arguments, paused.CallId, paused.Kernel);
        var decision = _guard.Tickets.Resume(ticketId, call, answer);
        object? result;
        if (decision.IsAllowed)
        {
            using (DecidedCall.Enter(_guard.Guard, paused.Function, paused.Arguments))
            {
                var functionResult = await paused.Function.InvokeAsync(paused.Kernel, paused.Arguments, cancellationToken).ConfigureAwait(false);
                result = functionResult.GetValue<object>() ?? string.Empty;
            }
        }
        else
        {
            result = decision.ToModelMessage();
        }

        ReplaceResult(chatHistory, paused, result);
        return decision;
    }

    private async Task PauseAsync(AutoFunctionInvocationContext context, ToolCall call, Decision decision)
    {
        var ticket = _guard.Tickets.Issue(call, decision);
        PrunePaused();
        _paused[ticket.Id] = new PausedCall(context.Kernel, context.Function, context.Arguments, context.ToolCallId);
        context.Result = KernelGuard.Stopped(context.Function, decision);
        context.Terminate = true;
        if (_guard.OnTurnTerminated is { } callback)
        {
            await callback(new KernelEscalationArguments(ticket, decision, context)).ConfigureAwait(false);
        }
    }

    /// <summary>Forgets paused calls whose tickets the ledger no longer holds (expired or dropped), so memory stays bounded.</summary>
    private void PrunePaused()
    {
        foreach (var id in _paused.Keys)
        {
            if (!_guard.Tickets.TryGet(id, out var ticket) || ticket.ExpiresAt <= _guard.Tickets.TimeProvider.GetUtcNow())
            {
                _paused.TryRemove(id, out _);
            }
        }
    }

    private static void ReplaceResult(ChatHistory chatHistory, PausedCall paused, object result)
    {
        if (paused.CallId is { } callId)
        {
            foreach (var message in chatHistory)
            {
                for (var i = 0; i < message.Items.Count; i++)
                {
                    if (message.Items[i] is FunctionResultContent pending && string.Equals(pending.CallId, callId, StringComparison.Ordinal))
                    {
                        message.Items[i] = new FunctionResultContent(pending.FunctionName, pending.PluginName, pending.CallId, result);
                        return;
                    }
                }
            }
        }

        // The pending result is not in this history (it was trimmed or rebuilt): add the answer as a tool message.
        var items = new ChatMessageContentItemCollection { new FunctionResultContent(paused.Function.Name, paused.Function.PluginName, paused.CallId, result) };
        chatHistory.Add(new ChatMessageContent(AuthorRole.Tool, items));
    }

    private sealed record PausedCall(Kernel Kernel, KernelFunction Function, KernelArguments? Arguments, string? CallId);
}
