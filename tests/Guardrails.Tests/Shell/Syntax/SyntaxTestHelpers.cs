using Guardrails.Shell.Syntax;

namespace Guardrails.Tests.Shell.Syntax;

/// <summary>Shortcuts for reading parse results in assertions.</summary>
internal static class SyntaxTestHelpers
{
    public static ParseResult Parse(string source) => BashParser.Parse(source, ParserLimits.Default);

    /// <summary>Parses source that must be valid bash and fails with the diagnostics otherwise.</summary>
    public static Script ParseComplete(string source)
    {
        var result = Parse(source);
        result.Diagnostics.Should().BeEmpty("`{0}` is valid bash", source);
        result.IsComplete.Should().BeTrue();
        return result.Script;
    }

    public static IEnumerable<T> All<T>(Node root)
        where T : Node => SyntaxWalker.DescendantsAndSelf(root).OfType<T>();

    /// <summary>Every simple command, including those nested in substitutions and compound commands, in source order.</summary>
    public static List<SimpleCommand> SimpleCommands(Node root) => [.. All<SimpleCommand>(root)];

    /// <summary>The static text of each word of a simple command; non-static words render as display text in angle brackets.</summary>
    public static List<string> WordTexts(SimpleCommand command) =>
        [.. command.Words.Select(static w => w.TryGetStaticText(out var text) ? text : "<" + w.ToDisplayText() + ">")];

    /// <summary>The command names (first word, static) of every simple command in the tree.</summary>
    public static List<string> CommandNames(Node root) =>
        [.. SimpleCommands(root).Where(static c => c.Words.Count > 0).Select(static c => c.Words[0].TryGetStaticText(out var t) ? t : "<" + c.Words[0].ToDisplayText() + ">")];

    public static Command SingleCommand(Script script)
    {
        script.Body.Items.Should().ContainSingle();
        var pipeline = script.Body.Items[0].Command.First;
        pipeline.Commands.Should().ContainSingle();
        return pipeline.Commands[0];
    }

    public static SimpleCommand SingleSimple(string source) =>
        SingleCommand(ParseComplete(source)).Should().BeOfType<SimpleCommand>().Subject;

    /// <summary>The single word at <paramref name="index"/> of the only simple command of <paramref name="source"/>.</summary>
    public static Word WordAt(string source, int index) => SingleSimple(source).Words[index];

    public static string Slice(string source, TextSpan span) => source.Substring(span.Start, span.Length);

    public static string Print(Node node) => SyntaxPrinter.Print(node);
}
