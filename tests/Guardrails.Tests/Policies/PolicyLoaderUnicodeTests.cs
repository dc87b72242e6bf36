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
