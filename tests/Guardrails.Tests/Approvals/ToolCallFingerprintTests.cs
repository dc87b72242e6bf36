using System.Text.Json;
using Guardrails.Approvals;

namespace Guardrails.Tests.Approvals;

public sealed class ToolCallFingerprintTests
{
    public static TheoryData<string, string> SameCall => new()
    {
        { """{"a":1,"b":"x"}""", """{ "b" : "x", "a" : 1 }""" },
        { """{"n":1}""", """{"n":1.0}""" },
        { """{"n":100}""", """{"n":1e2}""" },
        { """{"n":1.5}""", """{"n":15e-1}""" },
        { """{"n":-0.012}""", """{"n":-1.2E-2}""" },
        { """{"n":0}""", """{"n":-0.0e7}""" },
        { """{"s":"é\n"}""", """{"s":"\u00e9\u000a"}""" },
        { """{"o":{"y":[1,{"b":2,"a":1}],"x":null}}""", """{"o":{"x":null,"y":[1.0,{"a":1,"b":2}]}}""" },
    };

    public static TheoryData<string, string> DifferentCall => new()
    {
        { """{"command":"ls"}""", """{"command":"ls "}""" },
        { """{"command":"ls"}""", """{"command":"ls","extra":true}""" },
        { """{"n":1}""", """{"n":"1"}""" },
        { """{"n":0.1234567890123456789012345678901}""", """{"n":0.1234567890123456789012345678902}""" },
        { """{"a":[1,2]}""", """{"a":[2,1]}""" },
        { """{"a":1,"a":2}""", """{"a":2,"a":1}""" },
        { """{"flag":true}""", """{"flag":false}""" },
    };

    [Theory]
    [MemberData(nameof(SameCall))]
    public void Compute_SameArgumentsInAnotherJsonShape_IsTheSame(string first, string second)
    {
        Fingerprint("bash", first).Should().Be(Fingerprint("bash", second));
    }

    [Theory]
    [MemberData(nameof(DifferentCall))]
    public void Compute_AnyChangeOfTheArguments_ChangesIt(string first, string second)
    {
        Fingerprint("bash", first).Should().NotBe(Fingerprint("bash", second));
    }

    [Fact]
    public void Compute_AnotherToolName_ChangesIt()
    {
        Fingerprint("bash", "{}").Should().NotBe(Fingerprint("Bash", "{}"));
        Fingerprint("bash", "{}").Should().MatchRegex("^[0-9a-f]{64}$");
    }

    [Fact]
    public void Compute_NoArgumentsOrNull_IsTheEmptyObject()
    {
        var none = ToolCallFingerprint.Compute("list", default);

        none.Should().Be(Fingerprint("list", "{}")).And.Be(Fingerprint("list", "null"));
    }

    [Fact]
    public void Canonicalize_SortsKeysAndNormalizesNumbersAndWhitespace()
    {
        using var document = JsonDocument.Parse("""{ "b": [1.50, 2e0], "a": {"y": "é", "x": -0} }""");

        ToolCallFingerprint.Canonicalize(document.RootElement).Should().Be("""{"a":{"x":0,"y":"é"},"b":[15e-1,2]}""");
    }

    [Fact]
    public void Compute_DeeplyNestedArguments_DoesNotThrow()
    {
        var json = new string('[', 60) + new string(']', 60);
        using var document = JsonDocument.Parse($$"""{"a":{{json}}}""");

        var act = () => ToolCallFingerprint.Compute("t", document.RootElement);

        act.Should().NotThrow();
    }

    [Fact]
    public void Compute_ToolCall_UsesNameAndArguments()
    {
        var call = ToolCall.FromJson("bash", """{"command":"ls"}""");

        ToolCallFingerprint.Compute(call).Should().Be(Fingerprint("bash", """{"command":"ls"}"""));
    }

    private static string Fingerprint(string name, string json)
    {
        using var document = JsonDocument.Parse(json);
        return ToolCallFingerprint.Compute(name, document.RootElement);
    }
}
