using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Guardrails.Actions;

namespace Guardrails.Approvals;

/// <summary>
/// Issues and resumes <see cref="ApprovalTicket"/>s: approvals bound to exactly the tool call that was asked about, so
/// that an escalation can end the agent's turn, wait for a human out of band, and resume — and so that a forged,
/// edited, replayed or late approval never runs anything.
/// </summary>
/// <remarks>
/// <para>Typical use: <c>var decision = guard.Evaluate(call);</c> on <see cref="Verdict.Escalate"/>
/// <c>var ticket = tickets.Issue(call, decision);</c>, show <c>ticket</c> to a human, and when the answer arrives
/// <c>var final = tickets.Resume(ticket.Id, call, answer);</c> — run the call only when <c>final.IsAllowed</c>.</para>
/// <para><see cref="Resume(string, ToolCall, ApprovalResult)"/> denies when the ticket was not issued by this instance
/// (<c>guardrails.approval.unknown</c>), was already resumed (<c>guardrails.approval.replayed</c>), has expired per the
/// injected <see cref="System.TimeProvider"/> (<c>guardrails.approval.expired</c>), does not match the call presented —
/// another tool name, other arguments or another call id (<c>guardrails.approval.mismatch</c>) — or when the human
/// refused (<c>guardrails.approval.refused</c>). Every resume consumes the ticket, whatever the outcome.</para>
/// <para>Tickets live in memory: keep one instance for the lifetime of the application (for example a singleton) — a
/// ticket presented to another instance, or after a restart, is unknown and therefore a deny. At most
/// <see cref="Capacity"/> tickets are pending; the oldest are dropped first. Instances are thread-safe.</para>
/// </remarks>
public sealed class ApprovalTickets
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ApprovalTicket> _pending = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _order = new();
    private readonly Dictionary<string, DateTimeOffset> _consumed = new(StringComparer.Ordinal);

    /// <summary>Initializes a new ledger of approval tickets.</summary>
    /// <param name="lifetime">How long a ticket accepts an answer; <see langword="null"/> for <see cref="DefaultLifetime"/>.</param>
    /// <param name="timeProvider">The clock for issue and expiry times; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <param name="capacity">The maximum number of pending tickets; the oldest are dropped beyond it.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="lifetime"/> is not positive, or <paramref name="capacity"/> is less than 1.</exception>
    public ApprovalTickets(TimeSpan? lifetime = null, TimeProvider? timeProvider = null, int capacity = 10_000)
    {
        var effective = lifetime ?? DefaultLifetime;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(effective, TimeSpan.Zero, nameof(lifetime));
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Lifetime = effective;
        TimeProvider = timeProvider ?? TimeProvider.System;
        Capacity = capacity;
    }

    /// <summary>Gets the lifetime used when none is given: 15 minutes.</summary>
    public static TimeSpan DefaultLifetime { get; } = TimeSpan.FromMinutes(15);

    /// <summary>Gets how long a ticket accepts an answer.</summary>
    public TimeSpan Lifetime { get; }

    /// <summary>Gets the clock for issue and expiry times.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Gets the maximum number of pending tickets.</summary>
    public int Capacity { get; }

    /// <summary>Gets the number of tickets issued and not yet resumed, expired or dropped.</summary>
    public int PendingCount
    {
        get
        {
            lock (_gate)
            {
                var now = TimeProvider.GetUtcNow();
                Prune(now);
                return _pending.Values.Count(t => t.ExpiresAt > now);
            }
        }
    }

    /// <summary>
    /// Issues a ticket that binds an approval to exactly <paramref name="call"/>, for the <paramref name="decision"/>
    /// the guard made about it (normally an escalation).
    /// </summary>
    /// <param name="call">The tool call that awaits approval.</param>
    /// <param name="decision">The guard's decision about <paramref name="call"/>. A ticket for a deny decision can be resumed, but the result is always a deny.</param>
    /// <param name="id">The ticket id, for example the id of an approval request shown to a user; <see langword="null"/> for a new unguessable id. Issuing an id that is pending replaces that ticket.</param>
    /// <returns>The ticket.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="call"/> or <paramref name="decision"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="id"/> is empty.</exception>
    public ApprovalTicket Issue(ToolCall call, Decision decision, string? id = null)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(decision);
        if (id is not null)
        {
            ArgumentException.ThrowIfNullOrEmpty(id);
        }

        var now = TimeProvider.GetUtcNow();
        var ticket = new ApprovalTicket
        {
            Id = id ?? NewId(),
            ToolName = call.Name,
            Arguments = call.Arguments,
            Fingerprint = ToolCallFingerprint.Compute(call),
            CallId = call.CallId,
            SessionId = call.SessionId,
            Verdict = decision.Verdict,
            Score = decision.Score,
            Reasons = [.. decision.Findings.Select(static f => new ApprovalTicketReason(f.RuleId, f.Capability.Value, f.Message, f.Score, f.Effect))],
            PolicyName = decision.PolicyName,
            PolicyVersion = decision.PolicyVersion,
            CreatedAt = now,
            ExpiresAt = now + Lifetime,
        };

        lock (_gate)
        {
            Prune(now);
            if (_pending.Remove(ticket.Id))
            {
                _order.Remove(ticket.Id);
            }

            _consumed.Remove(ticket.Id);
            _pending.Add(ticket.Id, ticket);
            _order.AddLast(ticket.Id);
            while (_pending.Count > Capacity && _order.First is { } oldest)
            {
                _pending.Remove(oldest.Value);
                _order.RemoveFirst();
            }
        }

        return ticket;
    }

    /// <summary>Gets a ticket that was issued and not yet resumed, without consuming it — for example to show it again.</summary>
    /// <param name="id">The ticket id.</param>
    /// <param name="ticket">The ticket; check <see cref="ApprovalTicket.ExpiresAt"/>, it may have expired.</param>
    /// <returns><see langword="true"/> when the ticket is pending.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="id"/> is null.</exception>
    public bool TryGet(string id, [NotNullWhen(true)] out ApprovalTicket? ticket)
    {
        ArgumentNullException.ThrowIfNull(id);
        lock (_gate)
        {
            Prune(TimeProvider.GetUtcNow());
            return _pending.TryGetValue(id, out ticket);
        }
    }

    /// <summary>
    /// Resumes the ticket with a human's <paramref name="answer"/> for the call about to run: allow only when the ticket
    /// was issued here, is unused and unexpired, matches <paramref name="call"/> exactly, and the answer approves.
    /// </summary>
    /// <param name="ticketId">The id of the ticket.</param>
    /// <param name="call">The call that would run if approved; compared with the ticket by tool name, fingerprint and (when both have one) call id.</param>
    /// <param name="answer">The human's answer.</param>
    /// <returns>An allow decision, or a deny decision whose first finding names why (<c>guardrails.approval.*</c>). Never throws for a bad ticket.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public Decision Resume(string ticketId, ToolCall call, ApprovalResult answer)
    {
        ArgumentNullException.ThrowIfNull(ticketId);
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(answer);

        var now = TimeProvider.GetUtcNow();
        ApprovalTicket? ticket;
        bool replayed;
        lock (_gate)
        {
            if (_pending.Remove(ticketId, out ticket))
            {
                _order.Remove(ticketId);
                _consumed[ticketId] = ticket.ExpiresAt;
                replayed = false;
            }
            else
            {
                replayed = _consumed.ContainsKey(ticketId);
            }

            Prune(now);
        }

        if (ticket is null)
        {
            return replayed
                ? Refusal(null, "guardrails.approval.replayed", "this approval was already used; an approval is valid once", Capability.GuardTamper, answer)
                : Refusal(null, "guardrails.approval.unknown", "no such approval was requested (forged, from another process, or dropped)", Capability.GuardTamper, answer);
        }

        if (now >= ticket.ExpiresAt)
        {
            return Refusal(ticket, "guardrails.approval.expired", $"the approval arrived after it expired at {ticket.ExpiresAt:O}", Capability.CodeOpaque, answer);
        }

        if (!string.Equals(ticket.ToolName, call.Name, StringComparison.Ordinal))
        {
            return Refusal(ticket, "guardrails.approval.mismatch", $"the approval was for tool '{ticket.ToolName}', not '{call.Name}'", Capability.GuardTamper, answer);
        }

        if (ticket.CallId is not null && call.CallId is not null && !string.Equals(ticket.CallId, call.CallId, StringComparison.Ordinal))
        {
            return Refusal(ticket, "guardrails.approval.mismatch", $"the approval was for call '{ticket.CallId}', not '{call.CallId}'", Capability.GuardTamper, answer);
        }

        if (!string.Equals(ticket.Fingerprint, ToolCallFingerprint.Compute(call), StringComparison.Ordinal))
        {
            return Refusal(ticket, "guardrails.approval.mismatch", "the arguments differ from the ones that were approved", Capability.GuardTamper, answer);
        }

        return FromTicket(ticket).Resolve(answer);
    }

    /// <summary>Resumes <paramref name="ticket"/> (by its <see cref="ApprovalTicket.Id"/>; the issuer's own copy is what counts).</summary>
    /// <param name="ticket">The ticket, for example read back with <see cref="ApprovalTicket.FromJson"/>.</param>
    /// <param name="call">The call that would run if approved.</param>
    /// <param name="answer">The human's answer.</param>
    /// <returns>An allow decision, or a deny decision whose first finding names why.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public Decision Resume(ApprovalTicket ticket, ToolCall call, ApprovalResult answer)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        return Resume(ticket.Id, call, answer);
    }

    private static Decision Refusal(ApprovalTicket? ticket, string code, string message, Capability capability, ApprovalResult answer)
    {
        var note = Note(code, message, capability);
        return ticket is null
            ? new Decision(Verdict.Escalate, 100, [], [], string.Empty, string.Empty, null).Resolve(Verdict.Deny, note, answer)
            : FromTicket(ticket).Resolve(Verdict.Deny, note, answer);
    }

    private static Decision FromTicket(ApprovalTicket ticket)
    {
        var evidence = new Evidence(null, string.Empty, TextSpan.Empty, string.Empty);
        var findings = ticket.Reasons.Select(r => new Finding(r.RuleId, new Capability(r.Capability), r.Message, r.Score, r.Effect, evidence)).ToArray();
        return new Decision(ticket.Verdict, ticket.Score, findings, [], ticket.PolicyName, ticket.PolicyVersion, null);
    }

    private static Finding Note(string code, string message, Capability capability) =>
        new(code, capability, message, 0, Verdict.Deny, new Evidence(null, string.Empty, TextSpan.Empty, string.Empty));

    private static string NewId() => "grt_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    // Called under the lock. Tickets are kept one lifetime past expiry so that a late answer reads "expired" rather
    // than "unknown"; _order is in issue order, which is expiry order because every ticket has the same lifetime.
    private void Prune(DateTimeOffset now)
    {
        while (_order.First is { } oldest && (!_pending.TryGetValue(oldest.Value, out var ticket) || ticket.ExpiresAt <= now - Lifetime))
        {
            _pending.Remove(oldest.Value);
            _order.RemoveFirst();
        }

        if (_consumed.Count > Capacity)
        {
            foreach (var id in _consumed.Where(c => c.Value <= now).Select(c => c.Key).ToArray())
            {
                _consumed.Remove(id);
            }
        }
    }
}
