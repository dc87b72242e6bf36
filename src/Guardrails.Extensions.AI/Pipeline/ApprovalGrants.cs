using System.Collections.Concurrent;
using Guardrails.Approvals;

namespace Guardrails.Extensions.AI.Pipeline;

/// <summary>
/// Approvals that the intake accepted (a valid ticket, resumed with an approving answer) and that the function
/// invoker has not yet consumed, keyed by call id. Each grant is used at most once and only for a call with the
/// approved fingerprint.
/// </summary>
internal sealed class ApprovalGrants
{
    private readonly ConcurrentDictionary<string, Grant> _grants = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;

    public ApprovalGrants(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
    }

    public void Add(string callId, string fingerprint, Decision approved, DateTimeOffset expiresAt)
    {
        var now = _timeProvider.GetUtcNow();
        if (_grants.Count > 1_000)
        {
            foreach (var stale in _grants.Where(g => g.Value.ExpiresAt <= now))
            {
                _grants.TryRemove(stale);
            }
        }

        _grants[callId] = new Grant(fingerprint, approved, expiresAt);
    }

    /// <summary>Removes the grant for <paramref name="callId"/>, whatever it is; the caller checks it with <see cref="Grant.Covers"/>.</summary>
    public bool TryTake(string callId, out Grant grant) => _grants.TryRemove(callId, out grant!);

    public DateTimeOffset Now => _timeProvider.GetUtcNow();

    internal sealed record Grant(string Fingerprint, Decision Decision, DateTimeOffset ExpiresAt)
    {
        public bool Covers(ToolCall call, DateTimeOffset now) =>
            now < ExpiresAt && string.Equals(Fingerprint, ToolCallFingerprint.Compute(call), StringComparison.Ordinal);
    }
}
