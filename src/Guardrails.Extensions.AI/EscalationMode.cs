using Microsoft.Extensions.AI;

namespace Guardrails.Extensions.AI;

/// <summary>Identifies how an escalated tool call is resolved.</summary>
public enum EscalationMode
{
    /// <summary>
    /// Ask the guard's <see cref="GuardOptions.ApprovalHandler"/> while the model request is held open; no handler,
    /// no answer within <see cref="GuardOptions.ApprovalTimeout"/>, or a refusal is a deny.
    /// </summary>
    ApprovalHandler = 0,

    /// <summary>
    /// End the turn with Microsoft.Extensions.AI's native <see cref="ToolApprovalRequestContent"/> so that the
    /// application's user interface can ask the user; the call runs only when a matching, unexpired, unused
    /// <see cref="ToolApprovalResponseContent"/> approves exactly that call.
    /// </summary>
    ApprovalRequests = 1,
}
