using Guardrails.Approvals;

namespace Guardrails;

/// <summary>Configures a <see cref="Guard"/>. Validated once when the guard is built; the built guard is immutable.</summary>
public sealed class GuardOptions
{
    /// <summary>Gets or sets the policy to load: <c>builtin:NAME</c> or a file path (used by dependency injection).</summary>
    /// <value>The default value is <c>builtin:default</c>.</value>
    public string Policy { get; set; } = "builtin:default";

    /// <summary>
    /// Gets or sets a value indicating whether the guard registered by <c>services.AddGuardrails(…)</c> follows
    /// <see cref="Policy"/> when it is a file: each change that loads is put into service atomically, a change that does
    /// not load is rejected and logged and the previous policy stays (see <see cref="GuardPolicyWatcher"/>).
    /// </summary>
    /// <value>The default value is <see langword="false"/>: the policy is loaded once.</value>
    /// <remarks>Only the policy follows the file; the other options are read once, when the guard is built.</remarks>
    public bool ReloadPolicyOnChange { get; set; }

    /// <summary>Gets what the host knows about the agent itself, added to the policy's <c>self</c> section.</summary>
    public GuardSelfOptions Self { get; } = new();

    /// <summary>Gets how the guard remembers agent sessions (calls with the same <see cref="ToolCall.SessionId"/>).</summary>
    public GuardSessionOptions Sessions { get; } = new();

    /// <summary>Gets or sets the home directory that <c>~</c> in tool calls resolves to.</summary>
    /// <value>The default value is <see langword="null"/>: the <c>HOME</c> environment variable, else <c>/root</c>.</value>
    public string? HomeDirectory { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether classification also inspects this machine's filesystem at decision time:
    /// symbolic links are resolved, globs are expanded, and a directory that contains weight files counts as weights
    /// even where no catalog names it.
    /// </summary>
    /// <value>The default value is <see langword="false"/>: decisions depend only on the policy and the input.</value>
    /// <remarks>
    /// Use it when the guard runs on the same host (and sees the same filesystem) as the agent's tools. Inspection is
    /// bounded (20,000 entries, depth 16, 1,000 glob matches) and only ever adds findings. Decisions then also depend on
    /// the filesystem, so they are no longer reproducible from the input alone.
    /// </remarks>
    public bool HostAware { get; set; }

    /// <summary>Gets or sets the handler asked about escalated calls by <see cref="Guard.DecideAsync"/>.</summary>
    /// <value>The default value is <see langword="null"/>: escalations are denied.</value>
    public IApprovalHandler? ApprovalHandler { get; set; }

    /// <summary>Gets or sets how long <see cref="Guard.DecideAsync"/> waits for an approval before denying.</summary>
    /// <value>The default value is five minutes.</value>
    public TimeSpan ApprovalTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets the time provider used for approval timeouts and for the expiry of session history.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal void Validate()
    {
        if (ApprovalTimeout <= TimeSpan.Zero && ApprovalTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(ApprovalTimeout), ApprovalTimeout, "The approval timeout must be positive or infinite.");
        }

        if (string.IsNullOrWhiteSpace(Policy))
        {
            throw new ArgumentException("A policy name or path is required.", nameof(Policy));
        }

        ArgumentNullException.ThrowIfNull(TimeProvider);
        Sessions.Validate();
    }
}

/// <summary>
/// Describes the agent itself — the objects of replication — as the host discovers them. Merged with the policy's
/// <c>self</c> section (same field names).
/// </summary>
public sealed class GuardSelfOptions
{
    /// <summary>Gets the directories holding the agent's own program, prompts and tool definitions.</summary>
    public IList<string> AgentDirectories { get; } = [];

    /// <summary>Gets the directories holding the agent's model weights.</summary>
    public IList<string> ModelDirectories { get; } = [];

    /// <summary>Gets the ports the agent's model is served on.</summary>
    public IList<int> ServingPorts { get; } = [];

    /// <summary>Gets the agent's process and program names (for example <c>agent.py</c>, <c>vllm</c>).</summary>
    public IList<string> ProcessNames { get; } = [];

    /// <summary>Gets the guard's own files and directories (policies, configuration, audit logs).</summary>
    public IList<string> GuardPaths { get; } = [];

    /// <summary>Gets the guard's own process names.</summary>
    public IList<string> GuardProcesses { get; } = [];

    /// <summary>Gets the base URLs the agent's model is served on.</summary>
    public IList<string> Endpoints { get; } = [];

    /// <summary>Gets environment variables that configure the guard and must not be changed by the agent.</summary>
    public IList<string> GuardEnvironment { get; } = [];

    internal bool IsEmpty => AgentDirectories.Count + ModelDirectories.Count + ServingPorts.Count + ProcessNames.Count
        + GuardPaths.Count + GuardProcesses.Count + Endpoints.Count + GuardEnvironment.Count == 0;

    internal Policies.SelfDocument ToDocument() => new()
    {
        AgentDirectories = [.. AgentDirectories],
        ModelDirectories = [.. ModelDirectories],
        ServingPorts = [.. ServingPorts],
        ProcessNames = [.. ProcessNames],
        GuardPaths = [.. GuardPaths],
        GuardProcesses = [.. GuardProcesses],
        Endpoints = [.. Endpoints],
        GuardEnvironment = [.. GuardEnvironment],
    };
}
