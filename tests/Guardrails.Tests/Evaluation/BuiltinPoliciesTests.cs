namespace Guardrails.Tests.Evaluation;

/// <summary>builtin:strict asks a human about anything an unattended agent should not do alone; builtin:audit never blocks.</summary>
public sealed class BuiltinPoliciesTests
{
    private static readonly Guard Strict = new(GuardPolicy.Load("builtin:strict"), new GuardOptions { HomeDirectory = TestGuards.Home });
    private static readonly Guard Audit = new(GuardPolicy.Load("builtin:audit"), new GuardOptions { HomeDirectory = TestGuards.Home });

    [Theory]
    [InlineData("nc -l 8080", "strict.network.listen")]
    [InlineData("curl -s https://example.com/data.json -o data.json", "strict.network.unlisted-host")]
    [InlineData("git clone https://example.com/repo.git", "strict.network.unlisted-host")]
    [InlineData("cat /etc/passwd", "strict.read.outside-working-directory")]
    [InlineData("cp /opt/data/report.csv .", "strict.read.outside-working-directory")]
    [InlineData("nohup ./worker.sh &", "process.detach")]
    public void Strict_EscalatesWhatAnUnattendedAgentShouldNotDoAlone(string command, string rule)
    {
        var decision = Strict.Evaluate(ToolCall.Shell(command, "/home/agent/project"));

        decision.Verdict.Should().Be(Verdict.Escalate, "{0} gave {1}", command, decision);
        decision.RuleIds.Should().Contain(rule);
    }

    [Theory]
    [InlineData("pytest -q")]
    [InlineData("cat src/app.py")]
    [InlineData("curl -s http://localhost:3000/health")]
    [InlineData("cp src/a.py src/b.py")]
    [InlineData("git status && git diff")]
    public void Strict_AllowsWorkInsideTheWorkingDirectory(string command)
    {
        var decision = Strict.Evaluate(ToolCall.Shell(command, "/home/agent/project"));

        decision.Verdict.Should().Be(Verdict.Allow, "{0} gave {1}", command, decision);
    }

    [Fact]
    public void Strict_StillDeniesWhatTheDefaultDenies()
    {
        Strict.Evaluate(ToolCall.Shell("cp -r /models/qwen /tmp/q", "/home/agent/project")).Verdict.Should().Be(Verdict.Deny);
    }

    [Fact]
    public void Strict_AllowListedHostsCanBeAddedWithoutCopyingThePolicy()
    {
        var guard = new Guard(GuardPolicy.Parse("""{ "extends": ["builtin:strict"], "catalogs": { "hosts": { "allowed": ["*.example.com"] } } }"""));

        guard.Evaluate(ToolCall.Shell("curl -s https://api.example.com/v1/status", "/home/agent/project")).Verdict.Should().Be(Verdict.Allow);
        guard.Evaluate(ToolCall.Shell("curl -s https://elsewhere.example.net/", "/home/agent/project")).Verdict.Should().Be(Verdict.Escalate);
    }

    [Theory]
    [InlineData("cp -r /models/qwen /tmp/q", Verdict.Deny)]
    [InlineData("cat ~/.ssh/id_rsa", Verdict.Escalate)]
    [InlineData("ls -la", Verdict.Allow)]
    public void Audit_NeverBlocks_AndReportsWhatDefaultWouldDo(string command, Verdict wouldBe)
    {
        var audited = Audit.Evaluate(ToolCall.Shell(command));
        var enforced = TestGuards.Shell(command);

        audited.Verdict.Should().Be(Verdict.Allow);
        audited.ShadowVerdict.Should().Be(wouldBe);
        enforced.Verdict.Should().Be(wouldBe);
        audited.RuleIds.Should().Equal(enforced.RuleIds);
    }
}
