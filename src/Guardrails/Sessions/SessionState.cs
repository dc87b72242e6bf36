using System.Runtime.InteropServices;
using Guardrails.Classification;
using Guardrails.Evaluation;

namespace Guardrails.Sessions;

/// <summary>
/// Holds what one agent session has done so far, as far as the guard remembers it: a bounded ring of its recent tool
/// calls with the operations they were found to perform, counters for the policy's sequence conditions, and the facts
/// derived from them (files the agent wrote and their content, copies of weights or of the agent itself, ports the agent
/// started servers on, notices the host reported).
/// </summary>
/// <remarks>
/// <para>A state belongs to exactly one session id and nothing in it is shared with another session. States are created
/// by the guard through the factory it passes to <see cref="ISessionStore.GetOrAdd"/>; their content is internal and is
/// only read or changed by the guard while it holds the state's lock, so a store synchronises nothing but its own map.</para>
/// <para>Memory is bounded: the number of remembered tool calls is <see cref="GuardSessionOptions.HistoryCapacity"/>, derived
/// facts have their own fixed caps (256 copies, 256 written files and 1 MiB of script text, 64 ports), and everything
/// expires after <see cref="GuardSessionOptions.EntryLifetime"/>.</para>
/// </remarks>
public sealed class SessionState
{
    internal const int MaxFactsPerEntry = 64;
    internal const int MaxDerivedPaths = 256;
    internal const int MaxTrackedFiles = 256;
    internal const int MaxScriptLength = 64 * 1024;
    internal const int MaxTrackedContent = 1024 * 1024;
    internal const int MaxPorts = 64;
    private const int MaxOccurrencesPerSlot = 4096;

    private readonly HistoryEntry?[] _ring;
    private int _first;
    private int _count;
    private long _nextEntryId = 1;
    private long _oldestEntryId = 1;
    private SessionPolicy? _indexed;
    private List<Occurrence>[] _occurrences = [];
    private Dictionary<string, TaintFlags>? _ancestors;
    private long _contentLength;
    private DateTimeOffset _oldestFact = DateTimeOffset.MaxValue;

    internal SessionState(string sessionId, int capacity, TimeSpan lifetime)
    {
        SessionId = sessionId;
        _ring = new HistoryEntry?[Math.Max(1, capacity)];
        Lifetime = lifetime;
    }

    /// <summary>Gets the id of the session this state belongs to.</summary>
    public string SessionId { get; }

    /// <summary>Gets the lock the guard holds while it decides a call of this session and records it.</summary>
    internal Lock Gate { get; } = new();

    internal TimeSpan Lifetime { get; }

    /// <summary>Gets the number of tool calls recorded since the session began (including those no longer remembered).</summary>
    internal long Actions { get; private set; }

    /// <summary>Gets the number of remembered entries (tool calls and notices).</summary>
    internal int EntryCount => _count;

    internal Dictionary<string, DerivedPath> Derived { get; } = new(StringComparer.Ordinal);

    internal Dictionary<string, TrackedFile> Files { get; } = new(StringComparer.Ordinal);

    internal Dictionary<int, LaunchedPort> Ports { get; } = [];

    /// <summary>Forgets what has expired, brings the counters up to date for <paramref name="policy"/>, and opens a view for one decision.</summary>
    internal SessionView Begin(CompiledPolicy policy, DateTimeOffset now)
    {
        Expire(now);
        if (!ReferenceEquals(_indexed, policy.Session))
        {
            Reindex(policy.Session);
        }

        return new SessionView(this, policy, now);
    }

    /// <summary>Appends an entry for a tool call (or a notice) and returns it; the oldest entry is forgotten when the ring is full.</summary>
    internal HistoryEntry AddEntry(DateTimeOffset now, OperationFacts[] facts, string? notice)
    {
        if (notice is null)
        {
            Actions++;
        }

        var entry = new HistoryEntry(_nextEntryId++, Actions, now, facts, notice);
        if (_count == _ring.Length)
        {
            DropOldest();
        }

        _ring[(_first + _count) % _ring.Length] = entry;
        _count++;
        return entry;
    }

    internal void AddOccurrence(int slot, HistoryEntry entry)
    {
        if ((uint)slot >= (uint)_occurrences.Length)
        {
            return;
        }

        var list = _occurrences[slot];
        if (list.Count >= MaxOccurrencesPerSlot)
        {
            var valid = FirstValid(list);
            list.RemoveRange(0, valid > 0 ? valid : list.Count / 2);
        }

        list.Add(new Occurrence(entry.Id, entry.Position));
    }

    /// <summary>
    /// Counts the remembered occurrences of <paramref name="slot"/>: all of them, or those of the last
    /// <paramref name="within"/> tool calls (and notices received since).
    /// </summary>
    internal int Count(int slot, int within)
    {
        if ((uint)slot >= (uint)_occurrences.Length)
        {
            return 0;
        }

        var list = _occurrences[slot];
        if (list.Count == 0)
        {
            return 0;
        }

        var first = FirstValid(list);
        if (first > 32 && first > list.Count / 2)
        {
            list.RemoveRange(0, first);
            first = 0;
        }

        if (within > 0)
        {
            var threshold = Actions - within;
            var span = CollectionsMarshal.AsSpan(list);
            int lo = first, hi = span.Length;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (span[mid].Position > threshold)
                {
                    hi = mid;
                }
                else
                {
                    lo = mid + 1;
                }
            }

            first = lo;
        }

        return list.Count - first;
    }

    /// <summary>Gets the remembered entries, oldest first.</summary>
    internal IEnumerable<HistoryEntry> Entries()
    {
        for (var i = 0; i < _count; i++)
        {
            yield return _ring[(_first + i) % _ring.Length]!;
        }
    }

    // ---- derived facts ----

    internal void AddDerived(string path, TaintFlags flags, string origin, long entryId, DateTimeOffset now)
    {
        if (Derived.TryGetValue(path, out var existing))
        {
            Derived[path] = existing with { Flags = existing.Flags | flags, EntryId = entryId, Time = now };
        }
        else
        {
            if (Derived.Count >= MaxDerivedPaths)
            {
                Derived.Remove(Oldest(Derived, static d => d.EntryId));
                _ancestors = null;
            }

            Derived[path] = new DerivedPath(path, flags, origin, entryId, now);
        }

        if (_ancestors is not null)
        {
            AddAncestors(_ancestors, path, flags);
        }

        NoteFact(now);
    }

    /// <summary>Forgets copies and written files at or below <paramref name="path"/> (it was deleted).</summary>
    internal void Forget(string path)
    {
        List<string>? gone = null;
        foreach (var key in Derived.Keys)
        {
            if (PathNormalizer.IsAtOrBelow(key, path))
            {
                (gone ??= []).Add(key);
            }
        }

        foreach (var key in gone ?? [])
        {
            Derived.Remove(key);
            _ancestors = null;
        }

        gone?.Clear();
        foreach (var key in Files.Keys)
        {
            if (PathNormalizer.IsAtOrBelow(key, path))
            {
                (gone ??= []).Add(key);
            }
        }

        foreach (var key in gone ?? [])
        {
            Untrack(key);
        }
    }

    /// <summary>
    /// Returns what the session's copies say about <paramref name="path"/>: the copies it lies in, and with
    /// <paramref name="containing"/> also the copies it contains (copying or sending a directory sends what is in it; for
    /// the home directory and its ancestors only copies of the agent itself count, as for the catalogs).
    /// </summary>
    internal TaintFlags Lookup(string path, bool containing, string homeDirectory)
    {
        if (Derived.Count == 0 || string.IsNullOrEmpty(path))
        {
            return TaintFlags.None;
        }

        var flags = TaintFlags.None;
        var lookup = Derived.GetAlternateLookup<ReadOnlySpan<char>>();
        ReadOnlySpan<char> current = path;
        while (true)
        {
            if (lookup.TryGetValue(current, out var derived))
            {
                flags |= derived.Flags;
            }

            var slash = current.LastIndexOf('/');
            if (slash <= 0)
            {
                break;
            }

            current = current[..slash];
        }

        if (!containing || !path.StartsWith('/'))
        {
            return flags;
        }

        if (PathNormalizer.IsAtOrBelow(homeDirectory, path))
        {
            foreach (var derived in Derived.Values)
            {
                if ((derived.Flags & TaintFlags.Self) != 0 && PathNormalizer.IsAtOrBelow(derived.Path, path))
                {
                    flags |= derived.Flags;
                }
            }

            return flags;
        }

        if (_ancestors is null)
        {
            _ancestors = new Dictionary<string, TaintFlags>(StringComparer.Ordinal);
            foreach (var derived in Derived.Values)
            {
                AddAncestors(_ancestors, derived.Path, derived.Flags);
            }
        }

        return _ancestors.TryGetValue(path, out var contained) ? flags | contained : flags;
    }

    internal void Track(string path, string? content, bool downloaded, long entryId, DateTimeOffset now)
    {
        Untrack(path);
        var oversized = content is { Length: > MaxScriptLength };
        if (oversized)
        {
            content = null;
        }

        if (Files.Count >= MaxTrackedFiles)
        {
            Untrack(Oldest(Files, static f => f.EntryId));
        }

        var length = content?.Length ?? 0;
        while (_contentLength + length > MaxTrackedContent && Files.Count > 0)
        {
            Untrack(Oldest(Files, static f => f.EntryId));
        }

        Files[path] = new TrackedFile(path, content, downloaded, oversized, entryId, now);
        _contentLength += length;
        NoteFact(now);
    }

    internal void Untrack(string path)
    {
        if (Files.Remove(path, out var old))
        {
            _contentLength -= old.Content?.Length ?? 0;
        }
    }

    internal void AddPort(int port, bool replica, string program, long entryId, DateTimeOffset now)
    {
        if (Ports.TryGetValue(port, out var existing))
        {
            replica |= existing.Replica;
        }
        else if (Ports.Count >= MaxPorts)
        {
            Ports.Remove(Oldest(Ports, static p => p.EntryId));
        }

        Ports[port] = new LaunchedPort(port, replica, program, entryId, now);
        NoteFact(now);
    }

    private static TKey Oldest<TKey, TValue>(Dictionary<TKey, TValue> map, Func<TValue, long> age)
        where TKey : notnull
    {
        var best = default(TKey)!;
        var bestAge = long.MaxValue;
        foreach (var (key, value) in map)
        {
            var a = age(value);
            if (a < bestAge)
            {
                best = key;
                bestAge = a;
            }
        }

        return best;
    }

    private static void AddAncestors(Dictionary<string, TaintFlags> ancestors, string path, TaintFlags flags)
    {
        if (!path.StartsWith('/'))
        {
            return;
        }

        var slash = path.LastIndexOf('/');
        while (slash > 0)
        {
            var ancestor = path[..slash];
            ancestors[ancestor] = ancestors.GetValueOrDefault(ancestor) | flags;
            slash = ancestor.LastIndexOf('/');
        }
    }

    private void NoteFact(DateTimeOffset now)
    {
        if (now < _oldestFact)
        {
            _oldestFact = now;
        }
    }

    private void Expire(DateTimeOffset now)
    {
        if (Lifetime == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        var cutoff = now - Lifetime;
        while (_count > 0 && _ring[_first]!.Time < cutoff)
        {
            DropOldest();
        }

        if (_oldestFact < cutoff)
        {
            SweepFacts(cutoff);
        }
    }

    private void SweepFacts(DateTimeOffset cutoff)
    {
        var oldest = DateTimeOffset.MaxValue;
        foreach (var derived in Derived.Values.ToArray())
        {
            if (derived.Time < cutoff)
            {
                Derived.Remove(derived.Path);
                _ancestors = null;
            }
            else if (derived.Time < oldest)
            {
                oldest = derived.Time;
            }
        }

        foreach (var file in Files.Values.ToArray())
        {
            if (file.Time < cutoff)
            {
                Untrack(file.Path);
            }
            else if (file.Time < oldest)
            {
                oldest = file.Time;
            }
        }

        foreach (var port in Ports.Values.ToArray())
        {
            if (port.Time < cutoff)
            {
                Ports.Remove(port.Port);
            }
            else if (port.Time < oldest)
            {
                oldest = port.Time;
            }
        }

        _oldestFact = oldest;
    }

    private void DropOldest()
    {
        _oldestEntryId = _ring[_first]!.Id + 1;
        _ring[_first] = null;
        _first = (_first + 1) % _ring.Length;
        _count--;
    }

    private int FirstValid(List<Occurrence> list)
    {
        var span = CollectionsMarshal.AsSpan(list);
        int lo = 0, hi = span.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (span[mid].EntryId >= _oldestEntryId)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return lo;
    }

    private void Reindex(SessionPolicy policy)
    {
        _indexed = policy;
        _occurrences = new List<Occurrence>[policy.Slots.Length];
        for (var i = 0; i < _occurrences.Length; i++)
        {
            _occurrences[i] = [];
        }

        var matched = new List<int>();
        foreach (var entry in Entries())
        {
            if (entry.Notice is { } notice)
            {
                foreach (var slot in policy.SlotsForNotice(notice))
                {
                    AddOccurrence(slot, entry);
                }

                continue;
            }

            foreach (var facts in entry.Facts)
            {
                matched.Clear();
                policy.MatchOperation(facts, matched);
                foreach (var slot in matched)
                {
                    AddOccurrence(slot, entry);
                }
            }
        }
    }

    private readonly record struct Occurrence(long EntryId, long Position);
}

/// <summary>One remembered tool call (or host notice).</summary>
/// <param name="Id">A number that grows with every entry.</param>
/// <param name="Position">The number of tool calls recorded up to and including this one (for a notice: before it).</param>
/// <param name="Time">When it was recorded.</param>
/// <param name="Facts">What the call's operations were found to be (at most <see cref="SessionState.MaxFactsPerEntry"/>).</param>
/// <param name="Notice">The notice, for an entry that records one.</param>
internal sealed record HistoryEntry(long Id, long Position, DateTimeOffset Time, OperationFacts[] Facts, string? Notice);

/// <summary>What a copy made in the session carries over from what it copied.</summary>
[Flags]
internal enum TaintFlags
{
    None = 0,
    ModelWeights = 1,
    AgentScaffold = 2,
    Credentials = 4,
    Self = 8,

    /// <summary>The path was created by a copy, move, archive or link in this session.</summary>
    Copy = 16,
}

/// <summary>A destination of a copy, move, archive or link made in the session, and what its sources were.</summary>
internal sealed record DerivedPath(string Path, TaintFlags Flags, string Origin, long EntryId, DateTimeOffset Time);

/// <summary>A file the session wrote: its content when known, or that it was downloaded (content unknowable).</summary>
internal sealed record TrackedFile(string Path, string? Content, bool Downloaded, bool Oversized, long EntryId, DateTimeOffset Time);

/// <summary>A port the session started a server on; <see cref="Replica"/> when the server was a replica (inference server or the agent).</summary>
internal sealed record LaunchedPort(int Port, bool Replica, string Program, long EntryId, DateTimeOffset Time);
