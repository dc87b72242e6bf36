using Microsoft.SemanticKernel;

namespace Guardrails.SemanticKernel;

/// <summary>
/// A Semantic Kernel function-invocation filter that decides every kernel function invocation — manual, automatic
/// (model-initiated) or from an agent — before the function runs.
/// </summary>
/// <remarks>
/// <para><b>Allow</b>: the function runs. <b>Deny</b>: the function is not run; <see cref="FunctionInvocationContext.Result"/>
/// is a string that says it was blocked and why (rule ids and reasons), so a model can re-plan, and the
/// <see cref="Decision"/> is in the result's metadata (<see cref="FunctionResultGuardrailsExtensions.GetGuardrailsDecision"/>).
/// <b>Escalate</b>: the guard's approval handler is asked (<see cref="Guard.DecideAsync"/>); approved → the function runs;
/// refused, unanswered within the guard's approval timeout, or no handler → denied as above.</para>
/// <para>Calls already decided by a <see cref="GuardrailsAutoFunctionInvocationFilter"/> with the same guard are not
/// decided again. The filter is stateless and thread-safe.</para>
/// </remarks>
public sealed class GuardrailsFunctionInvocationFilter : IFunctionInvocationFilter
{
    private readonly KernelGuard _guard;

    /// <summary>Initializes a new filter that decides with <paramref name="guard"/>.</summary>
    /// <param name="guard">The guard.</param>
    /// <param name="options">Options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="guard"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The options are invalid.</exception>
    public GuardrailsFunctionInvocationFilter(Guard guard, GuardrailsFilterOptions? options = null)
    {
        _guard = new KernelGuard(guard, options);
    }

    /// <summary>Decides the invocation in <paramref name="context"/>, and calls <paramref name="next"/> only when it may run.</summary>
    /// <param name="context">The invocation context.</param>
    /// <param name="next">The rest of the pipeline, ending with the function itself.</param>
    /// <returns>A task that completes when the invocation (or its refusal) is done.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public async Task OnFunctionInvocationAsync(FunctionInvocationContext context, Func<FunctionInvocationContext, Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (DecidedCall.TryConsume(_guard.Guard, context.Function, context.Arguments))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var call = _guard.CreateCall(context.Function, context.Arguments, callId: null, context.Kernel);
        var decision = await _guard.Guard.DecideAsync(call, context.CancellationToken).ConfigureAwait(false);
        if (!decision.IsAllowed)
        {
            context.Result = KernelGuard.Stopped(context.Function, decision);
            return;
        }

        await next(context).ConfigureAwait(false);
    }
}
