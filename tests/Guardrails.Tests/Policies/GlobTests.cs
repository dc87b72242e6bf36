using Guardrails.Policies;

namespace Guardrails.Tests.Policies;

public sealed class GlobTests
{
    public static TheoryData<string, string, bool> MatchTable => new()
    {
        { "/models/**", "/models", true },
        { "/models/**", "/models/", true },
        { "/models/**", "/models/a/b.gguf", true },
        { "/models/**", "/modelsx", false },
        { "/models/**", "/models-old/a", false },
        { "/models/*", "/models/a", true },
        { "/models/*", "/models/a/b", false },
        { "*.safetensors", "model.safetensors", true },
        { "*.safetensors", ".safetensors", true },
        { "*.safetensors", "model.safetensors.bak", false },
        { "*.safetensors", "dir/model.safetensors", false },
        { "model-*-of-*.safetensors", "model-00001-of-00030.safetensors", true },
        { "model-*-of-*.safetensors", "model-00001-00030.safetensors", false },
        { "model-*-of-*.safetensors", "model--of-.safetensors", true },
        { "[!a]x", "bx", true },
        { "[!a]x", "ax", false },
        { "[!a]x", "x", false },
        { "[^a]x", "cx", true },
        { "**/node_modules/**", "node_modules", true },
        { "**/node_modules/**", "/src/app/node_modules/lodash/index.js", true },
        { "**/node_modules/**", "src/node_modules", true },
        { "**/node_modules/**", "src/node_modules2/x", false },
        { "/a/**/b", "/a/b", true },
        { "/a/**/b", "/a/x/y/b", true },
        { "/a/**/b", "/a/x/y/c", false },
        { "**", "", true },
        { "**", "/any/depth/at/all", true },
        { "a?c", "abc", true },
        { "a?c", "a/c", false },
        { "[a-c]*", "banana", true },
        { "[a-c]*", "dog", false },
        { "[]]", "]", true },
        { "[a-]", "-", true },
        { "pytorch_model*.bin", "pytorch_model-00001-of-00002.bin", true },
        { "Model", "model", false },
        { "/etc/cron.d/x", "/etc/cron.d/x", true },
        { "/etc/cron.d/x", "/etc/cron.d/y", false },
        { "a**b", "axxb", true },
        { "a**b", "ax/xb", false },
        { "*model*", "my-model-dir", true },
    };

    [Theory]
    [MemberData(nameof(MatchTable))]
    public void IsMatch_Table_MatchesExpected(string pattern, string text, bool expected)
    {
        Glob.Compile(pattern).IsMatch(text).Should().Be(expected, "'{0}' against '{1}'", pattern, text);
    }

    public static TheoryData<string, string> InvalidTable => new()
    {
        { "", "empty" },
        { "/models/[a", "closing ']'" },
        { "[a/b]", "closing ']'" },
        { "[z-a]", "reversed" },
        { "[!]", "closing ']'" },
    };

    [Theory]
    [MemberData(nameof(InvalidTable))]
    public void IsValid_InvalidPattern_ExplainsWhy(string pattern, string fragment)
    {
        Glob.IsValid(pattern, out var error).Should().BeFalse();
        error.Should().Contain(fragment);
        var compile = () => Glob.Compile(pattern);
        compile.Should().Throw<ArgumentException>();
    }

    [Theory]
    [InlineData("/models/**", "/models/", false)]
    [InlineData("*.gguf", "", false)]
    [InlineData("/etc/passwd", "/etc/passwd", true)]
    [InlineData("/home/[ab]/x", "/home/", false)]
    public void Compile_Pattern_ExposesLiteralPrefix(string pattern, string prefix, bool isLiteral)
    {
        var glob = Glob.Compile(pattern);
        glob.LiteralPrefix.Should().Be(prefix);
        glob.IsLiteral.Should().Be(isLiteral);
        glob.Pattern.Should().Be(pattern);
    }

    [Fact]
    public void TryCompile_ValidAndInvalid_ReportsWithoutThrowing()
    {
        Glob.TryCompile("/opt/**/*.py", out var glob, out var error).Should().BeTrue();
        error.Should().BeNull();
        glob!.IsMatch("/opt/agent/main.py").Should().BeTrue();

        Glob.TryCompile("[", out glob, out error).Should().BeFalse();
        glob.Should().BeNull();
        error.Should().Contain("closing ']'");
    }

    [Fact]
    public void IsMatch_PathologicalPattern_RunsInPolynomialTime()
    {
        // Exponential backtracking would never finish on this input.
        var glob = Glob.Compile(string.Concat(Enumerable.Repeat("*a", 30)) + "b");
        var text = new string('a', 5000);
        var started = System.Diagnostics.Stopwatch.StartNew();
        glob.IsMatch(text).Should().BeFalse();
        started.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));

        var deep = Glob.Compile(string.Concat(Enumerable.Repeat("**/a/", 20)) + "b");
        deep.IsMatch(string.Concat(Enumerable.Repeat("a/", 2000))).Should().BeFalse();
    }

    [Fact]
    public void IsMatch_SteadyState_DoesNotAllocate()
    {
        var glob = Glob.Compile("**/model-*-of-*.safetensors");
        const string Text = "/home/agent/.cache/huggingface/hub/model-00001-of-00030.safetensors";
        glob.IsMatch(Text).Should().BeTrue();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            glob.IsMatch(Text);
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
    }
}
