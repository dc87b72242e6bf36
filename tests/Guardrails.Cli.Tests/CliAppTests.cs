namespace Guardrails.Cli.Tests;

public sealed class CliAppTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    public void Run_Help_PrintsUsageOnStdout(string flag)
    {
        var result = CliRunner.Run(string.Empty, flag);

        result.ExitCode.Should().Be(0);
        result.Stdout.Should().Contain("Usage:").And.Contain("guardrails evaluate").And.Contain("guardrails check");
        result.Stderr.Should().BeEmpty();
    }

    [Theory]
    [InlineData("evaluate", "Usage: guardrails evaluate")]
    [InlineData("check", "Usage: guardrails check")]
    [InlineData("validate", "Usage: guardrails validate")]
    [InlineData("test", "Usage: guardrails test")]
    [InlineData("explain", "Usage: guardrails explain")]
    [InlineData("diff", "Usage: guardrails diff")]
    [InlineData("hook", "Usage: guardrails hook")]
    [InlineData("serve", "Usage: guardrails serve")]
    public void Run_CommandHelp_PrintsCommandUsage(string command, string usage)
    {
        var viaFlag = CliRunner.Run(string.Empty, command, "--help");
        var viaHelp = CliRunner.Run(string.Empty, "help", command);

        viaFlag.ExitCode.Should().Be(0);
        viaFlag.Stdout.Should().StartWith(usage);
        viaHelp.Stdout.Should().Be(viaFlag.Stdout);
    }

    [Fact]
    public void Run_NoArguments_PrintsUsageOnStderrAndExits64()
    {
        var result = CliRunner.Run(string.Empty);

        result.ExitCode.Should().Be(64);
        result.Stdout.Should().BeEmpty();
        result.Stderr.Should().Contain("Usage:");
    }

    [Fact]
    public void Run_UnknownCommand_PrintsUsageOnStderrAndExits64()
    {
        var result = CliRunner.Run(string.Empty, "replicate");

        result.ExitCode.Should().Be(64);
        result.Stdout.Should().BeEmpty();
        result.Stderr.Should().StartWith("guardrails: unknown command 'replicate'").And.Contain("Usage:");
    }

    [Fact]
    public void Run_UnknownGlobalOption_Exits64()
    {
        var result = CliRunner.Run(string.Empty, "--verbose");

        result.ExitCode.Should().Be(64);
        result.Stderr.Should().Contain("unknown option '--verbose'");
    }

    [Fact]
    public void Run_HelpForUnknownCommand_Exits64()
    {
        CliRunner.Run(string.Empty, "help", "nope").ExitCode.Should().Be(64);
    }

    [Fact]
    public void Run_Version_PrintsTheInformationalVersion()
    {
        var result = CliRunner.Run(string.Empty, "--version");

        result.ExitCode.Should().Be(0);
        result.Stdout.Trim().Should().MatchRegex(@"^\d+\.\d+\.\d+").And.Be(CliApp.Version);
    }
}
