using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;

namespace Guardrails.SemanticKernel.Tests;

public sealed class KernelArgumentsJsonTests
{
    private sealed record Target(string Host, int Port);

    [Fact]
    public void ToJsonObject_EveryKindOfValue_BecomesOneJsonObject()
    {
        using var element = JsonDocument.Parse("""{"a": [1, 2]}""");
        var arguments = new KernelArguments
        {
            ["text"] = "ls",
            ["number"] = 42,
            ["big"] = ulong.MaxValue,
            ["ratio"] = 0.5,
            ["flag"] = true,
            ["none"] = null,
            ["element"] = element.RootElement.Clone(),
            ["node"] = new JsonObject { ["b"] = "c" },
            ["record"] = new Target("example.org", 22),
            ["nan"] = double.NaN,
        };

        var json = KernelArgumentsJson.ToJsonObject(arguments, AIJsonUtilities.DefaultOptions);

        json.GetProperty("text").GetString().Should().Be("ls");
        json.GetProperty("number").GetInt32().Should().Be(42);
        json.GetProperty("big").GetUInt64().Should().Be(ulong.MaxValue);
        json.GetProperty("ratio").GetDouble().Should().Be(0.5);
        json.GetProperty("flag").GetBoolean().Should().BeTrue();
        json.GetProperty("none").ValueKind.Should().Be(JsonValueKind.Null);
        json.GetProperty("element").GetProperty("a").GetArrayLength().Should().Be(2);
        json.GetProperty("node").GetProperty("b").GetString().Should().Be("c");
        json.GetProperty("record").GetProperty("host").GetString().Should().Be("example.org");
        json.GetProperty("nan").ValueKind.Should().NotBe(JsonValueKind.Undefined, "a value JSON cannot hold is still passed on, never dropped");
    }

    [Fact]
    public void ToJsonObject_NoArguments_IsAnEmptyObject()
    {
        KernelArgumentsJson.ToJsonObject(null, AIJsonUtilities.DefaultOptions).GetRawText().Should().Be("{}");
    }

    [Fact]
    public void ToJsonObject_UnserializableValue_FallsBackToItsText()
    {
        var arguments = new KernelArguments { ["self"] = new SelfReferencing() };

        var json = KernelArgumentsJson.ToJsonObject(arguments, AIJsonUtilities.DefaultOptions);

        json.GetProperty("self").GetString().Should().Be("cp -r /models/qwen /tmp/q");
    }

    private sealed class SelfReferencing
    {
        public SelfReferencing Self => this;

        public override string ToString() => "cp -r /models/qwen /tmp/q";
    }
}
