using System.Buffers;
using System.Collections.Frozen;
using System.Runtime.InteropServices;
using Guardrails.Actions;
using Guardrails.Classification;
using Guardrails.Policies;

namespace Guardrails.Evaluation;

/// <summary>A rule the index offers for an operation, with the capability bit it is considered under (0: none).</summary>
/// <param name="Rule">The rule.</param>
/// <param name="CapabilityBit">The operation's capability bit the rule was found through, or 0 for a rule without a capability condition.</param>
internal readonly record struct RuleCandidate(CompiledRule Rule, ulong CapabilityBit);

/// <summary>
/// Finds the rules that can possibly match an operation without scanning every rule. Rules are bucketed by operation
/// kind; within a kind, a rule whose condition names something specific — literal program names or name prefixes,
/// path segments, host names or suffixes, text its argument regexes require — is keyed by it and only offered when
/// the operation has it; the remaining rules are bucketed by the capabilities their condition requires. So a policy
/// with 10,000 rules costs about as much as one with 100, globs and regexes included.
/// </summary>
/// <remarks>
/// <see cref="Collect"/> offers candidates in the order the plain capability buckets would: rules without a capability
/// condition first, then by capability bit, each group in policy order; a rule requiring several capabilities is offered
/// under the lowest one the operation has (the unkeyed buckets offer it under each, as they always did). Keys are
/// necessary conditions of the rule's own condition, so the index never hides a rule that matches.
/// </remarks>
internal sealed class RuleIndex
{
    private const int CapabilityBuckets = 64;

    // [kind][bucket] where bucket 0..63 = unkeyed rules requiring that capability bit, 64 = unkeyed rules with no capability condition.
    private readonly CompiledRule[][][] _buckets;
    private readonly KeyedRules?[] _keyed;

    public RuleIndex(IReadOnlyList<CompiledRule> rules)
    {
        var kinds = Enum.GetValues<OperationKind>().Length;
        var keys = ChooseKeys(rules);
        var lists = new List<CompiledRule>[kinds, CapabilityBuckets + 1];
        var keyed = new KeyedRules.Builder?[kinds];
        foreach (var rule in rules)
        {
            var condition = rule.Condition;
            if (condition.HasCapabilities && condition.Capabilities == 0)
            {
                continue; // names only capabilities the classifier never produces: cannot match
            }

            keys.TryGetValue(rule, out var key);
            for (var kind = 0; kind < kinds; kind++)
            {
                if (condition.Operations != 0 && (condition.Operations & (1u << kind)) == 0)
                {
                    continue;
                }

                if (key is not null)
                {
                    (keyed[kind] ??= new KeyedRules.Builder()).Add(rule, key);
                    continue;
                }

                if (!condition.HasCapabilities)
                {
                    (lists[kind, CapabilityBuckets] ??= []).Add(rule);
                    continue;
                }

                for (var bit = 0; bit < CapabilityBuckets; bit++)
                {
                    if ((condition.Capabilities & (1UL << bit)) != 0)
                    {
                        (lists[kind, bit] ??= []).Add(rule);
                    }
                }
            }
        }

        _buckets = new CompiledRule[kinds][][];
        _keyed = new KeyedRules?[kinds];
        for (var kind = 0; kind < kinds; kind++)
        {
            _buckets[kind] = new CompiledRule[CapabilityBuckets + 1][];
            for (var bucket = 0; bucket <= CapabilityBuckets; bucket++)
            {
                _buckets[kind][bucket] = lists[kind, bucket]?.ToArray() ?? [];
            }

            _keyed[kind] = keyed[kind]?.Build();
        }
    }

    /// <summary>
    /// Appends to <paramref name="candidates"/> the rules that may match <paramref name="facts"/>, in consideration
    /// order (see the remarks of <see cref="RuleIndex"/>). Allocates nothing once <paramref name="candidates"/> has grown.
    /// </summary>
    public void Collect(OperationFacts facts, List<RuleCandidate> candidates)
    {
        var kind = (int)facts.Operation.Kind;
        var start = candidates.Count;
        foreach (var rule in _buckets[kind][CapabilityBuckets])
        {
            candidates.Add(new RuleCandidate(rule, 0));
        }

        var capabilities = facts.Capabilities;
        while (capabilities != 0)
        {
            var bit = System.Numerics.BitOperations.TrailingZeroCount(capabilities);
            capabilities &= capabilities - 1;
            foreach (var rule in _buckets[kind][bit])
            {
                candidates.Add(new RuleCandidate(rule, 1UL << bit));
            }
        }

        var unkeyed = candidates.Count;
        _keyed[kind]?.Collect(facts, candidates);
        if (candidates.Count == unkeyed)
        {
            return;
        }

        // Merge the keyed rules into place and drop the ones found through more than one key.
        var span = CollectionsMarshal.AsSpan(candidates)[start..];
        span.Sort(default(ConsiderationOrder));
        var kept = 1;
        for (var i = 1; i < span.Length; i++)
        {
            if (span[i] != span[kept - 1])
            {
                span[kept++] = span[i];
            }
        }

        candidates.RemoveRange(start + kept, span.Length - kept);
    }

    /// <summary>Picks, for each rule that has one, the most selective key its condition offers.</summary>
    private static Dictionary<CompiledRule, RuleKey> ChooseKeys(IReadOnlyList<CompiledRule> rules)
    {
        // A path glob is keyed by one of its literal segments and a regex by one of the literal runs it requires: the
        // one fewest rules share, so that a common directory (home, etc, src) or option (--force) does not gather
        // thousands of rules under one key.
        var use = new Dictionary<string, int>(StringComparer.Ordinal);
        void Count(IEnumerable<string> texts)
        {
            foreach (var text in texts.Distinct(StringComparer.Ordinal))
            {
                use[text] = use.GetValueOrDefault(text) + 1;
            }
        }

        foreach (var rule in rules)
        {
            foreach (var glob in rule.Condition.Paths)
            {
                Count(glob.LiteralSegments());
            }

            foreach (var regex in rule.Condition.Arguments)
            {
                Count(RegexLiterals.RequiredLiterals(regex.ToString(), MinArgumentLiteral));
            }
        }

        var keys = new Dictionary<CompiledRule, RuleKey>(ReferenceEqualityComparer.Instance);
        foreach (var rule in rules)
        {
            if (ChooseKey(rule.Condition, use) is { } key)
            {
                keys[rule] = key;
            }
        }

        return keys;
    }

    /// <summary>The shortest literal a regex rule is keyed by: shorter ones occur in too many texts to narrow anything.</summary>
    private const int MinArgumentLiteral = 2;

    private static string? LeastShared(IEnumerable<string> texts, Dictionary<string, int> use) =>
        texts.OrderBy(t => use[t]).ThenByDescending(t => t.Length).FirstOrDefault();

    private static RuleKey? ChooseKey(CompiledCondition condition, Dictionary<string, int> use)
    {
        if (condition.Predicate is not null)
        {
            return null; // rules built in code may match on anything
        }

        if (condition.ProgramNames is not null || condition.ProgramGlobs.Length > 0)
        {
            var prefixes = condition.ProgramGlobs.Select(g => g.LiteralPrefix).ToArray();
            if (prefixes.All(p => p.Length > 0))
            {
                return new RuleKey(RuleKeyKind.Program, [.. condition.ProgramNames ?? new HashSet<string>()], prefixes);
            }
        }

        if (condition.Paths.Length > 0)
        {
            var segments = new List<string>();
            foreach (var glob in condition.Paths)
            {
                var best = LeastShared(glob.LiteralSegments(), use);
                if (best is null)
                {
                    segments = null;
                    break;
                }

                segments.Add(best);
            }

            if (segments is not null)
            {
                return new RuleKey(RuleKeyKind.PathSegment, [.. segments.Distinct(StringComparer.Ordinal)], []);
            }
        }

        if (condition.Hosts.Length > 0)
        {
            var hosts = condition.Hosts.Select(HostKey).ToArray();
            if (hosts.All(h => h.Length > 0))
            {
                return new RuleKey(RuleKeyKind.Host, [.. hosts.Distinct(StringComparer.Ordinal)], []);
            }
        }

        if (condition.Arguments.Length > 0)
        {
            var literals = condition.Arguments.Select(r => LeastShared(RegexLiterals.RequiredLiterals(r.ToString(), MinArgumentLiteral), use)).ToArray();
            if (literals.All(l => l is not null))
            {
                return new RuleKey(RuleKeyKind.ArgumentText, [.. literals.Distinct(StringComparer.Ordinal).Select(l => l!)], []);
            }
        }

        return null;
    }

    /// <summary>
    /// The key of a host glob: a literal host as it is, otherwise the part of its literal ending from the first dot on
    /// (<c>.example.com</c> for <c>*.example.com</c> or <c>api*.example.com</c>), which is a suffix of every host it
    /// matches that starts at a dot; empty when there is none.
    /// </summary>
    private static string HostKey(CompiledGlob glob)
    {
        if (glob.IsLiteral)
        {
            return glob.Pattern;
        }

        var suffix = glob.LiteralSuffix();
        var dot = suffix.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? string.Empty : suffix[dot..];
    }

    private enum RuleKeyKind
    {
        Program,
        PathSegment,
        Host,
        ArgumentText,
    }

    /// <summary>What a rule is keyed by: its values (names, segments, hosts or literals) and, for programs, name prefixes.</summary>
    private sealed record RuleKey(RuleKeyKind Kind, string[] Values, string[] Prefixes);

    /// <summary>The order the capability buckets consider rules in: no capability first, then by bit, then policy order.</summary>
    private readonly struct ConsiderationOrder : IComparer<RuleCandidate>
    {
        public int Compare(RuleCandidate x, RuleCandidate y)
        {
            var byGroup = Group(x.CapabilityBit).CompareTo(Group(y.CapabilityBit));
            return byGroup != 0 ? byGroup : x.Rule.Index.CompareTo(y.Rule.Index);
        }

        private static int Group(ulong bit) => bit == 0 ? -1 : System.Numerics.BitOperations.TrailingZeroCount(bit);
    }

    /// <summary>The keyed rules of one operation kind.</summary>
    private sealed class KeyedRules
    {
        private readonly Lookup _programs;
        private readonly Lookup _programPrefixes;
        private readonly int[] _programPrefixLengths;
        private readonly Lookup _pathSegments;
        private readonly Lookup _hosts;
        private readonly Lookup _argumentLiterals;
        private readonly int[] _argumentLiteralLengths;
        private readonly SearchValues<string>? _argumentSearch;

        private KeyedRules(Builder builder)
        {
            _programs = new Lookup(builder.Programs);
            _programPrefixes = new Lookup(builder.ProgramPrefixes);
            _programPrefixLengths = [.. builder.ProgramPrefixes.Keys.Select(k => k.Length).Distinct().Order()];
            _pathSegments = new Lookup(builder.PathSegments);
            _hosts = new Lookup(builder.Hosts);
            _argumentLiterals = new Lookup(builder.ArgumentLiterals);
            _argumentLiteralLengths = [.. builder.ArgumentLiterals.Keys.Select(k => k.Length).Distinct().Order()];
            _argumentSearch = builder.ArgumentLiterals.Count == 0 ? null : SearchValues.Create([.. builder.ArgumentLiterals.Keys], StringComparison.Ordinal);
        }

        public void Collect(OperationFacts facts, List<RuleCandidate> candidates)
        {
            if (facts.ProgramName is { Length: > 0 } program)
            {
                _programs.Add(program, facts, candidates);
                foreach (var length in _programPrefixLengths)
                {
                    if (length > program.Length)
                    {
                        break;
                    }

                    _programPrefixes.Add(program.AsSpan(0, length), facts, candidates);
                }
            }

            if (!_pathSegments.IsEmpty)
            {
                foreach (var path in facts.Paths)
                {
                    // Every segment, split exactly as globs split text (empty segments included, which no key has).
                    var rest = path.AsSpan();
                    while (true)
                    {
                        var slash = rest.IndexOf('/');
                        _pathSegments.Add(slash < 0 ? rest : rest[..slash], facts, candidates);
                        if (slash < 0)
                        {
                            break;
                        }

                        rest = rest[(slash + 1)..];
                    }
                }
            }

            if (!_hosts.IsEmpty && facts.Host is { Length: > 0 } host)
            {
                Span<char> buffer = host.Length <= 256 ? stackalloc char[host.Length] : new char[host.Length];
                host.AsSpan().ToLowerInvariant(buffer);
                _hosts.Add(buffer, facts, candidates);
                for (var dot = buffer.IndexOf('.'); dot >= 0; dot = buffer.Slice(dot + 1).IndexOf('.') is var next and >= 0 ? dot + 1 + next : -1)
                {
                    _hosts.Add(buffer[dot..], facts, candidates);
                }
            }

            if (_argumentSearch is not null && facts.ArgumentText is { Length: > 0 } text)
            {
                var offset = 0;
                while (offset < text.Length && text.AsSpan(offset).IndexOfAny(_argumentSearch) is var found and >= 0)
                {
                    var at = offset + found;
                    foreach (var length in _argumentLiteralLengths)
                    {
                        if (at + length <= text.Length)
                        {
                            _argumentLiterals.Add(text.AsSpan(at, length), facts, candidates);
                        }
                    }

                    offset = at + 1;
                }
            }
        }

        /// <summary>Collects rules by key while the index is built.</summary>
        public sealed class Builder
        {
            public Dictionary<string, List<CompiledRule>> Programs { get; } = new(StringComparer.Ordinal);

            public Dictionary<string, List<CompiledRule>> ProgramPrefixes { get; } = new(StringComparer.Ordinal);

            public Dictionary<string, List<CompiledRule>> PathSegments { get; } = new(StringComparer.Ordinal);

            public Dictionary<string, List<CompiledRule>> Hosts { get; } = new(StringComparer.Ordinal);

            public Dictionary<string, List<CompiledRule>> ArgumentLiterals { get; } = new(StringComparer.Ordinal);

            public void Add(CompiledRule rule, RuleKey key)
            {
                var target = key.Kind switch
                {
                    RuleKeyKind.Program => Programs,
                    RuleKeyKind.PathSegment => PathSegments,
                    RuleKeyKind.Host => Hosts,
                    _ => ArgumentLiterals,
                };
                foreach (var value in key.Values)
                {
                    AddTo(target, value, rule);
                }

                foreach (var prefix in key.Prefixes)
                {
                    AddTo(ProgramPrefixes, prefix, rule);
                }
            }

            public KeyedRules Build() => new(this);

            private static void AddTo(Dictionary<string, List<CompiledRule>> target, string key, CompiledRule rule)
            {
                if (!target.TryGetValue(key, out var list))
                {
                    target[key] = list = [];
                }

                if (list.Count == 0 || !ReferenceEquals(list[^1], rule))
                {
                    list.Add(rule);
                }
            }
        }

        /// <summary>Rules by key text, looked up by span without allocating.</summary>
        private readonly struct Lookup
        {
            private readonly FrozenDictionary<string, CompiledRule[]>.AlternateLookup<ReadOnlySpan<char>> _lookup;

            public Lookup(Dictionary<string, List<CompiledRule>> rules)
            {
                IsEmpty = rules.Count == 0;
                _lookup = rules.ToFrozenDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal)
                    .GetAlternateLookup<ReadOnlySpan<char>>();
            }

            public bool IsEmpty { get; }

            /// <summary>Adds the rules under <paramref name="key"/> whose capability condition the operation meets.</summary>
            public void Add(ReadOnlySpan<char> key, OperationFacts facts, List<RuleCandidate> candidates)
            {
                if (IsEmpty || !_lookup.TryGetValue(key, out var rules))
                {
                    return;
                }

                foreach (var rule in rules)
                {
                    var condition = rule.Condition;
                    if (!condition.HasCapabilities)
                    {
                        candidates.Add(new RuleCandidate(rule, 0));
                    }
                    else if ((condition.Capabilities & facts.Capabilities) is var shared and not 0)
                    {
                        candidates.Add(new RuleCandidate(rule, shared & (~shared + 1)));
                    }
                }
            }
        }
    }
}
