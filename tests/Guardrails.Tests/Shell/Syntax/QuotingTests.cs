using Guardrails.Shell.Syntax;
using static Guardrails.Tests.Shell.Syntax.SyntaxTestHelpers;

namespace Guardrails.Tests.Shell.Syntax;

public class QuotingTests
{
    public static TheoryData<string, string> StaticCommandNames => new()
    {
        { "cp a b", "cp" },
        { "c''p a b", "cp" },
        { "c\"\"p a b", "cp" },
        { "\\cp a b", "cp" },
        { "c\\p a b", "cp" },
        { "$'\\x63\\x70' a b", "cp" },
        { "$'\\143\\160' a b", "cp" },
        { "$'\\u0063\\U00000070' a b", "cp" },
        { "\"c\"p a b", "cp" },
        { "'c'\"p\" a b", "cp" },
        { "$\"cp\" a b", "cp" },
        { "c\\\np a b", "cp" },
        { "\"c\\\np\" a b", "cp" },
        { "'c\\p' a", "c\\p" },
        { "\"c\\p\" a", "c\\p" },
        { "\"\\$x\" a", "$x" },
        { "\"a\\\"b\" c", "a\"b" },
        { "\"a\\\\b\" c", "a\\b" },
        { "\"a\\`b\" c", "a`b" },
        { "'a\"b' c", "a\"b" },
        { "\"a'b\" c", "a'b" },
        { "$'a\\'b' c", "a'b" },
        { "$'\\ca' x", "\u0001" },
        { "$'\\e[0m' x", "\u001b[0m" },
        { "$'a\\tb\\nc' x", "a\tb\nc" },
        { "$'r\\x6d\\0garbage' x", "rm" },
        { "$'\\xe2\\x82\\xac' x", "€" },
        { "$'\\q' x", "\\q" },
        { "$\"a\"'b'$'c'\\d e", "abcd" },
        { "\"\" a", "" },
        { "'' a", "" },
        { "e\"\"c''h\\o hi", "echo" },
    };

    [Theory]
    [MemberData(nameof(StaticCommandNames))]
    public void Parse_QuotedCommandName_YieldsQuoteRemovedStaticText(string source, string expected)
    {
        var name = WordAt(source, 0);

        name.TryGetStaticText(out var text).Should().BeTrue();
        text.Should().Be(expected);
    }

    public static TheoryData<string> DynamicWords => new()
    {
        "$x",
        "${x}",
        "\"$x\"",
        "\"a$(id)b\"",
        "`id`",
        "$((1+2))",
        "*.txt",
        "{a,b}",
        "~",
        "<(ls)",
        "$\"$x\"",
    };

    [Theory]
    [MemberData(nameof(DynamicWords))]
    public void TryGetStaticText_WordWithExpansionGlobOrBrace_ReturnsFalse(string word)
    {
        var parsed = WordAt("echo " + word, 1);

        parsed.TryGetStaticText(out var text).Should().BeFalse();
        text.Should().BeEmpty();
    }

    [Fact]
    public void Parse_BackslashEscape_MarksLiteralAsEscaped()
    {
        var word = WordAt("\\cp", 0);

        word.Parts.Should().ContainSingle().Which.Should().BeOfType<LiteralPart>().Which.HadEscape.Should().BeTrue();
    }

    [Fact]
    public void Parse_LineContinuationInsideWord_JoinsAndMarksEscape()
    {
        var word = WordAt("ec\\\nho hi", 0);

        word.TryGetStaticText(out var text).Should().BeTrue();
        text.Should().Be("echo");
        word.Parts.OfType<LiteralPart>().Should().Contain(static p => p.HadEscape);
    }

    [Fact]
    public void Parse_LineContinuationBetweenWords_ActsAsNothing()
    {
        var command = SingleSimple("echo \\\n  hi");

        WordTexts(command).Should().Equal("echo", "hi");
    }

    [Fact]
    public void Parse_LineContinuationInsideOperator_JoinsOperator()
    {
        var script = ParseComplete("a &\\\n& b");

        script.Body.Items.Should().ContainSingle().Which.Command.Rest.Should().ContainSingle()
            .Which.Op.Should().Be(AndOrOperator.And);
    }

    [Fact]
    public void Parse_LineContinuationInsideSingleQuotes_IsKept()
    {
        WordAt("echo 'a\\\nb'", 1).TryGetStaticText(out var text).Should().BeTrue();
        text.Should().Be("a\\\nb");
    }

    [Fact]
    public void Parse_DollarSingleQuoteInsideDoubleQuotes_IsLiteral()
    {
        WordAt("echo \"$'x'\"", 1).TryGetStaticText(out var text).Should().BeTrue();
        text.Should().Be("$'x'");
    }

    [Fact]
    public void Parse_DoubleQuotedPart_KeepsExpansionsInside()
    {
        var word = WordAt("echo \"pre $HOME/$(id -u) post\"", 1);

        var quoted = word.Parts.Should().ContainSingle().Which.Should().BeOfType<DoubleQuotedPart>().Subject;
        quoted.Parts.Select(static p => p.GetType().Name).Should().Equal(
            nameof(LiteralPart), nameof(ParameterExpansionPart), nameof(LiteralPart), nameof(CommandSubstitutionPart), nameof(LiteralPart));
    }

    [Fact]
    public void Parse_LocaleQuoted_ProducesLocalePart()
    {
        WordAt("echo $\"hi $USER\"", 1).Parts.Should().ContainSingle().Which.Should().BeOfType<LocaleQuotedPart>()
            .Which.Parts.Should().HaveCount(2);
    }

    [Theory]
    [InlineData("echo 'abc")]
    [InlineData("echo \"abc")]
    [InlineData("echo $'abc")]
    [InlineData("echo `abc")]
    [InlineData("echo $(abc")]
    [InlineData("echo ${abc")]
    [InlineData("echo @(abc; rm -rf /")]
    public void Parse_UnterminatedQuote_ReportsUnterminatedQuote(string source)
    {
        var result = Parse(source);

        result.IsComplete.Should().BeFalse();
        result.Diagnostics.Should().Contain(static d => d.Kind == ParseDiagnosticKind.UnterminatedQuote);
        CommandNames(result.Script).Should().StartWith("echo");
    }

    [Fact]
    public void Parse_NulCharacter_IsReportedAsSyntaxError()
    {
        var result = Parse("c\0p a b");

        result.IsComplete.Should().BeFalse();
        result.Diagnostics.Should().ContainSingle().Which.Kind.Should().Be(ParseDiagnosticKind.SyntaxError);
    }

    [Fact]
    public void ToDisplayText_MixedWord_RendersNormalizedSpelling()
    {
        var word = WordAt("echo \"$HOME\"/'x y'${a:-b}$(id)`whoami`{1..3}*", 1);

        word.ToDisplayText().Should().Be("$HOME/x y${a:-b}$(id)$(whoami){1..3}*");
    }
}
