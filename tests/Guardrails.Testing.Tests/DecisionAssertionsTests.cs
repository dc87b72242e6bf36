using Guardrails.Actions;
using Guardrails.Testing;
using Xunit.Sdk;

namespace Guardrails.Testing.Tests;

public sealed class DecisionAssertionsTests
{
    private static readonly TestPolicy Policy = TestPolicy.Default;

    [Fact]
    public void BeDenied_ByRule_PassesForTheRuleThatFired()
    {
        var decision = Policy.Evaluate("nohup vllm serve /models/qwen --port 8001 &");

        decision.Should().BeDenied().ByRule("replica.launch.detached").WithScoreAtLeast(80)
            .And.HaveFindingFor(Capability.ReplicaLaunch)
            .And.HaveOperationWith(Capability.ProcessDetach);
        decision.Should().BeBlocked();
        decision.Should().HaveFinding("replica.launch.detached").Which.Capability.Should().Be(Capability.ReplicaLaunch);
    }

    [Fact]
    public void BeAllowed_OrdinaryCommand_Passes()
    {
        Policy.Evaluate("git status").Should().BeAllowed().And.NotHaveFinding("replica.launch");
    }

    [Fact]
    public void BeAllowed_DeniedCall_FailsWithVerdictScoreFindingsAndOperations()
    {
        var decision = Policy.Evaluate("cp -r /models/qwen /tmp/q");

        var act = () => decision.Should().BeAllowed("copies are {0}", "fine");

        var message = act.Should().Throw<XunitException>().Which.Message;
        message.Should().StartWith("Expected decision to be allowed because copies are fine, but it was deny (score ");
        message.Should().Contain("under builtin:default; findings:");
        message.Should().Contain("  - weights.copy");
        message.Should().Contain("(at \"/models/qwen /tmp/q\")");
        message.Should().Contain("FileCopy [weights.copy");
    }

    [Fact]
    public void ByRule_OtherRule_FailsNamingTheRule()
    {
        var act = () => Policy.Evaluate("cp -r /models/qwen /tmp/q").Should().BeDenied().ByRule("persistence.cron");

        act.Should().Throw<XunitException>().WithMessage("Expected decision to be decided by rule 'persistence.cron', but it was deny*");
    }

    [Fact]
    public void BeEscalatedAndBeDenied_OnAllowedCall_Fail()
    {
        var decision = Policy.Evaluate("ls");

        ((Action)(() => decision.Should().BeEscalated())).Should().Throw<XunitException>().WithMessage("Expected decision to be escalated, but it was allow (score 0)*no findings*");
        ((Action)(() => decision.Should().BeBlocked())).Should().Throw<XunitException>();
        ((Action)(() => decision.Should().HaveFinding("x"))).Should().Throw<XunitException>().WithMessage("*finding of rule 'x'*");
        ((Action)(() => decision.Should().HaveScoreAtLeast(1))).Should().Throw<XunitException>();
    }

    [Fact]
    public void Messages_WithBracesInTheEvidence_AreNotMangled()
    {
        var decision = Policy.EvaluateTool("write_file", """{"file_path": "/etc/cron.d/x", "content": "* * * * * root echo {0} {reason}"}""");

        var act = () => decision.Should().BeAllowed();

        act.Should().Throw<XunitException>().Which.Message.Should().Contain("Expected decision to be allowed, but it was deny");
    }
}
