using Guardrails.Approvals;
using Microsoft.Extensions.AI;

namespace Guardrails.Extensions.AI;

/// <summary>
/// Configures how Guardrails guards a chat pipeline (<c>ChatClientBuilder.UseGuardrails</c>), a single function
/// (<see cref="GuardedAIFunction"/>) or an agent.
/// </summary>
/// <remarks>The options are read when the pipeline or function is built; change them before, not after.</remarks>
public sealed class GuardrailsChatClientOptions
{
    /// <summary>
    /// The key of <see cref="ChatOptions.AdditionalProperties"/> whose string value, when present, is the Guardrails
    /// session id of the request's tool calls. It takes precedence over <see cref="ChatOptions.ConversationId"/> and
    /// <see cref="SessionId"/>.
    /// </summary>
    public const string SessionIdProperty = "guardrails.session_id";

    /// <summary>
    /// The key of <see cref="ChatOptions.AdditionalProperties"/> whose string value, when present, is the working
    /// directory the request's tool calls run in. It takes precedence over <see cref="WorkingDirectory"/>.
    /// </summary>
    public const string WorkingDirectoryProperty = "guardrails.working_directory";

    /// <summary>Gets or sets how escalated calls are resolved.</summary>
    /// <value>The default value is <see cref="EscalationMode.ApprovalHandler"/>.</value>
    public EscalationMode Escalation { get; set; } = EscalationMode.ApprovalHandler;

    /// <summary>
    /// Gets or sets the session id of tool calls whose request names none (neither <see cref="SessionIdProperty"/> nor
    /// <see cref="ChatOptions.ConversationId"/>). Calls with the same session id form one history for the guard.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: such calls have no session.</value>
    public string? SessionId { get; set; }

    /// <summary>Gets or sets the id of the agent whose calls these are, passed on as <see cref="ToolCall.AgentId"/>.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? AgentId { get; set; }

    /// <summary>
    /// Gets or sets the working directory relative paths in tool calls resolve against, unless a request names one
    /// with <see cref="WorkingDirectoryProperty"/>.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: unknown.</value>
    public string? WorkingDirectory { get; set; }

    /// <summary>
    /// Gets or sets the ledger that binds approval requests to the calls they are about
    /// (<see cref="EscalationMode.ApprovalRequests"/>, and approval requests for <see cref="ApprovalRequiredAIFunction"/>s).
    /// Its <see cref="ApprovalTickets.Lifetime"/> is how long an approval request can be answered.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: each pipeline creates its own ledger with a 15-minute lifetime.</value>
    /// <remarks>Share one ledger between pipelines that serve the same conversations (for example several built
    /// instances behind one application) so that an approval requested by one is accepted by another.</remarks>
    public ApprovalTickets? Tickets { get; set; }

    /// <summary>
    /// Gets or sets a callback that configures the <see cref="FunctionInvokingChatClient"/> that
    /// <c>UseGuardrails</c> adds (for example <see cref="FunctionInvokingChatClient.AllowConcurrentInvocation"/>).
    /// A <see cref="FunctionInvokingChatClient.FunctionInvoker"/> it sets runs after the guard allowed the call.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Action<FunctionInvokingChatClient>? ConfigureFunctionInvocation { get; set; }

    /// <summary>
    /// Gets or sets a callback invoked with every final decision, before the function runs or its denial is returned
    /// to the model — for audit trails and user interfaces.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    /// <remarks>
    /// The callback may run concurrently for parallel tool calls. It cannot change the decision; if it throws, the
    /// call is denied (fail closed) and the exception is logged.
    /// </remarks>
    public Func<ToolCallDecidedArguments, ValueTask>? OnToolCallDecided { get; set; }
}
