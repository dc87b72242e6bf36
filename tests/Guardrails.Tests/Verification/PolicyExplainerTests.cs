using Guardrails.Actions;
using Guardrails.Verification;

namespace Guardrails.Tests.Verification;

public sealed class PolicyExplainerTests
{
    [Fact]
    public void Explain_DetachedServer_ShowsOperationsMatchedRulesConditionsAndScore()
    {
        var explanation = PolicyExplainer.Explain(GuardPolicy.Default, ToolCall.Shell("nohup vllm serve /models/qwen --port 8001 &", "/home/agent"));

        explanation.Decision.Verdict.Should().Be(Verdict.Deny);
        explanation.Interpreter.Should().Be("shell");
        explanation.WorkingDirectory.Should().Be("/home/agent");
        var launch = explanation.Operations.Single(o => o.Analyzed.Operation.Kind == OperationKind.ProcessLaunch && o.Analyzed.Capabilities.Contains(Capability.ReplicaLaunch));
        launch.Text.Should().Contain("vllm serve");
        var rule = launch.Rules.Single(r => r.RuleId == "replica.launch.detached");
        rule.Matched.Should().BeTrue();
        rule.Effect.Should().Be("deny");
        rule.Conditions.Should().Contain(c => c.Condition == "detached" && c.Held && c.Expected == "true" && c.Actual == "true");
        rule.Conditions.Should().OnlyContain(c => c.Held);
        launch.NotConsidered.Should().BeGreaterThan(0);
        launch.Rules.Count.Should().Be(explanation.RuleCount - launch.NotConsidered);
        explanation.ScoreTerms.Should().Contain(t => t.RuleId == "replica.launch.detached" && t.Effect == Verdict.Deny);
        explanation.Steps.Should().Contain(s => s.StartsWith("score = ", StringComparison.Ordinal)).And.Contain("verdict: deny");
    }

    [Fact]
    public void Explain_RuleThatFailed_SaysWhichConditionPartFailed()
    {
        var policy = GuardPolicy.Parse(
            """
            { "rules": [ { "id": "x.pip", "effect": "deny", "when": { "operations": ["process.launch"], "programs": ["pip"], "arguments": ["install"] } } ] }
            """);

        var explanation = PolicyExplainer.Explain(policy, ToolCall.Shell("pip list"));

        var rule = explanation.Operations.Single().Rules.Single();
        rule.Matched.Should().BeFalse();
        rule.Conditions.Select(c => (c.Condition, c.Held)).Should().Equal(("operations", true), ("programs", true), ("arguments", false));
        rule.Conditions[2].Expected.Should().Be("install");
        rule.Conditions[2].Actual.Should().Be("pip list");
        explanation.Steps.Should().Equal("score = 0: no rule fired", "score 0 < escalate threshold 40", "verdict: allow");
    }

    [Fact]
    public void Explain_AllowRule_ReportsWhichFindingItSuppressed()
    {
        var policy = GuardPolicy.Parse(
            """
            {
              "extends": ["builtin:default"],
              "rules": [ { "id": "allow.ckpt", "effect": "allow", "suppresses": ["weights.copy"], "when": { "operations": ["file.copy"], "paths": ["/work/ckpt/**"] } } ]
            }
            """);

        var explanation = PolicyExplainer.Explain(policy, ToolCall.Shell("cp /work/ckpt/model.safetensors /work/ckpt/old.safetensors"));

        var rules = explanation.Operations.SelectMany(o => o.Rules).ToList();
        rules.Should().Contain(r => r.RuleId == "allow.ckpt" && r.Matched);
        rules.Where(r => r.Matched && r.Effect != "allow").Should().OnlyContain(r => r.SuppressedBy == "allow.ckpt" || !r.RuleId.StartsWith("weights.copy", StringComparison.Ordinal));
    }

    [Fact]
    public void Explain_UnreadableArguments_ReportsTheProblemAndTheFailClosedStep()
    {
        var explanation = PolicyExplainer.Explain(GuardPolicy.Default, ToolCall.FromJson("bash", """{"command": 42}"""));

        explanation.Problems.Should().ContainSingle().Which.Should().StartWith("guardrails.input.shape");
        explanation.Decision.Verdict.Should().Be(Verdict.Deny);
        explanation.Steps.Should().Contain(s => s.Contains("could not be fully analysed", StringComparison.Ordinal));
    }
}
