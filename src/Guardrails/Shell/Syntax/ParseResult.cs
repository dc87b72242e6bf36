namespace Guardrails.Shell.Syntax;

/// <summary>
/// Resource limits of <see cref="BashParser"/>. The input is written by the agent being checked, so every dimension
/// that could make parsing slow or deep is bounded; hitting a limit yields an incomplete result, never an exception.
/// </summary>
internal sealed record ParserLimits
{
    /// <summary>Gets the default limits.</summary>
    public static ParserLimits Default { get; } = new();

    /// <summary>Gets the longest source, in characters, that is parsed at all.</summary>
    public int MaxLength { get; init; } = 1_048_576;

    /// <summary>Gets the deepest nesting of compound commands, substitutions, quotes and brace expansions.</summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>Gets the largest number of syntax nodes built before parsing stops.</summary>
    public int MaxNodes { get; init; } = 200_000;
}

/// <summary>What kind of problem a <see cref="ParseDiagnostic"/> reports.</summary>
internal enum ParseDiagnosticKind
{
    /// <summary>The source is not valid bash (bash would refuse to run it, at least in part).</summary>
    SyntaxError,

    /// <summary>A quote, substitution or expansion is not closed before the end of input.</summary>
    UnterminatedQuote,

    /// <summary>A here-document delimiter line was never found.</summary>
    UnterminatedHereDoc,

    /// <summary><see cref="ParserLimits.MaxDepth"/> was exceeded; the over-deep construct was skipped.</summary>
    DepthLimit,

    /// <summary><see cref="ParserLimits.MaxLength"/> was exceeded; nothing was parsed.</summary>
    LengthLimit,

    /// <summary><see cref="ParserLimits.MaxNodes"/> was exceeded; parsing stopped there.</summary>
    NodeLimit,
}

/// <summary>A problem found while parsing, with the span of the source it concerns.</summary>
/// <param name="Kind">The kind of problem.</param>
/// <param name="Message">A short human-readable description.</param>
/// <param name="Span">Where in the source the problem was detected.</param>
internal sealed record ParseDiagnostic(ParseDiagnosticKind Kind, string Message, TextSpan Span);

/// <summary>
/// The outcome of <see cref="BashParser.Parse(string, ParserLimits)"/>: the syntax tree (as much as could be parsed) and the diagnostics.
/// A consumer deciding whether a command may run should treat an incomplete result as suspicious: bash itself would
/// have rejected or cut short the same input, or the parser stopped early.
/// </summary>
internal sealed class ParseResult
{
    public ParseResult(Script script, IReadOnlyList<ParseDiagnostic> diagnostics)
    {
        Script = script;
        Diagnostics = diagnostics;
    }

    /// <summary>Gets the syntax tree; commands before (and, after recovery, following) a syntax error are kept.</summary>
    public Script Script { get; }

    /// <summary>Gets the problems found, in the order they were found (capped, so a pathological input cannot flood it).</summary>
    public IReadOnlyList<ParseDiagnostic> Diagnostics { get; }

    /// <summary>Gets a value indicating whether the source parsed without any syntax error or limit.</summary>
    public bool IsComplete => Diagnostics.Count == 0;
}
