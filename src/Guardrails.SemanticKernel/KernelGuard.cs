using System.Globalization;
using System.Text;
using System.Text.Json;
using Guardrails.Approvals;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;

namespace Guardrails.SemanticKernel;

/// <summary>What both filters share: naming a kernel function call, deciding it, and the result the model sees when it is blocked.</summary>
internal sealed class KernelGuard
{
    private readonly Func<KernelToolNameArguments, string>? _toolName;
    private readonly JsonSerializerOptions _serializerOptions;
    private readonly string? _sessionId;

    public KernelGuard(Guard guard, GuardrailsFilterOptions? options)
    {
        ArgumentNullException.ThrowIfNull(guard);
        Guard = guard;
        options ??= new GuardrailsFilterOptions();
        if (!Enum.IsDefined(options.AutoInvocationEscalation))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.AutoInvocationEscalation, "Unknown AutoInvocationEscalation value.");
        }

        _toolName = options.ToolName;
        _sessionId = string.IsNullOrEmpty(options.SessionId) ? null : options.SessionId;
        _serializerOptions = options.SerializerOptions ?? AIJsonUtilities.DefaultOptions;
        Escalation = options.AutoInvocationEscalation;
        OnTurnTerminated = options.OnTurnTerminated;
        Tickets = options.Tickets ?? new ApprovalTickets();
    }

    public Guard Guard { get; }

    public AutoInvocationEscalation Escalation { get; }

    public Func<KernelEscalationArguments, ValueTask>? OnTurnTerminated { get; }

    public ApprovalTickets Tickets { get; }

    /// <summary>Builds the framework-neutral tool call for a kernel function invocation.</summary>
    /// <param name="function">The function.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="callId">The model's tool-call id, when known.</param>
    /// <param name="kernel">The kernel; its <see cref="Kernel.Data"/> may name the session.</param>
    public ToolCall CreateCall(KernelFunction function, KernelArguments? arguments, string? callId, Kernel? kernel)
    {
        var name = _toolName is null ? function.Name : _toolName(new KernelToolNameArguments(function));
        if (string.IsNullOrEmpty(name))
        {
            // A mapping that names nothing must not make the call anonymous (and unguarded): fall back to the function name.
            name = function.Name;
        }

        return new ToolCall(name, KernelArgumentsJson.ToJsonObject(arguments, _serializerOptions))
        {
            CallId = callId,
            SessionId = SessionOf(kernel),
        };
    }

    private string? SessionOf(Kernel? kernel) =>
        kernel is not null && kernel.Data.TryGetValue(GuardrailsFilterOptions.SessionIdKey, out var value) && value is string { Length: > 0 } session
            ? session
            : _sessionId;

    /// <summary>Creates the result a blocked call returns instead of running: text for the model, the decision in the metadata.</summary>
    public static FunctionResult Blocked(KernelFunction function, Decision decision) =>
        Result(function, BlockedText(decision), decision);

    /// <summary>Creates the result of a call paused for approval (<see cref="AutoInvocationEscalation.TerminateTurn"/>).</summary>
    public static FunctionResult Pending(KernelFunction function, Decision decision) =>
        Result(function, PendingText(decision), decision);

    /// <summary>The text a blocked call returns — the same wording as the other Guardrails adapters.</summary>
    internal static string BlockedText(Decision decision) =>
        Compose("Blocked by Guardrails: this tool call was denied and did not run.", decision,
            "Do not retry this call or work around it; continue another way or tell the user what you could not do and why.");

    /// <summary>The text a call paused for approval returns.</summary>
    internal static string PendingText(Decision decision) =>
        Compose("Paused by Guardrails: this tool call needs a human's approval and has not run.", decision,
            "Wait for the user's decision; do not retry this call or work around it.");

    private static string Compose(string opening, Decision decision, string closing)
    {
        var text = new StringBuilder(opening);
        if (decision.RuleIds.Count > 0)
        {
            text.Append(" Rules: ").AppendJoin(", ", decision.RuleIds).Append('.');
        }

        if (decision.Reasons.Count > 0)
        {
            text.Append(" Reasons: ").AppendJoin("; ", decision.Reasons).Append('.');
        }

        return text.Append(' ').Append(closing).ToString();
    }

    private static FunctionResult Result(KernelFunction function, string text, Decision decision) =>
        new(function, text, CultureInfo.InvariantCulture, new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            [FunctionResultGuardrailsExtensions.DecisionMetadataKey] = decision,
        });
}
