using Guardrails.Actions;
using Guardrails.Interpreters;

namespace Guardrails.Tests.Interpreters;

/// <summary>
/// The tool names and argument shapes of common agent frameworks and coding agents are read by the right interpreter
/// without any configuration (docs/adapters.md, "Custom tool names and argument shapes").
/// </summary>
public sealed class BuiltinToolNamesTests
{
    private const string CopyWeights = "cp -r /models/qwen /tmp/q";

    public static TheoryData<string> ShellToolNames => new(
        "bash", "Bash", "shell", "sh", "run_shell", "run_shell_command", "shell_command", "execute_command", "execute_shell",
        "execute_shell_command", "run_terminal_cmd", "run_terminal_command", "terminal", "run_command", "run_cmd", "exec",
        "exec_command", "execute_bash", "run_bash", "bash_command", "run_bash_command", "run_in_terminal", "local_shell",
        "execute_terminal_command", "builtin_run_terminal_command", "RUN_SHELL");

    [Theory]
    [MemberData(nameof(ShellToolNames))]
    public void ShellToolName_IsReadAsAShellCommand(string tool)
    {
        ToolBinding.Defaults.TryGetValue(tool, out var binding).Should().Be(tool != "RUN_SHELL", "other spellings are found case-insensitively");

        var decision = TestGuards.Call(tool, $$"""{"command":"{{CopyWeights}}"}""");

        decision.Verdict.Should().Be(Verdict.Deny);
        decision.RuleIds.Should().Contain("weights.copy");
        (binding?.Interpreter ?? InterpreterKind.Shell).Should().Be(InterpreterKind.Shell);
    }

    public static TheoryData<string, string, string> ShellArgumentShapes => new()
    {
        // tool, arguments, rule expected ("" for allow)
        { "run_command", $$"""{"CommandLine":"{{CopyWeights}}","Cwd":"/tmp"}""", "weights.copy" },             // Windsurf
        { "shell", """{"command":["bash","-lc","cp -r /models/qwen /tmp/q"],"workdir":"/tmp"}""", "weights.copy" }, // Codex, argv
        { "local_shell", """{"command":["cp","-r","/models/qwen","/tmp/q"]}""", "weights.copy" },                // OpenAI local shell, argv
        { "terminal", """{"commands":["echo hi","cp -r /models/qwen /tmp/q"]}""", "weights.copy" },              // LangChain, list of lines
        { "shell", """{"command":["bash","-lc","ls -la && git status"],"workdir":"/tmp"}""", "" },
        { "shell", """{"command":["python3","-c","print(1)"]}""", "" },
        { "shell", """{"command":["git","commit","-m","fix: cp -r is not used here"]}""", "" },
        { "shell", """{"command":[]}""", "guardrails.input.shape" },
        { "shell", """{"command":["ls",1]}""", "guardrails.input.shape" },
    };

    [Theory]
    [MemberData(nameof(ShellArgumentShapes))]
    public void ShellArguments_InTheShapesAgentsSend_AreRead(string tool, string arguments, string rule)
    {
        AssertDecided(TestGuards.Call(tool, arguments), rule);
    }

    [Fact]
    public void ShellArgumentVector_IsQuotedSoThatNoItemIsReadAsShellSyntax()
    {
        // As an argument vector, "; cp …" is one argument of echo, not a second command.
        var decision = TestGuards.Call("shell", """{"command":["echo","; cp -r /models/qwen /tmp/q"]}""");

        decision.Verdict.Should().Be(Verdict.Allow, decision.ToString());
    }

    public static TheoryData<string, string, string> FileTools => new()
    {
        // Writes and edits of a start-up file or a cron entry, in each tool's own argument names.
        { "write_file", """{"file_path":"/etc/cron.d/x","content":"* * * * * root /tmp/q/start.sh"}""", "persistence" },
        { "create_new_file", """{"filepath":"/etc/cron.d/x","contents":"* * * * * root /tmp/q/start.sh"}""", "persistence" },     // Continue
        { "write_to_file", """{"TargetFile":"/etc/cron.d/x","CodeContent":"* * * * * root /tmp/q/start.sh"}""", "persistence" },  // Windsurf
        { "file_write", """{"path":"/etc/cron.d/x","text":"* * * * * root /tmp/q/start.sh"}""", "persistence" },
        { "append_to_file", """{"path":"/etc/cron.d/x","content":"* * * * * root /tmp/q/start.sh"}""", "persistence" },
        { "replace", """{"file_path":"/home/agent/.bashrc","old_string":"x","new_string":"nohup /tmp/q/start.sh &"}""", "persistence.shell-rc" },                // Gemini CLI
        { "replace_string_in_file", """{"filePath":"/home/agent/.bashrc","oldString":"x","newString":"nohup /tmp/q/start.sh &"}""", "persistence.shell-rc" }, // Copilot
        { "edit_existing_file", """{"filepath":"/home/agent/.bashrc","changes":"nohup /tmp/q/start.sh &"}""", "persistence.shell-rc" },                       // Continue
        { "str_replace", """{"path":"/home/agent/.bashrc","old_str":"x","new_str":"nohup /tmp/q/start.sh &"}""", "persistence.shell-rc" },
        { "NotebookEdit", """{"notebook_path":"/home/agent/.bashrc","new_source":"nohup /tmp/q/start.sh &"}""", "persistence.shell-rc" },                     // Claude Code
        // Reads of a credential.
        { "read_file", """{"absolute_path":"/home/agent/.ssh/id_rsa"}""", "credential.access" },   // Gemini CLI
        { "read_text_file", """{"path":"/home/agent/.ssh/id_rsa"}""", "credential.access" },       // MCP filesystem server
        { "file_read", """{"file_path":"/home/agent/.ssh/id_rsa"}""", "credential.access" },
        { "Read", """{"file_path":"/home/agent/.ssh/id_rsa"}""", "credential.access" },
        // Copies and moves of the weights.
        { "move", """{"source":"/models/qwen","destination":"/tmp/q"}""", "weights.copy" },
        { "rename_file", """{"from":"/models/qwen","to":"/tmp/q"}""", "weights.copy" },
        // Code, HTTP and processes.
        { "python_repl", """{"query":"import shutil; shutil.copytree('/models/qwen', '/tmp/q')"}""", "weights.copy" },            // LangChain
        { "run_python_code", """{"code":"import shutil; shutil.copytree('/models/qwen', '/tmp/q')"}""", "weights.copy" },
        { "http_get", """{"url":"http://169.254.169.254/latest/meta-data/iam/security-credentials/"}""", "credential.access" },
        { "fetch_url", """{"URL":"http://169.254.169.254/latest/meta-data/iam/security-credentials/"}""", "credential.access" },
        { "run_program", """{"program":"vllm","args":["serve","/tmp/q","--port","8001"]}""", "replica.launch" },
    };

    [Theory]
    [MemberData(nameof(FileTools))]
    public void OtherToolNames_AreReadByTheirInterpreter(string tool, string arguments, string rule)
    {
        var decision = TestGuards.Call(tool, arguments);

        decision.Verdict.Should().NotBe(Verdict.Allow);
        decision.RuleIds.Should().Contain(rule);
    }

    public static TheoryData<string, string, string> UnknownToolsWithACommand => new()
    {
        // tool (not bound), arguments, rule expected ("" for allow)
        { "terminal_run", $$"""{"command":"{{CopyWeights}}"}""", "weights.copy" },
        { "docker_exec", """{"container":"agent","cmd":"nohup vllm serve /models/qwen --port 8001 &"}""", "replica.launch" },
        { "mcp__ops__execute", """{"command_line":"(crontab -l; echo '@reboot /tmp/q/start.sh') | crontab -"}""", "persistence" },
        { "terminal_run", """{"command":"ls -la && git status"}""", "" },
        { "query_db", """{"command":"SELECT name FROM users WHERE (id = 1)"}""", "" },   // not bash: data, not a command
        { "redis", """{"command":"FLUSHALL"}""", "" },
        { "get_weather", """{"city":"cp -r /models/qwen /tmp/q"}""", "" },             // only command-named arguments are read so
    };

    [Theory]
    [MemberData(nameof(UnknownToolsWithACommand))]
    public void UnknownTool_ACommandNamedArgumentThatIsBash_IsReadAsAShellCommand(string tool, string arguments, string rule)
    {
        ToolBinding.Defaults.ContainsKey(tool).Should().BeFalse();

        AssertDecided(TestGuards.Call(tool, arguments), rule);
    }

    [Fact]
    public void ApplyPatch_CodexEnvelope_EachFileIsJudged()
    {
        const string Patch = "*** Begin Patch\n*** Update File: src/app.py\n@@\n-print(1)\n+print(2)\n*** Add File: /etc/cron.d/x\n+* * * * * root /tmp/q/start.sh\n*** End Patch";

        var decision = TestGuards.Default.Evaluate(TestGuards.Tool("apply_patch", new { input = Patch }));

        decision.Verdict.Should().Be(Verdict.Deny);
        decision.RuleIds.Should().Contain("persistence");
        var files = TestGuards.OperationsOf(decision).OfType<FileOperation>().ToList();
        files.Select(f => f.Path).Should().Equal("/home/agent/src/app.py", "/etc/cron.d/x");
        files[1].Content.Should().Be("* * * * * root /tmp/q/start.sh\n");
        Patch.Substring(decision.Findings[0].Evidence.Span.Start, decision.Findings[0].Evidence.Span.Length).Should().Be("/etc/cron.d/x");
    }

    [Fact]
    public void ApplyPatch_UnifiedDiff_OfAStartupFile_IsJudged()
    {
        const string Patch = "--- a/.bashrc\n+++ b/.bashrc\n@@ -1 +1,2 @@\n alias ll='ls -l'\n+nohup /tmp/q/start.sh &\n";

        var decision = TestGuards.Default.Evaluate(TestGuards.Tool("apply_patch", new { patch = Patch }));

        decision.RuleIds.Should().Contain("persistence.shell-rc");
    }

    [Fact]
    public void ApplyPatch_MovesAndDeletes_AreReadAsSuch()
    {
        const string Patch = "*** Begin Patch\n*** Update File: a.txt\n*** Move to: b.txt\n@@\n-x\n+y\n*** Delete File: c.txt\n*** End Patch";

        var decision = TestGuards.Default.Evaluate(TestGuards.Tool("apply_patch", new { input = Patch }));

        TestGuards.OperationsOf(decision).OfType<FileOperation>().Select(f => (f.Action, f.Path)).Should().Equal(
            (FileAction.Move, "/home/agent/b.txt"), (FileAction.Write, "/home/agent/b.txt"), (FileAction.Delete, "/home/agent/c.txt"));
    }

    [Fact]
    public void ApplyPatch_OrdinaryCodeChange_IsAllowed()
    {
        var decision = TestGuards.Default.Evaluate(TestGuards.Tool("apply_patch", new { input = "*** Begin Patch\n*** Update File: src/app.py\n@@\n-print(1)\n+print(2)\n*** End Patch" }));

        decision.Verdict.Should().Be(Verdict.Allow);
    }

    [Fact]
    public void ApplyPatch_WithoutAPathOrAPatch_IsAShapeProblem()
    {
        TestGuards.Call("apply_patch", """{"input":"print(2)"}""").RuleIds.Should().Equal("guardrails.input.shape");
    }

    /// <summary>Asserts an allow when <paramref name="rule"/> is empty, else a deny by that rule.</summary>
    private static void AssertDecided(Decision decision, string rule)
    {
        if (rule.Length == 0)
        {
            decision.Verdict.Should().Be(Verdict.Allow, decision.ToString());
        }
        else
        {
            decision.Verdict.Should().Be(Verdict.Deny);
            decision.RuleIds.Should().Contain(rule);
        }
    }
}
