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
    public void Validate_BrokenFile_ListsEveryErrorInCompilerFormatAndExits1()
    {
        using var temp = new TempDirectory();
        var policy = temp.File("p.json", "{\n  \"version\": 2,\n  \"onError\": \"allow\"\n}\n");

        var result = CliRunner.Run(string.Empty, "validate", policy);

        result.ExitCode.Should().Be(1);
        result.Stdout.Should().Contain($"{policy}:2:3: error GR2001: ");
        result.Stdout.Should().Contain($"{policy}:3:3: error GR2017: ");
        result.Stdout.Should().Contain("    help: ");
        result.Lines[^1].Should().StartWith($"{policy}: invalid (2 error(s), ");
    }

    [Fact]
    public void Validate_MsbuildFormat_UsesParentheses()
    {
        using var temp = new TempDirectory();
        var policy = temp.File("p.json", "{\n  \"version\": 2\n}\n");

        var result = CliRunner.Run(string.Empty, "validate", policy, "--format", "msbuild");

        result.Stdout.Should().Contain($"{policy}(2,3): error GR2001: ");
    }

    [Fact]
    public void Validate_UnknownFieldsBadRegexAndThresholds_AreAllReported()
    {
        using var temp = new TempDirectory();
        var policy = temp.File("p.json",
            """
            {
              "thresholds": { "escalate": 90, "deny": 50 },
              "rules": [
                { "id": "a", "effect": "deny", "when": { "programs": ["x"], "arguments": ["(a)\\1"] }, "sevrity": 1 },
                { "id": "b", "effect": "deny", "when": { "capabilities": ["weights.cpy"] } }
              ]
            }
            """);

        var result = CliRunner.Run(string.Empty, "validate", policy);

        result.ExitCode.Should().Be(1);
        result.Stdout.Should().Contain($"{policy}:4:92: error GR1002: unknown property 'sevrity'");
    }

    [Fact]
    public void Validate_ShadowedRuleAndSemanticProblems_AreWarningsUnlessWarningsAreErrors()
    {
        using var temp = new TempDirectory();
        var policy = temp.File("p.json",
            """
            {
              "thresholds": { "escalate": 90, "deny": 50 },
              "rules": [
                { "id": "deny.scp", "effect": "deny", "when": { "programs": ["scp", "rsync"] } },
                { "id": "score.scp", "score": 20, "when": { "programs": ["scp"] } },
                { "id": "b", "effect": "deny", "when": { "capabilities": ["weights.cpy"], "arguments": ["(a)\\1"] } }
              ]
            }
            """);

        var result = CliRunner.Run(string.Empty, "validate", policy);

        result.ExitCode.Should().Be(1);
        result.Stdout.Should().Contain($"{policy}:2:").And.Contain("error GR2016: thresholds.escalate (90) must not be greater than thresholds.deny (50)");
        result.Stdout.Should().Contain($"{policy}:6:63: warning GR2010: capability 'weights.cpy' is not a well-known capability; did you mean 'weights.copy'?");
        result.Stdout.Should().Contain($"{policy}:6:93: error GR2012: regular expression '(a)\\1' needs backtracking");

        var fixedPolicy = temp.File("q.json",
            """
            {
              "rules": [
                { "id": "deny.scp", "effect": "deny", "when": { "programs": ["scp", "rsync"] } },
                { "id": "score.scp", "score": 20, "when": { "programs": ["scp"] } }
              ]
            }
            """);
        var warned = CliRunner.Run(string.Empty, "validate", fixedPolicy);
        warned.ExitCode.Should().Be(0, warned.Stdout);
        warned.Stdout.Should().Contain($"{fixedPolicy}:4:5: warning GR2401: rule 'score.scp' is shadowed by the earlier deny rule 'deny.scp' (q.json line 3)");
        warned.Lines[^1].Should().EndWith(": valid (1 warning(s))");

        CliRunner.Run(string.Empty, "validate", fixedPolicy, "--warnings-as-errors").ExitCode.Should().Be(1);
    }

    [Fact]
    public void Validate_FailingRuleExample_IsAnErrorAtTheExample()
    {
        using var temp = new TempDirectory();
        var policy = temp.File("p.json",
            """
            {
              "rules": [ {
                "id": "team.pip", "effect": "escalate",
                "when": { "programs": ["pip"], "arguments": ["\\binstall\\b"] },
                "examples": { "match": ["pip install x", "python -m pip install x"], "notMatch": ["pip list"] }
              } ]
            }
            """);

        var result = CliRunner.Run(string.Empty, "validate", policy);

        result.ExitCode.Should().Be(1);
        result.Stdout.Should().Contain($"{policy}:5:46: error GR2302: rule 'team.pip' does not match its example 'python -m pip install x'");
    }

    [Fact]
    public void Validate_SeveralPolicies_ValidatesEach()
    {
        using var temp = new TempDirectory();
        var bad = temp.File("bad.json", "{ \"version\": 3 }");

        var result = CliRunner.Run(string.Empty, "validate", "builtin:default", bad);

        result.ExitCode.Should().Be(1);
        result.Lines.Should().Contain(l => l.StartsWith("builtin:default@", StringComparison.Ordinal) && l.Contains(": valid", StringComparison.Ordinal));
        result.Lines.Should().Contain(l => l.StartsWith(bad + ": invalid", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_UnknownFormat_IsAUsageError()
    {
        CliRunner.Run(string.Empty, "validate", "--format", "json").ExitCode.Should().Be(64);
    }
}
