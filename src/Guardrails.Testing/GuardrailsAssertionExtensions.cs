using Guardrails.Testing;
using Guardrails.Verification;

namespace Guardrails;

/// <summary>Adds FluentAssertions entry points for Guardrails types: <c>decision.Should().BeDenied().ByRule("…")</c>.</summary>
public static class GuardrailsAssertionExtensions
{
    /// <summary>Starts assertions on a decision.</summary>
    /// <param name="decision">The decision.</param>
    /// <returns>The assertions.</returns>
    public static DecisionAssertions Should(this Decision decision) => new(decision);

    /// <summary>Starts assertions on the result of a declarative policy test case.</summary>
    /// <param name="result">The result.</param>
    /// <returns>The assertions.</returns>
    public static PolicyTestResultAssertions Should(this PolicyTestResult result) => new(result);
}
