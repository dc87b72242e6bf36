using Guardrails.Actions;
using Guardrails.Cli.Rendering;

namespace Guardrails.Cli.Tests.Rendering;

public sealed class TextRendererTests
{
    private static readonly Operation Launch = new ProcessLaunch("cp", ["-r"]);

    private static string Render(string command, int start, int length, Verdict effect = Verdict.Deny, string source = "command", Operation? operation = null, string text = "", bool styled = false)
    {
        var finding = new Finding("weights.copy", Capability.WeightsCopy, "copies model weights", 90, effect, new Evidence(operation ?? Launch, source, new TextSpan(start, length), text));
        using var output = new StringWriter();
        new TextRenderer(styled).WriteFinding(finding, "command", command, output);
        return output.ToString();
    }

    [Fact]
    public void WriteFinding_SpanInTheMiddle_UnderlinesExactlyTheSpan()
    {
        Render("ls && cp -r /models/q /tmp/x", 6, 22).Should().Be(
            "  x weights.copy [weights.copy] copies model weights\n" +
            "      ls && cp -r /models/q /tmp/x\n" +
            "            ^^^^^^^^^^^^^^^^^^^^^^\n");
    }

    [Theory]
    [InlineData(Verdict.Deny, "x")]
    [InlineData(Verdict.Escalate, "!")]
    [InlineData(Verdict.Allow, "-")]
    public void WriteFinding_Marker_FollowsTheEffect(Verdict effect, string marker)
    {
        Render("ls", 0, 2, effect).Should().StartWith($"  {marker} weights.copy ");
    }

    [Fact]
    public void WriteFinding_MultiLineCommand_ShowsOnlyTheLinesTheSpanCovers()
    {
        const string command = "echo a\ncp -r /models/q \\\n  /tmp/x\necho b";

        var text = Render(command, 7, 26);

        text.Should().Be(
            "  x weights.copy [weights.copy] copies model weights\n" +
            "      cp -r /models/q \\\n" +
            "      ^^^^^^^^^^^^^^^^^\n" +
            "        /tmp/x\n" +
            "      ^^^^^^^^\n");
    }

    [Fact]
    public void WriteFinding_CrLfCommand_DoesNotShowTheCarriageReturn()
    {
        Render("echo a\r\ncp x y\r\n", 8, 6).Should().EndWith(
            "      cp x y\n" +
            "      ^^^^^^\n");
    }

    [Fact]
    public void WriteFinding_EmptySpan_ShowsTheLineWithoutCarets()
    {
        var text = Render("echo a\ncp x y", 9, 0);

        text.Should().EndWith("      cp x y\n");
        text.Should().NotContain("^");
    }

    [Fact]
    public void WriteFinding_WithoutOperationOrSpan_ShowsNoSource()
    {
        var finding = new Finding("guardrails.policy.missing", Capability.CodeOpaque, "no policy", 100, Verdict.Deny, new Evidence(null, string.Empty, TextSpan.Empty, string.Empty));
        using var output = new StringWriter();

        new TextRenderer(styled: false).WriteFinding(finding, "command", "ls", output);

        output.ToString().Should().Be("  x guardrails.policy.missing [code.opaque] no policy\n");
    }

    [Fact]
    public void WriteFinding_SpanInAnotherArgument_ShowsTheEvidenceText()
    {
        Render("ls", 3, 4, source: "content", text: "@reboot /x").Should().EndWith("      @reboot /x\n");
    }

    [Fact]
    public void WriteFinding_Tabs_KeepCaretsAligned()
    {
        Render("a\tb\tcp x", 4, 4).Should().EndWith(
            "      a\tb\tcp x\n" +
            "       \t \t^^^^\n");
    }

    [Fact]
    public void WriteFinding_LongLine_IsCutAroundTheSpan()
    {
        var command = new string('a', 300) + " cp -r /models/q /tmp/x " + new string('b', 300);
        var start = command.IndexOf("cp", StringComparison.Ordinal);

        var lines = Render(command, start, 22).Split('\n');

        lines[1].Length.Should().Be(6 + 3 + TextRenderer.MaxExcerptWidth + 3);
        lines[1].Should().StartWith("      ...").And.EndWith("...");
        var caret = lines[2].IndexOf('^', StringComparison.Ordinal);
        lines[1].Substring(caret, 22).Should().Be("cp -r /models/q /tmp/x");
        lines[2].Trim().Should().Be(new string('^', 22));
    }

    [Fact]
    public void WriteFinding_SpanPastTheEnd_IsClamped()
    {
        Render("cp x y", 3, 100).Should().EndWith(
            "      cp x y\n" +
            "         ^^^\n");
    }

    [Fact]
    public void WriteFinding_Styled_UsesColoursAndUnicodeMarkers()
    {
        var text = Render("cp x y", 0, 2, styled: true);

        text.Should().Contain("\u001b[31m✗\u001b[0m").And.Contain("\u001b[31m^^\u001b[0m");
    }
}
