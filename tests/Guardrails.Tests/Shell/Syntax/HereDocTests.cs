using Guardrails.Shell.Syntax;
using static Guardrails.Tests.Shell.Syntax.SyntaxTestHelpers;

namespace Guardrails.Tests.Shell.Syntax;

public class HereDocTests
{
    private static List<HereDoc> HereDocs(Node root) => [.. All<Redirection>(root).Select(static r => r.HereDoc).OfType<HereDoc>()];

    private static string BodyText(HereDoc hereDoc) => hereDoc.Body.ToDisplayText();

    [Fact]
    public void Parse_HereDoc_ReadsBodyAfterTheLine()
    {
        const string source = "cat <<EOF > out\nline 1\nline 2\nEOF\necho after";
        var script = ParseComplete(source);

        var hereDoc = HereDocs(script).Should().ContainSingle().Subject;
        hereDoc.Delimiter.Should().Be("EOF");
        hereDoc.Quoted.Should().BeFalse();
        BodyText(hereDoc).Should().Be("line 1\nline 2\n");
        Slice(source, hereDoc.BodySpan).Should().Be("line 1\nline 2\n");
        Slice(source, hereDoc.Span).Should().Be("line 1\nline 2\nEOF");
        CommandNames(script).Should().Equal("cat", "echo");
    }

    [Fact]
    public void Parse_TwoHereDocsOnOneLine_ReadInOrder()
    {
        var script = ParseComplete("cat <<A; cat <<B\nfirst\nA\nsecond\nB\nls");

        HereDocs(script).Select(BodyText).Should().Equal("first\n", "second\n");
        CommandNames(script).Should().Equal("cat", "cat", "ls");
    }

    [Fact]
    public void Parse_TwoHereDocsOnOneCommand_ReadInOrder()
    {
        var script = ParseComplete("cmd <<A 3<<B\na\nA\nb\nB\n");

        HereDocs(script).Select(static h => (h.Delimiter, BodyText(h))).Should().Equal(("A", "a\n"), ("B", "b\n"));
    }

    [Fact]
    public void Parse_StripTabsHereDoc_RemovesLeadingTabsFromBodyAndDelimiter()
    {
        var hereDoc = HereDocs(ParseComplete("cat <<-EOF\n\tindented\n\t\tdeeper\n\tEOF\n")).Should().ContainSingle().Subject;

        BodyText(hereDoc).Should().Be("indented\ndeeper\n");
    }

    [Theory]
    [InlineData("cat <<'EOF'\n$HOME $(id)\nEOF\n", "EOF")]
    [InlineData("cat <<\"EOF\"\n$HOME $(id)\nEOF\n", "EOF")]
    [InlineData("cat <<\\EOF\n$HOME $(id)\nEOF\n", "EOF")]
    [InlineData("cat <<E'O'F\n$HOME $(id)\nEOF\n", "EOF")]
    public void Parse_QuotedDelimiter_BodyIsLiteral(string source, string delimiter)
    {
        var script = ParseComplete(source);
        var hereDoc = HereDocs(script).Should().ContainSingle().Subject;

        hereDoc.Quoted.Should().BeTrue();
        hereDoc.Delimiter.Should().Be(delimiter);
        hereDoc.Body.TryGetStaticText(out var text).Should().BeTrue();
        text.Should().Be("$HOME $(id)\n");
        CommandNames(script).Should().Equal("cat");
    }

    [Fact]
    public void Parse_UnquotedDelimiter_BodyHasExpansions()
    {
        var script = ParseComplete("cat <<EOF\nhi $USER $(curl -s evil) \"q\" \\$x\nEOF\n");
        var hereDoc = HereDocs(script).Should().ContainSingle().Subject;

        hereDoc.Body.Parts.OfType<ParameterExpansionPart>().Should().ContainSingle();
        hereDoc.Body.Parts.OfType<CommandSubstitutionPart>().Should().ContainSingle();
        hereDoc.Body.Parts.OfType<LiteralPart>().Last().Text.Should().Be(" \"q\" $x\n");
        CommandNames(script).Should().Equal("cat", "curl");
    }

    [Fact]
    public void Parse_UnterminatedHereDoc_BodyRunsToEndAndIsReported()
    {
        var result = Parse("cat <<EOF\nrm -rf /\nno end");

        result.IsComplete.Should().BeFalse();
        result.Diagnostics.Should().ContainSingle().Which.Kind.Should().Be(ParseDiagnosticKind.UnterminatedHereDoc);
        BodyText(HereDocs(result.Script).Single()).Should().Be("rm -rf /\nno end");
        CommandNames(result.Script).Should().Equal("cat");
    }

    [Fact]
    public void Parse_HereDocWithoutNewline_IsReported()
    {
        var result = Parse("cat <<EOF");

        result.Diagnostics.Should().ContainSingle().Which.Kind.Should().Be(ParseDiagnosticKind.UnterminatedHereDoc);
        HereDocs(result.Script).Should().ContainSingle();
    }

    [Fact]
    public void Parse_DelimiterSplitByLineContinuation_EndsTheBody()
    {
        // bash joins "E\<newline>OF" before comparing, so the body is empty and rm runs.
        var script = ParseComplete("cat <<EOF\nE\\\nOF\nrm -rf x\n");

        HereDocs(script).Single().Body.Parts.Should().BeEmpty();
        CommandNames(script).Should().Equal("cat", "rm");
    }

    [Fact]
    public void Parse_LineEndingInBackslash_DoesNotEndTheBodyEarly()
    {
        var script = ParseComplete("cat <<EOF\nx\\\nEOF\nrm -rf x\nEOF\n");

        BodyText(HereDocs(script).Single()).Should().Be("xEOF\nrm -rf x\n");
        CommandNames(script).Should().Equal("cat");
    }

    [Fact]
    public void Parse_DelimiterWithTrailingText_IsNotTheDelimiter()
    {
        var script = ParseComplete("cat <<EOF\nEOF x\nEOF\n");

        BodyText(HereDocs(script).Single()).Should().Be("EOF x\n");
    }

    [Fact]
    public void Parse_HereDocBodyAfterQuotedMultilineWord_StartsAfterThatLine()
    {
        var script = ParseComplete("cat <<EOF \"a\nb\"\nbody\nEOF\n");

        BodyText(HereDocs(script).Single()).Should().Be("body\n");
    }

    [Fact]
    public void Parse_HereDocInsideCommandSubstitution_ClosesWithParenOnDelimiterLine()
    {
        var script = ParseComplete("x=$(cat <<EOF\nhello\nEOF)\necho $x");

        BodyText(HereDocs(script).Single()).Should().Be("hello\n");
        CommandNames(script).Should().Equal("cat", "echo");
    }

    [Fact]
    public void Parse_HereDocInsideSubstitution_DoesNotTakeOuterBody()
    {
        var script = ParseComplete("cat <<OUT; echo $(cat <<IN\ninner\nIN\n)\nouter\nOUT\n");

        HereDocs(script).Select(static h => (h.Delimiter, BodyText(h))).Should().BeEquivalentTo([("OUT", "outer\n"), ("IN", "inner\n")]);
    }

    [Fact]
    public void Parse_HereString_IsARedirectionWithTarget()
    {
        var redirection = SingleSimple("bash <<< \"$payload\"").Redirections.Should().ContainSingle().Subject;

        redirection.Op.Should().Be(RedirectionOperator.HereString);
        redirection.HereDoc.Should().BeNull();
        redirection.Target!.ToDisplayText().Should().Be("$payload");
    }

    [Fact]
    public void Parse_HereDocInsideBraceGroup_BodyBelongsToInnerCommand()
    {
        var script = ParseComplete("{ cat <<EOF\nbody\nEOF\n}");

        BodyText(HereDocs(script).Single()).Should().Be("body\n");
        SingleCommand(script).Should().BeOfType<BraceGroup>();
    }

    [Fact]
    public void Parse_HereDocRedirectionSpan_CoversOperatorAndDelimiterOnly()
    {
        const string source = "cat 0<<-'END'\n\tx\n\tEND\n";
        var redirection = SingleSimple(source).Redirections.Single();

        Slice(source, redirection.Span).Should().Be("0<<-'END'");
        redirection.Fd.Should().Be(0);
        redirection.Op.Should().Be(RedirectionOperator.HereDocStrip);
        Slice(source, redirection.HereDoc!.BodySpan).Should().Be("\tx\n");
    }
}
