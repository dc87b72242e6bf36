using Guardrails.Policies;
using Guardrails.Testing;

namespace Guardrails.Testing.Tests;

public sealed class TestPolicyTests
{
    [Fact]
    public void Load_RelativePath_IsFoundFromTheOutputDirectoryAndCached()
    {
        var policy = TestPolicy.Load("TestData/policy.json");

        policy.Policy.Name.Should().EndWith(Path.Combine("TestData", "policy.json"));
        TestPolicy.Load("TestData/policy.json").Should().BeSameAs(policy);
        policy.Evaluate("pip install x").Should().BeEscalated().ByRule("team.pip-install");
    }

    [Fact]
    public void Load_BrokenPolicy_ThrowsWithEveryDiagnostic()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("guardrails-testing-").FullName, "p.json");
        File.WriteAllText(path, """{ "rules": [ { "id": "x", "effect": "deny", "when": { "programs": ["pip"] }, "examples": { "match": ["npm install"] } } ] }""");

        var act = () => TestPolicy.Load(path);

        act.Should().Throw<PolicyLoadException>().Which.Message.Should().Contain("GR2302");
    }

    [Fact]
    public void StartSession_CallsShareAHistory()
    {
        var session = TestPolicy.Default.StartSession();

        session.Evaluate("printf 'cp -r /models/qwen /tmp/q' > /tmp/job.sh").Should().BeAllowed();
        session.Evaluate("bash /tmp/job.sh").Should().BeBlocked();
    }

    [Fact]
    public void EvaluateSession_ReturnsOneDecisionPerCommand()
    {
        TestPolicy.Default.EvaluateSession("ls", "cp -r /models/qwen /tmp/q").Select(d => d.Verdict).Should().Equal(Verdict.Allow, Verdict.Deny);
    }

    [Fact]
    public void Explain_ShowsTheRulesConsidered()
    {
        var explanation = TestPolicy.Default.Explain("cp -r /models/qwen /tmp/q");

        explanation.Operations.SelectMany(o => o.Rules).Should().Contain(r => r.Matched);
    }
}
