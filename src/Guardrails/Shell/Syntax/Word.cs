using System.Text;

namespace Guardrails.Shell.Syntax;

/// <summary>
/// One shell word as the parser saw it: a sequence of parts (literal text, quoted strings, expansions, globs,
/// brace expansions). The span includes the quotes. Quote removal is already applied to the literal parts, so
/// <c>c''p</c>, <c>\cp</c> and <c>$'\x63\x70'</c> all yield the static text <c>cp</c>.
/// </summary>
internal sealed class Word : Node
{
    public Word(IReadOnlyList<WordPart> parts, TextSpan span)
        : base(span) => Parts = parts;

    /// <summary>Gets the parts in source order.</summary>
    public IReadOnlyList<WordPart> Parts { get; }

    /// <inheritdoc />
    public override IEnumerable<Node> Children => Parts;

    /// <summary>
    /// Gets the text of the word when it is fully known before execution: only literal, single-quoted, ANSI-C quoted
    /// and double-quoted literal parts; no expansion, glob or brace expansion.
    /// </summary>
    /// <param name="text">The quote-removed text, or the empty string when the word is not static.</param>
    /// <returns><see langword="true"/> when the word is static.</returns>
    public bool TryGetStaticText(out string text)
    {
        if (Parts.Count == 1 && Parts[0] is LiteralPart { Text: var literal })
        {
            text = literal;
            return true;
        }

        var builder = new StringBuilder();
        foreach (var part in Parts)
        {
            if (!AppendStatic(part, builder))
            {
                text = string.Empty;
                return false;
            }
        }

        text = builder.ToString();
        return true;
    }

    /// <summary>
    /// Renders the word for messages: static parts quote-removed, dynamic parts in a normalized shell spelling
    /// (<c>$HOME/x</c>, <c>$(cmd …)</c>, <c>{a,b}</c>).
    /// </summary>
    /// <returns>The display text.</returns>
    public string ToDisplayText() => SyntaxPrinter.Print(this);

    private static bool AppendStatic(WordPart part, StringBuilder builder)
    {
        switch (part)
        {
            case LiteralPart literal:
                builder.Append(literal.Text);
                return true;
            case SingleQuotedPart single:
                builder.Append(single.Text);
                return true;
            case AnsiCQuotedPart ansi:
                builder.Append(ansi.Text);
                return true;
            case DoubleQuotedPart dq:
                return AppendStaticInner(dq.Parts, builder);
            case LocaleQuotedPart locale:
                return AppendStaticInner(locale.Parts, builder);
            default:
                return false;
        }
    }

    private static bool AppendStaticInner(IReadOnlyList<WordPart> parts, StringBuilder builder)
    {
        // Double-quoted content only ever holds literal text and expansions, never nested quotes.
        foreach (var inner in parts)
        {
            if (inner is not LiteralPart literal)
            {
                return false;
            }

            builder.Append(literal.Text);
        }

        return true;
    }
}

/// <summary>Base of the parts a <see cref="Word"/> is made of.</summary>
internal abstract class WordPart : Node
{
    private protected WordPart(TextSpan span)
        : base(span)
    {
    }

    /// <inheritdoc />
    public override IEnumerable<Node> Children => [];
}

/// <summary>Unquoted text after backslash-escape removal (<c>\c</c> → <c>c</c>, <c>\&lt;newline&gt;</c> removed).</summary>
/// <remarks>
/// A literal is also the one-element list of parts of a word that is nothing but it (the most common word by far), so
/// such a word needs no separate list object: large inputs are mostly words like that.
/// </remarks>
internal sealed class LiteralPart : WordPart, IReadOnlyList<WordPart>
{
    public LiteralPart(string text, bool hadEscape, TextSpan span)
        : base(span)
    {
        Text = text;
        HadEscape = hadEscape;
    }

    /// <summary>Gets the text.</summary>
    public string Text { get; }

    /// <summary>Gets a value indicating whether a backslash escape or line continuation was removed (a hint of obfuscation).</summary>
    public bool HadEscape { get; }

    int IReadOnlyCollection<WordPart>.Count => 1;

    WordPart IReadOnlyList<WordPart>.this[int index] => index == 0 ? this : throw new ArgumentOutOfRangeException(nameof(index));

    IEnumerator<WordPart> IEnumerable<WordPart>.GetEnumerator()
    {
        yield return this;
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => ((IEnumerable<WordPart>)this).GetEnumerator();
}

/// <summary><c>'text'</c>.</summary>
internal sealed class SingleQuotedPart : WordPart
{
    public SingleQuotedPart(string text, TextSpan span)
        : base(span) => Text = text;

    /// <summary>Gets the text between the quotes.</summary>
    public string Text { get; }
}

/// <summary><c>$'text'</c> with its escapes decoded (<c>\x63</c>, <c>\n</c>, <c>\0NN</c>, <c>\uXXXX</c>, <c>\cX</c> …).</summary>
internal sealed class AnsiCQuotedPart : WordPart
{
    public AnsiCQuotedPart(string text, TextSpan span)
        : base(span) => Text = text;

    /// <summary>Gets the decoded text, cut at the first NUL as bash does.</summary>
    public string Text { get; }
}

/// <summary><c>$"text"</c>: a double-quoted string subject to locale translation.</summary>
internal sealed class LocaleQuotedPart : WordPart
{
    public LocaleQuotedPart(IReadOnlyList<WordPart> parts, TextSpan span)
        : base(span) => Parts = parts;

    /// <summary>Gets the literal text and expansions inside the quotes.</summary>
    public IReadOnlyList<WordPart> Parts { get; }

    /// <inheritdoc />
    public override IEnumerable<Node> Children => Parts;
}

/// <summary><c>"text"</c>: literal text (escapes processed) and expansions.</summary>
internal sealed class DoubleQuotedPart : WordPart
{
    public DoubleQuotedPart(IReadOnlyList<WordPart> parts, TextSpan span)
        : base(span) => Parts = parts;

    /// <summary>Gets the literal text and expansions inside the quotes.</summary>
    public IReadOnlyList<WordPart> Parts { get; }

    /// <inheritdoc />
    public override IEnumerable<Node> Children => Parts;
}

/// <summary>
/// <c>$x</c>, <c>${x}</c>, <c>${#x}</c>, <c>${!x}</c>, <c>${x:-word}</c>, <c>${a[1]}</c>, the specials <c>$@ $* $# $? $$ $! $- $0</c>
/// and positionals.
/// </summary>
internal sealed class ParameterExpansionPart : WordPart
{
    public ParameterExpansionPart(string name, string? @operator, Word? argument, bool braced, bool length, bool indirect, TextSpan span)
        : base(span)
    {
        Name = name;
        Operator = @operator;
        Argument = argument;
        Braced = braced;
        Length = length;
        Indirect = indirect;
    }

    /// <summary>Gets the parameter name, including an index as written (<c>a[1]</c>).</summary>
    public string Name { get; }

    /// <summary>Gets the raw operator text (<c>:-</c>, <c>##</c>, <c>//</c>, <c>:</c>, <c>@</c> …), if any.</summary>
    public string? Operator { get; }

    /// <summary>Gets the word after the operator, if any; it may itself contain expansions.</summary>
    public Word? Argument { get; }

    /// <summary>Gets a value indicating whether braces were used.</summary>
    public bool Braced { get; }

    /// <summary>Gets a value indicating whether this is <c>${#x}</c>.</summary>
    public bool Length { get; }

    /// <summary>Gets a value indicating whether this is an indirect expansion <c>${!x}</c>.</summary>
    public bool Indirect { get; }

    /// <summary>Gets the expansions inside the index of <see cref="Name"/> (<c>${a[$(cmd)]}</c> runs <c>cmd</c>).</summary>
    public IReadOnlyList<WordPart> Expansions { get; init; } = [];

    /// <inheritdoc />
    public override IEnumerable<Node> Children => Argument is null ? Expansions : [.. Expansions, Argument];
}

/// <summary><c>$(list)</c> or <c>`list`</c>; the body is parsed recursively.</summary>
internal sealed class CommandSubstitutionPart : WordPart
{
    public CommandSubstitutionPart(CommandList body, bool backquoted, TextSpan span)
        : base(span)
    {
        Body = body;
        Backquoted = backquoted;
    }

    /// <summary>
    /// Gets the commands run. For backquotes the body was parsed from the un-escaped inner text; its spans are mapped
    /// back into the original source and always lie inside the backquotes.
    /// </summary>
    public CommandList Body { get; }

    /// <summary>Gets a value indicating whether the legacy backquote form was used.</summary>
    public bool Backquoted { get; }

    /// <inheritdoc />
    public override IEnumerable<Node> Children
    {
        get { yield return Body; }
    }
}

/// <summary><c>$(( expression ))</c> or the legacy <c>$[ expression ]</c>. The expression is the raw source text.</summary>
internal sealed class ArithmeticExpansionPart : WordPart
{
    public ArithmeticExpansionPart(string expression, TextSpan span)
        : base(span) => Expression = expression;

    /// <summary>Gets the raw expression text.</summary>
    public string Expression { get; }

    /// <summary>Gets the expansions found inside the expression; bash performs them (a <c>$(cmd)</c> there runs).</summary>
    public IReadOnlyList<WordPart> Expansions { get; init; } = [];

    /// <inheritdoc />
    public override IEnumerable<Node> Children => Expansions;
}

/// <summary><c>&lt;(list)</c> or <c>&gt;(list)</c>.</summary>
internal sealed class ProcessSubstitutionPart : WordPart
{
    public ProcessSubstitutionPart(CommandList body, bool isInput, TextSpan span)
        : base(span)
    {
        Body = body;
        IsInput = isInput;
    }

    /// <summary>Gets the commands run.</summary>
    public CommandList Body { get; }

    /// <summary>Gets a value indicating whether this is <c>&lt;(…)</c> (the command's output is read).</summary>
    public bool IsInput { get; }

    /// <inheritdoc />
    public override IEnumerable<Node> Children
    {
        get { yield return Body; }
    }
}

/// <summary><c>{a,b,c}</c>: only when bash would expand it (unquoted, balanced, with a top-level comma).</summary>
internal sealed class BraceExpansionPart : WordPart
{
    public BraceExpansionPart(IReadOnlyList<Word> alternatives, TextSpan span)
        : base(span) => Alternatives = alternatives;

    /// <summary>Gets the alternatives; each may contain nested brace expansions.</summary>
    public IReadOnlyList<Word> Alternatives { get; }

    /// <inheritdoc />
    public override IEnumerable<Node> Children => Alternatives;
}

/// <summary><c>{1..5}</c>, <c>{a..e}</c> or <c>{1..10..2}</c>.</summary>
internal sealed class BraceRangePart : WordPart
{
    public BraceRangePart(string from, string to, string? step, TextSpan span)
        : base(span)
    {
        From = from;
        To = to;
        Step = step;
    }

    /// <summary>Gets the first bound.</summary>
    public string From { get; }

    /// <summary>Gets the second bound.</summary>
    public string To { get; }

    /// <summary>Gets the increment, if given.</summary>
    public string? Step { get; }
}

/// <summary><c>~</c> or <c>~user</c> at the start of a word (or after <c>=</c> / <c>:</c> in an assignment value).</summary>
internal sealed class TildePart : WordPart
{
    public TildePart(string user, TextSpan span)
        : base(span) => User = user;

    /// <summary>Gets the user name; empty for the current user's home.</summary>
    public string User { get; }
}

/// <summary>
/// Unquoted pattern characters (<c>*</c>, <c>?</c>, <c>[…]</c>) or extglob operators (<c>@(</c>, <c>|</c>, <c>)</c> …);
/// their presence means bash will match the word against file names.
/// </summary>
internal sealed class GlobPart : WordPart
{
    public GlobPart(string pattern, TextSpan span)
        : base(span) => Pattern = pattern;

    /// <summary>Gets the pattern characters.</summary>
    public string Pattern { get; }
}
