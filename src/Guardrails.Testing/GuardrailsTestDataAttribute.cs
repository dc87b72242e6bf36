using System.Reflection;
using Guardrails.Verification;
using Xunit.Sdk;

namespace Guardrails.Testing;

/// <summary>
/// Feeds the cases of declarative policy test files (<c>*.guardrails-tests.json</c>) to an xunit theory: one test per
/// case, named after it.
/// </summary>
/// <example>
/// <code>
/// [Theory]
/// [GuardrailsTestData("policies")]
/// public void Policy_case(PolicyTestCaseData testCase) => testCase.Run().Should().Pass();
/// </code>
/// </example>
/// <remarks>
/// The path is a test file or a directory searched recursively; a relative path is resolved against the test's output
/// directory, the current directory and the directories above the output directory. Each case is discovered as its
/// own test (the data is serializable), so test explorers list, run and report cases one by one.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class GuardrailsTestDataAttribute : DataAttribute
{
    /// <summary>Initializes a new <see cref="GuardrailsTestDataAttribute"/>.</summary>
    /// <param name="path">A test file, or a directory of test files.</param>
    public GuardrailsTestDataAttribute(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
    }

    /// <summary>Gets the test file or directory.</summary>
    public string Path { get; }

    /// <summary>Gets or sets a policy (<c>builtin:NAME</c> or a path) to test instead of the one each file names.</summary>
    /// <value>The default value is <see langword="null"/>: each file's own <c>policy</c>.</value>
    public string? Policy { get; set; }

    /// <inheritdoc />
    /// <exception cref="Policies.PolicyLoadException">A test file is invalid; the message lists every problem with its location.</exception>
    /// <exception cref="FileNotFoundException">The path does not exist, or holds no test file.</exception>
    public override IEnumerable<object[]> GetData(MethodInfo testMethod) =>
        PolicyTestCases.Load(Path, Policy).Select(data => new object[] { data });
}
