using Guardrails;
using Guardrails.Extensions.AI;
using Microsoft.Agents.AI;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.AI;

/// <summary>Creates Agent Framework agents whose function calls are guarded.</summary>
public static class GuardrailsChatClientAgentExtensions
{
    /// <summary>
    /// Creates a <see cref="ChatClientAgent"/> over <paramref name="chatClient"/> with <c>UseGuardrails</c> in its
    /// pipeline: every function call is decided before it runs, and escalations reach the caller as
    /// <see cref="ToolApprovalRequestContent"/> (answer them with <see cref="ToolApprovalRequestContent.CreateResponse"/>
    /// in the next run) unless <paramref name="configure"/> chooses <see cref="EscalationMode.ApprovalHandler"/>.
    /// </summary>
    /// <param name="chatClient">The model's chat client, without function invocation (the guarded pipeline adds it).</param>
    /// <param name="guard">The guard.</param>
    /// <param name="options">The agent options; copied, never modified. <see langword="null"/> for the defaults.</param>
    /// <param name="configure">Configures Guardrails; <see langword="null"/> for the defaults with <see cref="EscalationMode.ApprovalRequests"/>.</param>
    /// <param name="loggerFactory">The logger factory; <see langword="null"/> for none.</param>
    /// <param name="services">The services for the agent and its functions; <see langword="null"/> for none.</param>
    /// <returns>The agent.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="chatClient"/> or <paramref name="guard"/> is null.</exception>
    /// <remarks>
    /// The agent is created with <see cref="ChatClientAgentOptions.DisableApprovalNotRequiredFunctionBypassing"/> set:
    /// by default a <see cref="ChatClientAgent"/> removes approval requests for tools that are not
    /// <see cref="ApprovalRequiredAIFunction"/>s before the caller sees them and answers them "approved" itself on the
    /// next run — which would approve every Guardrails escalation without a human.
    /// </remarks>
    public static ChatClientAgent AsGuardedAIAgent(
        this IChatClient chatClient,
        Guard guard,
        ChatClientAgentOptions? options = null,
        Action<GuardrailsChatClientOptions>? configure = null,
        ILoggerFactory? loggerFactory = null,
        IServiceProvider? services = null)
    {
        ArgumentNullException.ThrowIfNull(chatClient);
        ArgumentNullException.ThrowIfNull(guard);
        var guarded = chatClient.AsBuilder()
            .UseGuardrails(guard, o =>
            {
                o.Escalation = EscalationMode.ApprovalRequests;
                configure?.Invoke(o);
            })
            .Build(services);
        var agentOptions = options?.Clone() ?? new ChatClientAgentOptions();
        agentOptions.DisableApprovalNotRequiredFunctionBypassing = true;
        return new ChatClientAgent(guarded, agentOptions, loggerFactory, services);
    }
}
