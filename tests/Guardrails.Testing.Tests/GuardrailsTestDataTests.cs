using System.Reflection;
using Guardrails.Testing;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Guardrails.Testing.Tests;

public sealed class GuardrailsTestDataTests
{
    // The attribute under test, used the way a team would: one theory case per file entry, named after it.
    [Theory]
    [GuardrailsTestData("TestData")]
    public void DeclarativeCase_Passes(PolicyTestCaseData testCase) => testCase.Run().Should().Pass();

    public static TheoryData<PolicyTestCaseData> Cases => PolicyTestCases.From("TestData/policy.guardrails-tests.json");

    [Theory]
    [MemberData(nameof(Cases))]
    public void DeclarativeCase_ViaMemberData_Passes(PolicyTestCaseData testCase) => testCase.Run().Should().Pass();

    [Fact]
    public void GetData_OneRowPerCase_NamedAfterTheCase()
    {
        var rows = new GuardrailsTestDataAttribute("TestData").GetData(typeof(GuardrailsTestDataTests).GetMethod(nameof(DeclarativeCase_Passes))!).ToList();

        rows.Select(r => r.Single().ToString()).Should().Equal(
            "copying the weights is denied", "pip install escalates", "running the tests is allowed", "script written then run is stopped");
    }

    [Fact]
    public void Data_SurvivesXunitSerialization()
    {
        var data = new PolicyTestCaseData(Path.Combine(AppContext.BaseDirectory, "TestData", "policy.guardrails-tests.json"), "pip install escalates", "builtin:default");
        var info = new Info();

        data.Serialize(info);
#pragma warning disable CS0618 // the deserialization constructor
        var copy = new PolicyTestCaseData();
#pragma warning restore CS0618
        copy.Deserialize(info);

        copy.CaseName.Should().Be("pip install escalates");
        copy.Policy.Should().Be("builtin:default");
        copy.Case.Expect.Should().Be(Verification.ExpectedVerdict.Escalate);
        copy.Run().Passed.Should().BeFalse("builtin:default has no team.pip-install rule");
    }

    [Fact]
    public void Pass_FailingCase_ExplainsExpectedActualAndFindings()
    {
        var data = new PolicyTestCaseData(Path.Combine(AppContext.BaseDirectory, "TestData", "policy.guardrails-tests.json"), "pip install escalates", "builtin:default");

        var act = () => data.Run().Should().Pass();

        var message = act.Should().Throw<XunitException>().Which.Message;
        message.Should().Contain("case 'pip install escalates' (").And.Contain("policy.guardrails-tests.json:5:5) failed:");
        message.Should().Contain("expected escalate, got allow");
        message.Should().Contain("rule 'team.pip-install' did not fire (the policy has no rule with that id)");
        message.Should().Contain("- expected: escalate").And.Contain("+ actual:   allow");
        message.Should().Contain("call: pip install requests");
    }

    [Fact]
    public void Mutate_DeniedCase_EvaluatesBypassVariants()
    {
        var data = ((IEnumerable<object[]>)PolicyTestCases.From("TestData")).Select(row => (PolicyTestCaseData)row[0]).Single(d => d.CaseName == "copying the weights is denied");

        data.Mutate().Should().NotBeEmpty().And.Contain(m => m.Mutation.Family == "nesting" && !m.Survived);
    }

    [Fact]
    public void MissingPath_Throws()
    {
        var act = () => new GuardrailsTestDataAttribute("no/such/dir").GetData(typeof(GuardrailsTestDataTests).GetMethod(nameof(MissingPath_Throws))!).ToList();

        act.Should().Throw<FileNotFoundException>();
    }

    private sealed class Info : IXunitSerializationInfo
    {
        private readonly Dictionary<string, object?> _values = [];

        public void AddValue(string key, object? value, Type? type = null) => _values[key] = value;

        public object? GetValue(string key, Type type) => _values[key];

        public T GetValue<T>(string key) => (T)_values[key]!;
    }
}
