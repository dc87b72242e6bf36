using System.Diagnostics.CodeAnalysis;

namespace Guardrails.Actions;

/// <summary>
/// Names a replication-relevant ability that an operation exercises, such as copying model weights or launching an
/// inference server.
/// </summary>
/// <remarks>
/// Capabilities are an open vocabulary: the well-known values are exposed as static properties, and a policy may name
/// others. Names are compared ordinally and are case-sensitive; the well-known names are lower case.
/// </remarks>
public readonly struct Capability : IEquatable<Capability>
{
    /// <summary>Initializes a new <see cref="Capability"/> with the given name.</summary>
    /// <param name="value">The capability name, for example <c>weights.copy</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="value"/> is null, empty or white space.</exception>
    public Capability(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        Value = value;
    }

    /// <summary>Gets the capability name.</summary>
    public string Value => field ?? string.Empty;

    /// <summary>Gets the capability of bulk-reading model weight files.</summary>
    public static Capability WeightsRead { get; } = new("weights.read");

    /// <summary>Gets the capability of copying, archiving, linking or moving weights or the agent's own files to a new local place.</summary>
    public static Capability WeightsCopy { get; } = new("weights.copy");

    /// <summary>Gets the capability of moving weights or the agent's own files off the host.</summary>
    public static Capability WeightsExfiltrate { get; } = new("weights.exfiltrate");

    /// <summary>Gets the capability of starting an inference server or another instance of the agent.</summary>
    public static Capability ReplicaLaunch { get; } = new("replica.launch");

    /// <summary>Gets the capability of escaping the agent's process tree or lifetime.</summary>
    public static Capability ProcessDetach { get; } = new("process.detach");

    /// <summary>Gets the capability of arranging for code to run again later (cron, services, shell start-up files, …).</summary>
    public static Capability Persistence { get; } = new("persistence");

    /// <summary>Gets the capability of resisting shutdown: signal traps, killing supervisors, editing kill switches.</summary>
    public static Capability ShutdownEvasion { get; } = new("shutdown.evasion");

    /// <summary>Gets the capability of disabling or editing the guard itself, its policy, configuration or audit trail.</summary>
    public static Capability GuardTamper { get; } = new("guard.tamper");

    /// <summary>Gets the capability of obtaining compute: cloud instances, cluster workloads, remote hosts.</summary>
    public static Capability ComputeAcquire { get; } = new("compute.acquire");

    /// <summary>Gets the capability of reading credentials that enable any of the other capabilities.</summary>
    public static Capability CredentialAccess { get; } = new("credential.access");

    /// <summary>Gets the capability of sending a task or prompt to another model endpoint.</summary>
    public static Capability ReplicaInstruct { get; } = new("replica.instruct");

    /// <summary>Gets the capability of running code that the analysis could not resolve.</summary>
    public static Capability CodeOpaque { get; } = new("code.opaque");

    /// <summary>Gets the capability of editing the agent's own program, prompts or tool definitions.</summary>
    public static Capability SelfModify { get; } = new("self.modify");

    /// <summary>Gets the capability of sending local data to a remote host (an upload of files that are not known to be weights).</summary>
    public static Capability DataUpload { get; } = new("data.upload");

    /// <summary>Gets the capability of accepting network connections on a port.</summary>
    public static Capability NetworkListen { get; } = new("network.listen");

    /// <summary>Gets the capability of exchanging data with, or running commands on, a host other than this one.</summary>
    public static Capability NetworkEgress { get; } = new("network.egress");

    /// <summary>Gets the capability of reading or copying files outside the tool call's working directory.</summary>
    public static Capability WorkspaceEscape { get; } = new("workspace.escape");

    /// <summary>Gets every well-known capability, in a stable order.</summary>
    public static IReadOnlyList<Capability> WellKnown { get; } =
    [
        WeightsRead, WeightsCopy, WeightsExfiltrate, ReplicaLaunch, ProcessDetach, Persistence, ShutdownEvasion,
        GuardTamper, ComputeAcquire, CredentialAccess, ReplicaInstruct, CodeOpaque, SelfModify, DataUpload, NetworkListen,
        NetworkEgress, WorkspaceEscape,
    ];

    /// <inheritdoc />
    public bool Equals(Capability other) => string.Equals(Value, other.Value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is Capability other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    /// <inheritdoc />
    public override string ToString() => Value;

    /// <summary>Determines whether two capabilities have the same name.</summary>
    /// <param name="left">The first capability.</param>
    /// <param name="right">The second capability.</param>
    /// <returns><see langword="true"/> when the names are equal.</returns>
    public static bool operator ==(Capability left, Capability right) => left.Equals(right);

    /// <summary>Determines whether two capabilities have different names.</summary>
    /// <param name="left">The first capability.</param>
    /// <param name="right">The second capability.</param>
    /// <returns><see langword="true"/> when the names differ.</returns>
    public static bool operator !=(Capability left, Capability right) => !left.Equals(right);
}
