namespace Guardrails.Shell.Syntax;

/// <summary>
/// Parses bash source into a <see cref="Script"/> without executing anything. The source is hostile (an agent may
/// obfuscate a command to slip it past a policy), so the parser never throws, runs in time linear in the input, bounds
/// its recursion by <see cref="ParserLimits.MaxDepth"/>, and reports anything it could not fully understand as a
/// diagnostic (making the result incomplete) instead of guessing silently.
/// </summary>
internal static class BashParser
{
    /// <summary>Parses <paramref name="source"/>. Never throws, for any input.</summary>
    /// <param name="source">The bash source (a command line or a script).</param>
    /// <param name="limits">The resource limits; <see cref="ParserLimits.Default"/> when <see langword="null"/>.</param>
    /// <returns>The syntax tree and the diagnostics.</returns>
    public static ParseResult Parse(string source, ParserLimits limits)
    {
        source ??= string.Empty;
        limits ??= ParserLimits.Default;

        if (source.Length > Math.Max(0, limits.MaxLength))
        {
            var message = string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"input of {source.Length} characters exceeds the limit of {limits.MaxLength}; nothing was parsed");
            return new ParseResult(EmptyScript(), [new ParseDiagnostic(ParseDiagnosticKind.LengthLimit, message, new TextSpan(0, source.Length))]);
        }

        try
        {
            var context = new ParseContext(source, limits);
            var script = new Parser(context, source, null).ParseScript();
            context.ReturnScratch();
            return new ParseResult(script, context.FinishDiagnostics());
        }
#pragma warning disable CA1031 // The contract is "never throws": a parser bug must become an incomplete result, not a crash.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            var message = "internal parser error (" + exception.GetType().Name + "); the input was not analysed";
            return new ParseResult(EmptyScript(), [new ParseDiagnostic(ParseDiagnosticKind.SyntaxError, message, new TextSpan(0, source.Length))]);
        }
    }

    /// <summary>Parses <paramref name="source"/> with <see cref="ParserLimits.Default"/>.</summary>
    /// <param name="source">The bash source.</param>
    /// <returns>The syntax tree and the diagnostics.</returns>
    public static ParseResult Parse(string source) => Parse(source, ParserLimits.Default);

    private static Script EmptyScript() => new(new CommandList([], default), default);
}
