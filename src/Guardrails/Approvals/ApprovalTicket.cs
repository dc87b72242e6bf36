using System.Text.Json;

namespace Guardrails.Approvals;

/// <summary>
/// Records one pending approval: what was asked (the tool call and its fingerprint), why (the findings of the decision
/// that required approval), under which policy, and until when an answer is accepted. Issued and resumed by
/// <see cref="ApprovalTickets"/>.
/// </summary>
/// <remarks>
/// <para>A ticket is plain, serializable data (<see cref="ToJson"/>, <see cref="FromJson"/>) so an application can end
/// the agent's turn, show the ticket to a human out of band, and resume later. It is not a capability: only the
/// <see cref="ApprovalTickets"/> instance that issued it can resume it, once, before <see cref="ExpiresAt"/>, and only
/// for a call whose fingerprint matches. Editing a serialized ticket changes nothing — the issuer keeps its own copy.</para>
/// <para><see cref="Arguments"/> are the tool call's arguments and may contain secrets; store tickets accordingly.</para>
/// <para>Instances are immutable and thread-safe.</para>
/// </remarks>
public sealed class ApprovalTicket
{
    /// <summary>Gets the ticket id: unguessable unless the issuer was given one (for example an approval request id).</summary>
    public required string Id { get; init; }

    /// <summary>Gets the name of the tool the approval is for.</summary>
    public required string ToolName { get; init; }

    /// <summary>Gets the arguments of the call the approval is for, as JSON.</summary>
    public JsonElement Arguments { get; init; }

    /// <summary>Gets the <see cref="ToolCallFingerprint"/> of the call: the approval is valid only for a call with this fingerprint.</summary>
    public required string Fingerprint { get; init; }

    /// <summary>Gets the id of the tool call (for example the model's call id), when known.</summary>
    public string? CallId { get; init; }

    /// <summary>Gets the agent session the call belongs to, when known.</summary>
    public string? SessionId { get; init; }

    /// <summary>Gets the verdict of the decision the ticket was issued for — normally <see cref="Verdict.Escalate"/>.</summary>
    public required Verdict Verdict { get; init; }

    /// <summary>Gets the score of that decision.</summary>
    public int Score { get; init; }

    /// <summary>Gets the reasons approval is needed: the rules that fired, with their messages.</summary>
    public required IReadOnlyList<ApprovalTicketReason> Reasons { get; init; }

    /// <summary>Gets the name of the policy that decided.</summary>
    public required string PolicyName { get; init; }

    /// <summary>Gets the version (content hash) of the policy that decided.</summary>
    public required string PolicyVersion { get; init; }

    /// <summary>Gets when the ticket was issued.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets when the ticket expires; an answer at or after this instant is a deny.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Serializes the ticket to JSON (camelCase property names, verdict as a string).</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(this, ApprovalJsonContext.Default.ApprovalTicket);

    /// <summary>Reads a ticket written by <see cref="ToJson"/>.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The ticket.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> is null.</exception>
    /// <exception cref="JsonException"><paramref name="json"/> is not a ticket.</exception>
    public static ApprovalTicket FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return JsonSerializer.Deserialize(json, ApprovalJsonContext.Default.ApprovalTicket)
            ?? throw new JsonException("The JSON text is null, not an approval ticket.");
    }

    /// <summary>Returns the tool call the ticket is for, as it was asked.</summary>
    /// <returns>The tool call, with its call id and session id.</returns>
    public ToolCall ToToolCall() => new(ToolName, Arguments) { CallId = CallId, SessionId = SessionId };
}

/// <summary>One reason an approval is needed: a rule that fired.</summary>
/// <param name="RuleId">The stable id of the rule, for example <c>credential.access</c>.</param>
/// <param name="Capability">The capability at stake, for example <c>credential.access</c>.</param>
/// <param name="Message">The human-readable reason.</param>
/// <param name="Score">The score the rule contributed.</param>
/// <param name="Effect">The verdict the rule asked for on its own.</param>
public sealed record ApprovalTicketReason(string RuleId, string Capability, string Message, int Score, Verdict Effect);
