namespace Guardrails.Shell;

/// <summary>
/// Maps spans of a piece of code being analysed back to the tool-call argument it came from. Code that appears
/// verbatim in the argument (a single-quoted <c>bash -c '…'</c> body) maps by offset; code that was decoded or
/// unescaped on the way (base64, double-quote escapes) maps every span to the span of where it came from.
/// </summary>
internal readonly record struct SpanMap(int Offset, TextSpan? Fixed)
{
    public static SpanMap Identity => new(0, null);

    public TextSpan Map(TextSpan span) => Fixed ?? new TextSpan(span.Start + Offset, span.Length);

    /// <summary>Chooses the map for <paramref name="code"/> found at <paramref name="span"/> of <paramref name="source"/>.</summary>
    public static SpanMap For(string? source, string code, TextSpan span)
    {
        if (source is not null && span.Start >= 0 && span.End <= source.Length)
        {
            var covered = source.AsSpan(span.Start, span.Length);
            if (covered.SequenceEqual(code))
            {
                return new SpanMap(span.Start, null);
            }

            if (covered.Length == code.Length + 2 && covered[0] is '\'' or '"' && covered[^1] == covered[0] && covered[1..^1].SequenceEqual(code))
            {
                return new SpanMap(span.Start + 1, null);
            }

            var index = covered.IndexOf(code, StringComparison.Ordinal);
            if (index >= 0 && code.Length > 0)
            {
                return new SpanMap(span.Start + index, null);
            }
        }

        return new SpanMap(0, span);
    }
}
