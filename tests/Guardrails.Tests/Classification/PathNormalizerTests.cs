using Guardrails.Classification;

namespace Guardrails.Tests.Classification;

public sealed class PathNormalizerTests
{
    public static TheoryData<string, string?, string> Cases => new()
    {
        { "/models/qwen", null, "/models/qwen" },
        { "//models///qwen/", null, "/models/qwen" },
        { "/models/./qwen/../qwen", null, "/models/qwen" },
        { "~/x", null, "/home/agent/x" },
        { "~", null, "/home/agent" },
        { "~root/.ssh/id_rsa", null, "/root/.ssh/id_rsa" },
        { "~bob/.ssh", null, "/home/bob/.ssh" },
        { "qwen", "/models", "/models/qwen" },
        { "../a", "/models/qwen", "/models/a" },
        { "./x/../y", "/tmp", "/tmp/y" },
        { "/proc/self/root/models/qwen", null, "/models/qwen" },
        { "/proc/self/cwd/qwen", "/models", "/models/qwen" },
        { "/../../models", null, "/models" },
        { "relative/path", null, "relative/path" },
        { "a/../../b", null, "b" },
        { "C:\\models\\q", null, "C:/models/q" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Normalize_Path_GivesTheCanonicalForm(string path, string? cwd, string expected) =>
        PathNormalizer.Normalize(path, cwd, "/home/agent").Should().Be(expected);

    [Theory]
    [InlineData("/models/qwen/x", "/models", true)]
    [InlineData("/models", "/models", true)]
    [InlineData("/modelsx", "/models", false)]
    [InlineData("/anything", "/", true)]
    public void IsAtOrBelow_ComparesWholeSegments(string path, string directory, bool expected) =>
        PathNormalizer.IsAtOrBelow(path, directory).Should().Be(expected);
}
