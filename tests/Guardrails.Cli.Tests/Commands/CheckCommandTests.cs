using System.Text.Json;

namespace Guardrails.Cli.Tests.Commands;

public sealed class CheckCommandTests
{
    private const string DetachedServer = "nohup vllm serve /models/qwen --port 8001 &";

    [Fact]
    public void Check_DetachedServer_PrintsVerdictFindingAndUnderlinedCommand()
    {
        var result = CliRunner.Run(string.Empty, "check", DetachedServer);

        result.ExitCode.Should().Be(2);
        var lines = result.Lines;
        lines[0].Should().MatchRegex(@"^DENY \(score 100\) under builtin:default@[0-9a-f]{16}$");
        var block = Array.IndexOf([.. lines], "  x replica.launch.detached [replica.launch] starts an inference server or a replica of the agent detached from the agent");
        block.Should().BePositive(result.Stdout);
        lines[block + 1].Should().Be("      " + DetachedServer);
        lines[block + 2].Should().MatchRegex(@"^      \s*\^+$");
    }

    [Fact]
    public void Check_FindingInTheMiddle_PutsCaretsExactlyUnderTheSpan()
    {
        const string command = "ls && cp -r /models/q /tmp/x";
        var json = JsonDocument.Parse(CliRunner.Run(string.Empty, "check", command, "--json").Stdout).RootElement;
        var finding = json.GetProperty("findings").EnumerateArray().First(f => f.GetProperty("ruleId").GetString() == "weights.copy");
        var start = finding.GetProperty("evidence").GetProperty("start").GetInt32();
        var length = finding.GetProperty("evidence").GetProperty("length").GetInt32();

        var lines = CliRunner.Run(string.Empty, "check", command).Lines;

        var block = lines.ToList().FindIndex(l => l.StartsWith("  x weights.copy [weights.copy] ", StringComparison.Ordinal));
        block.Should().BePositive();
        lines[block + 1].Should().Be("      " + command);
        var carets = lines[block + 2];
        carets.Should().Be(new string(' ', 6 + start) + new string('^', length));
        start.Should().BeGreaterThanOrEqualTo(command.IndexOf("cp", StringComparison.Ordinal), "the finding is about the cp command, not the ls before it");
        command.Substring(start, length).Should().Contain("/models/q");
    }

    [Fact]
    public void Check_HarmlessCommand_PrintsAllowAndNoFindings()
    {
        var result = CliRunner.Run(string.Empty, "check", "ls -la");

        result.ExitCode.Should().Be(0);
        result.Lines.Should().HaveCount(2);
        result.Lines[0].Should().MatchRegex(@"^ALLOW \(score \d+\) under builtin:default@[0-9a-f]{16}$");
        result.Lines[1].Should().Be("  no findings");
    }

    [Theory]
    [InlineData("ls -la", 0)]
    [InlineData("cat ~/.ssh/id_rsa", 1)]
    [InlineData("cp -r /models/qwen /tmp/q", 2)]
    [InlineData("scp model.safetensors host:", 2)]
    public void Check_ExitCode_IsTheVerdict(string command, int exitCode)
    {
        var result = CliRunner.Run(string.Empty, "check", command);

        result.ExitCode.Should().Be(exitCode, result.Stdout);
        result.Lines[0].Should().StartWith(exitCode switch { 0 => "ALLOW ", 1 => "ESCALATE ", _ => "DENY " });
    }

    [Fact]
    public void Check_Json_HasTheWholeDecision()
    {
        const string command = "ls && cp -r /models/qwen /tmp/q";

        var result = CliRunner.Run(string.Empty, "check", command, "--json");

        result.ExitCode.Should().Be(2);
        var root = JsonDocument.Parse(result.Stdout).RootElement;
        root.PropertyNames().Should().Equal("verdict", "score", "shadow", "error", "policy", "version", "tool", "argument", "command", "rules", "reasons", "findings", "operations");
        root.GetProperty("verdict").GetString().Should().Be("deny");
        root.GetProperty("score").GetInt32().Should().BeInRange(80, 100);
        root.GetProperty("shadow").ValueKind.Should().Be(JsonValueKind.Null);
        root.GetProperty("error").ValueKind.Should().Be(JsonValueKind.Null);
        root.GetProperty("policy").GetString().Should().Be("builtin:default");
        root.GetProperty("version").GetString().Should().MatchRegex("^[0-9a-f]{16}$");
        root.GetProperty("tool").GetString().Should().Be("bash");
        root.GetProperty("argument").GetString().Should().Be("command");
        root.GetProperty("command").GetString().Should().Be(command);
        root.Strings("rules").Should().Contain("weights.copy");
        root.Strings("reasons").Should().NotBeEmpty();

        var finding = root.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("ruleId").GetString() == "weights.copy");
        finding.PropertyNames().Should().Equal("ruleId", "capability", "message", "score", "effect", "evidence");
        finding.GetProperty("capability").GetString().Should().Be("weights.copy");
        finding.GetProperty("message").GetString().Should().NotBeNullOrEmpty();
        finding.GetProperty("score").GetInt32().Should().BeInRange(1, 100);
        finding.GetProperty("effect").GetString().Should().Be("deny");
        var evidence = finding.GetProperty("evidence");
        evidence.PropertyNames().Should().StartWith(["source", "start", "length", "text", "operation"]);
        evidence.GetProperty("source").GetString().Should().Be("command");
        var start = evidence.GetProperty("start").GetInt32();
        var length = evidence.GetProperty("length").GetInt32();
        start.Should().BeGreaterThanOrEqualTo(command.IndexOf("cp", StringComparison.Ordinal));
        length.Should().BePositive();
        (start + length).Should().BeLessThanOrEqualTo(command.Length);
        evidence.GetProperty("text").GetString().Should().NotBeNullOrEmpty();
        evidence.GetProperty("operation").GetString().Should().Be("file.copy");

        var copy = root.GetProperty("operations").EnumerateArray().Single(o => o.GetProperty("kind").GetString() == "file.copy");
        copy.GetProperty("action").GetString().Should().Be("copy");
        copy.GetProperty("path").GetString().Should().Be("/tmp/q");
        copy.Strings("sources").Should().Equal("/models/qwen");
        copy.GetProperty("recursive").GetBoolean().Should().BeTrue();
        copy.Strings("capabilities").Should().Contain("weights.copy");
        copy.Strings("resources").Should().Contain("model-weights");
        copy.GetProperty("text").GetString().Should().Be(command.Substring(copy.GetProperty("start").GetInt32(), copy.GetProperty("length").GetInt32()));
    }

    [Fact]
    public void Check_JsonForDetachedServer_ShowsTheDetachedLaunch()
    {
        var result = CliRunner.Run(string.Empty, "check", DetachedServer, "--json");

        result.ExitCode.Should().Be(2);
        var root = JsonDocument.Parse(result.Stdout).RootElement;
        root.GetProperty("verdict").GetString().Should().Be("deny");
        root.Strings("rules").Should().Contain("replica.launch.detached");
        var launch = root.GetProperty("operations").EnumerateArray().First(o => o.GetProperty("kind").GetString() == "process.launch");
        launch.GetProperty("program").GetString().Should().Be("vllm");
        launch.GetProperty("detached").GetBoolean().Should().BeTrue();
        launch.Strings("capabilities").Should().Contain("replica.launch");
    }

    [Fact]
    public void Check_JsonForHarmlessCommand_HasNoFindings()
    {
        var result = CliRunner.Run(string.Empty, "check", "ls -la", "--json");

        result.ExitCode.Should().Be(0);
        var root = JsonDocument.Parse(result.Stdout).RootElement;
        root.GetProperty("verdict").GetString().Should().Be("allow");
        root.GetProperty("findings").GetArrayLength().Should().Be(0);
        root.GetProperty("operations").EnumerateArray().Should().Contain(o => o.GetProperty("kind").GetString() == "process.launch");
    }

    [Fact]
    public void Check_MultiLineCommand_ShowsOnlyTheLineOfTheSpan()
    {
        const string command = "echo start\ncp -r /models/qwen /tmp/q\necho done";

        var result = CliRunner.Run(string.Empty, "check", command);

        result.ExitCode.Should().Be(2);
        result.Lines.Should().Contain("      cp -r /models/qwen /tmp/q");
        result.Lines.Should().NotContain(l => l.Contains("echo start", StringComparison.Ordinal) || l.Contains("echo done", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_ControlCharactersInCommand_AreNotWrittenToTheTerminal()
    {
        var result = CliRunner.Run(string.Empty, "check", "cp -r /models/qwen \u001b[2J /tmp/q");

        result.ExitCode.Should().Be(2);
        result.Stdout.Should().NotContain("\u001b");
        result.Stdout.Should().Contain("?[2J");
    }

    [Fact]
    public void Check_Dash_ReadsTheCommandFromStdin()
    {
        var result = CliRunner.Run("echo hello\ncp -r /models/qwen /tmp/q\n", "check", "-");

        result.ExitCode.Should().Be(2);
        result.Stdout.Should().Contain("weights.copy");
    }

    [Fact]
    public void Check_DoubleDash_AllowsCommandsStartingWithADash()
    {
        var result = CliRunner.Run(string.Empty, "check", "--json", "--", "-x");

        result.ExitCode.Should().BeOneOf(0, 1, 2);
        JsonDocument.Parse(result.Stdout).RootElement.GetProperty("command").GetString().Should().Be("-x");
    }

    [Fact]
    public void Check_ToolOption_NamesTheTool()
    {
        var result = CliRunner.Run(string.Empty, "check", "cp -r /models/qwen /tmp/q", "--tool", "run_shell_command", "--json");

        var root = JsonDocument.Parse(result.Stdout).RootElement;
        root.GetProperty("tool").GetString().Should().Be("run_shell_command");
        root.GetProperty("verdict").GetString().Should().Be("deny");
    }

    [Fact]
    public void Check_CwdOption_ResolvesRelativePaths()
    {
        var result = CliRunner.Run(string.Empty, "check", "cp -r qwen /tmp/q", "--cwd", "/models", "--json");

        JsonDocument.Parse(result.Stdout).RootElement.Strings("rules").Should().Contain("weights.copy");
        result.ExitCode.Should().Be(2);
    }

    [Fact]
    public void Check_BrokenPolicy_DeniesWithDiagnosticsOnStderr()
    {
        using var temp = new TempDirectory();
        var policy = temp.File("broken.json", "{\n  \"thresholds\": { \"deny\": \"high\" }\n}\n");

        var result = CliRunner.Run(string.Empty, "check", "ls -la", "--policy", policy);

        result.ExitCode.Should().Be(2);
        result.Stderr.Should().MatchRegex(@"broken\.json\(\d+,\d+\): error GR\d{4}: ");
        result.Lines[0].Should().StartWith("DENY (score 100) under ");
        result.Stdout.Should().Contain("error: ").And.Contain("guardrails.policy.missing");
    }

    [Fact]
    public void Check_NoCommand_IsUsageError()
    {
        var result = CliRunner.Run(string.Empty, "check");

        result.ExitCode.Should().Be(64);
        result.Stderr.Should().Contain("no command given").And.Contain("Usage: guardrails check");
    }

    [Fact]
    public void Check_UnquotedCommand_IsUsageError()
    {
        var result = CliRunner.Run(string.Empty, "check", "rm", "-rf");

        result.ExitCode.Should().Be(64);
    }

    [Fact]
    public void Check_UnknownOption_IsUsageError()
    {
        var result = CliRunner.Run(string.Empty, "check", "ls", "--jsn");

        result.ExitCode.Should().Be(64);
        result.Stderr.Should().Contain("unknown option '--jsn'");
    }

    [Fact]
    public void Check_FlagWithValue_IsUsageError()
    {
        CliRunner.Run(string.Empty, "check", "ls", "--json=yes").ExitCode.Should().Be(64);
    }
}
