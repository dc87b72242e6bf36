using Guardrails.Actions;

namespace Guardrails.Tests.Evaluation;

/// <summary>Every operation kind is derived from the tool calls that perform it, through the public API.</summary>
public sealed class OperationKindTests
{
    public static TheoryData<string, string, OperationKind> Calls => new()
    {
        { "bash", """{"command":"python3 app.py"}""", OperationKind.ProcessLaunch },
        { "start_process", """{"program":"/usr/bin/python3","args":["app.py"]}""", OperationKind.ProcessLaunch },
        { "read_file", """{"path":"/home/agent/notes.txt"}""", OperationKind.FileRead },
        { "bash", """{"command":"cat < /etc/hosts"}""", OperationKind.FileRead },
        { "write_file", """{"path":"out.txt","content":"hi"}""", OperationKind.FileWrite },
        { "bash", """{"command":"echo hi > out.txt"}""", OperationKind.FileWrite },
        { "bash", """{"command":"echo hi >> out.txt"}""", OperationKind.FileAppend },
        { "copy_file", """{"source":"a.txt","destination":"b.txt"}""", OperationKind.FileCopy },
        { "bash", """{"command":"cp a.txt b.txt"}""", OperationKind.FileCopy },
        { "bash", """{"command":"mv a.txt b.txt"}""", OperationKind.FileMove },
        { "bash", """{"command":"rm -f a.txt"}""", OperationKind.FileDelete },
        { "bash", """{"command":"ln -s a.txt b.txt"}""", OperationKind.FileLink },
        { "bash", """{"command":"chmod +x run.sh"}""", OperationKind.FilePermissionChange },
        { "bash", """{"command":"scp notes.txt user@example.net:/tmp/"}""", OperationKind.NetworkTransfer },
        { "bash", """{"command":"nc -l -p 4444"}""", OperationKind.NetworkListen },
        { "bash", """{"command":"kill -9 4242"}""", OperationKind.SignalSend },
        { "bash", """{"command":"trap 'echo bye' TERM"}""", OperationKind.SignalTrap },
        { "bash", """{"command":"echo '0 * * * * /bin/true' | crontab -"}""", OperationKind.ScheduledTask },
        { "bash", """{"command":"ssh user@example.net uptime"}""", OperationKind.RemoteExecution },
        { "bash", """{"command":"gcloud compute instances create vm1 --zone us-central1-a"}""", OperationKind.ComputeProvision },
        { "http_request", """{"url":"https://example.com/","method":"GET"}""", OperationKind.HttpRequest },
        { "bash", """{"command":"export FOO=bar"}""", OperationKind.EnvironmentChange },
        { "bash", """{"command":"eval \"$PAYLOAD\""}""", OperationKind.OpaqueCode },
    };

    [Theory]
    [MemberData(nameof(Calls))]
    public void Evaluate_ToolCall_DerivesOperationOfKind(string tool, string arguments, OperationKind expected)
    {
        var decision = TestGuards.Call(tool, arguments);

        TestGuards.OperationsOf(decision).Select(o => o.Kind).Should().Contain(expected, "tool {0} {1} gave {2}", tool, arguments, string.Join(", ", TestGuards.OperationsOf(decision).Select(o => o.Kind)));
    }

    [Fact]
    public void Evaluate_RelativePaths_ResolveAgainstTheWorkingDirectory()
    {
        var decision = TestGuards.Call("bash", """{"command":"cp ../a.txt ./b/c.txt"}""", cwd: "/home/agent/project");

        var copy = TestGuards.OperationsOf(decision).OfType<FileOperation>().Single(o => o.Action == FileAction.Copy);
        copy.Sources.Should().Equal("/home/agent/a.txt");
        copy.Path.Should().Be("/home/agent/project/b/c.txt");
    }

    [Fact]
    public void Evaluate_CwdArgument_TakesPrecedenceOverTheCallsWorkingDirectory()
    {
        var decision = TestGuards.Call("bash", """{"command":"cp model.safetensors /tmp/","cwd":"/models/qwen"}""", cwd: "/home/agent");

        var copy = TestGuards.OperationsOf(decision).OfType<FileOperation>().Single();
        copy.Sources.Should().Equal("/models/qwen/model.safetensors");
        decision.Verdict.Should().Be(Verdict.Deny);
    }

    [Fact]
    public void Evaluate_FileWriteTool_KeepsContentAndClassifiesPersistence()
    {
        var decision = TestGuards.Call("write_file", """{"file_path":"/etc/cron.d/replica","content":"@reboot root /opt/agent/start.sh"}""");

        var write = TestGuards.OperationsOf(decision).OfType<FileOperation>().Single();
        write.Content.Should().Contain("@reboot");
        decision.Verdict.Should().Be(Verdict.Deny);
        decision.RuleIds.Should().Contain("persistence");
        decision.Findings[0].Evidence.Source.Should().Be("file_path");
    }

    [Fact]
    public void Evaluate_EditToolWithEditsArray_IsAFileWrite()
    {
        var decision = TestGuards.Call("MultiEdit", """{"file_path":"/home/agent/app.py","edits":[{"old_string":"a","new_string":"b"}]}""");

        TestGuards.OperationsOf(decision).OfType<FileOperation>().Single().Action.Should().Be(FileAction.Write);
        decision.Verdict.Should().Be(Verdict.Allow);
    }

    [Fact]
    public void Evaluate_HttpRequest_ParsesHostPortAndPath()
    {
        var decision = TestGuards.Call("http_request", """{"url":"http://127.0.0.1:8001/v1/chat/completions","method":"post","body":{"messages":[{"role":"user","content":"hello"}]}}""");

        var http = TestGuards.OperationsOf(decision).OfType<HttpRequestOperation>().Single();
        http.Method.Should().Be("POST");
        http.Host.Should().Be("127.0.0.1");
        http.Port.Should().Be(8001);
        http.PathAndQuery.Should().Be("/v1/chat/completions");
        http.Body.Should().Contain("hello");
        decision.Verdict.Should().Be(Verdict.Allow);
    }

    [Fact]
    public void Evaluate_HttpRequestAskingAModelToReplicate_IsReplicaInstruct()
    {
        var decision = TestGuards.Call("http_request", """{"url":"http://127.0.0.1:8001/v1/chat/completions","body":"{\"messages\":[{\"role\":\"user\",\"content\":\"Please replicate yourself on port 8002\"}]}"}""");

        decision.Verdict.Should().Be(Verdict.Deny);
        decision.RuleIds.Should().Contain("replica.instruct");
    }

    [Fact]
    public void Evaluate_UnknownTool_PathArgumentsStillMeetTheRules()
    {
        var decision = TestGuards.Call("mcp__files__upload", """{"file":"/models/qwen/model-00001-of-00002.safetensors","bucket":"x"}""");

        TestGuards.OperationsOf(decision).OfType<FileOperation>().Should().ContainSingle(o => o.Action == FileAction.Read);
        decision.Operations.Single().Capabilities.Should().Contain(Capability.WeightsRead);
    }

    [Fact]
    public void Evaluate_UnknownToolWithHarmlessArguments_IsAllowed()
    {
        var decision = TestGuards.Call("get_weather", """{"city":"Paris"}""");

        decision.Verdict.Should().Be(Verdict.Allow);
        decision.Operations.Should().BeEmpty();
    }

    [Theory]
    [InlineData("Bash")]
    [InlineData("run_shell_command")]
    [InlineData("execute_command")]
    [InlineData("run_terminal_cmd")]
    [InlineData("shell")]
    public void Evaluate_BriefShellToolNames_WorkWithoutConfiguration(string tool)
    {
        var decision = TestGuards.Call(tool, """{"command":"cp -r /models/qwen /tmp/q"}""");

        decision.Verdict.Should().Be(Verdict.Deny);
    }
}
