namespace Guardrails.Sessions;

/// <summary>
/// Keeps the <see cref="SessionState"/> of every live agent session, so that each decision can see what the same session
/// did before. The guard asks for a session's state once per tool call (and per reported notice).
/// </summary>
/// <remarks>
/// <para>Implementations must be thread-safe: calls of many sessions are decided at once. They synchronise only their own
/// map of states; the guard locks a state itself while it reads and changes it.</para>
/// <para>A store decides how long a session lives and how many it keeps. It must never return one session's state for
/// another session id: that would let one agent's history decide another agent's calls. Forgetting a session (because it
/// was idle, or to make room) only loses history; it never changes a decision into an allow on its own.</para>
/// <para>The default is <see cref="InMemorySessionStore"/>. A store shared between hosts would keep states elsewhere;
/// <see cref="SessionState"/>'s content is not yet serialisable, so for now stores are in-process.</para>
/// </remarks>
public interface ISessionStore
{
    /// <summary>
    /// Gets the state of session <paramref name="sessionId"/>, or creates it with <paramref name="create"/> when the store
    /// holds none (the session is new, or was forgotten).
    /// </summary>
    /// <param name="sessionId">The session id (<see cref="ToolCall.SessionId"/>); compared ordinally.</param>
    /// <param name="create">Creates an empty state for a session id; it may be called more than once in a race, and only one result kept.</param>
    /// <returns>The state. Never <see langword="null"/>.</returns>
    SessionState GetOrAdd(string sessionId, Func<string, SessionState> create);
}
