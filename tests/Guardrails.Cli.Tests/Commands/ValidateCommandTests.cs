namespace Guardrails.Cli.Tests.Commands;

public sealed class ValidateCommandTests
{
    [Fact]
    public void Validate_BuiltinDefault_IsValid()
    {
        var result = CliRunner.Run(string.Empty, "validate", "builtin:default");

        result.ExitCode.Should().Be(0, result.Stdout);
        result.Lines[^1].Should().MatchRegex(@"^builtin:default@[0-9a-f]{16}: valid \(\d+ warning\(s\)\)$");
    }

    [Fact]
    public void Validate_BrokenFile_ListsEveryErrorAndExits1()
    {
        using var temp = new TempDirectory();
        var policy = temp.File("p.json", "{\n  \"version\": 2,\n  \"onError\": \"allow\"\n}\n");

        var result = CliRunner.Run(string.Empty, "validate", policy);

        result.ExitCode.Should().Be(1);
        result.Stdout.Should().MatchRegex(@"p\.json\(2,\d+\): error GR2001: ");
        result.Stdout.Should().MatchRegex(@"p\.json\(3,\d+\): error GR2017: ");
        result.Lines[^1].Should().StartWith($"{policy}: invalid (2 error(s), ");
    }
}
