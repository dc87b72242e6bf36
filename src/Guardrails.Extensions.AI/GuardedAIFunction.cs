using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Guardrails.Extensions.AI;

/// <summary>
/// An <see cref="AIFunction"/> that asks a <see cref="Guardrails.Guard"/> before every invocation of the function it
/// wraps: allowed calls run, denied calls return <see cref="Decision.ToModelMessage"/> instead of running,
/// and escalations go to the guard's approval handler (no handler or no answer in time: deny).
/// </summary>
/// <remarks>
/// Use it for functions invoked outside a <c>UseGuardrails</c> pipeline. Inside one, the pipeline has already decided
/// the call and the wrapper lets it through without a second decision. Thread-safe.
/// </remarks>
public sealed class GuardedAIFunction : DelegatingAIFunction
{
    private readonly GuardrailsFunctionInvoker _invoker;

    /// <summary>Initializes a new instance of the <see cref="GuardedAIFunction"/> class.</summary>
    /// <param name="innerFunction">The function to guard.</param>
    /// <param name="guard">The guard.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <param name="logger">The logger; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerFunction"/> or <paramref name="guard"/> is null.</exception>
    public GuardedAIFunction(AIFunction innerFunction, Guard guard, GuardrailsChatClientOptions? options = null, ILogger? logger = null)
        : base(innerFunction)
    {
        _invoker = new GuardrailsFunctionInvoker(guard, options, logger);
    }

    /// <summary>Gets the guard that decides.</summary>
    public Guard Guard => _invoker.Guard;

    /// <inheritdoc />
    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var context = FunctionInvokingChatClient.CurrentContext;
        if (GuardrailsFunctionInvoker.IsRunning(context))
        {
            return await base.InvokeCoreAsync(arguments, cancellationToken).ConfigureAwait(false);
        }

        var callId = context is not null && ReferenceEquals(context.Arguments, arguments) ? context.CallContent.CallId : null;
        var call = GuardrailsToolCalls.Create(Name, arguments, callId, _invoker.Options, context?.Options, JsonSerializerOptions);
        var decision = await _invoker.DecideAsync(call, cancellationToken).ConfigureAwait(false);
        decision = await _invoker.NotifyAsync(call, decision, cancellationToken).ConfigureAwait(false);
        return decision.IsAllowed
            ? await base.InvokeCoreAsync(arguments, cancellationToken).ConfigureAwait(false)
            : decision.ToModelMessage();
    }
}
