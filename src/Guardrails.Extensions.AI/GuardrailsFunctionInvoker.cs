using Guardrails.Approvals;
using Guardrails.Extensions.AI.Pipeline;
using Guardrails.Extensions.AI.Telemetry;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Guardrails.Extensions.AI;

/// <summary>
/// Decides each function invocation before it runs: the core of the Microsoft.Extensions.AI adapter, usable directly
/// as <see cref="FunctionInvokingChatClient.FunctionInvoker"/> of a function-invoking client you build yourself.
/// <c>ChatClientBuilder.UseGuardrails</c> wires it for you.
/// </summary>
/// <remarks>
/// <para><b>Allow</b>: the function runs (through <c>next</c> when given). <b>Deny</b>: the function is not invoked
/// and the invocation returns <see cref="Decision.ToModelMessage"/> as its result, so the model reads which
/// rules blocked it and why and can re-plan; nothing is thrown, so the function-calling loop carries on.
/// <b>Escalate</b>: the call runs only with an approval bound to exactly this call (recorded by the
/// <c>UseGuardrails</c> pipeline from a <see cref="ToolApprovalResponseContent"/>) or a yes from the guard's
/// <see cref="GuardOptions.ApprovalHandler"/>; otherwise it is denied.</para>
/// <para>Each invocation is evaluated once by the guard. Instances are thread-safe and may run concurrently for
/// parallel tool calls.</para>
/// </remarks>
public sealed class GuardrailsFunctionInvoker
{
    private static readonly AsyncLocal<FunctionInvocationContext?> Running = new();

    private readonly ILogger _logger;

    /// <summary>Initializes a new invoker that decides with <paramref name="guard"/>.</summary>
    /// <param name="guard">The guard.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <param name="logger">The logger; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="guard"/> is null.</exception>
    public GuardrailsFunctionInvoker(Guard guard, GuardrailsChatClientOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(guard);
        Guard = guard;
        Options = options ?? new GuardrailsChatClientOptions();
        Tickets = Options.Tickets ?? new ApprovalTickets();
        Grants = new ApprovalGrants(Tickets.TimeProvider);
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Gets the guard that decides.</summary>
    public Guard Guard { get; }

    /// <summary>Gets the options.</summary>
    public GuardrailsChatClientOptions Options { get; }

    /// <summary>Gets the ledger that binds approval requests to calls.</summary>
    internal ApprovalTickets Tickets { get; }

    /// <summary>Gets the approvals accepted by the pipeline's intake and not yet used.</summary>
    internal ApprovalGrants Grants { get; }

    /// <summary>Decides <paramref name="context"/>'s call and runs it only when allowed.</summary>
    /// <param name="context">The invocation <see cref="FunctionInvokingChatClient"/> is about to make.</param>
    /// <param name="next">What runs the function when allowed; <see langword="null"/> to invoke <see cref="FunctionInvocationContext.Function"/> directly.</param>
    /// <param name="cancellationToken">Cancels the decision and the invocation; cancellation before the function runs is a deny.</param>
    /// <returns>The function's result, or the denial text the model receives instead.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    public async ValueTask<object?> InvokeAsync(
        FunctionInvocationContext context,
        Func<FunctionInvocationContext, CancellationToken, ValueTask<object?>>? next,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var call = GuardrailsToolCalls.FromInvocation(context, Options);
        var decision = await DecideAsync(call, cancellationToken).ConfigureAwait(false);
        decision = await NotifyAsync(call, decision, cancellationToken).ConfigureAwait(false);
        if (!decision.IsAllowed)
        {
            return decision.ToModelMessage();
        }

        var previous = Running.Value;
        Running.Value = context;
        try
        {
            return next is null
                ? await context.Function.InvokeAsync(context.Arguments, cancellationToken).ConfigureAwait(false)
                : await next(context, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Running.Value = previous;
        }
    }

    /// <summary>Gets whether this invoker already allowed <paramref name="context"/> and is running it.</summary>
    internal static bool IsRunning(FunctionInvocationContext? context) => context is not null && ReferenceEquals(Running.Value, context);

    /// <summary>Decides with one evaluation: a recorded approval first, else the guard (and its approval handler).</summary>
    internal async ValueTask<Decision> DecideAsync(ToolCall call, CancellationToken cancellationToken)
    {
        if (call.CallId is { } callId && Grants.TryTake(callId, out var grant))
        {
            var evaluated = Guard.Evaluate(call, cancellationToken);
            if (evaluated.Verdict != Verdict.Escalate)
            {
                return evaluated; // allowed anyway, or denied whatever anyone approved
            }

            return grant.Covers(call, Grants.Now)
                ? grant.Decision
                : Refuse(evaluated, "the approved call differs from the call about to run, or its approval expired");
        }

        return await Guard.DecideAsync(call, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Returns a deny decision for <paramref name="decision"/>'s call, with <paramref name="reason"/> first.</summary>
    internal static Decision Refuse(Decision decision, string reason) => decision.Resolve(ApprovalResult.Refuse(reason, "guardrails"));

    internal async ValueTask<Decision> NotifyAsync(ToolCall call, Decision decision, CancellationToken cancellationToken)
    {
        if (Options.OnToolCallDecided is not { } callback)
        {
            return decision;
        }

        try
        {
            await callback(new ToolCallDecidedArguments(call, decision, cancellationToken)).ConfigureAwait(false);
            return decision;
        }
#pragma warning disable CA1031 // A failing audit callback must not let a call run unrecorded: fail closed.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.CallbackFailed(_logger, call.Name, call.CallId, ex.Message);
            return decision.IsAllowed ? Refuse(decision, "the decision could not be recorded (OnToolCallDecided failed)") : decision;
        }
    }
}
