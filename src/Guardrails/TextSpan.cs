namespace Guardrails;

/// <summary>
/// Identifies a contiguous range of characters in a piece of tool-call input, so that a finding can point at the
/// exact text that caused it.
/// </summary>
/// <param name="Start">The zero-based index of the first character.</param>
/// <param name="Length">The number of characters.</param>
public readonly record struct TextSpan(int Start, int Length)
{
    /// <summary>Gets the zero-based index just past the last character of the span.</summary>
    public int End => Start + Length;

    /// <summary>Gets an empty span at position zero, used when no position in the input is known.</summary>
    public static TextSpan Empty => default;

    /// <summary>Creates a span that covers both <paramref name="first"/> and <paramref name="second"/>.</summary>
    /// <param name="first">The first span.</param>
    /// <param name="second">The second span.</param>
    /// <returns>The smallest span that contains both spans.</returns>
    public static TextSpan Union(TextSpan first, TextSpan second)
    {
        var start = Math.Min(first.Start, second.Start);
        return new TextSpan(start, Math.Max(first.End, second.End) - start);
    }

    /// <summary>Returns the text the span covers, clamped to the bounds of <paramref name="source"/>.</summary>
    /// <param name="source">The input the span refers to.</param>
    /// <returns>The covered text, or an empty string when the span lies outside <paramref name="source"/>.</returns>
    public string Slice(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var start = Math.Clamp(Start, 0, source.Length);
        var end = Math.Clamp(End, start, source.Length);
        return source[start..end];
    }

    /// <inheritdoc />
    public override string ToString() => $"[{Start}..{End})";
}
