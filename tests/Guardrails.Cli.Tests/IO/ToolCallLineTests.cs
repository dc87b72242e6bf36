using System.Text;
using Guardrails.Cli.IO;

namespace Guardrails.Cli.Tests.IO;

public sealed class ToolCallLineTests
{
    private static ToolCallLine Parse(string line, string? defaultCwd = null)
    {
        ToolCallLine.TryParse(Encoding.UTF8.GetBytes(line), defaultCwd, out var result, out _, out var problem).Should().BeTrue(problem);
        return result!;
    }

    [Fact]
    public void TryParse_AllFields_AreCarriedToTheToolCall()
    {
        using var line = Parse("""{"id": "c1", "session": "s1", "agent": "a1", "tool": "bash", "arguments": {"command": "ls"}, "cwd": "/home/agent", "extra": true}""", "/default");

        line.Call.Name.Should().Be("bash");
        line.Call.CallId.Should().Be("c1");
        line.Call.SessionId.Should().Be("s1");
        line.Call.AgentId.Should().Be("a1");
        line.Call.WorkingDirectory.Should().Be("/home/agent");
        line.Call.Arguments.GetProperty("command").GetString().Should().Be("ls");
    }

    [Fact]
    public void TryParse_NoCwd_UsesTheDefault()
    {
        using var line = Parse("""{"tool": "bash", "arguments": {"command": "ls"}}""", "/default");

        line.Call.WorkingDirectory.Should().Be("/default");
        line.Call.CallId.Should().BeNull();
        line.Call.SessionId.Should().BeNull();
    }

    [Fact]
    public void TryParse_NumberId_IsTheCallIdText()
    {
        using var line = Parse("""{"id": 42, "tool": "bash", "arguments": {}}""");

        line.Call.CallId.Should().Be("42");
    }

    [Fact]
    public void TryParse_ArgumentsString_IsParsedIntoAnObject()
    {
        using var line = Parse("""{"tool": "write_file", "arguments": "{\"path\": \"/tmp/a\", \"content\": \"x\"}"}""");

        line.Call.Arguments.GetProperty("path").GetString().Should().Be("/tmp/a");
    }

    [Fact]
    public void TryParse_Problem_KeepsTheIdThatWasRead()
    {
        ToolCallLine.TryParse(Encoding.UTF8.GetBytes("""{"id": "k", "tool": "bash"}"""), null, out var result, out var id, out var problem).Should().BeFalse();

        result.Should().BeNull();
        id.Text.Should().Be("k");
        problem.Should().Be("missing 'arguments'");
    }
}
