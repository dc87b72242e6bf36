using Guardrails;
using Guardrails.Extensions.AI;
using Guardrails.Extensions.AI.Pipeline;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.AI;

/// <summary>Adds Guardrails to chat-client pipelines.</summary>
public static class GuardrailsChatClientBuilderExtensions
{
    /// <summary>
    /// Guards every function call the pipeline would invoke: adds function invocation
    /// (<see cref="FunctionInvokingChatClient"/>) with the guard in front of every function, and binds tool-approval
    /// requests and responses to exactly the calls they are about.
    /// </summary>
    /// <param name="builder">The chat-client builder.</param>
    /// <param name="guard">The guard; <see langword="null"/> to resolve <see cref="Guard"/> from the services the pipeline is built with (<c>services.AddGuardrails()</c>).</param>
    /// <param name="configure">Configures the options; <see langword="null"/> for the defaults.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    /// <remarks>
    /// <para>Do not also call <c>UseFunctionInvocation()</c>: <c>UseGuardrails</c> brings its own, configurable with
    /// <see cref="GuardrailsChatClientOptions.ConfigureFunctionInvocation"/>. Building throws
    /// <see cref="InvalidOperationException"/> when another function-invoking client sits below it, or when no guard
    /// is given or registered.</para>
    /// <para>Denied calls are not invoked; the model receives <see cref="Decision.ToModelMessage"/> as the
    /// function result. Escalated calls are resolved as <see cref="GuardrailsChatClientOptions.Escalation"/> says.
    /// An approval response is honoured only for a request this pipeline issued, once, before it expires, and for the
    /// same tool, call id and canonical arguments; anything else is turned into a refusal and never runs.</para>
    /// <para>With Microsoft Agent Framework's <c>ChatClientAgent</c> and
    /// <see cref="EscalationMode.ApprovalRequests"/>, set <c>ChatClientAgentOptions.DisableApprovalNotRequiredFunctionBypassing</c>
    /// (or use the Guardrails.Agents.AI package): otherwise the agent removes the approval requests before the user
    /// sees them and approves them itself.</para>
    /// </remarks>
    public static ChatClientBuilder UseGuardrails(this ChatClientBuilder builder, Guard? guard = null, Action<GuardrailsChatClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((innerClient, services) =>
        {
            var effectiveGuard = guard
                ?? services.GetService(typeof(Guard)) as Guard
                ?? throw new InvalidOperationException("UseGuardrails needs a Guard: pass one, or register one with services.AddGuardrails() and build the pipeline with that service provider.");
            var options = new GuardrailsChatClientOptions();
            configure?.Invoke(options);
            var loggerFactory = services.GetService(typeof(ILoggerFactory)) as ILoggerFactory;
            return GuardrailsPipeline.Create(innerClient, effectiveGuard, options, loggerFactory, services);
        });
    }
}
