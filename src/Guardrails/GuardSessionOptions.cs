using Guardrails.Sessions;

namespace Guardrails;

/// <summary>
/// Configures how a <see cref="Guard"/> remembers agent sessions: calls with the same <see cref="ToolCall.SessionId"/>
/// form one history, which sequence conditions and taint tracking read. Calls without a session id have no history.
/// </summary>
public sealed class GuardSessionOptions
{
    /// <summary>Gets or sets the store that keeps session states.</summary>
    /// <value>The default value is <see langword="null"/>: the guard creates an <see cref="InMemorySessionStore"/> with
    /// <see cref="MaxSessions"/> and <see cref="EntryLifetime"/> and the guard's <see cref="GuardOptions.TimeProvider"/>.</value>
    /// <remarks>Share one store between guards (for example across policy reloads) to keep histories when the policy changes.</remarks>
    public ISessionStore? Store { get; set; }

    /// <summary>Gets or sets how many tool calls (and notices) each session remembers; older ones are forgotten first.</summary>
    /// <value>The default value is 256. It must be between 1 and 65,536.</value>
    public int HistoryCapacity { get; set; } = 256;

    /// <summary>Gets or sets how long a remembered tool call, and what was derived from it, stays in a session's history.</summary>
    /// <value>The default value is 24 hours. It must be positive, or <see cref="Timeout.InfiniteTimeSpan"/>.</value>
    public TimeSpan EntryLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Gets or sets how many sessions the default store keeps; beyond it, the least recently used are forgotten.</summary>
    /// <value>The default value is 10,000. It must be at least 1.</value>
    public int MaxSessions { get; set; } = 10_000;

    internal void Validate()
    {
        if (HistoryCapacity is < 1 or > 65_536)
        {
            throw new ArgumentOutOfRangeException(nameof(HistoryCapacity), HistoryCapacity, "The session history capacity must be between 1 and 65,536.");
        }

        if ((EntryLifetime <= TimeSpan.Zero && EntryLifetime != Timeout.InfiniteTimeSpan) || EntryLifetime > TimeSpan.FromDays(3650))
        {
            throw new ArgumentOutOfRangeException(nameof(EntryLifetime), EntryLifetime, "The session entry lifetime must be positive (at most ten years) or infinite.");
        }

        if (MaxSessions < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxSessions), MaxSessions, "At least one session must be kept.");
        }
    }
}
