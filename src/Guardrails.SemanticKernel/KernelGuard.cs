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
    public ToolCall CreateCall(KernelFunction function, KernelArguments? arguments, string? callId)
    {
        var name = _toolName is null ? function.Name : _toolName(new KernelToolNameArguments(function));
        if (string.IsNullOrEmpty(name))
        {
            // A mapping that names nothing must not make the call anonymous (and unguarded): fall back to the function name.
            name = function.Name;
        }

        return new ToolCall(name, KernelArgumentsJson.ToJsonObject(arguments, _serializerOptions)) { CallId = callId };
    }

    /// <summary>Creates the result a blocked call returns instead of running: text for the model, the decision in the metadata.</summary>
    public static FunctionResult Blocked(KernelFunction function, ToolCall call, Decision decision) =>
        Result(function, BlockedText(call, decision), decision);

    /// <summary>Creates the result of a call paused for approval (<see cref="AutoInvocationEscalation.TerminateTurn"/>).</summary>
    public static FunctionResult Pending(KernelFunction function, ToolCall call, Decision decision) =>
        Result(function, PendingText(call, decision), decision);

    internal static string BlockedText(ToolCall call, Decision decision)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Guardrails blocked the call to '{call.Name}' (deny, score {decision.Score}); the function was not run.");
        AppendFindings(text, decision);
        text.Append(" Do not retry it in another form; continue without it or ask the user.");
        return text.ToString();
    }

    internal static string PendingText(ToolCall call, Decision decision)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Guardrails paused the call to '{call.Name}': it needs a human's approval (score {decision.Score}); the function was not run.");
        AppendFindings(text, decision);
        text.Append(" Wait for the user's decision; do not retry it in another form.");
        return text.ToString();
    }

    private static void AppendFindings(StringBuilder text, Decision decision)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var first = true;
        foreach (var finding in decision.Findings)
        {
            if (!seen.Add(finding.RuleId))
            {
                continue;
            }

            text.Append(first ? " Reasons: " : "; ");
            text.Append(finding.RuleId).Append(": ").Append(finding.Message);
            first = false;
        }

        if (!first)
        {
            text.Append('.');
        }
    }

    private static FunctionResult Result(KernelFunction function, string text, Decision decision) =>
        new(function, text, CultureInfo.InvariantCulture, new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            [FunctionResultGuardrailsExtensions.DecisionMetadataKey] = decision,
        });
}
