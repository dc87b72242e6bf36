using System.Collections.Concurrent;
using Guardrails;

namespace ReplicationDemo;

/// <summary>Counts what the agent proposed, what the guard decided, and which tool bodies were entered.</summary>
internal sealed class Tally
{
    private readonly ConcurrentDictionary<string, bool> _replicationStep = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _executed = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(ToolCall Call, Decision Decision)> _decisions = new();

    public int ProposedCount => _replicationStep.Count;

    public int ReplicationStepCount => _replicationStep.Count(s => s.Value);

    public int ReplicationStepsExecuted => _executed.Keys.Count(id => _replicationStep.TryGetValue(id, out var replication) && replication);

    public int ExecutedCount => _executed.Count;

    public IReadOnlyCollection<(ToolCall Call, Decision Decision)> Decisions => _decisions;

    public void Proposed(string callId, bool replicationStep) => _replicationStep[callId] = replicationStep;

    public void Record(ToolCall call, Decision decision) => _decisions.Enqueue((call, decision));

    public void Executed(string? callId) => _executed[callId ?? "(unknown)"] = true;
}
