using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Guardrails.Extensions.AI.Pipeline;

/// <summary>
/// The function-invoking client of <c>UseGuardrails</c>. The guard sits in <see cref="InvokeFunctionAsync"/>, which
/// every invocation passes through (normal calls, parallel calls, streaming, approved replays), so no later change of
/// <see cref="FunctionInvokingChatClient.FunctionInvoker"/> can route around it: a configured invoker runs only after
/// the guard allowed the call.
/// </summary>
internal sealed class GuardedFunctionInvokingChatClient : FunctionInvokingChatClient
{
    private readonly GuardrailsFunctionInvoker _invoker;

    public GuardedFunctionInvokingChatClient(IChatClient innerClient, GuardrailsFunctionInvoker invoker, ILoggerFactory? loggerFactory, IServiceProvider? services)
        : base(innerClient, loggerFactory, services)
    {
        _invoker = invoker;
    }

    protected override ValueTask<object?> InvokeFunctionAsync(FunctionInvocationContext context, CancellationToken cancellationToken) =>
        _invoker.InvokeAsync(context, base.InvokeFunctionAsync, cancellationToken);
}
