using System.Globalization;
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

    /// <summary>
    /// Creates the result a stopped call returns instead of running: <see cref="Decision.ToModelMessage"/> for the model
    /// (blocked for a deny, paused for an escalation waiting for <see cref="AutoInvocationEscalation.TerminateTurn"/>'s
    /// resume), and the decision in the metadata.
    /// </summary>
    public static FunctionResult Stopped(KernelFunction function, Decision decision) =>
        new(function, decision.ToModelMessage(), CultureInfo.InvariantCulture, new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            [FunctionResultGuardrailsExtensions.DecisionMetadataKey] = decision,
        });
}
