using System.Text;
using System.Text.Json;
using Guardrails.Policies;

namespace Guardrails.Tests.Policies;

public sealed class JsonPositionIndexTests
{
    private const string Json = """
        {
          "tools": { "my.tool": { "interpreter": "shell" } },
          "rules": [
            { "id": "a" },
            // comment
            { "id": "b", "when": { "ports": [80, "1-2"] } },
          ],
        }
        """;

    public static TheoryData<string, int, int> Positions => new()
    {
        { "$", 1, 1 },
        { "$.tools", 2, 3 },
        { "$.tools['my.tool']", 2, 14 },
        { "$.tools['my.tool'].interpreter", 2, 27 },
        { "$.rules", 3, 3 },
        { "$.rules[0]", 4, 5 },
        { "$.rules[0].id", 4, 7 },
        { "$.rules[1]", 6, 5 },
        { "$.rules[1].when.ports[1]", 6, 42 },
    };

    [Theory]
    [MemberData(nameof(Positions))]
    public void Build_PathOfPropertyOrElement_RecordsLineAndColumn(string path, int line, int column)
    {
        var index = JsonPositionIndex.Build(Encoding.UTF8.GetBytes(Json), out var error);
        error.Should().BeNull();
        index.TryGet(path, out var entry).Should().BeTrue();
        (entry.Line, entry.Column).Should().Be((line, column));
    }

    [Fact]
    public void Build_PropertyValue_RecordsValueTokenType()
    {
        var index = JsonPositionIndex.Build(Encoding.UTF8.GetBytes(Json), out _);
        index.TryGet("$.rules", out var rules).Should().BeTrue();
        rules.TokenType.Should().Be(JsonTokenType.StartArray);
        index.TryGet("$.rules[1].when.ports[0]", out var port).Should().BeTrue();
        port.TokenType.Should().Be(JsonTokenType.Number);
    }

    [Fact]
    public void Locate_AbsentPath_FallsBackToNearestAncestor()
    {
        var index = JsonPositionIndex.Build(Encoding.UTF8.GetBytes(Json), out _);
        index.Locate("$.rules[0].when.operations[3]").Should().Be((4, 5));
        index.Locate(null).Should().Be((0, 0));
    }

    [Fact]
    public void Build_NonAsciiBeforeToken_CountsColumnsInUtf16Characters()
    {
        // 'è' is 2 UTF-8 bytes and one char; '🚀' is 4 UTF-8 bytes and two chars (a surrogate pair).
        var index = JsonPositionIndex.Build(Encoding.UTF8.GetBytes("{\"a\": \"è🚀\", \"b\": 1}"), out _);
        index.TryGet("$.b", out var entry).Should().BeTrue();
        entry.Column.Should().Be(14);
    }

    [Fact]
    public void Build_MalformedJson_ReturnsReaderErrorAndWhatWasIndexed()
    {
        var index = JsonPositionIndex.Build("{\"a\": 1,\n \"b\" 2}"u8, out var error);
        error.Should().NotBeNull();
        index.TryGet("$.a", out _).Should().BeTrue();
    }

    [Theory]
    [InlineData("$.a.b", "$.a", "b", -1)]
    [InlineData("$.a[12]", "$.a", null, 12)]
    [InlineData("$.tools['my.tool'].interpreter", "$.tools['my.tool']", "interpreter", -1)]
    [InlineData("$.tools['my.tool']", "$.tools", "my.tool", -1)]
    [InlineData("$.a", "$", "a", -1)]
    public void TrySplitLast_Path_SplitsLastSegment(string path, string parent, string? name, int index)
    {
        JsonPositionIndex.TrySplitLast(path, out var actualParent, out var actualName, out var actualIndex).Should().BeTrue();
        (actualParent, actualName, actualIndex).Should().Be((parent, name, index));
        JsonPositionIndex.TrySplitLast("$", out _, out _, out _).Should().BeFalse();
    }

    [Theory]
    [InlineData("plain", "$.plain")]
    [InlineData("my.tool", "$['my.tool']")]
    [InlineData("a b", "$['a b']")]
    [InlineData("run_shell_command", "$.run_shell_command")]
    [InlineData("model-weights", "$.model-weights")]
    public void Property_Name_IsSpelledLikeSystemTextJson(string name, string expected)
    {
        JsonPositionIndex.Property("$", name).Should().Be(expected);
    }

    [Fact]
    public void ToLineColumn_ReaderPositionInBytes_ConvertsToOneBasedCharacters()
    {
        var utf8 = Encoding.UTF8.GetBytes("{\n  \"é\": x\n}");
        // Line 1 (0-based), byte 8 is the 'x': two spaces, quote, 'é' (2 bytes), quote, colon, space.
        JsonPositionIndex.ToLineColumn(utf8, 1, 8).Should().Be((2, 8));
    }
}
