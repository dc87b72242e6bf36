using Guardrails.Shell.Syntax;
using static Guardrails.Tests.Shell.Syntax.SyntaxTestHelpers;

namespace Guardrails.Tests.Shell.Syntax;

public class SpanTests
{
    [Fact]
    public void Span_SimpleCommand_CoversAssignmentsWordsAndRedirections()
    {
        const string source = "  A=1 cp \"x y\" /tmp 2>/dev/null ; next";
        var command = SimpleCommands(ParseComplete(source))[0];

        Slice(source, command.Span).Should().Be("A=1 cp \"x y\" /tmp 2>/dev/null");
        Slice(source, command.Assignments[0].Span).Should().Be("A=1");
        command.Words.Select(w => Slice(source, w.Span)).Should().Equal("cp", "\"x y\"", "/tmp");
        Slice(source, command.Redirections[0].Span).Should().Be("2>/dev/null");
        Slice(source, command.Redirections[0].Target!.Span).Should().Be("/dev/null");
    }

    [Fact]
    public void Span_WordParts_IncludeTheirQuotes()
    {
        const string source = "echo a'b'\"c\"$'d'$\"e\"$f${g}$(h)`i`$((j))";
        var parts = SingleSimple(source).Words[1].Parts;

        parts.Select(p => Slice(source, p.Span)).Should().Equal("a", "'b'", "\"c\"", "$'d'", "$\"e\"", "$f", "${g}", "$(h)", "`i`", "$((j))");
    }

    [Fact]
    public void Span_ListItem_CoversItsAmpersand()
    {
        const string source = "sleep 1 &  ls ;";
        var items = ParseComplete(source).Body.Items;

        Slice(source, items[0].Span).Should().Be("sleep 1 &");
        Slice(source, items[1].Span).Should().Be("ls");
    }

    [Theory]
    [InlineData("if a; then b; fi >x")]
    [InlineData("while a; do b; done")]
    [InlineData("for i in 1; do b; done 2>&1")]
    [InlineData("case x in y) z;; esac")]
    [InlineData("{ a; } >f")]
    [InlineData("( a )")]
    [InlineData("[[ a == b ]]")]
    [InlineData("(( a++ ))")]
    [InlineData("f() { a; }")]
    [InlineData("function f { a; } >log")]
    [InlineData("coproc x { a; }")]
    [InlineData("select a in b; do c; done")]
    [InlineData("for ((;;)); do a; done")]
    public void Span_CompoundCommand_CoversKeywordsToLastRedirection(string command)
    {
        var source = "pre; " + command + " ; post";
        var node = ParseComplete(source).Body.Items[1].Command.First.Commands[0];

        Slice(source, node.Span).Should().Be(command);
    }

    [Fact]
    public void Span_Pipeline_CoversBangAndTime()
    {
        const string source = "time ! a | b";
        var pipeline = ParseComplete(source).Body.Items[0].Command.First;

        Slice(source, pipeline.Span).Should().Be(source);
    }

    [Fact]
    public void Span_NestedSubstitution_PointsIntoTheOriginalSource()
    {
        const string source = "echo $(printf %s \"$(cat /etc/shadow)\")";
        var commands = SimpleCommands(ParseComplete(source));

        commands.Select(c => Slice(source, c.Span)).Should().Equal(source, "printf %s \"$(cat /etc/shadow)\"", "cat /etc/shadow");
    }

    [Fact]
    public void Span_InsideBackquotes_LiesWithinTheBackquotes()
    {
        const string source = "echo `echo \\`id -u\\` x`";
        var script = ParseComplete(source);
        var outer = All<CommandSubstitutionPart>(script).First();

        foreach (var node in SyntaxWalker.DescendantsAndSelf(outer))
        {
            node.Span.Start.Should().BeGreaterThanOrEqualTo(outer.Span.Start);
            node.Span.End.Should().BeLessThanOrEqualTo(outer.Span.End);
        }

        Slice(source, SimpleCommands(script)[2].Span).Should().Be("id -u");
    }

    [Fact]
    public void Span_BraceAlternatives_PointAtTheirText()
    {
        const string source = "echo x{ab,,c*}";
        var brace = WordAt(source, 1).Parts[1].Should().BeOfType<BraceExpansionPart>().Subject;

        Slice(source, brace.Span).Should().Be("{ab,,c*}");
        brace.Alternatives.Select(a => Slice(source, a.Span)).Should().Equal("ab", string.Empty, "c*");
    }

    [Fact]
    public void Span_Assignment_CoversArrayParentheses()
    {
        const string source = "arr=( a\n b ) cmd";
        var assignment = SingleSimple(source).Assignments[0];

        Slice(source, assignment.Span).Should().Be("arr=( a\n b )");
        assignment.ArrayValue!.Select(w => Slice(source, w.Span)).Should().Equal("a", "b");
    }

    [Fact]
    public void Span_LineContinuationInWord_IsCoveredByTheWord()
    {
        const string source = "ec\\\nho x";
        var word = SingleSimple(source).Words[0];

        Slice(source, word.Span).Should().Be("ec\\\nho");
    }

    [Fact]
    public void Span_Script_CoversTheWholeSource()
    {
        const string source = "  a ; b  \n";

        Slice(source, ParseComplete(source).Span).Should().Be(source);
    }

    [Fact]
    public void Span_Diagnostic_PointsAtTheOffendingToken()
    {
        const string source = "echo a; done; echo b";
        var diagnostic = Parse(source).Diagnostics.Should().ContainSingle().Subject;

        Slice(source, diagnostic.Span).Should().Be("done");
    }
}
