using Guardrails;
using Guardrails.Agents.AI;
using Guardrails.Extensions.AI;

namespace Microsoft.Agents.AI;

/// <summary>Adds Guardrails to Agent Framework agent pipelines.</summary>
public static class GuardrailsAIAgentBuilderExtensions
{
    /// <summary>
    /// Decides every function call the agent invokes before it runs (function-invocation middleware, so the agent
    /// must be a <see cref="ChatClientAgent"/> or wrap one). Denied calls do not run and the model receives why.
    /// An escalated call runs only with an approval the caller passed to <c>RunAsync</c> for exactly that call (same
    /// call id, tool and canonical arguments) or a yes from the guard's approval handler — never with an approval the
    /// framework made up on the caller's behalf.
    /// </summary>
    /// <param name="builder">The agent builder.</param>
    /// <param name="guard">The guard; <see langword="null"/> to resolve <see cref="Guard"/> from the services the agent is built with.</param>
    /// <param name="configure">Configures the options (session, agent id, working directory, decision callback); <see langword="null"/> for the defaults.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    /// <remarks>
    /// Call it first, so that it is the outermost middleware: approvals are read from the messages as they reach it,
    /// and a <c>ToolApprovalAgent</c> outside it could present its "always approve" rules as the caller's approvals.
    /// Building throws <see cref="InvalidOperationException"/> when no guard is given or registered.
    /// </remarks>
    public static AIAgentBuilder UseGuardrails(this AIAgentBuilder builder, Guard? guard = null, Action<GuardrailsChatClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((innerAgent, services) =>
        {
            var effectiveGuard = guard
                ?? services.GetService(typeof(Guard)) as Guard
                ?? throw new InvalidOperationException("UseGuardrails needs a Guard: pass one, or register one with services.AddGuardrails() and build the agent with that service provider.");
            var options = new GuardrailsChatClientOptions();
            configure?.Invoke(options);
            var middleware = new GuardrailsAgentMiddleware(effectiveGuard, options);
            return new AIAgentBuilder(innerAgent)
                .Use(middleware.RunAsync, middleware.RunStreamingAsync)
                .Use(middleware.InvokeFunctionAsync)
                .Build(services);
        });
    }
}
