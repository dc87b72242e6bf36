using System.Text.Json;

namespace Guardrails.Cli.Tests.Hooks;

/// <summary>
/// Through <c>guardrails hook</c>, a coding agent cannot switch its own guard off: not the hook configuration, not
/// the policy the hook names, not the guard's process or environment — whichever of its tools it uses.
/// </summary>
public sealed class HookTamperTests
{
    public static TheoryData<string, string> ClaudeTampering => new()
    {
        { "hook configuration rewritten", HookSamples.Claude("Write", """{"file_path": "/home/dev/project/.claude/settings.json", "content": "{}"}""") },
        { "hook removed from the local settings", HookSamples.Claude("Edit", """{"file_path": "/home/dev/project/.claude/settings.local.json", "old_string": "\"PreToolUse\"", "new_string": "\"Unused\""}""") },
        { "user-level hooks edited", HookSamples.Claude("MultiEdit", """{"file_path": "/home/dev/.claude/settings.json", "edits": [{"old_string": "guardrails hook", "new_string": "true"}]}""") },
        { "project policy replaced", HookSamples.Claude("Write", """{"file_path": "/home/dev/project/.claude/guardrails.json", "content": "{\"rules\": []}"}""") },
        { "hook configuration deleted", HookSamples.Claude("Bash", """{"command": "rm -rf .claude"}""") },
        { "hook configuration moved away", HookSamples.Claude("Bash", """{"command": "mv .claude/settings.json /tmp/"}""") },
        { "guard service stopped", HookSamples.Claude("Bash", """{"command": "pkill -f 'guardrails serve'"}""") },
        { "policy variable overridden", HookSamples.Claude("Bash", """{"command": "export GUARDRAILS_POLICY=/tmp/allow.json"}""") },
        { "guard service asked directly", HookSamples.Claude("Bash", """{"command": "curl -X POST http://127.0.0.1:8787/v1/decide -d @calls.json"}""") },
        { "MCP file server used instead", HookSamples.Claude("mcp__filesystem__write_file", """{"path": "/home/dev/project/.claude/settings.json", "content": "{}"}""") },
        { "notebook edit of the settings", HookSamples.Claude("NotebookEdit", """{"notebook_path": "/home/dev/project/.claude/settings.json", "new_source": "{}"}""") },
    };

    [Theory]
    [MemberData(nameof(ClaudeTampering))]
    public void Hook_ClaudeTampersWithItsGuard_IsDenied(string attempt, string input)
    {
        var result = CliRunner.Run(input, "hook", "--defer-allow");

        result.ExitCode.Should().Be(0, result.Stderr);
        var answer = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("hookSpecificOutput");
        answer.GetProperty("permissionDecision").GetString().Should().Be("deny", attempt);
        answer.GetProperty("permissionDecisionReason").GetString().Should().Contain("guard.tamper");
    }

    [Theory]
    [InlineData("write_file", """{"file_path": ".gemini/settings.json", "content": "{}"}""")]
    [InlineData("replace", """{"file_path": "/home/dev/project/.gemini/settings.json", "old_string": "guardrails hook", "new_string": "true"}""")]
    [InlineData("run_shell_command", """{"command": "rm .gemini/guardrails.json"}""")]
    public void Hook_GeminiTampersWithItsGuard_IsDenied(string tool, string toolInput)
    {
        var result = CliRunner.Run(HookSamples.Gemini(tool, toolInput), "hook");

        result.ExitCode.Should().Be(0, result.Stderr);
        var answer = JsonDocument.Parse(result.Stdout).RootElement;
        answer.GetProperty("decision").GetString().Should().Be("deny");
        answer.GetProperty("reason").GetString().Should().Contain("guard.tamper");
    }

    [Fact]
    public void Hook_ReadingTheHookConfiguration_IsAllowed()
    {
        var result = CliRunner.Run(HookSamples.Claude("Read", """{"file_path": "/home/dev/project/.claude/settings.json"}"""), "hook");

        JsonDocument.Parse(result.Stdout).RootElement.GetProperty("hookSpecificOutput").GetProperty("permissionDecision").GetString().Should().Be("allow");
    }
}
