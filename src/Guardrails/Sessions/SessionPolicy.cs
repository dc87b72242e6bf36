using System.Text.Json;
using Guardrails.Actions;
using Guardrails.Classification;
using Guardrails.Evaluation;
using Guardrails.Policies;

namespace Guardrails.Sessions;

/// <summary>
/// What a compiled policy asks sessions to remember: one slot per distinct history condition (an operation condition, or
/// a set of notices). Operation conditions are bucketed with a <see cref="RuleIndex"/>, so recording an operation visits
/// only the slots that can match it, however many rules the policy has. Immutable and thread-safe.
/// </summary>
internal sealed class SessionPolicy
{
    [ThreadStatic]
    private static List<RuleCandidate>? t_candidates;

    private readonly RuleIndex _index;
    private readonly Dictionary<string, int[]> _noticeSlots;

    public SessionPolicy(HistorySlot[] slots, ulong sessionCopyBit)
    {
        Slots = slots;
        SessionCopyBit = sessionCopyBit;
        var pseudoRules = new List<CompiledRule>();
        var notices = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        foreach (var slot in slots)
        {
            if (slot.Match is { } match)
            {
                pseudoRules.Add(new CompiledRule
                {
                    Index = slot.Id,
                    Id = "history#" + slot.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Message = string.Empty,
                    Effect = RuleEffect.Score,
                    Score = 0,
                    Condition = match,
                });
            }

            foreach (var notice in slot.Notices)
            {
                if (!notices.TryGetValue(notice, out var list))
                {
                    notices[notice] = list = [];
                }

                list.Add(slot.Id);
            }
        }

        _index = new RuleIndex(pseudoRules);
        _noticeSlots = notices.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
    }

    /// <summary>Gets the policy of a policy without history conditions.</summary>
    public static SessionPolicy Empty { get; } = new([], 0);

    /// <summary>Gets the slots, indexed by <see cref="HistorySlot.Id"/>.</summary>
    public HistorySlot[] Slots { get; }

    /// <summary>Gets the catalog bit of <see cref="ResourceKind.SessionCopy"/>.</summary>
    public ulong SessionCopyBit { get; }

    /// <summary>Adds to <paramref name="matched"/> every slot whose operation condition matches <paramref name="facts"/> (each slot once).</summary>
    public void MatchOperation(OperationFacts facts, List<int> matched)
    {
        if (Slots.Length == 0)
        {
            return;
        }

        var start = matched.Count;
        // Borrow the thread's candidate list (a nested call gets its own).
        var candidates = t_candidates ?? [];
        t_candidates = null;
        candidates.Clear();
        _index.Collect(facts, candidates);
        foreach (var (candidate, _) in candidates)
        {
            Consider(candidate, facts, matched, start);
        }

        t_candidates = candidates;
    }

    /// <summary>Gets the slots that count notice <paramref name="notice"/>.</summary>
    public int[] SlotsForNotice(string notice) => _noticeSlots.TryGetValue(notice, out var slots) ? slots : [];

    private static void Consider(CompiledRule candidate, OperationFacts facts, List<int> matched, int start)
    {
        if (matched.IndexOf(candidate.Index, start) >= 0)
        {
            return;
        }

        bool matches;
        try
        {
            matches = candidate.Condition.Matches(facts);
        }
#pragma warning disable CA1031 // A history condition that throws counts as matched: over-counting fails closed.
        catch (Exception)
#pragma warning restore CA1031
        {
            matches = true;
        }

        if (matches)
        {
            matched.Add(candidate.Index);
        }
    }
}

/// <summary>One distinct thing sessions count for a policy: operations matching a condition, or notices.</summary>
/// <param name="Id">The slot number.</param>
/// <param name="Match">The operation condition, or <see langword="null"/> for a notice slot.</param>
/// <param name="Notices">The notices counted (empty for an operation slot).</param>
internal sealed record HistorySlot(int Id, CompiledCondition? Match, string[] Notices);

/// <summary>A compiled <c>history</c> condition: how many occurrences of a slot, within how many tool calls.</summary>
internal sealed class CompiledHistory
{
    public required int Slot { get; init; }

    /// <summary>Gets the number of most recent tool calls that count; 0 for all the session remembers.</summary>
    public required int Within { get; init; }

    public required int AtLeast { get; init; }

    /// <summary>Determines whether the session has at least <see cref="AtLeast"/> occurrences; a call without a session has none.</summary>
    public bool Holds(SessionView? session) => session is not null && session.Count(Slot, Within, AtLeast) >= AtLeast;
}

/// <summary>Collects the history conditions of a policy while it compiles, sharing one slot between identical conditions.</summary>
internal sealed class SessionPolicyBuilder
{
    private readonly List<HistorySlot> _slots = [];
    private readonly Dictionary<string, int> _byKey = new(StringComparer.Ordinal);

    /// <summary>Compiles <paramref name="history"/>, compiling its match with <paramref name="compileMatch"/> the first time it is seen.</summary>
    /// <exception cref="InvalidOperationException">The condition is inconsistent in a way validation should have caught.</exception>
    public CompiledHistory Add(HistoryConditionDocument history, Func<ConditionDocument, CompiledCondition> compileMatch)
    {
        if ((history.Match is null) == (history.Notices is null))
        {
            throw new InvalidOperationException("a history condition needs exactly one of 'match' and 'notices'");
        }

        var key = history.Match is { } match
            ? "match:" + JsonSerializer.Serialize(match, PolicyJsonContext.Default.ConditionDocument)
            : "notices:" + string.Join(",", history.Notices!.Order(StringComparer.Ordinal));
        if (!_byKey.TryGetValue(key, out var slot))
        {
            slot = _slots.Count;
            _slots.Add(new HistorySlot(slot, history.Match is null ? null : compileMatch(history.Match), history.Notices?.ToArray() ?? []));
            _byKey[key] = slot;
        }

        return new CompiledHistory
        {
            Slot = slot,
            Within = history.Within is { } within && within > 0 ? within : 0,
            AtLeast = Math.Max(1, history.AtLeast ?? 1),
        };
    }

    public SessionPolicy Build(Catalog catalog) => new([.. _slots], catalog.BitOf(ResourceKind.SessionCopy));
}
