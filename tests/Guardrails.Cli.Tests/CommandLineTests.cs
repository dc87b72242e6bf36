namespace Guardrails.Cli.Tests;

public sealed class CommandLineTests
{
    private static bool Parse(string[] args, out CommandLine result, out string error) =>
        CommandLine.TryParse(args, ["--policy", "--input"], ["--json"], out result, out error);

    [Fact]
    public void TryParse_ValuesFlagsAndPositionals_AreRead()
    {
        Parse(["--policy", "p.json", "cmd", "--json", "--input=in.jsonl"], out var result, out _).Should().BeTrue();

        result.Value("--policy").Should().Be("p.json");
        result.Value("--input").Should().Be("in.jsonl");
        result.Flag("--json").Should().BeTrue();
        result.Positionals.Should().Equal("cmd");
        result.HelpRequested.Should().BeFalse();
    }

    [Fact]
    public void TryParse_DoubleDash_EndsTheOptions()
    {
        Parse(["--", "--json", "-x"], out var result, out _).Should().BeTrue();

        result.Flag("--json").Should().BeFalse();
        result.Positionals.Should().Equal("--json", "-x");
    }

    [Fact]
    public void TryParse_SingleDash_IsAPositional()
    {
        Parse(["-", "--input", "-"], out var result, out _).Should().BeTrue();

        result.Positionals.Should().Equal("-");
        result.Value("--input").Should().Be("-");
    }

    [Theory]
    [InlineData(new[] { "--policy" }, "option '--policy' needs a value")]
    [InlineData(new[] { "--policy=" }, "option '--policy' needs a value")]
    [InlineData(new[] { "--policy", "--json" }, "option '--policy' needs a value")]
    [InlineData(new[] { "--policy", "a", "--policy", "b" }, "option '--policy' is given more than once")]
    [InlineData(new[] { "--json", "--json" }, "option '--json' is given more than once")]
    [InlineData(new[] { "--json=1" }, "option '--json' does not take a value")]
    [InlineData(new[] { "--nope" }, "unknown option '--nope'")]
    [InlineData(new[] { "-p", "x" }, "unknown option '-p'")]
    public void TryParse_InvalidArguments_AreRejected(string[] args, string error)
    {
        Parse(args, out _, out var actual).Should().BeFalse();

        actual.Should().Be(error);
    }

    [Theory]
    [InlineData("-h")]
    [InlineData("--help")]
    public void TryParse_Help_IsRecognisedAnywhere(string flag)
    {
        Parse(["x", flag], out var result, out _).Should().BeTrue();

        result.HelpRequested.Should().BeTrue();
    }
}
