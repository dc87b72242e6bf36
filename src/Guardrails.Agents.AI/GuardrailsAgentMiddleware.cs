using System.Runtime.CompilerServices;
using Guardrails.Approvals;
using Guardrails.Extensions.AI;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace Guardrails.Agents.AI;

/// <summary>
/// Agent Framework middleware that decides every function call a <see cref="ChatClientAgent"/> invokes and lets an
/// escalated call run only with an approval the caller supplied for exactly that call in the current run, or a yes
/// from the guard's approval handler. Added by <c>AIAgentBuilder.UseGuardrails</c>.
/// </summary>
/// <remarks>
/// <para>Approvals are read from the messages passed to the agent's <c>RunAsync</c> at this middleware's position in
/// the agent pipeline, and count only when they answer an approval request this middleware saw the agent return
/// (bound like <c>UseGuardrails</c> binds them: same call id, tool and canonical arguments, once, before expiry).
/// Approvals the framework creates further in — the approval-bypassing chat client's re-injected "approved"
/// responses, <c>ToolApprovalAgent</c>'s "always approve" rules below this middleware — are not the caller's and do
/// not count: such an escalation is denied.</para>
/// <para>Instances are thread-safe.</para>
/// </remarks>
internal sealed class GuardrailsAgentMiddleware
{
    private static readonly AsyncLocal<RunApprovals?> CurrentRun = new();

    private readonly Guard _guard;
    private readonly GuardrailsChatClientOptions _options;
    private readonly ApprovalTickets _ledger;

    public GuardrailsAgentMiddleware(Guard guard, GuardrailsChatClientOptions options)
    {
        _guard = guard;
        _options = options;

        // Its own ledger, even when the options name one: a chat pipeline sharing the options binds the same requests
        // independently, and one ledger would see the other's resume as a replay.
        _ledger = new ApprovalTickets(options.Tickets?.Lifetime, options.Tickets?.TimeProvider);
    }

    public async Task<AgentResponse> RunAsync(IEnumerable<ChatMessage> messages, AgentSession? session, AgentRunOptions? options, AIAgent innerAgent, CancellationToken cancellationToken)
    {
        List<ChatMessage> list = [.. messages];
        var previous = CurrentRun.Value;
        CurrentRun.Value = Admit(list);
        try
        {
            var response = await innerAgent.RunAsync(list, session, options, cancellationToken).ConfigureAwait(false);
            foreach (var message in response.Messages)
            {
                Bind(message.Contents);
            }

            return response;
        }
        finally
        {
            CurrentRun.Value = previous;
        }
    }

    public async IAsyncEnumerable<AgentResponseUpdate> RunStreamingAsync(IEnumerable<ChatMessage> messages, AgentSession? session, AgentRunOptions? options, AIAgent innerAgent, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        List<ChatMessage> list = [.. messages];
        var approvals = Admit(list);
        var enumerator = innerAgent.RunStreamingAsync(list, session, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                // An async iterator does not keep ambient values across yields: set it again for each step.
                var previous = CurrentRun.Value;
                CurrentRun.Value = approvals;
                bool more;
                try
                {
                    more = await enumerator.MoveNextAsync().ConfigureAwait(false);
                }
                finally
                {
                    CurrentRun.Value = previous;
                }

                if (!more)
                {
                    break;
                }

                Bind(enumerator.Current.Contents);
                yield return enumerator.Current;
            }
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask<object?> InvokeFunctionAsync(AIAgent agent, FunctionInvocationContext context, Func<FunctionInvocationContext, CancellationToken, ValueTask<object?>> next, CancellationToken cancellationToken)
    {
        var call = GuardrailsToolCalls.FromInvocation(context, _options);
        var decision = await DecideAsync(call, cancellationToken).ConfigureAwait(false);
        if (_options.OnToolCallDecided is { } callback)
        {
            try
            {
                await callback(new ToolCallDecidedArguments(call, decision, cancellationToken)).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A failing audit callback must not let a call run unrecorded: fail closed.
            catch (Exception)
#pragma warning restore CA1031
            {
                decision = decision.Resolve(ApprovalResult.Refuse("the decision could not be recorded (OnToolCallDecided failed)", "guardrails"));
            }
        }

        return decision.IsAllowed
            ? await next(context, cancellationToken).ConfigureAwait(false)
            : decision.ToModelMessage();
    }

    private async ValueTask<Decision> DecideAsync(ToolCall call, CancellationToken cancellationToken)
    {
        if (CurrentRun.Value?.WasRejected(call) == true)
        {
            // The call is being replayed from an approval that did not bind: it must not run, even if the policy
            // would allow it without one.
            return _guard.Evaluate(call, cancellationToken).Resolve(ApprovalResult.Refuse("the approval for this call was not valid (never requested, edited, replayed or expired)", "guardrails"));
        }

        if (CurrentRun.Value?.Take(call) is { } approval)
        {
            // One evaluation: whatever the caller approved, a deny stays a deny and an allow needs no approval.
            var evaluated = _guard.Evaluate(call, cancellationToken);
            return evaluated.Verdict == Verdict.Escalate ? evaluated.Resolve(approval) : evaluated;
        }

        return await _guard.DecideAsync(call, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records the approval requests the agent returns to the caller, so that answers can be bound to them.</summary>
    private void Bind(IList<AIContent> contents)
    {
        foreach (var content in contents)
        {
            if (content is ToolApprovalRequestContent { ToolCall: FunctionCallContent asked } request)
            {
                var call = GuardrailsToolCalls.FromFunctionCall(asked, _options);
                var preview = new ToolCall(call.Name, call.Arguments) { CallId = call.CallId, AgentId = call.AgentId, WorkingDirectory = call.WorkingDirectory };
                _ledger.Issue(call, _guard.Evaluate(preview), request.RequestId);
            }
        }
    }

    /// <summary>Collects the caller's approvals that answer a request the agent returned: each counts once, for that call only.</summary>
    private RunApprovals? Admit(IEnumerable<ChatMessage> messages)
    {
        RunApprovals? result = null;
        foreach (var content in messages.SelectMany(static m => m.Contents))
        {
            if (content is ToolApprovalResponseContent { Approved: true, ToolCall: FunctionCallContent { InformationalOnly: false } approved } response)
            {
                var call = GuardrailsToolCalls.FromFunctionCall(approved, _options);
                var answer = ApprovalResult.Approve(response.Reason, "caller");
                if (_ledger.Resume(response.RequestId, call, answer).IsAllowed)
                {
                    (result ??= new()).Add(approved.CallId, ToolCallFingerprint.Compute(call), answer);
                }
                else
                {
                    (result ??= new()).Reject(approved.CallId);
                }
            }
        }

        return result;
    }

    /// <summary>The approvals the caller supplied to one agent run, each usable once.</summary>
    private sealed class RunApprovals
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<string, (string Fingerprint, ApprovalResult Answer)> _byCallId = new(StringComparer.Ordinal);

        private readonly HashSet<string> _rejected = new(StringComparer.Ordinal);

        public void Reject(string callId)
        {
            lock (_gate)
            {
                _rejected.Add(callId);
            }
        }

        public bool WasRejected(ToolCall call)
        {
            lock (_gate)
            {
                return call.CallId is not null && _rejected.Contains(call.CallId);
            }
        }

        public void Add(string callId, string fingerprint, ApprovalResult answer)
        {
            lock (_gate)
            {
                _byCallId[callId] = (fingerprint, answer);
            }
        }

        public ApprovalResult? Take(ToolCall call)
        {
            if (call.CallId is null)
            {
                return null;
            }

            lock (_gate)
            {
                if (!_byCallId.Remove(call.CallId, out var entry))
                {
                    return null;
                }

                return string.Equals(entry.Fingerprint, ToolCallFingerprint.Compute(call), StringComparison.Ordinal) ? entry.Answer : null;
            }
        }
    }
}
