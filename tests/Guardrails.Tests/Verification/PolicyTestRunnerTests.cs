using Guardrails.Tests.Policies;
using Guardrails.Verification;

namespace Guardrails.Tests.Verification;

public sealed class PolicyTestRunnerTests
{
    private const string TeamPolicy =
        """
        {
          "extends": ["builtin:default"],
          "self": { "modelDirectories": ["/srv/llm"] },
          "rules": [
            { "id": "team.pip-install", "message": "installs packages", "effect": "escalate",
              "when": { "programs": ["pip"], "arguments": ["\\binstall\\b"] } },
            { "id": "team.allow-scratch", "effect": "allow", "suppresses": ["weights.copy"],
              "when": { "operations": ["file.copy"], "paths": ["/srv/llm/scratch/**"] } },
            { "id": "team.never-used", "effect": "deny", "when": { "programs": ["frobnicate"] } }
          ]
        }
        """;

    private static readonly Lazy<GuardPolicy> Policy = new(() => GuardPolicy.Parse(TeamPolicy, "team.json"));

    private static PolicyTestCase Case(string json) => PolicyTestSuite.Parse($$"""{ "cases": [ {{json}} ] }""", "cases.json").Cases[0];

    [Fact]
    public void Run_MatchingExpectation_Passes()
    {
        var result = new PolicyTestRunner(Policy.Value).Run(Case("""{ "name": "pip", "command": "pip install requests", "expect": "escalate", "rules": ["team.pip-install"] }"""));

        result.Passed.Should().BeTrue(string.Join("\n", result.Failures));
        result.Actual.Should().Be(Verdict.Escalate);
        result.FiredRules.Should().Contain("team.pip-install");
        result.Decisions.Should().ContainSingle();
    }

    [Fact]
    public void Run_WrongVerdictAndMissingRule_ListsEveryFailure()
    {
        var result = new PolicyTestRunner(Policy.Value).Run(Case("""{ "name": "ls", "command": "ls -la", "expect": "deny", "rules": ["team.pip-install", "no.such.rule"], "notRules": [] }"""));

        result.Passed.Should().BeFalse();
        result.Failures.Should().Equal(
            "expected deny, got allow (score 0); no rule fired",
            "rule 'team.pip-install' did not fire",
            "rule 'no.such.rule' did not fire (the policy has no rule with that id)");
    }

    [Fact]
    public void Run_RuleThatMustNotFire_FailsWhenItFires()
    {
        var result = new PolicyTestRunner(Policy.Value).Run(Case("""{ "name": "pip", "command": "pip install x", "expect": "block", "notRules": ["team.pip-install"] }"""));

        result.Failures.Should().Equal("rule 'team.pip-install' fired, but must not");
    }

    [Fact]
    public void Run_AllowRuleThatApplied_CountsAsFiredAndSuppressedRuleIsExplained()
    {
        var result = new PolicyTestRunner(Policy.Value).Run(Case("""{ "name": "scratch", "command": "cp /srv/llm/scratch/a /srv/llm/scratch/b", "expect": "block", "rules": ["team.allow-scratch", "weights.copy"] }"""));

        result.FiredRules.Should().Contain("team.allow-scratch");
        result.Failures.Should().ContainSingle().Which.Should().Be("rule 'weights.copy' matched but its finding was suppressed by an allow rule");
    }

    [Fact]
    public void Run_Session_ComparesTheStrictestVerdictAndEachStepsOwnExpectation()
    {
        var result = new PolicyTestRunner(Policy.Value).Run(Case(
            """{ "name": "s", "session": [ { "command": "ls", "expect": "allow" }, { "command": "cp -r /srv/llm/qwen /tmp/q", "expect": "allow" } ], "expect": "deny" }"""));

        result.Actual.Should().Be(Verdict.Deny);
        result.Decisions.Should().HaveCount(2);
        result.Failures.Should().ContainSingle().Which.Should().StartWith("call 2: expected allow, got deny");
    }

    [Fact]
    public void Run_SameCaseTwice_DoesNotShareSessionHistory()
    {
        var runner = new PolicyTestRunner(Policy.Value);
        var testCase = Case("""{ "name": "s", "session": [ "printf 'cp -r /srv/llm /tmp/x' > /tmp/a.sh", "bash /tmp/a.sh" ], "expect": "block" }""");

        var first = runner.Run(testCase);
        var second = runner.Run(testCase);

        first.Passed.Should().BeTrue(string.Join("\n", first.Failures));
        second.Decisions.Select(d => d.Verdict).Should().Equal(first.Decisions.Select(d => d.Verdict));
    }

    [Fact]
    public void RunAll_Coverage_ListsOwnRulesNoCaseExercisedWithTheirLocation()
    {
        using var temp = new TempPolicyDirectory();
        var path = temp.Write("team.json", TeamPolicy);
        var policy = GuardPolicy.LoadFile(path);

        var report = new PolicyTestRunner(policy).RunAll([Case("""{ "name": "pip", "command": "pip install x", "expect": "escalate" }""")]);

        report.Coverage.OwnRulesOnly.Should().BeTrue();
        report.Coverage.RuleCount.Should().Be(3);
        report.Coverage.Uncovered.Select(u => (u.RuleId, u.File, u.Line)).Should().Equal(("team.allow-scratch", path, 7), ("team.never-used", path, 9));
        report.PassedCount.Should().Be(1);
        report.Success.Should().BeTrue();
    }

    [Fact]
    public void Coverage_All_IncludesInheritedRules()
    {
        var runner = new PolicyTestRunner(Policy.Value);

        var coverage = runner.Coverage([], CoverageScope.All);

        coverage.RuleCount.Should().Be(Policy.Value.Compiled.Rules.Length);
        coverage.Uncovered.Should().Contain(u => u.Inherited && u.File == "builtin:default");
    }

    [Fact]
    public void Mutate_DeniedShellCase_EvaluatesVariantsAndReportsWhichGotThrough()
    {
        var runner = new PolicyTestRunner(GuardPolicy.Default);
        var testCase = Case("""{ "name": "detached vllm", "command": "nohup vllm serve /models/qwen --port 8001 &", "expect": "deny" }""");

        var mutations = runner.Mutate(testCase);

        mutations.Should().HaveCountGreaterThan(40);
        mutations.Select(m => m.Mutation.Family).Distinct().Should().Contain(["chain", "wrapper", "absolute-path", "quoting", "nesting", "base64", "script"]);
        mutations.Should().OnlyContain(m => m.Original == Verdict.Deny && m.Decisions.Count == m.Calls.Count);
        mutations.Where(m => m.Mutation.Family == "script").Should().OnlyContain(m => m.Calls.Count == 2);
        mutations.Where(m => m.Mutation.Family is "nesting" or "base64" or "quoting").Should().OnlyContain(m => !m.Survived);
    }

    [Fact]
    public void Mutate_AllowCaseOrMutateOff_GeneratesNothing()
    {
        var runner = new PolicyTestRunner(GuardPolicy.Default);

        runner.Mutate(Case("""{ "name": "ls", "command": "ls", "expect": "allow" }""")).Should().BeEmpty();
        runner.Mutate(Case("""{ "name": "x", "command": "cp -r /models/a /tmp", "expect": "deny", "mutate": false }""")).Should().BeEmpty();
        runner.Mutate(Case("""{ "name": "w", "call": { "tool": "write_file", "arguments": { "file_path": "/etc/cron.d/x", "content": "* * * * * root x" } }, "expect": "block" }""")).Should().BeEmpty();
    }

    [Fact]
    public void Mutate_SessionCase_KeepsTheCallsBeforeTheStoppedOne()
    {
        var runner = new PolicyTestRunner(GuardPolicy.Default);
        var testCase = Case("""{ "name": "s", "session": [ "ls /models", "cp -r /models/qwen /tmp/q" ], "expect": "block" }""");

        var mutations = runner.Mutate(testCase);

        mutations.Should().NotBeEmpty().And.OnlyContain(m => m.Calls[0].Arguments.GetProperty("command").GetString() == "ls /models");
    }
}
