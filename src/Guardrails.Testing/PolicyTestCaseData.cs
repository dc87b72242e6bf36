using System.Collections.Concurrent;
using Guardrails.Verification;
using Xunit.Abstractions;

namespace Guardrails.Testing;

/// <summary>
/// One case of a declarative policy test file as xunit theory data: serializable (file and case name), shown under the
/// case's name, and able to run itself against the file's policy.
/// </summary>
public sealed class PolicyTestCaseData : IXunitSerializable
{
    private static readonly ConcurrentDictionary<string, Lazy<PolicyTestSuite>> Suites = new(StringComparer.Ordinal);

    /// <summary>Initializes a new, empty <see cref="PolicyTestCaseData"/>, for xunit's deserialization.</summary>
    [Obsolete("For xunit's deserialization only.")]
    public PolicyTestCaseData()
    {
        File = string.Empty;
        CaseName = string.Empty;
    }

    /// <summary>Initializes a new <see cref="PolicyTestCaseData"/>.</summary>
    /// <param name="file">The test file.</param>
    /// <param name="caseName">The case's name.</param>
    /// <param name="policy">A policy to test instead of the file's, or <see langword="null"/>.</param>
    public PolicyTestCaseData(string file, string caseName, string? policy = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(file);
        ArgumentException.ThrowIfNullOrEmpty(caseName);
        File = file;
        CaseName = caseName;
        Policy = policy;
    }

    /// <summary>Gets the test file.</summary>
    public string File { get; private set; }

    /// <summary>Gets the case's name.</summary>
    public string CaseName { get; private set; }

    /// <summary>Gets the policy tested instead of the file's, if any.</summary>
    public string? Policy { get; private set; }

    /// <summary>Gets the case.</summary>
    /// <exception cref="InvalidOperationException">The file no longer has a case of that name.</exception>
    public PolicyTestCase Case =>
        LoadSuite(File).Cases.FirstOrDefault(c => string.Equals(c.Name, CaseName, StringComparison.Ordinal))
        ?? throw new InvalidOperationException($"'{File}' has no case named '{CaseName}'.");

    /// <summary>Gets the policy under test: <see cref="Policy"/>, else the file's <c>policy</c>, else <c>builtin:default</c>.</summary>
    public TestPolicy TestPolicy => TestPolicy.Load(Policy ?? LoadSuite(File).Policy ?? PolicyTestSuite.DefaultPolicy);

    /// <summary>Runs the case; assert the result with <c>result.Should().Pass()</c>.</summary>
    /// <returns>The result.</returns>
    public PolicyTestResult Run() => TestPolicy.Run(Case);

    /// <summary>Evaluates the case's bypass variants (for a case that expects escalate, deny or block).</summary>
    /// <returns>The variants' results.</returns>
    public IReadOnlyList<MutationResult> Mutate() => TestPolicy.Mutate(Case);

    /// <inheritdoc />
    public void Deserialize(IXunitSerializationInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        File = info.GetValue<string>(nameof(File));
        CaseName = info.GetValue<string>(nameof(CaseName));
        Policy = info.GetValue<string?>(nameof(Policy));
    }

    /// <inheritdoc />
    public void Serialize(IXunitSerializationInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        info.AddValue(nameof(File), File);
        info.AddValue(nameof(CaseName), CaseName);
        info.AddValue(nameof(Policy), Policy);
    }

    /// <summary>Returns the case's name: what test explorers show.</summary>
    /// <returns>The case's name.</returns>
    public override string ToString() => CaseName;

    internal static PolicyTestSuite LoadSuite(string file)
    {
        var full = Path.GetFullPath(file);
        var lazy = Suites.GetOrAdd(full, f => new Lazy<PolicyTestSuite>(() => PolicyTestSuite.Load(f)));
        try
        {
            return lazy.Value;
        }
        catch
        {
            Suites.TryRemove(full, out _);
            throw;
        }
    }
}
