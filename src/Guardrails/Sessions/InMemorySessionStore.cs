using System.Collections.Concurrent;

namespace Guardrails.Sessions;

/// <summary>
/// Keeps session states in this process's memory, bounded: a session idle for longer than the idle timeout is forgotten,
/// and when more than the maximum number of sessions are kept, the least recently used are forgotten first.
/// </summary>
/// <remarks>
/// Thread-safe; looking up a live session takes no lock. Making room is done in batches (down to 95% of the maximum), so
/// its cost is spread over many new sessions. Each session id has its own state: nothing one session did is ever visible
/// to another.
/// </remarks>
public sealed class InMemorySessionStore : ISessionStore
{
    private readonly ConcurrentDictionary<string, Node> _sessions = new(StringComparer.Ordinal);
    private readonly Lock _sweepGate = new();
    private readonly int _maxSessions;
    private readonly long _idleTicks;
    private readonly TimeProvider _timeProvider;
    private int _creations;

    /// <summary>Initializes a new store.</summary>
    /// <param name="maxSessions">The most sessions kept at once; at least 1.</param>
    /// <param name="idleTimeout">How long a session may go without a call before it is forgotten; <see langword="null"/> for 24 hours, <see cref="Timeout.InfiniteTimeSpan"/> for never.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxSessions"/> is less than 1, or <paramref name="idleTimeout"/> is neither positive nor infinite.</exception>
    public InMemorySessionStore(int maxSessions = 10_000, TimeSpan? idleTimeout = null, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSessions, 1);
        var idle = idleTimeout ?? TimeSpan.FromHours(24);
        if (idle <= TimeSpan.Zero && idle != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(idleTimeout), idle, "The idle timeout must be positive or infinite.");
        }

        _maxSessions = maxSessions;
        _idleTicks = idle == Timeout.InfiniteTimeSpan ? long.MaxValue : idle.Ticks;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the number of sessions currently kept.</summary>
    public int Count => _sessions.Count;

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="sessionId"/> or <paramref name="create"/> is null.</exception>
    public SessionState GetOrAdd(string sessionId, Func<string, SessionState> create)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        ArgumentNullException.ThrowIfNull(create);
        var now = _timeProvider.GetUtcNow().UtcTicks;
        while (true)
        {
            if (_sessions.TryGetValue(sessionId, out var node))
            {
                if (!IsIdle(node, now))
                {
                    Volatile.Write(ref node.LastUse, now);
                    return node.State;
                }

                // Idle too long: the session starts over, as if it were new.
                var fresh = new Node(New(create, sessionId), now);
                if (_sessions.TryUpdate(sessionId, fresh, node))
                {
                    return fresh.State;
                }

                continue;
            }

            var created = new Node(New(create, sessionId), now);
            var stored = _sessions.GetOrAdd(sessionId, created);
            if (!ReferenceEquals(stored, created))
            {
                continue; // another thread added it first: take the usual path
            }

            if (_sessions.Count > _maxSessions || Interlocked.Increment(ref _creations) % 1024 == 0)
            {
                Sweep(now);
            }

            return created.State;
        }
    }

    private static SessionState New(Func<string, SessionState> create, string sessionId) =>
        create(sessionId) ?? throw new InvalidOperationException("The session state factory returned null.");

    private bool IsIdle(Node node, long now) => _idleTicks != long.MaxValue && now - Volatile.Read(ref node.LastUse) > _idleTicks;

    private void Sweep(long now)
    {
        lock (_sweepGate)
        {
            foreach (var pair in _sessions)
            {
                if (IsIdle(pair.Value, now))
                {
                    _sessions.TryRemove(pair);
                }
            }

            var excess = _sessions.Count - _maxSessions;
            if (excess <= 0)
            {
                return;
            }

            var target = excess + (_maxSessions / 20);
            var byAge = _sessions.ToArray();
            Array.Sort(byAge, static (a, b) => Volatile.Read(ref a.Value.LastUse).CompareTo(Volatile.Read(ref b.Value.LastUse)));
            for (var i = 0; i < byAge.Length && target > 0; i++)
            {
                if (_sessions.TryRemove(byAge[i]))
                {
                    target--;
                }
            }
        }
    }

    private sealed class Node(SessionState state, long lastUse)
    {
        public long LastUse = lastUse;

        public SessionState State { get; } = state;
    }
}
