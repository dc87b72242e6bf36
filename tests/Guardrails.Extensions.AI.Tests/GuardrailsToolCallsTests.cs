using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Guardrails.Extensions.AI.Tests;

public sealed class GuardrailsToolCallsTests
{
    [Fact]
    public void FromFunctionCall_JsonElementArguments_MapsNameArgumentsAndCallId()
    {
        using var document = JsonDocument.Parse("""{"command": "ls -la", "timeout": 5}""");
        var arguments = document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone());

        var call = GuardrailsToolCalls.FromFunctionCall(new FunctionCallContent("call_1", "bash", arguments));

        call.Name.Should().Be("bash");
        call.CallId.Should().Be("call_1");
        call.Arguments.GetProperty("command").GetString().Should().Be("ls -la");
        call.Arguments.GetProperty("timeout").GetInt32().Should().Be(5);
    }

    [Fact]
    public void FromFunctionCall_ClrValues_AreWrittenAsJson()
    {
        var call = GuardrailsToolCalls.FromFunctionCall(new FunctionCallContent("c", "start_process", new Dictionary<string, object?>
        {
            ["program"] = "python3",
            ["args"] = new[] { "start.py", "--port", "8001" },
            ["detached"] = true,
            ["retries"] = 3,
            ["ratio"] = double.NaN,
            ["nothing"] = null,
        }));

        call.Arguments.GetProperty("program").GetString().Should().Be("python3");
        call.Arguments.GetProperty("args").EnumerateArray().Select(e => e.GetString()).Should().Equal("start.py", "--port", "8001");
        call.Arguments.GetProperty("detached").GetBoolean().Should().BeTrue();
        call.Arguments.GetProperty("retries").GetInt32().Should().Be(3);
        call.Arguments.GetProperty("ratio").GetString().Should().Be("NaN");
        call.Arguments.GetProperty("nothing").ValueKind.Should().Be(JsonValueKind.Null);
    }

    [Fact]
    public void FromFunctionCall_ValueWithoutJsonContract_IsPassedAsItsText()
    {
        var call = GuardrailsToolCalls.FromFunctionCall(new FunctionCallContent("c", "bash", new Dictionary<string, object?> { ["command"] = new Opaque() }));

        call.Arguments.GetProperty("command").ToString().Should().Contain("cp -r /models");
    }

    [Fact]
    public void FromFunctionCall_NoArguments_IsAnEmptyObject()
    {
        var call = GuardrailsToolCalls.FromFunctionCall(new FunctionCallContent("c", "list_tools"));

        call.Arguments.ValueKind.Should().Be(JsonValueKind.Object);
        call.Arguments.EnumerateObject().Should().BeEmpty();
    }

    public static TheoryData<string?, string?, string?, string?> Sessions => new()
    {
        // property, conversation id, configured, expected
        { "from-property", "conv", "configured", "from-property" },
        { null, "conv", "configured", "conv" },
        { null, null, "configured", "configured" },
        { null, null, null, null },
    };

    [Theory]
    [MemberData(nameof(Sessions))]
    public void FromFunctionCall_SessionId_PropertyThenConversationThenOptions(string? property, string? conversationId, string? configured, string? expected)
    {
        var chatOptions = new ChatOptions { ConversationId = conversationId };
        if (property is not null)
        {
            chatOptions.AdditionalProperties = new() { [GuardrailsChatClientOptions.SessionIdProperty] = property };
        }

        var call = GuardrailsToolCalls.FromFunctionCall(ScriptedBash(), new GuardrailsChatClientOptions { SessionId = configured }, chatOptions);

        call.SessionId.Should().Be(expected);
    }

    [Fact]
    public void FromFunctionCall_WorkingDirectoryAndAgent_ComeFromOptionsUnlessTheRequestNamesOne()
    {
        var options = new GuardrailsChatClientOptions { WorkingDirectory = "/home/agent", AgentId = "agent-7" };
        var perRequest = new ChatOptions { AdditionalProperties = new() { [GuardrailsChatClientOptions.WorkingDirectoryProperty] = "/tmp/job" } };

        GuardrailsToolCalls.FromFunctionCall(ScriptedBash(), options).WorkingDirectory.Should().Be("/home/agent");
        GuardrailsToolCalls.FromFunctionCall(ScriptedBash(), options, perRequest).WorkingDirectory.Should().Be("/tmp/job");
        GuardrailsToolCalls.FromFunctionCall(ScriptedBash(), options).AgentId.Should().Be("agent-7");
    }

    private static FunctionCallContent ScriptedBash() => Fakes.ScriptedChatClient.Bash("c1", "ls");

    public sealed class Opaque
    {
        // Cannot be serialized (a cycle), so its text is what the guard sees.
        public Opaque Self => this;

        public override string ToString() => "cp -r /models/qwen /tmp/q";
    }
}
