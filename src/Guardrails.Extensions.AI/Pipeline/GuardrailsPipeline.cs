using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Guardrails.Extensions.AI.Pipeline;

/// <summary>Assembles the layers of <c>UseGuardrails</c>, outermost first: approval intake → function invocation (guarded) → approval requests.</summary>
internal static class GuardrailsPipeline
{
    public const string LoggerCategory = "Guardrails.Extensions.AI";

    public static IChatClient Create(IChatClient innerClient, Guard guard, GuardrailsChatClientOptions options, ILoggerFactory? loggerFactory, IServiceProvider? services)
    {
        if (innerClient.GetService<FunctionInvokingChatClient>() is not null)
        {
            throw new InvalidOperationException(
                "UseGuardrails found a FunctionInvokingChatClient below it, which would invoke functions without the guard. " +
                "UseGuardrails adds its own function invocation: remove UseFunctionInvocation() and configure it with " +
                "GuardrailsChatClientOptions.ConfigureFunctionInvocation instead.");
        }

        var logger = loggerFactory?.CreateLogger(LoggerCategory) ?? NullLogger.Instance;
        var invoker = new GuardrailsFunctionInvoker(guard, options, logger);
        GuardedFunctionInvokingChatClient? functionInvoking = null;
        var below = options.Escalation == EscalationMode.ApprovalRequests
            ? new ApprovalRequestChatClient(innerClient, invoker, () => functionInvoking?.AdditionalTools)
            : innerClient;
        functionInvoking = new GuardedFunctionInvokingChatClient(below, invoker, loggerFactory, services);
        options.ConfigureFunctionInvocation?.Invoke(functionInvoking);
        return new GuardrailsChatClient(functionInvoking, invoker, logger);
    }
}
