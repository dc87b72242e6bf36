using System.Text.Json;
using Guardrails.Approvals;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;

namespace Guardrails.SemanticKernel;

/// <summary>
/// Configures the Guardrails Semantic Kernel filters (<see cref="GuardrailsFunctionInvocationFilter"/> and
/// <see cref="GuardrailsAutoFunctionInvocationFilter"/>). Read when a filter is constructed; later changes have no effect.
/// </summary>
public sealed class GuardrailsFilterOptions
{
    /// <summary>
    /// The <see cref="Kernel.Data"/> key whose string value names the agent session of every call made through that
    /// kernel — for example on a kernel cloned per conversation. Calls of one session form one history for the policy's
    /// history-aware rules. It takes precedence over <see cref="SessionId"/>.
    /// </summary>
    public const string SessionIdKey = "guardrails.session_id";

    /// <summary>Gets or sets the agent session of calls whose kernel does not name one (<see cref="SessionIdKey"/>).</summary>
    /// <value>The default value is <see langword="null"/>: such calls belong to no session and are decided on their own.</value>
    public string? SessionId { get; set; }

    /// <summary>
    /// Gets or sets how a kernel function is named in the <see cref="ToolCall"/> the guard decides. The policy binds tool
    /// names to interpreters (<c>bash</c> → shell, <c>write_file</c> → file write, …), so the name decides how the
    /// arguments are read.
    /// </summary>
    /// <value>
    /// The default value is <see langword="null"/>: the function's own <see cref="KernelFunction.Name"/>, without the
    /// plugin name — a function <c>bash</c> in a plugin <c>Terminal</c> is decided as the tool <c>bash</c>. Use
    /// <see cref="PluginQualifiedName"/> for <c>Terminal_bash</c> and bind that name in the policy's <c>tools</c>.
    /// </value>
    public Func<KernelToolNameArguments, string>? ToolName { get; set; }

    /// <summary>
    /// Gets or sets the serializer options used to turn argument values that are not already JSON, strings, numbers or
    /// Booleans into JSON.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: <see cref="AIJsonUtilities.DefaultOptions"/>.</value>
    /// <remarks>A value that cannot be serialized is passed to the guard as its <see cref="object.ToString"/> text.</remarks>
    public JsonSerializerOptions? SerializerOptions { get; set; }

    /// <summary>
    /// Gets or sets what <see cref="GuardrailsAutoFunctionInvocationFilter"/> does with an escalated, model-initiated call.
    /// </summary>
    /// <value>The default value is <see cref="AutoInvocationEscalation.RequestApproval"/>.</value>
    public AutoInvocationEscalation AutoInvocationEscalation { get; set; } = AutoInvocationEscalation.RequestApproval;

    /// <summary>
    /// Gets or sets the callback invoked when <see cref="GuardrailsAutoFunctionInvocationFilter"/> ends a turn because a
    /// call needs approval (<see cref="AutoInvocationEscalation.TerminateTurn"/>): the place to show the
    /// <see cref="ApprovalTicket"/> to a human out of band. Resume with
    /// <see cref="GuardrailsAutoFunctionInvocationFilter.ResumeAsync"/> when the answer arrives.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: nobody is notified (the turn still ends, and the ticket can
    /// still be found in <see cref="Tickets"/>).</value>
    public Func<KernelEscalationArguments, ValueTask>? OnTurnTerminated { get; set; }

    /// <summary>
    /// Gets or sets the ledger that issues the approval tickets of calls paused by
    /// <see cref="AutoInvocationEscalation.TerminateTurn"/> and checks them on resume (bound to the exact call, single use,
    /// expiring).
    /// </summary>
    /// <value>The default value is <see langword="null"/>: each auto-invocation filter keeps its own, with the default lifetime.</value>
    public ApprovalTickets? Tickets { get; set; }

    /// <summary>Names a function <c>Plugin_Function</c> (or just <c>Function</c> without a plugin), as the model sees it on the <c>IChatClient</c> path.</summary>
    /// <param name="arguments">The function.</param>
    /// <returns>The plugin-qualified name.</returns>
    public static string PluginQualifiedName(KernelToolNameArguments arguments) =>
        string.IsNullOrEmpty(arguments.PluginName) ? arguments.FunctionName : arguments.PluginName + "_" + arguments.FunctionName;
}

/// <summary>What <see cref="GuardrailsAutoFunctionInvocationFilter"/> does with an escalated, model-initiated call.</summary>
public enum AutoInvocationEscalation
{
    /// <summary>
    /// Ask the guard's approval handler (<see cref="Guard.DecideAsync"/>) and wait; approved → the function runs, refused,
    /// unanswered in time or no handler → denied. The model request stays open while a human decides.
    /// </summary>
    RequestApproval = 0,

    /// <summary>
    /// Do not run the function; give the model a result saying approval is pending, end the turn (<c>Terminate</c>), issue
    /// an <see cref="ApprovalTicket"/> and report it through <see cref="GuardrailsFilterOptions.OnTurnTerminated"/>, so that
    /// the application can ask a human out of band and resume with
    /// <see cref="GuardrailsAutoFunctionInvocationFilter.ResumeAsync"/> — which runs the call only if the human approved in
    /// time, and puts its result into the chat history in place of the pending one.
    /// </summary>
    TerminateTurn = 1,
}

/// <summary>The arguments of the <see cref="GuardrailsFilterOptions.ToolName"/> hook.</summary>
public readonly struct KernelToolNameArguments
{
    /// <summary>Initializes a new instance of the <see cref="KernelToolNameArguments"/> struct.</summary>
    /// <param name="function">The kernel function about to be invoked.</param>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is null.</exception>
    public KernelToolNameArguments(KernelFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        Function = function;
    }

    /// <summary>Gets the kernel function about to be invoked.</summary>
    public KernelFunction Function { get; }

    /// <summary>Gets the name of the plugin the function belongs to, or <see langword="null"/>.</summary>
    public string? PluginName => Function.PluginName;

    /// <summary>Gets the name of the function.</summary>
    public string FunctionName => Function.Name;
}

/// <summary>The arguments of the <see cref="GuardrailsFilterOptions.OnTurnTerminated"/> callback.</summary>
public readonly struct KernelEscalationArguments
{
    /// <summary>Initializes a new instance of the <see cref="KernelEscalationArguments"/> struct.</summary>
    /// <param name="ticket">The approval ticket issued for the paused call.</param>
    /// <param name="decision">The escalate decision with its findings.</param>
    /// <param name="context">The auto-function-invocation context of the paused call.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public KernelEscalationArguments(ApprovalTicket ticket, Decision decision, AutoFunctionInvocationContext context)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        ArgumentNullException.ThrowIfNull(decision);
        ArgumentNullException.ThrowIfNull(context);
        Ticket = ticket;
        Decision = decision;
        Context = context;
    }

    /// <summary>Gets the approval ticket: what was asked, why, and until when an answer is accepted. Serializable (<see cref="ApprovalTicket.ToJson"/>).</summary>
    public ApprovalTicket Ticket { get; }

    /// <summary>Gets the escalate decision with the findings that explain why approval is needed.</summary>
    public Decision Decision { get; }

    /// <summary>Gets the context of the paused call: its tool-call id, the chat history and the kernel.</summary>
    public AutoFunctionInvocationContext Context { get; }
}
