using System.Collections.Frozen;

namespace Guardrails.Classification;

/// <summary>
/// What the agent itself is made of: the objects of replication. Built from the policy's <c>self</c> section and
/// whatever the host adds through <see cref="GuardOptions"/>. All paths are normalized and absolute.
/// </summary>
internal sealed class SelfModel
{
    public static SelfModel Empty { get; } = new([], [], [], [], [], [], [], []);

    public SelfModel(
        IReadOnlyList<string> agentDirectories,
        IReadOnlyList<string> modelDirectories,
        IEnumerable<int> servingPorts,
        IEnumerable<string> processNames,
        IReadOnlyList<string> guardPaths,
        IEnumerable<string> guardProcesses,
        IReadOnlyList<Uri> endpoints,
        IEnumerable<string> guardEnvironment)
    {
        AgentDirectories = agentDirectories;
        ModelDirectories = modelDirectories;
        ServingPorts = servingPorts.ToFrozenSet();
        ProcessNames = processNames.ToFrozenSet(StringComparer.Ordinal);
        GuardPaths = guardPaths;
        GuardProcesses = guardProcesses.ToFrozenSet(StringComparer.Ordinal);
        Endpoints = endpoints;
        GuardEnvironment = guardEnvironment.ToFrozenSet(StringComparer.Ordinal);
    }

    public IReadOnlyList<string> AgentDirectories { get; }

    public IReadOnlyList<string> ModelDirectories { get; }

    public FrozenSet<int> ServingPorts { get; }

    public FrozenSet<string> ProcessNames { get; }

    public IReadOnlyList<string> GuardPaths { get; }

    public FrozenSet<string> GuardProcesses { get; }

    public IReadOnlyList<Uri> Endpoints { get; }

    public FrozenSet<string> GuardEnvironment { get; }
}
