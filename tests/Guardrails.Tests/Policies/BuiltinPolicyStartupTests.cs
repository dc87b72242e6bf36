using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Guardrails.Evaluation;
using Guardrails.Policies;

namespace Guardrails.Tests.Policies;

/// <summary>
/// What makes loading an embedded policy cheap must not change what it loads: the hashes computed at build time are
/// the SHA-256 of the embedded bytes, the regexes that are not constructed at load are valid, the same text loaded as
/// an ordinary file passes the full validation, and a policy file's regexes are still checked when it loads.
/// </summary>
public sealed class BuiltinPolicyStartupTests
{
    public static TheoryData<string> BuiltinNames() => [.. PolicyLoader.BuiltinNames.Select(n => n[PolicyLoader.BuiltinPrefix.Length..])];

    [Theory]
    [MemberData(nameof(BuiltinNames))]
    public void BuildTimeHash_IsSha256OfTheEmbeddedBytes(string name)
    {
        var bytes = ReadResource(name);

        BuiltinPolicyHashes.Get(name).Should().NotBeNull($"the build computes a hash for every embedded policy, and '{name}' is one")
            .And.BeEquivalentTo(Convert.ToHexString(SHA256.HashData(bytes)));
    }

    [Theory]
    [MemberData(nameof(BuiltinNames))]
    public void BuiltinVersion_IsTheHashOfEveryFileItIsBuiltFrom(string name)
    {
        // The version is the SHA-256 of the files in load order, joined by a zero byte; a lone builtin uses the
        // hash from the build, a builtin that extends others hashes them all at run time. Both must agree.
        var result = PolicyLoader.LoadBuiltin(name);
        var joined = new List<byte>();
        foreach (var source in result.Sources)
        {
            if (joined.Count > 0)
            {
                joined.Add(0);
            }

            joined.AddRange(ReadResource(source[PolicyLoader.BuiltinPrefix.Length..]));
        }

        result.Version.Should().Be(Convert.ToHexStringLower(SHA256.HashData([.. joined]))[..16]);
    }

    [Theory]
    [MemberData(nameof(BuiltinNames))]
    public void BuiltinText_LoadedAsAFile_PassesFullValidation(string name)
    {
        // As a file, nothing is trusted: every regex is constructed and every check runs.
        var result = PolicyLoader.LoadText(Encoding.UTF8.GetString(ReadResource(name)), name + ".json");

        result.Diagnostics.Where(d => d.Severity == PolicyDiagnosticSeverity.Error).Should().BeEmpty();
        result.Success.Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(BuiltinNames))]
    public void BuiltinRegexes_AllConstructWithoutBacktracking(string name)
    {
        var patterns = new List<string>();
        foreach (var rule in PolicyLoader.LoadBuiltin(name).Document!.Rules ?? [])
        {
            CollectPatterns(rule.When, patterns);
        }

        foreach (var pattern in patterns)
        {
            var construct = () => PolicyRegex.Create(pattern);
            construct.Should().NotThrow($"the builtin policy '{name}' is loaded without constructing '{pattern}'");
        }
    }

    [Fact]
    public void PolicyFile_RegexNeedingBacktracking_IsStillRejectedAtLoad()
    {
        const string Json = """
            { "extends": ["builtin:default"],
              "rules": [{ "id": "x.y", "effect": "deny", "when": { "arguments": ["(a)\\1"] } }] }
            """;

        var result = PolicyLoader.LoadText(Json, "policy.json");

        result.Success.Should().BeFalse();
        result.Diagnostics.Should().Contain(d => d.Code == "GR2012" && d.Severity == PolicyDiagnosticSeverity.Error);
    }

    [Fact]
    public void CompiledRegex_IsConstructedOnFirstMatch_AndReusesTheValidatedInstance()
    {
        const string Json = """{ "rules": [{ "id": "x.y", "effect": "deny", "when": { "arguments": ["--port(=|\\s|$)"] } }] }""";
        var policy = GuardPolicy.Parse(Json);

        var regex = policy.Compiled.Rules.Single().Condition.Arguments.Single();

        regex.Pattern.Should().Be("--port(=|\\s|$)");
        regex.IsMatch("vllm serve --port 8000").Should().BeTrue();
        regex.IsMatch("vllm serve --portable").Should().BeFalse();
        regex.Regex.Should().BeSameAs(regex.Regex);
        regex.Regex.Options.Should().Be(PolicyRegex.Options);
    }

    [Fact]
    public void PolicyRegex_NeverValidatedAndInvalid_FailsClosedWhenTheRuleIsReached()
    {
        // Only a broken embedded policy could get here (the tests above rule that out); the decision must still deny.
        var document = JsonSerializer.Deserialize(
            """{ "rules": [{ "id": "x.y", "effect": "deny", "score": 10, "when": { "operations": ["process.launch"], "arguments": ["(a)\\1"] } }] }""",
            PolicyJsonContext.Default.PolicyDocument)!;
        var compiled = PolicyCompiler.Compile(document, "broken", "0", null, "/root");

        var decision = Evaluator.Evaluate(compiled, ToolCall.Shell("sleep 1"));

        // A rule whose condition throws counts as matched (the evaluator fails closed per rule).
        decision.Verdict.Should().Be(Verdict.Deny);
        decision.Findings.Should().Contain(f => f.RuleId == "x.y");
    }

    private static void CollectPatterns(ConditionDocument? condition, List<string> patterns)
    {
        if (condition is null)
        {
            return;
        }

        patterns.AddRange(condition.Arguments ?? []);
        CollectPatterns(condition.Unless, patterns);
        CollectPatterns(condition.History?.Match, patterns);
    }

    private static byte[] ReadResource(string name)
    {
        using var stream = typeof(GuardPolicy).Assembly.GetManifestResourceStream($"Guardrails.Policies.{name}.json")!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
