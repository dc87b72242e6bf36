using Guardrails.Policies;

namespace Guardrails.Tests.Policies;

/// <summary>A temporary directory for policy files, created per test and deleted afterwards.</summary>
internal sealed class TempPolicyDirectory : IDisposable
{
    public TempPolicyDirectory() => Path = Directory.CreateTempSubdirectory("guardrails-policy-tests-").FullName;

    public string Path { get; }

    /// <summary>Writes <paramref name="content"/> (UTF-8, no BOM) to <paramref name="name"/> and returns the full path.</summary>
    public string Write(string name, string content)
    {
        var path = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leaked temp directory must not fail the test.
        }
    }
}

internal static class PolicyAssert
{
    /// <summary>Returns the only diagnostic with <paramref name="code"/>, failing with every diagnostic listed otherwise.</summary>
    public static PolicyDiagnostic Single(PolicyLoadResult result, string code)
    {
        var matches = result.Diagnostics.Where(d => d.Code == code).ToList();
        matches.Should().ContainSingle(
            "exactly one {0} was expected, but the diagnostics were:\n{1}", code, string.Join("\n", result.Diagnostics));
        return matches[0];
    }

    public static void Succeeded(PolicyLoadResult result)
    {
        result.Success.Should().BeTrue("the diagnostics were:\n{0}", string.Join("\n", result.Diagnostics));
        result.Document.Should().NotBeNull();
    }

    public static void Failed(PolicyLoadResult result)
    {
        result.Success.Should().BeFalse();
        result.Document.Should().BeNull();
        result.Diagnostics.Should().Contain(d => d.Severity == PolicyDiagnosticSeverity.Error);
    }
}
