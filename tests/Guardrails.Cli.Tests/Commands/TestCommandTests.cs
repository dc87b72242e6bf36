namespace Guardrails.Cli.Tests.Commands;

public sealed class TestCommandTests
{
    private const string Policy =
        """
        {
          "extends": ["builtin:default"],
          "self": { "modelDirectories": ["/srv/llm"] },
          "rules": [
            { "id": "team.pip-install", "message": "installs packages", "effect": "escalate",
              "when": { "programs": ["pip", "pip3"], "arguments": ["\\binstall\\b"] } },
            { "id": "team.unused", "effect": "deny", "when": { "programs": ["frobnicate"] } }
          ]
        }
        """;

    private static TempDirectory Project(string tests)
    {
        var temp = new TempDirectory();
        temp.File("team.json", Policy);
        temp.File("team.guardrails-tests.json", tests);
        return temp;
    }

    [Fact]
    public void Test_PassingCases_PrintsPassAndCoverageAndExits0()
    {
        using var temp = Project(
            """
            { "policy": "team.json", "cases": [
              { "name": "copying the weights is denied", "command": "cp -r /srv/llm/qwen /tmp/q", "expect": "deny" },
              { "name": "pip install escalates", "command": "pip install requests", "expect": "escalate", "rules": ["team.pip-install"] },
              { "name": "listing is allowed", "command": "ls -la", "expect": "allow" }
            ] }
            """);

        var result = CliRunner.Run(string.Empty, "test", temp.Path);

        result.ExitCode.Should().Be(0, result.Stdout);
        result.Lines.Should().Contain("  PASS  copying the weights is denied").And.Contain("  PASS  listing is allowed");
        result.Stdout.Should().Contain("1 of 2 rule(s) exercised (the policy's own rules; --coverage all adds inherited ones)");
        result.Stdout.Should().MatchRegex(@"team\.json:7:5: team\.unused");
        result.Lines[^1].Should().Be("3 case(s): 3 passed, 0 failed");
    }

    [Fact]
    public void Test_FailingCase_ShowsExpectedActualFindingsAndExits1()
    {
        using var temp = Project(
            """
            { "policy": "team.json", "cases": [
              { "name": "git status must be denied (wrong on purpose)", "command": "git status", "expect": "deny" },
              { "name": "pip must not escalate (wrong on purpose)", "command": "pip install x", "expect": "allow" }
            ] }
            """);

        var result = CliRunner.Run(string.Empty, "test", Path.Combine(temp.Path, "team.guardrails-tests.json"), "--coverage", "none");

        result.ExitCode.Should().Be(1);
        result.Stdout.Should().Contain("  FAIL  git status must be denied (wrong on purpose)");
        result.Stdout.Should().Contain("team.guardrails-tests.json:2:3");
        result.Stdout.Should().Contain("        - expected: deny").And.Contain("        + actual:   allow");
        result.Stdout.Should().Contain("expected allow, got escalate (score 0); rules: team.pip-install");
        result.Stdout.Should().Contain("! team.pip-install [").And.Contain("installs packages");
        result.Stdout.Should().NotContain("Rule coverage");
        result.Lines[^1].Should().Be("2 case(s): 0 passed, 2 failed");
    }

    [Fact]
    public void Test_Mutate_ReportsEveryVariantThatGotThrough()
    {
        using var temp = Project(
            """
            { "policy": "team.json", "cases": [
              { "name": "copying the weights is denied", "command": "cp -r /srv/llm/qwen /tmp/q", "expect": "deny" },
              { "name": "detached server", "command": "nohup vllm serve /srv/llm/qwen --port 8001 &", "expect": "deny", "mutate": false }
            ] }
            """);

        var result = CliRunner.Run(string.Empty, "test", temp.Path, "--mutate");

        result.Stdout.Should().MatchRegex(@"Bypass mutations: \d+ variant\(s\) of 1 case\(s\); \d+ got through");
        var survivors = result.Lines.Where(l => l.TrimStart().StartsWith("ALLOWED", StringComparison.Ordinal)).ToList();
        result.ExitCode.Should().Be(survivors.Count == 0 ? 0 : 1);
        result.Lines[^1].Should().MatchRegex($@"; \d+ bypass variant\(s\) tried, {survivors.Count} got through$");
    }

    [Fact]
    public void Test_PolicyOverride_TestsAnotherPolicy()
    {
        using var temp = Project("""{ "policy": "team.json", "cases": [ { "name": "pip", "command": "pip install x", "expect": "escalate" } ] }""");

        var result = CliRunner.Run(string.Empty, "test", temp.Path, "--policy", "builtin:default");

        result.ExitCode.Should().Be(1);
        result.Stdout.Should().Contain("(policy builtin:default@");
    }

    [Fact]
    public void Test_InvalidTestFile_ReportsDiagnosticsAndExits1()
    {
        using var temp = Project("""{ "cases": [ { "name": "x", "command": "ls", "expect": "maybe" } ] }""");

        var result = CliRunner.Run(string.Empty, "test", temp.Path);

        result.ExitCode.Should().Be(1);
        result.Stdout.Should().Contain("team.guardrails-tests.json:1:46: error GR3005: unknown expectation 'maybe'");
        result.Lines[^1].Should().Contain("1 invalid file(s)");
    }

    [Fact]
    public void Test_PolicyThatDoesNotLoad_FailsEveryCase()
    {
        using var temp = Project("""{ "policy": "missing.json", "cases": [ { "name": "x", "command": "ls", "expect": "allow" } ] }""");

        var result = CliRunner.Run(string.Empty, "test", temp.Path);

        result.ExitCode.Should().Be(1);
        result.Stderr.Should().Contain("error GR1003: policy file not found");
        result.Stdout.Should().Contain("  FAIL  x");
    }

    [Fact]
    public void Test_NoTestFiles_Exits66()
    {
        using var temp = new TempDirectory();

        CliRunner.Run(string.Empty, "test", temp.Path).ExitCode.Should().Be(66);
        CliRunner.Run(string.Empty, "test", Path.Combine(temp.Path, "nope")).ExitCode.Should().Be(66);
    }

    [Fact]
    public void Test_BadCoverageOption_IsAUsageError()
    {
        CliRunner.Run(string.Empty, "test", "--coverage", "most").ExitCode.Should().Be(64);
    }
}
