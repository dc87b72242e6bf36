using System.Text.Json;

namespace Guardrails.Cli.Tests.Commands;

public sealed class DiffCommandTests
{
    private static string Replay(TempDirectory temp) => temp.File("calls.jsonl", string.Join("\n",
        CliRunner.Line("c1", "ls -la"),
        CliRunner.Line("c2", "pip install requests"),
        CliRunner.Line("c3", "cp -r /models/qwen /tmp/q"),
        "{\"id\": \"c4\"}",
        CliRunner.Line("c5", "pip3 install torch")) + "\n");

    [Fact]
    public void Diff_StricterPolicy_ListsEveryChangedDecisionAndExits1()
    {
        using var temp = new TempDirectory();
        var stricter = temp.File("new.json", """{ "extends": ["builtin:default"], "rules": [ { "id": "team.pip", "effect": "deny", "when": { "programs": ["pip", "pip3"], "arguments": ["install"] } } ] }""");

        var result = CliRunner.Run(string.Empty, "diff", "builtin:default", stricter, "--replay", Replay(temp));

        result.ExitCode.Should().Be(1, result.Stderr);
        result.Lines.Should().Contain("line 2 (c2) bash: pip install requests");
        result.Lines.Should().Contain("  allow (0) -> deny (0): team.pip");
        result.Lines.Should().Contain("line 5 (c5) bash: pip3 install torch");
        result.Stdout.Should().NotContain("line 1 ").And.NotContain("line 3 ");
        result.Lines[^1].Should().Be($"4 call(s) replayed through builtin:default and {stricter}: 2 decision(s) changed (2 stricter, 0 looser); 1 line(s) skipped as malformed");
    }

    [Fact]
    public void Diff_SamePolicy_Exits0()
    {
        using var temp = new TempDirectory();

        var result = CliRunner.Run(string.Empty, "diff", "builtin:default", "builtin:default", "--replay", Replay(temp));

        result.ExitCode.Should().Be(0);
        result.Lines[^1].Should().Contain(": 0 decision(s) changed");
    }

    [Fact]
    public void Diff_Json_WritesOneObjectPerChange()
    {
        using var temp = new TempDirectory();
        var looser = temp.File("old.json", """{ "extends": ["builtin:default"], "rules": [ { "id": "team.pip", "effect": "deny", "when": { "programs": ["pip"] } } ] }""");

        var result = CliRunner.Run(string.Empty, "diff", looser, "builtin:default", "--replay", Replay(temp), "--json");

        result.ExitCode.Should().Be(1);
        var change = result.Answers.Should().ContainSingle().Subject;
        change.GetProperty("line").GetInt32().Should().Be(2);
        change.GetProperty("id").GetString().Should().Be("c2");
        change.GetProperty("old").GetProperty("decision").GetString().Should().Be("deny");
        change.GetProperty("new").GetProperty("decision").GetString().Should().Be("allow");
        change.GetProperty("old").GetProperty("rules").EnumerateArray().Select(r => r.GetString()).Should().Equal("team.pip");
    }

    [Fact]
    public void Diff_ReplayFromStdin_Works()
    {
        var result = CliRunner.Run(CliRunner.Line("c1", "ls") + "\n", "diff", "builtin:default", "builtin:strict", "--replay", "-");

        result.ExitCode.Should().BeOneOf(0, 1);
        result.Lines[^1].Should().StartWith("1 call(s) replayed");
    }

    [Fact]
    public void Diff_Errors_HaveTheirExitCodes()
    {
        using var temp = new TempDirectory();
        CliRunner.Run(string.Empty, "diff", "builtin:default").ExitCode.Should().Be(64);
        CliRunner.Run(string.Empty, "diff", "builtin:default", "builtin:strict").ExitCode.Should().Be(64);
        CliRunner.Run(string.Empty, "diff", "builtin:default", "/nonexistent.json", "--replay", Replay(temp)).ExitCode.Should().Be(65);
        CliRunner.Run(string.Empty, "diff", "builtin:default", "builtin:strict", "--replay", "/nonexistent.jsonl").ExitCode.Should().Be(66);
    }
}
