using Guardrails.Policies;

namespace Guardrails.Tests.Policies;

/// <summary>
/// Regression (found by the policy fuzz target): JSON that is well-formed but not valid Unicode — an unpaired
/// surrogate escape such as <c>\ud800</c> — made System.Text.Json throw InvalidOperationException, which the loader
/// reported as GR1999 ("a bug in Guardrails"). It is invalid JSON text (GR1001), and the policy is rejected.
/// </summary>
public sealed class PolicyLoaderUnicodeTests
{
    [Theory]
    [InlineData("""{ "rules": [ { "id": "a.b", "effect": "deny", "when": { "capabilities": ["weights.copy"] }, "n\ud800ame": 1 } ] }""")]
    [InlineData("""{ "name": "x\ud800", "rules": [] }""")]
    [InlineData("""{ "rules": [ { "id": "a\udc00b", "effect": "deny", "when": { "capabilities": ["weights.copy"] } } ] }""")]
    [InlineData("""{ "version": "one", "rules": [ { "\ud800": 1 } ] }""")]
    [InlineData("""{ "extends": ["builtin:strict"], "rules": [ { "id": "x.seq", "examples": { "m\ud800atch": ["ls"] } } ] }""")]
    public void LoadText_UnpairedSurrogateEscape_IsRejectedAsInvalidJson_NotAsAnInternalError(string json)
    {
        var result = PolicyLoader.LoadText(json, "policy.json");

        result.Success.Should().BeFalse();
        result.Diagnostics.Should().NotContain(d => d.Code == "GR1999");
        result.Diagnostics.Should().Contain(d => d.Severity == PolicyDiagnosticSeverity.Error && (d.Code == "GR1001" || d.Code == "GR1002"));
    }

    [Fact]
    public void Build_PropertyNameWithUnpairedSurrogate_IndexesTheRestOfTheFile()
    {
        var index = JsonPositionIndex.Build("""{ "a\ud800": 1, "b": 2 }"""u8, out var syntaxError);

        syntaxError.Should().BeNull();
        index.TryGet("$.b", out _).Should().BeTrue();
    }
}

/// <summary>
/// Regression (found by afl-fuzz on the policy target): an unknown property whose name ends in '[' ("host[") made
/// JsonPositionIndex.TrySplitLast compute a negative length, and the loader reported GR1999 instead of GR1002.
/// </summary>
public sealed class PolicyLoaderPathTests
{
    [Theory]
    [InlineData("""{ "rules": [ { "id": "a.b", "effect": "deny", "when": { "host[": ["*.example.com"] } } ] }""", "host[")]
    [InlineData("""{ "rules: [": [] }""", "rules: [")]
    [InlineData("""{ "self": { "": 1 } }""", "")]
    public void LoadText_UnknownPropertyWithBracketsInItsName_IsReportedAsUnknown(string json, string name)
    {
        var result = PolicyLoader.LoadText(json, "policy.json");

        result.Diagnostics.Should().NotContain(d => d.Code == "GR1999");
        result.Diagnostics.Should().Contain(d => d.Code == "GR1002" && d.Message.Contains($"'{name}'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("$.when['host[']", "$.when", "host[")]
    [InlineData("$.when['a.b']", "$.when", "a.b")]
    [InlineData("$['']", "$", "")]
    [InlineData("$.x['[']", "$.x", "[")]
    public void TrySplitLast_BracketedName_SplitsAtItsOpeningBracket(string path, string parent, string name)
    {
        JsonPositionIndex.TrySplitLast(path, out var actualParent, out var actualName, out _).Should().BeTrue();

        actualParent.Should().Be(parent);
        actualName.Should().Be(name);
    }
}
