namespace Guardrails.Verification;

/// <summary>Represents the outcome of one policy test case: the decisions, whether they met the expectation, and why not.</summary>
/// <remarks>Instances are immutable.</remarks>
public sealed class PolicyTestResult
{
    internal PolicyTestResult(PolicyTestCase testCase, IReadOnlyList<Decision> decisions, Verdict actual, IReadOnlyList<string> failures, IReadOnlyList<string> firedRules, IReadOnlyList<string> matchedRules)
    {
        Case = testCase;
        Decisions = decisions;
        Actual = actual;
        Failures = failures;
        FiredRules = firedRules;
        MatchedRules = matchedRules;
    }

    /// <summary>Gets the case.</summary>
    public PolicyTestCase Case { get; }

    /// <summary>Gets one decision per call of the case, in order.</summary>
    public IReadOnlyList<Decision> Decisions { get; }

    /// <summary>
    /// Gets the most restrictive verdict of the case's calls. For an audit-mode policy this is the verdict enforcement
    /// would have given (<see cref="Decision.ShadowVerdict"/>).
    /// </summary>
    public Verdict Actual { get; }

    /// <summary>Gets a value indicating whether the case met every expectation.</summary>
    public bool Passed => Failures.Count == 0;

    /// <summary>Gets one sentence per unmet expectation, for example <c>expected deny, got allow (score 0)</c>; empty when the case passed.</summary>
    public IReadOnlyList<string> Failures { get; }

    /// <summary>Gets the ids of the rules that fired on any call: those with findings, and allow rules that applied.</summary>
    public IReadOnlyList<string> FiredRules { get; }

    /// <summary>Gets the ids of the rules whose condition held for at least one operation of any call (what rule coverage counts).</summary>
    public IReadOnlyList<string> MatchedRules { get; }
}

/// <summary>Represents the outcome of one bypass variant of a test case.</summary>
/// <remarks>Instances are immutable.</remarks>
public sealed class MutationResult
{
    internal MutationResult(PolicyTestCase testCase, BypassMutation mutation, IReadOnlyList<ToolCall> calls, IReadOnlyList<Decision> decisions, Verdict actual, Verdict original)
    {
        Case = testCase;
        Mutation = mutation;
        Calls = calls;
        Decisions = decisions;
        Actual = actual;
        Original = original;
    }

    /// <summary>Gets the case the variant was derived from.</summary>
    public PolicyTestCase Case { get; }

    /// <summary>Gets the variant.</summary>
    public BypassMutation Mutation { get; }

    /// <summary>Gets the tool calls evaluated: the case's calls before the one that was stopped, then the variant's.</summary>
    public IReadOnlyList<ToolCall> Calls { get; }

    /// <summary>Gets one decision per call.</summary>
    public IReadOnlyList<Decision> Decisions { get; }

    /// <summary>Gets the most restrictive verdict of the variant's calls.</summary>
    public Verdict Actual { get; }

    /// <summary>Gets the verdict the original case reached.</summary>
    public Verdict Original { get; }

    /// <summary>Gets a value indicating whether the policy let the variant through: every call was allowed.</summary>
    public bool Survived => Actual == Verdict.Allow;

    /// <summary>Gets a value indicating whether the variant was stopped less firmly than the original (escalated instead of denied).</summary>
    public bool Weakened => Actual != Verdict.Allow && Actual < Original;
}

/// <summary>Represents a rule of the policy under test that no case exercised.</summary>
/// <param name="RuleId">The rule id.</param>
/// <param name="File">The file the rule is written in (a path or <c>builtin:NAME</c>), or <see langword="null"/> when unknown.</param>
/// <param name="Line">The 1-based line of the rule, or 0 when unknown.</param>
/// <param name="Column">The 1-based column of the rule, or 0 when unknown.</param>
/// <param name="Inherited">Whether the rule comes from an embedded (builtin) policy the tested policy extends.</param>
public sealed record UncoveredRule(string RuleId, string? File, int Line, int Column, bool Inherited);

/// <summary>Selects which rules rule coverage reports.</summary>
public enum CoverageScope
{
    /// <summary>The rules written in the policy's own files (all rules when the policy is itself a builtin one).</summary>
    Own,

    /// <summary>Every rule, including those inherited from builtin policies.</summary>
    All,

    /// <summary>No coverage.</summary>
    None,
}

/// <summary>Represents rule coverage: which rules of a policy no case exercised.</summary>
/// <remarks>Instances are immutable.</remarks>
public sealed class RuleCoverage
{
    internal RuleCoverage(CoverageScope scope, int ruleCount, IReadOnlyList<UncoveredRule> uncovered, bool ownRulesOnly)
    {
        Scope = scope;
        RuleCount = ruleCount;
        Uncovered = uncovered;
        OwnRulesOnly = ownRulesOnly;
    }

    /// <summary>Gets the scope coverage was computed for.</summary>
    public CoverageScope Scope { get; }

    /// <summary>Gets the number of rules within the scope.</summary>
    public int RuleCount { get; }

    /// <summary>Gets the number of rules within the scope that some case exercised.</summary>
    public int CoveredCount => RuleCount - Uncovered.Count;

    /// <summary>Gets the rules within the scope that no case exercised, in policy order.</summary>
    public IReadOnlyList<UncoveredRule> Uncovered { get; }

    /// <summary>Gets a value indicating whether inherited builtin rules were left out of the scope.</summary>
    public bool OwnRulesOnly { get; }
}

/// <summary>Represents the outcome of running test cases against one policy: the results, rule coverage and bypass variants.</summary>
/// <remarks>Instances are immutable.</remarks>
public sealed class PolicyTestReport
{
    internal PolicyTestReport(GuardPolicy policy, IReadOnlyList<PolicyTestResult> results, IReadOnlyList<MutationResult> mutations, RuleCoverage coverage)
    {
        Policy = policy;
        Results = results;
        Mutations = mutations;
        Coverage = coverage;
    }

    /// <summary>Gets the policy under test.</summary>
    public GuardPolicy Policy { get; }

    /// <summary>Gets the result of every case, in the order the cases were given.</summary>
    public IReadOnlyList<PolicyTestResult> Results { get; }

    /// <summary>Gets the number of cases that passed.</summary>
    public int PassedCount => Results.Count(r => r.Passed);

    /// <summary>Gets the number of cases that failed.</summary>
    public int FailedCount => Results.Count(r => !r.Passed);

    /// <summary>Gets the bypass variants evaluated (empty unless mutations were requested).</summary>
    public IReadOnlyList<MutationResult> Mutations { get; }

    /// <summary>Gets the variants the policy let through.</summary>
    public IReadOnlyList<MutationResult> Survivors => [.. Mutations.Where(m => m.Survived)];

    /// <summary>Gets the rule coverage of the cases.</summary>
    public RuleCoverage Coverage { get; }

    /// <summary>Gets a value indicating whether every case passed and no variant survived.</summary>
    public bool Success => FailedCount == 0 && !Mutations.Any(m => m.Survived);
}
