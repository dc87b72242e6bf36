using Guardrails.Policies;

namespace Guardrails.Tests.Sessions;

/// <summary>The <c>history</c> condition of the policy language: within, ever, counts, notices, negation, and its load errors.</summary>
public sealed class HistoryConditionTests
{
    private const Verdict Allow = Verdict.Allow;
    private const Verdict Escalate = Verdict.Escalate;
    private const Verdict Deny = Verdict.Deny;

    [Fact]
    public void Within_OnlyTheLastNCallsCount()
    {
        var guard = TestGuards.WithPolicy("""
            { "rules": [ { "id": "read-then-send", "effect": "deny", "score": 100,
                           "when": { "operations": ["http.request"],
                                     "history": { "match": { "operations": ["file.read"], "paths": ["~/.ssh/**"] }, "within": 2 } } } ] }
            """);

        TrajectoryRunner.Run(
            guard,
            "within",
            Step.Shell("curl https://example.com", Allow),
            Step.Shell("cat ~/.ssh/config", Allow),
            Step.Shell("echo 1", Allow),
            Step.Shell("curl https://example.com", Deny, "read-then-send"),
            Step.Shell("echo 2", Allow),
            Step.Shell("curl https://example.com", Allow));
    }

    [Fact]
    public void WithoutWithin_EverythingTheSessionRemembersCounts()
    {
        var guard = TestGuards.WithPolicy("""
            { "rules": [ { "id": "ever", "effect": "escalate", "score": 50,
                           "when": { "operations": ["http.request"], "history": { "match": { "paths": ["/secret/**"] } } } } ] }
            """);
        var steps = new List<Step> { Step.Shell("cat /secret/a", Allow) };
        steps.AddRange(Enumerable.Range(0, 100).Select(i => Step.Shell("echo " + i, Allow)));
        steps.Add(Step.Shell("curl https://example.com", Escalate, "ever"));

        TrajectoryRunner.Run(guard, "ever", [.. steps]);
    }

    [Fact]
    public void AtLeast_CountsEarlierMatchingOperations()
    {
        // More than two processes started in the background: the third is denied.
        var guard = TestGuards.WithPolicy("""
            { "rules": [ { "id": "many-background", "effect": "deny", "score": 100,
                           "when": { "detached": true, "history": { "match": { "detached": true, "operations": ["process.launch"] }, "atLeast": 2 } } } ] }
            """);

        TrajectoryRunner.Run(
            guard,
            "count",
            Step.Shell("sleep 100 &", Allow),
            Step.Shell("ls", Allow),
            Step.Shell("sleep 200 &", Allow),
            Step.Shell("sleep 300 &", Deny, "many-background"));
    }

    [Fact]
    public void AtLeast_OneCallStartingTwoProcessesCountsTwice()
    {
        var guard = TestGuards.WithPolicy("""
            { "rules": [ { "id": "many-background", "effect": "deny", "score": 100,
                           "when": { "detached": true, "history": { "match": { "detached": true, "operations": ["process.launch"] }, "atLeast": 2 } } } ] }
            """);

        TrajectoryRunner.Run(
            guard,
            "count-operations",
            Step.Shell("sleep 100 & sleep 200 &", Allow, null),
            Step.Shell("sleep 300 &", Deny, "many-background"));
    }

    [Fact]
    public void SecondInferenceServer_CanBeDeniedWhileTheFirstIsEscalated()
    {
        var guard = TestGuards.WithPolicy("""
            { "extends": ["builtin:default"],
              "rules": [
                { "id": "replica.launch", "effect": "escalate", "score": 60, "when": { "capabilities": ["replica.launch"] } },
                { "id": "second-server", "effect": "deny", "score": 100,
                  "when": { "programClasses": ["inference-server"],
                            "history": { "match": { "capabilities": ["replica.launch"], "programClasses": ["inference-server"] } } } } ] }
            """);

        TrajectoryRunner.Run(
            guard,
            "second-server",
            Step.Shell("vllm serve /srv/llm --port 8001", Escalate, "replica.launch"),
            Step.Shell("curl localhost:8001/v1/models", Allow),
            Step.Shell("llama-server -m /srv/llm.gguf --port 8002", Deny, "second-server"));
    }

    [Fact]
    public void Notices_HoldOnlyAfterTheHostReportedOne()
    {
        var guard = TestGuards.WithPolicy("""
            { "rules": [ { "id": "after-notice", "effect": "deny", "score": 100,
                           "when": { "operations": ["process.launch"], "programs": ["python3"], "history": { "notices": ["shutdown"], "within": 3 } } } ] }
            """);

        TrajectoryRunner.Run(
            guard,
            "notice",
            Step.Shell("python3 a.py", Allow),
            Step.ShutdownNotice(),
            Step.Shell("python3 a.py", Deny, "after-notice"),
            Step.Shell("ls", Allow),
            Step.Shell("python3 a.py", Deny, "after-notice"),
            Step.Shell("python3 a.py", Allow));
    }

    [Fact]
    public void Unless_WithHistory_ExpressesNotPrecededBy()
    {
        // A deploy is escalated unless the tests were run in the last five calls.
        var guard = TestGuards.WithPolicy("""
            { "rules": [ { "id": "untested-deploy", "effect": "escalate", "score": 50,
                           "when": { "programs": ["deploy.sh"], "unless": { "history": { "match": { "programs": ["pytest"] }, "within": 5 } } } } ] }
            """);

        TrajectoryRunner.Run(
            guard,
            "unless",
            Step.Shell("./deploy.sh", Escalate, "untested-deploy"),
            Step.Shell("pytest -q", Allow),
            Step.Shell("./deploy.sh", Allow));
    }

    [Fact]
    public void TheCurrentCall_DoesNotCountInItsOwnHistory()
    {
        var guard = TestGuards.WithPolicy("""
            { "rules": [ { "id": "second", "effect": "deny", "score": 100,
                           "when": { "programs": ["make"], "history": { "match": { "programs": ["make"] } } } } ] }
            """);

        TrajectoryRunner.Run(guard, "self", Step.Shell("make && make install", Allow), Step.Shell("make", Deny, "second"));
    }

    [Fact]
    public void CallsWithoutASession_HaveNoHistory()
    {
        var guard = TestGuards.WithPolicy("""
            { "rules": [ { "id": "second", "effect": "deny", "score": 100,
                           "when": { "programs": ["make"], "history": { "match": { "programs": ["make"] } } } } ] }
            """);

        guard.Evaluate(ToolCall.Shell("make")).Verdict.Should().Be(Allow);
        guard.Evaluate(ToolCall.Shell("make")).Verdict.Should().Be(Allow);
    }

    [Fact]
    public void IdenticalHistoryConditions_ShareOneCounter()
    {
        var policy = GuardPolicy.Parse("""
            { "rules": [
                { "id": "a", "effect": "deny", "when": { "programs": ["x"], "history": { "match": { "programs": ["make"] } } } },
                { "id": "b", "effect": "deny", "when": { "programs": ["y"], "history": { "match": { "programs": ["make"] }, "within": 3, "atLeast": 2 } } },
                { "id": "c", "effect": "deny", "when": { "programs": ["z"], "history": { "notices": ["shutdown"] } } } ] }
            """);

        policy.Compiled.Session.Slots.Should().HaveCount(2);
    }

    [Fact]
    public void ChangingThePolicy_RecountsTheRememberedHistory()
    {
        var store = new Guardrails.Sessions.InMemorySessionStore();
        GuardOptions Options()
        {
            var options = new GuardOptions { HomeDirectory = TestGuards.Home };
            options.Sessions.Store = store;
            return options;
        }

        var first = new Guard(GuardPolicy.Parse("""{ "rules": [ { "id": "r", "effect": "deny", "when": { "programs": ["never"] } } ] }"""), Options());
        first.Evaluate(new ToolCall("bash", ToolCall.Shell("make").Arguments) { SessionId = "s" });

        var second = new Guard(GuardPolicy.Parse("""
            { "rules": [ { "id": "second", "effect": "deny", "when": { "programs": ["make"], "history": { "match": { "programs": ["make"] } } } } ] }
            """), Options());

        second.Evaluate(new ToolCall("bash", ToolCall.Shell("make").Arguments) { SessionId = "s" }).Verdict.Should().Be(Deny);
    }

    public static TheoryData<string, string, string, int, int, string> LoadErrors => new()
    {
        {
            """
            {
              "rules": [
                {
                  "id": "r",
                  "effect": "deny",
                  "when": {
                    "programs": ["x"],
                    "history": { "match": { "programs": ["y"] }, "within": 0 }
                  }
                }
              ]
            }
            """,
            "GR2025", "history.within is 0, but it must be at least 1", 8, 54, "$.rules[0].when.history.within"
        },
        {
            """
            {
              "rules": [
                {
                  "id": "r",
                  "effect": "deny",
                  "when": {
                    "programs": ["x"],
                    "history": { "notices": ["shutdown"], "atLeast": -1 }
                  }
                }
              ]
            }
            """,
            "GR2025", "history.atLeast is -1, but it must be at least 1", 8, 47, "$.rules[0].when.history.atLeast"
        },
        {
            """
            {
              "rules": [
                {
                  "id": "r",
                  "effect": "deny",
                  "when": {
                    "programs": ["x"],
                    "history": { "within": 3 }
                  }
                }
              ]
            }
            """,
            "GR2026", "the history condition needs 'match' (earlier operations) or 'notices' (host-reported notices)", 8, 9, "$.rules[0].when.history"
        },
        {
            """
            {
              "rules": [
                {
                  "id": "r",
                  "effect": "deny",
                  "when": {
                    "programs": ["x"],
                    "history": { "match": { "programs": ["y"] }, "notices": ["shutdown"] }
                  }
                }
              ]
            }
            """,
            "GR2026", "the history condition has both 'match' and 'notices'", 8, 9, "$.rules[0].when.history"
        },
        {
            """
            {
              "rules": [
                {
                  "id": "r",
                  "effect": "deny",
                  "when": {
                    "programs": ["x"],
                    "history": { "notices": ["shutdwn"] }
                  }
                }
              ]
            }
            """,
            "GR2027", "unknown notice 'shutdwn'; expected one of: shutdown", 8, 34, "$.rules[0].when.history.notices[0]"
        },
        {
            """
            {
              "rules": [
                {
                  "id": "r",
                  "effect": "deny",
                  "when": {
                    "programs": ["x"],
                    "history": { "match": { "programs": ["y"], "history": { "notices": ["shutdown"] } } }
                  }
                }
              ]
            }
            """,
            "GR2028", "a history condition cannot be nested inside the match of another history condition", 8, 52, "$.rules[0].when.history.match.history"
        },
        {
            """
            {
              "rules": [
                {
                  "id": "r",
                  "effect": "deny",
                  "when": {
                    "history": { "match": { "operations": ["file.bogus"] } }
                  }
                }
              ]
            }
            """,
            "GR2009", "unknown operation 'file.bogus'", 7, 48, "$.rules[0].when.history.match.operations[0]"
        },
    };

    [Theory]
    [MemberData(nameof(LoadErrors))]
    public void Load_InvalidHistoryCondition_ReportsCodeMessageAndLocation(string json, string code, string message, int line, int column, string path)
    {
        var exception = FluentActions.Invoking(() => GuardPolicy.Parse(json, "policy.json")).Should().Throw<PolicyLoadException>().Which;

        var diagnostic = exception.Diagnostics.Should().ContainSingle(d => d.Code == code).Which;
        diagnostic.Severity.Should().Be(PolicyDiagnosticSeverity.Error);
        diagnostic.Message.Should().StartWith(message);
        $"{diagnostic.Line}:{diagnostic.Column}".Should().Be($"{line}:{column}");
        diagnostic.JsonPath.Should().Be(path);
        diagnostic.File.Should().Be("policy.json");
        diagnostic.Help.Should().NotBeNullOrEmpty();
    }

    [Fact]
    public void Load_AHistoryConditionAlone_IsACondition()
    {
        var policy = GuardPolicy.Parse("""{ "rules": [ { "id": "r", "effect": "deny", "when": { "history": { "notices": ["shutdown"] } } } ] }""");

        policy.Diagnostics.Should().NotContain(d => d.Code == "GR2008");
    }

    [Fact]
    public void Load_AnUnknownHistoryProperty_IsATypeError()
    {
        var exception = FluentActions.Invoking(() => GuardPolicy.Parse("""{ "rules": [ { "id": "r", "effect": "deny", "when": { "history": { "notice": ["shutdown"] } } } ] }"""))
            .Should().Throw<PolicyLoadException>().Which;

        exception.Diagnostics.Should().ContainSingle(d => d.Code == "GR1002").Which.Message.Should().Contain("expected one of: match, notices, within, atLeast");
    }
}
