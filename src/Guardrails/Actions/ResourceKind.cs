using System.Diagnostics.CodeAnalysis;

namespace Guardrails.Actions;

/// <summary>
/// Names a class of resource that an operation touches, such as model weights, the agent's own program files or a
/// credential. Resource kinds come from the catalogs of a policy.
/// </summary>
/// <remarks>
/// Resource kinds are an open vocabulary: a policy may define its own path catalogs under new names. Names are compared
/// ordinally and are case-sensitive.
/// </remarks>
public readonly struct ResourceKind : IEquatable<ResourceKind>
{
    /// <summary>Initializes a new <see cref="ResourceKind"/> with the given name.</summary>
    /// <param name="value">The resource kind name, for example <c>model-weights</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="value"/> is null, empty or white space.</exception>
    public ResourceKind(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        Value = value;
    }

    /// <summary>Gets the resource kind name.</summary>
    public string Value => field ?? string.Empty;

    /// <summary>Gets the kind of model weight files and directories (by extension or location).</summary>
    public static ResourceKind ModelWeights { get; } = new("model-weights");

    /// <summary>Gets the kind of the agent's own program, scaffold, prompts and tool definitions.</summary>
    public static ResourceKind AgentScaffold { get; } = new("agent-scaffold");

    /// <summary>Gets the kind of files that make code run at start-up or on a schedule (cron, systemd, shell rc, autostart, …).</summary>
    public static ResourceKind Startup { get; } = new("startup");

    /// <summary>Gets the kind of credential files (SSH keys, cloud credentials, hub tokens).</summary>
    public static ResourceKind Credentials { get; } = new("credentials");

    /// <summary>Gets the kind of the guard's own files: policies, configuration, audit logs, binaries.</summary>
    public static ResourceKind Guard { get; } = new("guard");

    /// <summary>Gets the kind of shutdown, kill-switch and supervisor scripts.</summary>
    public static ResourceKind ShutdownControl { get; } = new("shutdown-control");

    /// <summary>Gets the kind of programs that serve a model (vllm, ollama, llama-server, …).</summary>
    public static ResourceKind InferenceServer { get; } = new("inference-server");

    /// <summary>Gets the kind of programs that move data between hosts (scp, rsync, rclone, curl, …).</summary>
    public static ResourceKind TransferTool { get; } = new("transfer-tool");

    /// <summary>Gets the kind of cloud and cluster command-line tools (aws, gcloud, az, kubectl, terraform, …).</summary>
    public static ResourceKind CloudCli { get; } = new("cloud-cli");

    /// <summary>Gets the kind of the agent's own processes and programs as named in the policy's <c>self</c> section.</summary>
    public static ResourceKind SelfProcess { get; } = new("self-process");

    /// <summary>Gets the kind of the guard's own processes.</summary>
    public static ResourceKind GuardProcess { get; } = new("guard-process");

    /// <summary>Gets the kind of network endpoints the agent's model is served on.</summary>
    public static ResourceKind SelfEndpoint { get; } = new("self-endpoint");

    /// <summary>
    /// Gets the kind of files and directories that an earlier tool call of the same session created by copying, moving,
    /// archiving or linking a directory or replication-relevant files (everything at or below the copy's destination).
    /// </summary>
    public static ResourceKind SessionCopy { get; } = new("session-copy");

    /// <inheritdoc />
    public bool Equals(ResourceKind other) => string.Equals(Value, other.Value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is ResourceKind other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    /// <inheritdoc />
    public override string ToString() => Value;

    /// <summary>Determines whether two resource kinds have the same name.</summary>
    /// <param name="left">The first kind.</param>
    /// <param name="right">The second kind.</param>
    /// <returns><see langword="true"/> when the names are equal.</returns>
    public static bool operator ==(ResourceKind left, ResourceKind right) => left.Equals(right);

    /// <summary>Determines whether two resource kinds have different names.</summary>
    /// <param name="left">The first kind.</param>
    /// <param name="right">The second kind.</param>
    /// <returns><see langword="true"/> when the names differ.</returns>
    public static bool operator !=(ResourceKind left, ResourceKind right) => !left.Equals(right);
}
