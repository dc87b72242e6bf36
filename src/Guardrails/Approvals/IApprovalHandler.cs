namespace Guardrails.Approvals;

/// <summary>
/// Asks a human or an approval service whether an escalated tool call may run. Shared by every adapter.
/// </summary>
/// <remarks>
/// Implementations must be thread-safe: parallel tool calls may be escalated at once. An implementation that cannot
/// reach anyone should return a refusal rather than throw; an exception, a timeout or cancellation is treated as a
/// refusal (deny).
/// </remarks>
public interface IApprovalHandler
{
    /// <summary>Requests approval for an escalated tool call.</summary>
    /// <param name="request">What is asked and why.</param>
    /// <param name="cancellationToken">Cancels the request; the guard cancels it when the approval timeout elapses.</param>
    /// <returns>The answer.</returns>
    ValueTask<ApprovalResult> RequestApprovalAsync(ApprovalRequest request, CancellationToken cancellationToken);
}

/// <summary>Describes an escalated tool call awaiting approval.</summary>
/// <param name="Call">The tool call.</param>
/// <param name="Decision">The escalate decision, with the findings that explain why approval is needed.</param>
public sealed record ApprovalRequest(ToolCall Call, Decision Decision);

/// <summary>The answer to an <see cref="ApprovalRequest"/>.</summary>
/// <param name="Approved">Whether the call may run.</param>
/// <param name="Reason">Why, in the approver's words, when given.</param>
/// <param name="Approver">Who answered, when known.</param>
public sealed record ApprovalResult(bool Approved, string? Reason = null, string? Approver = null)
{
    /// <summary>Creates an approval.</summary>
    /// <param name="reason">The reason, when given.</param>
    /// <param name="approver">Who approved, when known.</param>
    /// <returns>The result.</returns>
    public static ApprovalResult Approve(string? reason = null, string? approver = null) => new(true, reason, approver);

    /// <summary>Creates a refusal.</summary>
    /// <param name="reason">The reason, when given.</param>
    /// <param name="approver">Who refused, when known.</param>
    /// <returns>The result.</returns>
    public static ApprovalResult Refuse(string? reason = null, string? approver = null) => new(false, reason, approver);
}

/// <summary>An <see cref="IApprovalHandler"/> that delegates to a callback.</summary>
public sealed class CallbackApprovalHandler : IApprovalHandler
{
    private readonly Func<ApprovalRequest, CancellationToken, ValueTask<ApprovalResult>> _callback;

    /// <summary>Initializes a new handler that calls <paramref name="callback"/> for each request.</summary>
    /// <param name="callback">The callback; it should honour the cancellation token.</param>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is null.</exception>
    public CallbackApprovalHandler(Func<ApprovalRequest, CancellationToken, ValueTask<ApprovalResult>> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        _callback = callback;
    }

    /// <inheritdoc />
    public ValueTask<ApprovalResult> RequestApprovalAsync(ApprovalRequest request, CancellationToken cancellationToken) => _callback(request, cancellationToken);
}
