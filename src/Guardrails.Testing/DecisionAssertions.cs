using FluentAssertions;
using FluentAssertions.Execution;
using FluentAssertions.Primitives;
using Guardrails.Actions;

namespace Guardrails.Testing;

/// <summary>
/// Asserts on a <see cref="Decision"/> with failure messages that show the verdict, score, findings and derived
/// operations: <c>decision.Should().BeDenied().ByRule("replica.launch.detached")</c>.
/// </summary>
/// <remarks>Obtain instances with <see cref="GuardrailsAssertionExtensions.Should(Decision)"/>.</remarks>
public sealed class DecisionAssertions : ReferenceTypeAssertions<Decision, DecisionAssertions>
{
    /// <summary>Initializes a new <see cref="DecisionAssertions"/>.</summary>
    /// <param name="subject">The decision under test.</param>
    public DecisionAssertions(Decision subject)
        : base(subject)
    {
    }

    /// <inheritdoc />
    protected override string Identifier => "decision";

    /// <summary>Asserts that the call is allowed.</summary>
    /// <param name="because">A phrase explaining why the assertion is needed (formatted with <paramref name="becauseArgs"/>).</param>
    /// <param name="becauseArgs">Values for the placeholders in <paramref name="because"/>.</param>
    /// <returns>A constraint to assert more about the decision.</returns>
    public VerdictConstraint BeAllowed(string because = "", params object[] becauseArgs) => BeVerdict(Verdict.Allow, "allowed", because, becauseArgs);

    /// <summary>Asserts that the call is escalated (a human must approve it).</summary>
    /// <param name="because">A phrase explaining why the assertion is needed.</param>
    /// <param name="becauseArgs">Values for the placeholders in <paramref name="because"/>.</param>
    /// <returns>A constraint to assert more about the decision, for example <see cref="VerdictConstraint.ByRule"/>.</returns>
    public VerdictConstraint BeEscalated(string because = "", params object[] becauseArgs) => BeVerdict(Verdict.Escalate, "escalated", because, becauseArgs);

    /// <summary>Asserts that the call is denied.</summary>
    /// <param name="because">A phrase explaining why the assertion is needed.</param>
    /// <param name="becauseArgs">Values for the placeholders in <paramref name="because"/>.</param>
    /// <returns>A constraint to assert more about the decision, for example <see cref="VerdictConstraint.ByRule"/>.</returns>
    public VerdictConstraint BeDenied(string because = "", params object[] becauseArgs) => BeVerdict(Verdict.Deny, "denied", because, becauseArgs);

    /// <summary>Asserts that the call is stopped: escalated or denied.</summary>
    /// <param name="because">A phrase explaining why the assertion is needed.</param>
    /// <param name="becauseArgs">Values for the placeholders in <paramref name="because"/>.</param>
    /// <returns>A constraint to assert more about the decision.</returns>
    public VerdictConstraint BeBlocked(string because = "", params object[] becauseArgs)
    {
        Execute.Assertion
            .BecauseOf(because, becauseArgs)
            .ForCondition(Subject is not null)
            .FailWith("Expected {context:decision} to be blocked (escalated or denied){reason}, but it was <null>.")
            .Then
            .ForCondition(Subject is null || Subject.Verdict != Verdict.Allow)
            .FailWith("Expected {context:decision} to be blocked (escalated or denied){reason}, but it was " + Describe());
        return new VerdictConstraint(this);
    }

    /// <summary>Asserts that a rule fired (the decision has a finding with its id).</summary>
    /// <param name="ruleId">The rule id.</param>
    /// <param name="because">A phrase explaining why the assertion is needed.</param>
    /// <param name="becauseArgs">Values for the placeholders in <paramref name="because"/>.</param>
    /// <returns>A constraint whose <c>Which</c> is the finding.</returns>
    public AndWhichConstraint<DecisionAssertions, Finding> HaveFinding(string ruleId, string because = "", params object[] becauseArgs)
    {
        ArgumentException.ThrowIfNullOrEmpty(ruleId);
        var finding = Subject?.Findings.FirstOrDefault(f => string.Equals(f.RuleId, ruleId, StringComparison.Ordinal));
        Execute.Assertion
            .BecauseOf(because, becauseArgs)
            .ForCondition(finding is not null)
            .FailWith($"Expected {{context:decision}} to have a finding of rule '{ruleId}'{{reason}}, but it was " + Describe());
        return new AndWhichConstraint<DecisionAssertions, Finding>(this, finding!);
    }

    /// <summary>Asserts that a rule did not fire.</summary>
    /// <param name="ruleId">The rule id.</param>
    /// <param name="because">A phrase explaining why the assertion is needed.</param>
    /// <param name="becauseArgs">Values for the placeholders in <paramref name="because"/>.</param>
    /// <returns>A constraint to chain more assertions.</returns>
    public AndConstraint<DecisionAssertions> NotHaveFinding(string ruleId, string because = "", params object[] becauseArgs)
    {
        ArgumentException.ThrowIfNullOrEmpty(ruleId);
        Execute.Assertion
            .BecauseOf(because, becauseArgs)
            .ForCondition(Subject is not null && !Subject.Findings.Any(f => string.Equals(f.RuleId, ruleId, StringComparison.Ordinal)))
            .FailWith($"Expected {{context:decision}} not to have a finding of rule '{ruleId}'{{reason}}, but it was " + Describe());
        return new AndConstraint<DecisionAssertions>(this);
    }

    /// <summary>Asserts that some finding concerns a capability, for example <see cref="Capability.ReplicaLaunch"/>.</summary>
    /// <param name="capability">The capability.</param>
    /// <param name="because">A phrase explaining why the assertion is needed.</param>
    /// <param name="becauseArgs">Values for the placeholders in <paramref name="because"/>.</param>
    /// <returns>A constraint whose <c>Which</c> is the first such finding.</returns>
    public AndWhichConstraint<DecisionAssertions, Finding> HaveFindingFor(Capability capability, string because = "", params object[] becauseArgs)
    {
        var finding = Subject?.Findings.FirstOrDefault(f => f.Capability == capability);
        Execute.Assertion
            .BecauseOf(because, becauseArgs)
            .ForCondition(finding is not null)
            .FailWith($"Expected {{context:decision}} to have a finding about capability '{capability}'{{reason}}, but it was " + Describe());
        return new AndWhichConstraint<DecisionAssertions, Finding>(this, finding!);
    }

    /// <summary>Asserts that some derived operation exercises a capability (whether or not a rule fired on it).</summary>
    /// <param name="capability">The capability.</param>
    /// <param name="because">A phrase explaining why the assertion is needed.</param>
    /// <param name="becauseArgs">Values for the placeholders in <paramref name="because"/>.</param>
    /// <returns>A constraint whose <c>Which</c> is the first such operation.</returns>
    public AndWhichConstraint<DecisionAssertions, AnalyzedOperation> HaveOperationWith(Capability capability, string because = "", params object[] becauseArgs)
    {
        var operation = Subject?.Operations.FirstOrDefault(o => o.Capabilities.Contains(capability));
        Execute.Assertion
            .BecauseOf(because, becauseArgs)
            .ForCondition(operation is not null)
            .FailWith($"Expected {{context:decision}} to derive an operation with capability '{capability}'{{reason}}, but it was " + Describe());
        return new AndWhichConstraint<DecisionAssertions, AnalyzedOperation>(this, operation!);
    }

    /// <summary>Asserts that the score is at least <paramref name="minimum"/>.</summary>
    /// <param name="minimum">The lowest acceptable score.</param>
    /// <param name="because">A phrase explaining why the assertion is needed.</param>
    /// <param name="becauseArgs">Values for the placeholders in <paramref name="because"/>.</param>
    /// <returns>A constraint to chain more assertions.</returns>
    public AndConstraint<DecisionAssertions> HaveScoreAtLeast(int minimum, string because = "", params object[] becauseArgs)
    {
        Execute.Assertion
            .BecauseOf(because, becauseArgs)
            .ForCondition(Subject is not null && Subject.Score >= minimum)
            .FailWith($"Expected {{context:decision}} to have a score of at least {minimum}{{reason}}, but it was " + Describe());
        return new AndConstraint<DecisionAssertions>(this);
    }

    internal string Describe() => Subject is null ? "<null>." : DecisionFormatter.Describe(Subject);

    private VerdictConstraint BeVerdict(Verdict verdict, string word, string because, object[] becauseArgs)
    {
        Execute.Assertion
            .BecauseOf(because, becauseArgs)
            .ForCondition(Subject is not null && Subject.Verdict == verdict)
            .FailWith($"Expected {{context:decision}} to be {word}{{reason}}, but it was " + Describe());
        return new VerdictConstraint(this);
    }
}

/// <summary>Continues an assertion on a decision's verdict: which rule decided it, and its score.</summary>
public sealed class VerdictConstraint
{
    internal VerdictConstraint(DecisionAssertions assertions) => And = assertions;

    /// <summary>Gets the assertions on the decision, to chain more.</summary>
    public DecisionAssertions And { get; }

    /// <summary>Gets the decision.</summary>
    public Decision Which => And.Subject;

    /// <summary>Asserts that <paramref name="ruleId"/> is among the rules that fired.</summary>
    /// <param name="ruleId">The rule id, for example <c>replica.launch.detached</c>.</param>
    /// <param name="because">A phrase explaining why the assertion is needed.</param>
    /// <param name="becauseArgs">Values for the placeholders in <paramref name="because"/>.</param>
    /// <returns>This constraint, to name more rules.</returns>
    public VerdictConstraint ByRule(string ruleId, string because = "", params object[] becauseArgs)
    {
        ArgumentException.ThrowIfNullOrEmpty(ruleId);
        Execute.Assertion
            .BecauseOf(because, becauseArgs)
            .ForCondition(Which is not null && Which.RuleIds.Contains(ruleId, StringComparer.Ordinal))
            .FailWith($"Expected {{context:decision}} to be decided by rule '{ruleId}'{{reason}}, but it was " + And.Describe());
        return this;
    }

    /// <summary>Asserts that the score is at least <paramref name="minimum"/>.</summary>
    /// <param name="minimum">The lowest acceptable score.</param>
    /// <param name="because">A phrase explaining why the assertion is needed.</param>
    /// <param name="becauseArgs">Values for the placeholders in <paramref name="because"/>.</param>
    /// <returns>This constraint.</returns>
    public VerdictConstraint WithScoreAtLeast(int minimum, string because = "", params object[] becauseArgs)
    {
        And.HaveScoreAtLeast(minimum, because, becauseArgs);
        return this;
    }
}
