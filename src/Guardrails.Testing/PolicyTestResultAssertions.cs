using FluentAssertions;
using FluentAssertions.Execution;
using FluentAssertions.Primitives;
using Guardrails.Verification;

namespace Guardrails.Testing;

/// <summary>Asserts on the result of a declarative policy test case: <c>result.Should().Pass()</c>.</summary>
public sealed class PolicyTestResultAssertions : ReferenceTypeAssertions<PolicyTestResult, PolicyTestResultAssertions>
{
    /// <summary>Initializes a new <see cref="PolicyTestResultAssertions"/>.</summary>
    /// <param name="subject">The result under test.</param>
    public PolicyTestResultAssertions(PolicyTestResult subject)
        : base(subject)
    {
    }

    /// <inheritdoc />
    protected override string Identifier => "policy test";

    /// <summary>Asserts that the case met every expectation; the failure message lists what did not hold, the decisions and their findings.</summary>
    /// <param name="because">A phrase explaining why the assertion is needed.</param>
    /// <param name="becauseArgs">Values for the placeholders in <paramref name="because"/>.</param>
    /// <returns>A constraint to chain more assertions.</returns>
    public AndConstraint<PolicyTestResultAssertions> Pass(string because = "", params object[] becauseArgs)
    {
        Execute.Assertion
            .BecauseOf(because, becauseArgs)
            .ForCondition(Subject is not null && Subject.Passed)
            .FailWith("Expected the policy test to pass{reason}, but " + (Subject is null ? "it was <null>." : DecisionFormatter.Describe(Subject)));
        return new AndConstraint<PolicyTestResultAssertions>(this);
    }
}
