using System.Collections.Frozen;

namespace Guardrails.Policies;

/// <summary>
/// Many path globs matched as one: whether any of them matches a text, without trying each. Literal patterns are one
/// set lookup; a glob with a literal segment (<c>/home/*/.ssh/id_*</c> has <c>home</c> and <c>.ssh</c>) is only tried
/// when the text has that segment — the one fewest globs of the set share is used — and only the rest is tried on
/// every text. Immutable and thread-safe; matching allocates nothing.
/// </summary>
internal sealed class GlobSet
{
    private readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _literals;
    private readonly FrozenDictionary<string, CompiledGlob[]>.AlternateLookup<ReadOnlySpan<char>> _bySegment;
    private readonly CompiledGlob[] _others;
    private readonly bool _hasLiterals;
    private readonly bool _hasSegments;

    public GlobSet(IReadOnlyList<CompiledGlob> globs)
    {
        Globs = globs;
        var literals = new HashSet<string>(StringComparer.Ordinal);
        var use = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var glob in globs)
        {
            foreach (var segment in glob.LiteralSegments().Distinct(StringComparer.Ordinal))
            {
                use[segment] = use.GetValueOrDefault(segment) + 1;
            }
        }

        var bySegment = new Dictionary<string, List<CompiledGlob>>(StringComparer.Ordinal);
        var others = new List<CompiledGlob>();
        foreach (var glob in globs)
        {
            if (glob.IsLiteral)
            {
                literals.Add(glob.Pattern);
                continue;
            }

            var key = glob.LiteralSegments().OrderBy(s => use[s]).ThenByDescending(s => s.Length).FirstOrDefault();
            if (key is null)
            {
                others.Add(glob);
                continue;
            }

            if (!bySegment.TryGetValue(key, out var list))
            {
                bySegment[key] = list = [];
            }

            list.Add(glob);
        }

        _hasLiterals = literals.Count > 0;
        _hasSegments = bySegment.Count > 0;
        _literals = literals.ToFrozenSet(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
        _bySegment = bySegment.ToFrozenDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
        _others = [.. others];
    }

    /// <summary>Gets the globs of the set, in the order given.</summary>
    public IReadOnlyList<CompiledGlob> Globs { get; }

    /// <summary>Gets the number of globs.</summary>
    public int Count => Globs.Count;

    /// <summary>Determines whether any glob of the set matches the whole of <paramref name="text"/>.</summary>
    public bool IsMatch(ReadOnlySpan<char> text)
    {
        if (_hasLiterals && _literals.Contains(text))
        {
            return true;
        }

        if (_hasSegments)
        {
            // Every segment of the text, split as globs split it.
            var rest = text;
            while (true)
            {
                var slash = rest.IndexOf('/');
                if (_bySegment.TryGetValue(slash < 0 ? rest : rest[..slash], out var globs))
                {
                    foreach (var glob in globs)
                    {
                        if (glob.IsMatch(text))
                        {
                            return true;
                        }
                    }
                }

                if (slash < 0)
                {
                    break;
                }

                rest = rest[(slash + 1)..];
            }
        }

        foreach (var glob in _others)
        {
            if (glob.IsMatch(text))
            {
                return true;
            }
        }

        return false;
    }
}
