using Guardrails.Policies;

namespace Guardrails.Tests.Policies;

public sealed class PolicyAnalyzerTests
{
    private static IReadOnlyList<PolicyDiagnostic> Analyze(string json)
    {
        using var temp = new TempPolicyDirectory();
        var path = temp.Write("p.json", json);
        return PolicyAnalyzer.Analyze(GuardPolicy.LoadFile(path));
    }

    [Fact]
    public void Analyze_RuleCoveredByAnEarlierDenyRule_IsShadowed()
    {
        var diagnostics = Analyze(
            """
            { "rules": [
              { "id": "deny.scp", "effect": "deny", "when": { "programs": ["scp", "rsync"] } },
              { "id": "score.scp-models", "score": 30, "when": { "programs": ["scp"], "paths": ["/models/**"] } },
              { "id": "deny.curl", "effect": "deny", "when": { "programs": ["curl"] } }
            ] }
            """);

        var diagnostic = diagnostics.Should().ContainSingle().Which;
        diagnostic.Code.Should().Be("GR2401");
        diagnostic.Severity.Should().Be(PolicyDiagnosticSeverity.Warning);
        diagnostic.Message.Should().Be("rule 'score.scp-models' is shadowed by the earlier deny rule 'deny.scp' (p.json line 2), which matches wherever it matches, so it can never change a decision");
        (diagnostic.Line, diagnostic.Column, diagnostic.JsonPath).Should().Be((3, 3, "$.rules[1]"));
    }

    [Fact]
    public void Analyze_RuleSuppressedEverywhereByAnAllowRule_CanNeverFire()
    {
        var diagnostics = Analyze(
            """
            { "rules": [
              { "id": "allow.git", "effect": "allow", "suppresses": ["network.push"], "when": { "programs": ["git"] } },
              { "id": "network.push", "effect": "escalate", "when": { "programs": ["git"], "arguments": ["\\bpush\\b"] } }
            ] }
            """);

        diagnostics.Should().ContainSingle().Which.Code.Should().Be("GR2402");
    }

    [Fact]
    public void Analyze_NarrowerOrDifferentRules_AreNotReported()
    {
        var diagnostics = Analyze(
            """
            { "rules": [
              { "id": "deny.scp-models", "effect": "deny", "when": { "programs": ["scp"], "paths": ["/models/**"] } },
              { "id": "score.scp", "score": 30, "when": { "programs": ["scp"] } },
              { "id": "deny.x", "effect": "deny", "when": { "programs": ["x"], "unless": { "paths": ["/tmp/**"] } } },
              { "id": "deny.x2", "effect": "deny", "when": { "programs": ["x"] } },
              { "id": "allow.tmp", "effect": "allow", "when": { "operations": ["file.copy"], "paths": ["/tmp/**", "/models/**"] } },
              { "id": "copy.models", "effect": "deny", "when": { "operations": ["file.copy"], "paths": ["/models/**"] } }
            ] }
            """);

        diagnostics.Should().BeEmpty();
    }

    [Fact]
    public void Analyze_SuppressesNamingNothing_IsGR2403WithASuggestion()
    {
        var diagnostics = Analyze(
            """
            { "rules": [
              { "id": "allow.x", "effect": "allow", "suppresses": ["weights.cpy", "deny.scp"], "when": { "programs": ["x"] } },
              { "id": "deny.scp", "effect": "deny", "when": { "programs": ["scp"] } }
            ] }
            """);

        var diagnostic = diagnostics.Should().ContainSingle().Which;
        diagnostic.Code.Should().Be("GR2403");
        diagnostic.Help.Should().Be("Did you mean 'weights.copy'?");
        diagnostic.JsonPath.Should().Be("$.rules[0].suppresses[0]");
    }

    [Fact]
    public void Analyze_PatternMatchingEverything_IsGR2404()
    {
        var diagnostics = Analyze("""{ "rules": [ { "id": "x", "effect": "deny", "when": { "programs": ["x"], "arguments": [".*", "^-r$"] } } ] }""");

        diagnostics.Should().ContainSingle().Which.JsonPath.Should().Be("$.rules[0].when.arguments[0]");
    }

    [Fact]
    public void Analyze_ExtendingPolicy_ReportsOnlyItsOwnRules()
    {
        var diagnostics = Analyze("""{ "extends": ["builtin:default"], "rules": [ { "id": "team.x", "effect": "deny", "when": { "programs": ["frob"] } } ] }""");

        diagnostics.Should().NotContain(d => d.File == null || d.File.StartsWith("builtin:", StringComparison.Ordinal));
    }

    [Fact]
    public void Analyze_BuiltinPolicies_HaveNoErrors()
    {
        foreach (var name in GuardPolicy.BuiltinNames)
        {
            PolicyAnalyzer.Analyze(GuardPolicy.Load(name)).Should().NotContain(d => d.Severity == PolicyDiagnosticSeverity.Error);
        }
    }
}
