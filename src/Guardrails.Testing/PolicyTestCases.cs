using Guardrails.Policies;
using Guardrails.Verification;
using Xunit;

namespace Guardrails.Testing;

/// <summary>Loads declarative policy test cases for xunit theories (<c>[MemberData]</c> or <see cref="GuardrailsTestDataAttribute"/>).</summary>
public static class PolicyTestCases
{
    /// <summary>Loads every case of the test files at <paramref name="path"/> as theory data.</summary>
    /// <param name="path">A test file, or a directory searched recursively for <c>*.guardrails-tests.json</c>.</param>
    /// <param name="policy">A policy to test instead of the one each file names; <see langword="null"/> for the files' own.</param>
    /// <returns>One row per case.</returns>
    /// <exception cref="PolicyLoadException">A test file is invalid.</exception>
    /// <exception cref="FileNotFoundException">The path does not exist, or holds no test file.</exception>
    public static TheoryData<PolicyTestCaseData> From(string path, string? policy = null)
    {
        var data = new TheoryData<PolicyTestCaseData>();
        foreach (var item in Load(path, policy))
        {
            data.Add(item);
        }

        return data;
    }

    internal static IReadOnlyList<PolicyTestCaseData> Load(string path, string? policy)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var resolved = TestFiles.Resolve(path);
        if (!File.Exists(resolved) && !Directory.Exists(resolved))
        {
            throw new FileNotFoundException($"No policy test file or directory '{path}' (looked for {resolved} and above the test's output directory).", resolved);
        }

        var files = PolicyTestSuite.Discover([resolved]);
        if (files.Count == 0)
        {
            throw new FileNotFoundException($"No *{PolicyTestSuite.FileSuffix} file under '{resolved}'.", resolved);
        }

        var result = new List<PolicyTestCaseData>();
        foreach (var file in files)
        {
            var suite = PolicyTestCaseData.LoadSuite(file);
            result.AddRange(suite.Cases.Select(c => new PolicyTestCaseData(file, c.Name, policy)));
        }

        return result;
    }
}
