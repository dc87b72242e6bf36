using System.Diagnostics.CodeAnalysis;

namespace Guardrails.Policies;

// Policies match paths, program names and hosts with globs. Matching runs on the decision hot path, so a pattern is
// parsed once into segment tokens and matched with the two-pointer wildcard algorithm twice over: inside a segment for
// '*', and across segments for '**'. Only the most recent star is ever revisited, so matching is polynomial
// (O(text × pattern) at worst, linear in practice), never exponential, and it allocates nothing.
//
// Syntax: '*' any run of characters except '/'; '**' as a whole segment any number of segments including none
// ('/a/**' matches '/a' and everything below it); '**' inside a segment is a plain '*' (as in .gitignore); '?' one
// character except '/'; '[abc]', '[a-z]', '[!x]' or '[^x]' one character of (or not of) the set, never '/'; a ']'
// right after '[' or '[!' is a member. Everything else is literal and compared ordinally, case-sensitively.
internal static class Glob
{
    /// <summary>Checks a pattern without keeping the compiled form, for validation messages.</summary>
    public static bool IsValid(string pattern, [NotNullWhen(false)] out string? error) =>
        CompiledGlob.TryParse(pattern, out _, out error);

    /// <summary>Compiles a pattern that is known to be valid.</summary>
    /// <exception cref="ArgumentException">The pattern is not a valid glob.</exception>
    public static CompiledGlob Compile(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        return CompiledGlob.TryParse(pattern, out var glob, out var error)
            ? glob
            : throw new ArgumentException($"Invalid glob '{pattern}': {error}.", nameof(pattern));
    }

    public static bool TryCompile(string pattern, [NotNullWhen(true)] out CompiledGlob? glob, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        return CompiledGlob.TryParse(pattern, out glob, out error);
    }

    /// <summary>Returns the index of the first wildcard character, or -1 for a literal pattern.</summary>
    public static int IndexOfWildcard(ReadOnlySpan<char> pattern) => pattern.IndexOfAny('*', '?', '[');
}

/// <summary>An immutable, thread-safe compiled glob; see <see cref="Glob"/> for the syntax.</summary>
internal sealed class CompiledGlob
{
    [ThreadStatic]
    private static ParseScratch? t_scratch;

    private readonly Segment[] _segments;
    private readonly Token[] _tokens;
    private readonly char[] _ranges;

    private CompiledGlob(string pattern, Segment[] segments, Token[] tokens, char[] ranges)
    {
        Pattern = pattern;
        _segments = segments;
        _tokens = tokens;
        _ranges = ranges;
        var wildcard = Glob.IndexOfWildcard(pattern);
        IsLiteral = wildcard < 0;
        LiteralPrefix = IsLiteral ? pattern : pattern[..wildcard];
    }

    private enum TokenKind : byte
    {
        Char,
        AnyChar,
        Star,
        Class,
        NegatedClass,
    }

    /// <summary>Gets the pattern the glob was compiled from.</summary>
    public string Pattern { get; }

    /// <summary>Gets the text before the first wildcard (for example <c>/models/</c> for <c>/models/**</c>), for prefix indexes.</summary>
    public string LiteralPrefix { get; }

    /// <summary>Gets a value indicating whether the pattern has no wildcard, so that it matches only itself.</summary>
    public bool IsLiteral { get; }

    /// <summary>Determines whether the whole of <paramref name="text"/> matches the pattern.</summary>
    public bool IsMatch(ReadOnlySpan<char> text)
    {
        if (IsLiteral)
        {
            return text.SequenceEqual(Pattern);
        }

        // Text segments are addressed by the index of their first character; text.Length + 1 is "past the end".
        var segments = _segments;
        var p = 0;
        var start = 0;
        var starP = -1;
        var starStart = 0;
        while (start <= text.Length)
        {
            if (p < segments.Length && !segments[p].IsGlobstar && MatchSegment(segments[p], text[start..SegmentEnd(text, start)]))
            {
                p++;
                start = SegmentEnd(text, start) + 1;
            }
            else if (p < segments.Length && segments[p].IsGlobstar)
            {
                starP = p++;
                starStart = start;
            }
            else if (starP >= 0)
            {
                // Let the last '**' swallow one more text segment and retry from just after it.
                p = starP + 1;
                starStart = SegmentEnd(text, starStart) + 1;
                start = starStart;
            }
            else
            {
                return false;
            }
        }

        while (p < segments.Length && segments[p].IsGlobstar)
        {
            p++;
        }

        return p == segments.Length;
    }

    /// <inheritdoc />
    public override string ToString() => Pattern;

    /// <summary>
    /// Gets the path segments of the pattern that hold no wildcard (for <c>/data/*/x/**</c>: <c>data</c> and <c>x</c>).
    /// Every text the pattern matches has each of them as one of its own segments, which is what rule indexes key on.
    /// </summary>
    public IEnumerable<string> LiteralSegments()
    {
        var start = 0;
        foreach (var segment in _segments)
        {
            var end = Pattern.IndexOf('/', start);
            end = end < 0 ? Pattern.Length : end;
            var literal = !segment.IsGlobstar && segment.TokenCount > 0;
            for (var t = segment.TokenStart; literal && t < segment.TokenStart + segment.TokenCount; t++)
            {
                literal = _tokens[t].Kind == TokenKind.Char;
            }

            if (literal)
            {
                yield return Pattern[start..end];
            }

            start = end + 1;
        }
    }

    /// <summary>
    /// Gets the literal text after the last wildcard of a single-segment pattern (<c>.example.com</c> for
    /// <c>*.example.com</c>; the whole pattern when it is literal), which every match ends with; empty when the pattern
    /// ends with a wildcard or spans several segments.
    /// </summary>
    public string LiteralSuffix()
    {
        if (IsLiteral)
        {
            return Pattern;
        }

        if (_segments.Length != 1 || _segments[0].IsGlobstar)
        {
            return string.Empty;
        }

        var segment = _segments[0];
        var first = segment.TokenStart + segment.TokenCount;
        while (first > segment.TokenStart && _tokens[first - 1].Kind == TokenKind.Char)
        {
            first--;
        }

        var chars = new char[segment.TokenStart + segment.TokenCount - first];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = _tokens[first + i].Char;
        }

        return new string(chars);
    }

    internal static bool TryParse(string? pattern, [NotNullWhen(true)] out CompiledGlob? glob, [NotNullWhen(false)] out string? error)
    {
        glob = null;
        if (string.IsNullOrEmpty(pattern))
        {
            error = "the pattern is empty";
            return false;
        }

        if (Glob.IndexOfWildcard(pattern) < 0)
        {
            // A literal matches only itself (IsMatch compares it whole), so it needs no tokens: most catalog paths are
            // literals, and loading the default policy compiles over a thousand globs.
            glob = new CompiledGlob(pattern, [], [], []);
            error = null;
            return true;
        }

        // The lists are per-thread scratch space, so that parsing allocates only the final arrays.
        var scratch = t_scratch ??= new ParseScratch();
        var (segments, tokens, ranges) = (scratch.Segments, scratch.Tokens, scratch.Ranges);
        segments.Clear();
        tokens.Clear();
        ranges.Clear();
        var segmentStart = 0;
        while (segmentStart <= pattern.Length)
        {
            var slash = pattern.IndexOf('/', segmentStart);
            var segmentEnd = slash < 0 ? pattern.Length : slash;
            var text = pattern.AsSpan(segmentStart, segmentEnd - segmentStart);
            if (text.SequenceEqual("**"))
            {
                // Consecutive '**' segments mean the same as one.
                if (segments.Count == 0 || !segments[^1].IsGlobstar)
                {
                    segments.Add(new Segment(0, 0, IsGlobstar: true));
                }
            }
            else if (!TryParseSegment(text, segmentStart, tokens, ranges, out var segment, out error))
            {
                return false;
            }
            else
            {
                segments.Add(segment);
            }

            segmentStart = segmentEnd + 1;
        }

        glob = new CompiledGlob(pattern, [.. segments], [.. tokens], [.. ranges]);
        error = null;
        return true;
    }

    private static bool TryParseSegment(
        ReadOnlySpan<char> text, int offset, List<Token> tokens, List<char> ranges, out Segment segment, [NotNullWhen(false)] out string? error)
    {
        var first = tokens.Count;
        segment = default;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '*':
                    // Runs of '*' inside a segment behave like one.
                    if (tokens.Count == first || tokens[^1].Kind != TokenKind.Star)
                    {
                        tokens.Add(new Token(TokenKind.Star, '\0', 0, 0));
                    }

                    break;
                case '?':
                    tokens.Add(new Token(TokenKind.AnyChar, '\0', 0, 0));
                    break;
                case '[':
                    var j = i + 1;
                    var negated = j < text.Length && (text[j] == '!' || text[j] == '^');
                    if (negated)
                    {
                        j++;
                    }

                    var rangeStart = ranges.Count;
                    var closed = false;
                    for (var member = 0; j < text.Length; member++, j++)
                    {
                        if (text[j] == ']' && member > 0)
                        {
                            closed = true;
                            break;
                        }

                        var low = text[j];
                        var high = low;
                        if (j + 2 < text.Length && text[j + 1] == '-' && text[j + 2] != ']')
                        {
                            high = text[j + 2];
                            j += 2;
                            if (high < low)
                            {
                                error = $"the range '{low}-{high}' at position {offset + j - 1} is reversed";
                                return false;
                            }
                        }

                        ranges.Add(low);
                        ranges.Add(high);
                    }

                    if (!closed)
                    {
                        // A '/' ends the segment, so "[a/b]" also lands here: classes never match '/'.
                        error = $"the character class at position {offset + i} has no closing ']' before the end of its path segment";
                        return false;
                    }

                    tokens.Add(new Token(negated ? TokenKind.NegatedClass : TokenKind.Class, '\0', rangeStart, ranges.Count - rangeStart));
                    i = j;
                    break;
                default:
                    tokens.Add(new Token(TokenKind.Char, c, 0, 0));
                    break;
            }
        }

        segment = new Segment(first, tokens.Count - first, IsGlobstar: false);
        error = null;
        return true;
    }

    private static int SegmentEnd(ReadOnlySpan<char> text, int start)
    {
        if (start >= text.Length)
        {
            return text.Length;
        }

        var slash = text[start..].IndexOf('/');
        return slash < 0 ? text.Length : start + slash;
    }

    private bool MatchSegment(Segment segment, ReadOnlySpan<char> text)
    {
        var tokens = _tokens.AsSpan(segment.TokenStart, segment.TokenCount);
        var t = 0;
        var p = 0;
        var starP = -1;
        var starT = 0;
        while (t < text.Length)
        {
            if (p < tokens.Length && tokens[p].Kind != TokenKind.Star && MatchChar(tokens[p], text[t]))
            {
                p++;
                t++;
            }
            else if (p < tokens.Length && tokens[p].Kind == TokenKind.Star)
            {
                starP = p++;
                starT = t;
            }
            else if (starP >= 0)
            {
                p = starP + 1;
                t = ++starT;
            }
            else
            {
                return false;
            }
        }

        while (p < tokens.Length && tokens[p].Kind == TokenKind.Star)
        {
            p++;
        }

        return p == tokens.Length;
    }

    private bool MatchChar(in Token token, char c)
    {
        switch (token.Kind)
        {
            case TokenKind.Char:
                return token.Char == c;
            case TokenKind.AnyChar:
                return true;
            default:
                var inSet = false;
                var ranges = _ranges.AsSpan(token.RangeStart, token.RangeLength);
                for (var i = 0; i < ranges.Length; i += 2)
                {
                    if (c >= ranges[i] && c <= ranges[i + 1])
                    {
                        inSet = true;
                        break;
                    }
                }

                return inSet != (token.Kind == TokenKind.NegatedClass);
        }
    }

    private readonly record struct Segment(int TokenStart, int TokenCount, bool IsGlobstar);

    private sealed class ParseScratch
    {
        public List<Segment> Segments { get; } = [];

        public List<Token> Tokens { get; } = [];

        public List<char> Ranges { get; } = [];
    }

    private readonly record struct Token(TokenKind Kind, char Char, int RangeStart, int RangeLength);
}
