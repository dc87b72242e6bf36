using System.Text.Json;
using Guardrails.Actions;
using Guardrails.Evaluation;

namespace Guardrails.Tests.Evaluation;

/// <summary>Every failure path ends in deny (or escalate where the policy says so), with a finding that names the cause.</summary>
public sealed class FailClosedTests
{
    [Fact]
    public void Evaluate_InterpreterThrows_DeniesNamingTheInterpreter()
    {
        // A host that hands over a JsonElement whose document it already disposed: reading it throws inside the interpreter.
        var document = JsonDocument.Parse("""{"command":"ls"}""");
        var call = new ToolCall("bash", document.RootElement);
        document.Dispose();

        var decision = TestGuards.Default.Evaluate(call);

        decision.Verdict.Should().Be(Verdict.Deny);
        decision.Error.Should().NotBeNull();
        decision.RuleIds.Should().ContainSingle().Which.Should().StartWith("guardrails.error.");
    }

    [Fact]
    public void Evaluate_RuleThrows_CountsAsMatched()
    {
        var policy = GuardPolicy.Default.Compile(null, TestGuards.Home);
        var throwing = new CompiledRule
        {
            Index = 0,
            Id = "custom.throws",
            Message = "a rule that throws",
            Effect = RuleEffect.Deny,
            Score = 100,
            Condition = new CompiledCondition { Predicate = _ => throw new InvalidOperationException("boom") },
        };
        var rules = new[] { throwing };
        var broken = CopyWithRules(policy, rules);

        var decision = Evaluator.Evaluate(broken, ToolCall.Shell("ls -la"));

        decision.Verdict.Should().Be(Verdict.Deny);
        decision.RuleIds.Should().Contain("custom.throws");
    }

    [Fact]
    public void Evaluate_ArgumentOverTheSizeLimit_Denies()
    {
        var guard = TestGuards.WithPolicy("""{"extends":["builtin:default"],"limits":{"maxInputLength":100}}""");

        var decision = guard.Evaluate(ToolCall.Shell("echo " + new string('a', 200)));

        decision.Verdict.Should().Be(Verdict.Deny);
        decision.RuleIds.Should().Contain("guardrails.limit.input-size");
        decision.Findings.Single(f => f.RuleId == "guardrails.limit.input-size").Message.Should().Contain("over the limit of 100");
    }

    public static TheoryData<string, string> BadShapes => new()
    {
        { "bash", """{"command":42}""" },
        { "bash", """{"cmd":[["ls"]]}""" },  // an argument vector holds strings only
        { "bash", """{"command":[]}""" },
        { "bash", """{}""" },
        { "bash", """["ls"]""" },
        { "write_file", """{"content":"x"}""" },
        { "http_request", """{"method":"GET"}""" },
        { "start_process", """{"program":"ls","args":{"a":1}}""" },
        { "start_process", """{"program":"ls","args":["-l",3]}""" },
        { "copy_file", """{"source":"a"}""" },
    };

    [Theory]
    [MemberData(nameof(BadShapes))]
    public void Evaluate_UnknownArgumentShapeForABoundTool_Denies(string tool, string arguments)
    {
        var decision = TestGuards.Call(tool, arguments);

        decision.Verdict.Should().Be(Verdict.Deny);
        decision.RuleIds.Should().Contain("guardrails.input.shape");
        decision.Error.Should().NotBeNullOrEmpty();
        decision.Findings.Where(f => f.RuleId == "guardrails.input.shape").Should().ContainSingle("one problem is reported once");
    }

    [Fact]
    public void Evaluate_BadShapeUnderAnEscalatingPolicy_Escalates()
    {
        var guard = TestGuards.WithPolicy("""{"extends":["builtin:default"],"onError":"escalate"}""");

        var decision = guard.Evaluate(ToolCall.FromJson("bash", """{"command":null}"""));

        decision.Verdict.Should().Be(Verdict.Escalate);
        decision.RuleIds.Should().Contain("guardrails.input.shape");
    }

    [Fact]
    public void Evaluate_MissingPolicy_DeniesEverything()
    {
        var guard = Guard.CreateFailClosed("policy file /etc/guardrails/policy.json not found");

        var decision = guard.Evaluate(ToolCall.Shell("ls"));

        decision.Verdict.Should().Be(Verdict.Deny);
        decision.RuleIds.Should().Equal("guardrails.policy.missing");
        decision.Reasons.Single().Should().Contain("/etc/guardrails/policy.json not found");
        guard.Policy.Should().BeNull();
    }

    [Fact]
    public void Evaluate_CancelledToken_Denies()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        var decision = TestGuards.Default.Evaluate(ToolCall.Shell("ls"), cts.Token);

        decision.Verdict.Should().Be(Verdict.Deny);
        decision.RuleIds.Should().Equal("guardrails.cancelled");
    }

    [Fact]
    public void Evaluate_UnknownToolUnderAPolicyThatEscalatesThem_Escalates()
    {
        var guard = TestGuards.WithPolicy("""{"extends":["builtin:default"],"unknownTools":"escalate"}""");

        var decision = guard.Evaluate(ToolCall.FromJson("launch_rocket", """{"target":"moon"}"""));

        decision.Verdict.Should().Be(Verdict.Escalate);
        decision.RuleIds.Should().Equal("guardrails.tool.unknown");
    }

    [Fact]
    public void Evaluate_TooManyOperations_LeavesAnOpaqueMarkerInsteadOfASilentPass()
    {
        var guard = TestGuards.WithPolicy("""{"extends":["builtin:default"],"limits":{"maxOperations":5}}""");
        var command = string.Join("; ", Enumerable.Range(0, 20).Select(i => $"echo {i} > f{i}.txt"));

        var decision = guard.Evaluate(ToolCall.Shell(command));

        decision.Operations.Should().HaveCount(5);
        decision.Operations[^1].Operation.Should().BeOfType<OpaqueCode>();
        decision.Verdict.Should().NotBe(Verdict.Allow);
    }

    [Fact]
    public void Evaluate_UnparseableShell_IsNotAllowed()
    {
        var decision = TestGuards.Shell("cp -r /models/qwen /tmp/q; if then (");

        decision.Verdict.Should().Be(Verdict.Deny);
        decision.RuleIds.Should().Contain("weights.copy");
    }

    internal static CompiledPolicy CopyWithRules(CompiledPolicy policy, CompiledRule[] rules) => new()
    {
        Name = policy.Name,
        Version = policy.Version,
        Mode = policy.Mode,
        OnError = policy.OnError,
        UnknownTools = policy.UnknownTools,
        EscalateThreshold = policy.EscalateThreshold,
        DenyThreshold = policy.DenyThreshold,
        Limits = policy.Limits,
        Catalog = policy.Catalog,
        Tools = policy.Tools,
        ToolsIgnoreCase = policy.ToolsIgnoreCase,
        Rules = rules,
        Index = new RuleIndex(rules),
    };
}
