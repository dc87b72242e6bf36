using System.Diagnostics.Metrics;
using Guardrails.Sessions;
using Guardrails.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace Guardrails.Tests.Concurrency;

/// <summary>
/// Swapping the policy of a live guard (<see cref="Guard.UpdatePolicy"/>) while many threads decide: every decision
/// comes from exactly one complete policy version, records it, and is audited exactly once. Threads are coordinated
/// with a barrier and counters, never with sleeps; what is asserted does not depend on how they interleave.
/// </summary>
public sealed class PolicySwapTests
{
    private const int Tools = 4;

    [Fact]
    public async Task UpdatePolicy_WhileThreadsDecide_EachDecisionHasTheVerdictOfTheVersionItRecords()
    {
        const int Threads = 4;
        const int Phases = 6;
        const int PerPhase = 120;
        var policies = Enumerable.Range(0, 3).Select(Versioned).ToArray();
        var (versionOf, expected) = Reference(policies);

        var recorder = new AuditRecorder();
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meterFactory = services.GetRequiredService<IMeterFactory>();
        using var counted = new DecisionCounter(meterFactory);
        var store = new InMemorySessionStore();
        var options = new GuardOptions { HomeDirectory = TestGuards.Home };
        options.Sessions.Store = store;
        var guard = new Guard(policies[0], options, recorder, meterFactory);

        var results = new (int Tool, Decision Decision)[Threads][];
        var decided = 0;
        var swaps = 0;
        using var start = new Barrier(Threads + 1);
        var deciders = Enumerable.Range(0, Threads).Select(t => Task.Factory.StartNew(
            () =>
            {
                results[t] = new (int, Decision)[Phases * PerPhase];
                start.SignalAndWait();
                for (var phase = 0; phase < Phases; phase++)
                {
                    for (var i = 0; i < PerPhase; i++)
                    {
                        var n = (phase * PerPhase) + i;
                        var tool = (t + n) % Tools;
                        results[t][n] = (tool, guard.Evaluate(Call(tool, $"{t}-{n}", "session-" + t)));
                        Interlocked.Increment(ref decided);
                    }

                    // Never run a whole phase ahead of the swapper, so that every version decides some calls.
                    SpinWait.SpinUntil(() => Volatile.Read(ref swaps) > phase, TimeSpan.FromMinutes(2)).Should().BeTrue();
                }
            },
            TaskCreationOptions.LongRunning)).ToArray();
        var swapper = Task.Factory.StartNew(
            () =>
            {
                start.SignalAndWait();
                for (var phase = 0; phase < Phases; phase++)
                {
                    // Swap once half of this phase's calls are decided; the rest race with the swap.
                    var halfway = (phase * Threads * PerPhase) + (Threads * PerPhase / 2);
                    SpinWait.SpinUntil(() => Volatile.Read(ref decided) >= halfway, TimeSpan.FromMinutes(2)).Should().BeTrue();
                    guard.UpdatePolicy(policies[(phase + 1) % policies.Length]);
                    Interlocked.Increment(ref swaps);
                }
            },
            TaskCreationOptions.LongRunning);
        await Task.WhenAll([.. deciders, swapper]);

        var all = results.SelectMany(r => r).ToArray();
        all.Should().HaveCount(Threads * Phases * PerPhase);
        foreach (var (tool, decision) in all)
        {
            versionOf.Should().ContainKey(decision.PolicyVersion);
            var k = versionOf[decision.PolicyVersion];
            decision.Verdict.Should().Be(expected[k, tool], "the verdict must be the one version {0} gives for tool{1}", k, tool);
            decision.PolicyName.Should().Be(policies[k].Name);
            decision.RuleIds.Should().NotContain(id => !id.StartsWith($"v{k}.", StringComparison.Ordinal), "no rule of another version may take part");
        }

        all.Select(r => versionOf[r.Decision.PolicyVersion]).Distinct().Should().HaveCount(policies.Length, "every version decided some calls");

        // No audit entry lost: one record per decision, naming the version that decided it.
        var records = recorder.Decisions.ToDictionary(r => r["CallId"]!, StringComparer.Ordinal);
        records.Should().HaveCount(all.Length);
        foreach (var thread in Enumerable.Range(0, Threads))
        {
            for (var n = 0; n < results[thread].Length; n++)
            {
                var record = records[$"{thread}-{n}"];
                record["PolicyVersion"].Should().Be(results[thread][n].Decision.PolicyVersion);
                record["PolicyName"].Should().Be(results[thread][n].Decision.PolicyName);
            }
        }

        counted.Total.Should().Be(all.Length, "the decisions metric counts every decision");

        // Sessions stay consistent: each remembers every one of its calls, whatever version decided them.
        for (var t = 0; t < Threads; t++)
        {
            store.GetOrAdd("session-" + t, _ => throw new InvalidOperationException("the session was lost")).Actions.Should().Be(Phases * PerPhase);
        }
    }

    [Fact]
    public void UpdatePolicy_SessionHistory_IsKeptAndReadByTheNewPolicy()
    {
        var before = GuardPolicy.Parse("""{ "rules": [] }""", "before");
        var after = GuardPolicy.Parse("""
            { "rules": [ { "id": "after.secret-then-send", "effect": "deny", "score": 100,
                           "when": { "operations": ["http.request"], "history": { "match": { "paths": ["/secret/**"] } } } } ] }
            """, "after");
        var guard = new Guard(before, new GuardOptions { HomeDirectory = TestGuards.Home });

        guard.Evaluate(new ToolCall("bash", Json("""{"command": "cat /secret/key"}""")) { SessionId = "s" }).Verdict.Should().Be(Verdict.Allow);
        guard.UpdatePolicy(after);
        var send = guard.Evaluate(new ToolCall("bash", Json("""{"command": "curl https://example.com"}""")) { SessionId = "s" });

        send.Verdict.Should().Be(Verdict.Deny, "what the session did under the old policy is read by the new one");
        send.RuleIds.Should().Equal("after.secret-then-send");
        send.PolicyName.Should().Be("after");
    }

    [Fact]
    public void UpdatePolicy_FailClosedGuard_ComesIntoService()
    {
        var recorder = new AuditRecorder();
        var guard = Guard.CreateFailClosed("the policy file is missing", logger: recorder);
        guard.Evaluate(ToolCall.Shell("ls")).RuleIds.Should().Equal("guardrails.policy.missing");
        guard.PolicyVersion.Should().BeNull();

        guard.UpdatePolicy(GuardPolicy.Default);

        guard.Evaluate(ToolCall.Shell("ls")).Verdict.Should().Be(Verdict.Allow);
        guard.Policy.Should().BeSameAs(GuardPolicy.Default);
        guard.PolicyVersion.Should().Be(GuardPolicy.Default.Version);
        recorder.Records.Should().Contain(r => r.EventId == 1022 && r["PolicyVersion"] == GuardPolicy.Default.Version && r["PreviousVersion"] == "(none)");
    }

    [Fact]
    public void UpdatePolicy_Null_ThrowsAndKeepsThePolicy()
    {
        var guard = new Guard(GuardPolicy.Default);

        var act = () => guard.UpdatePolicy(null!);

        act.Should().Throw<ArgumentNullException>();
        guard.PolicyVersion.Should().Be(GuardPolicy.Default.Version);
    }

    [Fact]
    public void PolicyVersion_NamesWhatTheOptionsAddToThePolicy()
    {
        var policy = GuardPolicy.Default;
        GuardOptions WithModels(string directory)
        {
            var options = new GuardOptions { HomeDirectory = TestGuards.Home };
            options.Self.ModelDirectories.Add(directory);
            return options;
        }

        var plain = new Guard(policy);
        var first = new Guard(policy, WithModels("/srv/a"));
        var same = new Guard(policy, WithModels("/srv/a"));
        var other = new Guard(policy, WithModels("/srv/b"));

        plain.PolicyVersion.Should().Be(policy.Version);
        first.PolicyVersion.Should().MatchRegex("^[0-9a-f]{16}\\+[0-9a-f]{8}$").And.StartWith(policy.Version + "+");
        same.PolicyVersion.Should().Be(first.PolicyVersion, "the version is a content hash: same content, same version");
        other.PolicyVersion.Should().NotBe(first.PolicyVersion, "different additions are different rules");
        first.Evaluate(ToolCall.Shell("cp -r /srv/a /tmp/x")).PolicyVersion.Should().Be(first.PolicyVersion);
        first.Evaluate(ToolCall.Shell("cp -r /srv/a /tmp/x")).Verdict.Should().Be(Verdict.Deny);
        other.Evaluate(ToolCall.Shell("cp -r /srv/a /tmp/x")).Verdict.Should().Be(Verdict.Allow);
    }

    [Fact]
    public void Evaluate_TelemetryThatThrows_HoldsBackAnAllow()
    {
        var guard = new Guard(GuardPolicy.Default, logger: new ThrowingLogger());

        var allowed = guard.Evaluate(ToolCall.Shell("ls"));
        var denied = guard.Evaluate(ToolCall.Shell("cp -r /models/qwen /tmp/q"));

        allowed.Verdict.Should().Be(Verdict.Deny, "a call that cannot be audited must not run unrecorded");
        allowed.RuleIds.Should().Equal("guardrails.audit.failed");
        allowed.Reasons[0].Should().Contain("the audit log is full");
        denied.RuleIds.Should().Contain("weights.copy", "a deny stays the deny it was");
    }

    /// <summary>
    /// Policy version <paramref name="k"/>: for tool<c>j</c>, deny when (k + j) % 3 is 0, escalate when it is 1, nothing
    /// otherwise; every rule id starts with <c>v<paramref name="k"/>.</c>.
    /// </summary>
    internal static GuardPolicy Versioned(int k) => GuardPolicy.Parse(VersionedJson(k), "policy-v" + k);

    internal static string VersionedJson(int k)
    {
        var rules = new List<string>();
        for (var j = 0; j < Tools; j++)
        {
            var effect = ((k + j) % 3) switch
            {
                0 => "deny",
                1 => "escalate",
                _ => null,
            };
            if (effect is not null)
            {
                rules.Add($$"""{ "id": "v{{k}}.tool{{j}}", "effect": "{{effect}}", "score": 10, "when": { "programs": ["tool{{j}}"] } }""");
            }
        }

        return $$"""{ "description": "version {{k}}", "rules": [ {{string.Join(", ", rules)}} ] }""";
    }

    internal static ToolCall Call(int tool, string callId, string? session = null) =>
        new("bash", Json($$"""{"command": "tool{{tool}} --run {{callId}}"}""")) { CallId = callId, SessionId = session, WorkingDirectory = TestGuards.Home };

    /// <summary>What each version decides for each tool, by a guard of its own, one thread.</summary>
    internal static (Dictionary<string, int> VersionOf, Verdict[,] Expected) Reference(GuardPolicy[] policies)
    {
        var versionOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var expected = new Verdict[policies.Length, Tools];
        for (var k = 0; k < policies.Length; k++)
        {
            var reference = new Guard(policies[k], new GuardOptions { HomeDirectory = TestGuards.Home });
            versionOf.Add(reference.PolicyVersion!, k);
            for (var j = 0; j < Tools; j++)
            {
                expected[k, j] = reference.Evaluate(Call(j, "reference")).Verdict;
            }
        }

        for (var j = 0; j < Tools; j++)
        {
            Enumerable.Range(0, policies.Length).Select(k => expected[k, j]).Distinct().Should().HaveCount(policies.Length, "each version decides tool{0} differently", j);
        }

        return (versionOf, expected);
    }

    private static System.Text.Json.JsonElement Json(string json) => System.Text.Json.JsonDocument.Parse(json).RootElement.Clone();

    /// <summary>Sums the decisions counter of one meter factory.</summary>
    private sealed class DecisionCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _total;

        public DecisionCounter(IMeterFactory meterFactory)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == GuardrailsTelemetry.MeterName && ReferenceEquals(instrument.Meter.Scope, meterFactory)
                    && instrument.Name == GuardrailsTelemetry.DecisionsCounter)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _total, value));
            _listener.Start();
        }

        public long Total => Interlocked.Read(ref _total);

        public void Dispose() => _listener.Dispose();
    }

    private sealed class ThrowingLogger : Microsoft.Extensions.Logging.ILogger<Guard>
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id is >= 1000 and <= 1004)
            {
                throw new IOException("the audit log is full");
            }
        }
    }
}
