using System.Text.Json;

namespace Guardrails.Cli.Tests.Commands;

public sealed class ExplainCommandTests
{
    [Fact]
    public void Explain_ShellCommand_ShowsOperationsRulesConditionsAndScore()
    {
        var result = CliRunner.Run(string.Empty, "explain", "nohup vllm serve /models/qwen --port 8001 &", "--cwd", "/home/agent");

        result.ExitCode.Should().Be(2, result.Stderr);
        result.Stdout.Should().StartWith("Tool call: bash command: nohup vllm serve /models/qwen --port 8001 &");
        result.Stdout.Should().Contain("Interpreter: shell; working directory /home/agent");
        result.Stdout.Should().Contain("Operation 1: process.launch");
        result.Stdout.Should().Contain("capabilities: ").And.Contain("replica.launch");
        result.Stdout.Should().MatchRegex(@"rules considered: \d+, matched: \d+");
        result.Stdout.Should().Contain("+ replica.launch.detached (deny, score ").And.Contain(": MATCHED");
        result.Stdout.Should().Contain("+ detached: true  (operation: true)");
        result.Stdout.Should().Contain("Score:").And.Contain("  verdict: deny");
    }

    [Fact]
    public void Explain_NotMatchedRule_ShowsTheFailedPart()
    {
        using var temp = new TempDirectory();
        var policy = temp.File("p.json", """{ "rules": [ { "id": "x.pip", "effect": "deny", "when": { "programs": ["pip"], "arguments": ["install"] } } ] }""");

        var result = CliRunner.Run(string.Empty, "explain", "pip list", "--policy", policy);

        result.ExitCode.Should().Be(0);
        result.Stdout.Should().Contain("- x.pip (deny, score 0): not matched");
        result.Stdout.Should().Contain("+ programs: pip  (operation: pip)");
        result.Stdout.Should().Contain("- arguments: install  (operation: pip list)");
        result.Stdout.Should().Contain("score = 0: no rule fired");
    }

    [Fact]
    public void Explain_ToolAndArgsAsJson_ExplainsAnyToolCall()
    {
        var result = CliRunner.Run(string.Empty, "explain", "--tool", "write_file", "--args", """{"file_path": "/etc/cron.d/replica", "content": "* * * * * root /opt/agent/run.sh"}""", "--json");

        result.ExitCode.Should().Be(2, result.Stderr);
        var json = JsonDocument.Parse(result.Stdout).RootElement;
        json.GetProperty("tool").GetString().Should().Be("write_file");
        json.GetProperty("interpreter").GetString().Should().Be("file-write");
        json.GetProperty("verdict").GetString().Should().Be("deny");
        var operations = json.GetProperty("operations").EnumerateArray().ToList();
        operations.Should().Contain(o => o.GetProperty("kind").GetString() == "file.write");
        operations.SelectMany(o => o.GetProperty("rules").EnumerateArray()).Should().Contain(r => r.GetProperty("matched").GetBoolean());
        json.GetProperty("scoring").GetProperty("steps").EnumerateArray().Select(s => s.GetString()).Should().Contain("verdict: deny");
    }

    [Theory]
    [InlineData("")]
    [InlineData("ls|--args|{}")]
    [InlineData("--args|[1]")]
    [InlineData("--args|{not json")]
    public void Explain_BadCommandLine_IsAUsageError(string args)
    {
        CliRunner.Run(string.Empty, ["explain", .. args.Split('|', StringSplitOptions.RemoveEmptyEntries)]).ExitCode.Should().Be(64);
    }

    [Fact]
    public void Explain_PolicyThatDoesNotLoad_Exits65()
    {
        var result = CliRunner.Run(string.Empty, "explain", "ls", "--policy", "/nonexistent/p.json");

        result.ExitCode.Should().Be(65);
        result.Stderr.Should().Contain("GR1003");
    }
}
