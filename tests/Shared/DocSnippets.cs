using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace Guardrails.Tests.Shared;

/// <summary>
/// Keeps documentation code honest: the snippets a doc shows are <c>#region</c>s of a test file that compiles and runs
/// them, and this check fails when a region is not in the doc, verbatim (indentation aside), inside a code block.
/// </summary>
internal static partial class DocSnippets
{
    /// <summary>Asserts that every <c>#region</c> of the calling test file appears in a code block of <paramref name="doc"/>.</summary>
    /// <param name="doc">The document, relative to the repository root, for example <c>docs/adapters.md</c>.</param>
    /// <param name="testFile">The calling source file (filled in by the compiler).</param>
    public static void AssertRegionsAreIn(string doc, [CallerFilePath] string testFile = "")
    {
        // CI builds are deterministic and map source paths to /_/: then find the repository from the test's output folder.
        var mapped = testFile.StartsWith("/_/", StringComparison.Ordinal);
        var root = mapped ? AppContext.BaseDirectory : Path.GetDirectoryName(testFile);
        while (root is not null && !File.Exists(Path.Combine(root, "Guardrails.sln")))
        {
            root = Path.GetDirectoryName(root);
        }

        root.Should().NotBeNull("the test sources are inside the repository");
        if (mapped)
        {
            testFile = Path.Combine(root!, testFile[3..]);
        }

        var blocks = CodeBlock().Matches(File.ReadAllText(Path.Combine(root!, doc)).ReplaceLineEndings("\n"))
            .Select(m => Dedent(m.Groups["code"].Value))
            .ToList();
        var regions = Region().Matches(File.ReadAllText(testFile).ReplaceLineEndings("\n")).ToList();
        regions.Should().NotBeEmpty($"{Path.GetFileName(testFile)} has the snippets of {doc}");
        foreach (Match region in regions)
        {
            var snippet = Dedent(region.Groups["code"].Value);
            blocks.Any(b => b.Contains(snippet, StringComparison.Ordinal)).Should().BeTrue($"region '{region.Groups["name"].Value}' of {Path.GetFileName(testFile)} must be shown in {doc} exactly as it is compiled:\n{snippet}");
        }
    }

    private static string Dedent(string code)
    {
        var lines = code.Trim('\n').Split('\n').Select(l => l.TrimEnd()).ToList();
        var indent = lines.Where(l => l.Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        return string.Join('\n', lines.Select(l => l.Length >= indent ? l[indent..] : l));
    }

    [GeneratedRegex(@"^[ \t]*```[a-z]*\n(?<code>.*?)^[ \t]*```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex CodeBlock();

    [GeneratedRegex(@"#region (?<name>\S+)\n(?<code>.*?)\n[ \t]*#endregion", RegexOptions.Singleline)]
    private static partial Regex Region();
}
